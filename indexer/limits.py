"""Size and range limits on a practice, checked before a record reaches the index writer.

One oversized or strange record must not slow every page that shows it, nor
abort a whole build with a traceback: a record outside these limits is a
:class:`~indexer.errors.SourceError` naming its file, line and field. Each limit
can be raised (or lowered) with an environment variable ``BDP_MAX_<NAME>``,
e.g. ``BDP_MAX_BODY_CHARS=400000``.

The defaults are far above what real BDP practices need (a saved page is
about 5 kB, the bundled practices have under 3,000 characters of text) and low
enough that the practice page and „Podobne praktyki” stay fast for the largest
allowed record. Two limits have a ceiling no setting can pass, as beyond it the
faults these limits exist for come back: ``extra`` deeper than 100 levels, and
a population that does not fit Whoosh's signed 64-bit NUMERIC field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from indexer.encoding import grouped
from indexer.errors import LimitSettingError
from indexer.records import LIST_FIELDS, OPTIONAL_TEXT_FIELDS, Practice, id_problem

ENV_PREFIX = "BDP_MAX_"
CEILINGS = {"extra_depth": 100, "population": 2**63 - 1}


@dataclass(frozen=True)
class Limits:
    """The limits in force; every one is a positive integer."""

    # One line of JSON Lines (or one saved page file), in UTF-8 bytes: the outer
    # bound on everything else. 2 MiB leaves room for the longest body even when
    # written with ensure_ascii (\u0105 is 6 bytes for one "ą").
    record_bytes: int = 2 * 1024 * 1024
    title_chars: int = 1_000
    summary_chars: int = 20_000
    # About 100 printed pages; the page shows it in full and stays ~0.2 MB of HTML.
    body_chars: int = 200_000
    # Every other text: metric fields, each list item, each key and text in ``extra``.
    field_chars: int = 2_000
    # Items of each list (phones, websites, emails, contacts) and of each list or
    # object inside ``extra``.
    list_items: int = 100
    # ``extra`` itself is level 1; a list or object inside it adds a level. Pages
    # need 2 (a label with several lines); deeper JSON broke pickling and hashing.
    extra_depth: int = 8
    # Poland has ~38 million inhabitants, its largest self-governing unit (the
    # Mazowieckie voivodeship) ~5.5 million; 100 million leaves room for any unit
    # anywhere, still catches a typo of two extra digits or a pasted phone number,
    # and stays far inside Whoosh's signed 64-bit NUMERIC field (and exact as a float).
    population: int = 100_000_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, each overridden by ``BDP_MAX_<NAME>`` when set."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for spec in fields(cls):
            name = ENV_PREFIX + spec.name.upper()
            raw = environ.get(name, "").strip()
            if raw:
                values[spec.name] = _positive_int(name, raw, CEILINGS.get(spec.name))
        return cls(**values)


def current_limits() -> Limits:
    """The limits from the environment, read afresh so a test or a server can change them."""
    return Limits.from_env()


def _positive_int(name: str, raw: str, ceiling: int | None) -> int:
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise LimitSettingError(f"{name}: oczekiwano dodatniej liczby całkowitej, jest {raw!r}")
    if ceiling is not None and value > ceiling:
        raise LimitSettingError(f"{name}: najwyżej {ceiling}, jest {raw!r}")
    return value


def practice_problem(practice: Practice, limits: Limits) -> tuple[str, str] | None:
    """The first field of ``practice`` outside the limits, as (field, Polish problem)."""
    problem = id_problem(practice.id)
    if problem:
        return "id", problem
    for name, most in (
        ("title", limits.title_chars),
        ("summary", limits.summary_chars),
        ("body", limits.body_chars),
    ):
        problem = _text_problem(getattr(practice, name), most)
        if problem:
            return name, problem
    for name in OPTIONAL_TEXT_FIELDS:
        problem = _text_problem(getattr(practice, name) or "", limits.field_chars)
        if problem:
            return name, problem
    for name in LIST_FIELDS:
        problem = _list_problem(getattr(practice, name), limits)
        if problem:
            return name, problem
    problem = _list_problem(tuple(item.title for item in practice.attachments), limits)
    problem = problem or _list_problem(tuple(item.path for item in practice.attachments), limits)
    if problem:
        return "attachments", problem
    population = practice.population
    if population is not None and not 0 <= population <= limits.population:
        return "population", (
            f"liczba mieszkańców {_short_number(population)} jest poza zakresem "
            f"0–{grouped(limits.population)}"
        )
    problem = extra_problem(practice.extra, limits)
    if problem:
        return "extra", problem
    return None


def _text_problem(text: str, most: int) -> str | None:
    if len(text) > most:
        return f"tekst ma {grouped(len(text))} znaków, dopuszczalne najwyżej {grouped(most)}"
    return None


def _list_problem(items: tuple[str, ...], limits: Limits) -> str | None:
    if len(items) > limits.list_items:
        return f"lista ma {len(items)} pozycji, dopuszczalne najwyżej {limits.list_items}"
    for number, item in enumerate(items, start=1):
        problem = _text_problem(item, limits.field_chars)
        if problem:
            return f"pozycja {number}: {problem}"
    return None


def extra_problem(extra: Any, limits: Limits) -> str | None:
    """Why ``extra`` is too deep, too wide or too long; walked without recursion.

    A recursive walk would itself fail on the deeply nested JSON it is meant to reject.
    """
    stack: list[tuple[Any, int]] = [(extra, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(value, limits.field_chars)
            if problem:
                return problem
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > limits.extra_depth:
            return depth_problem(limits.extra_depth)
        if len(value) > limits.list_items:
            return (
                f"lista lub obiekt ma {len(value)} pozycji, "
                f"dopuszczalne najwyżej {limits.list_items}"
            )
        if isinstance(value, dict):
            for key in value:
                problem = _text_problem(key, limits.field_chars)
                if problem:
                    return f"nazwa klucza: {problem}"
            stack.extend((child, depth + 1) for child in value.values())
        else:
            stack.extend((child, depth + 1) for child in value)
    return None


def depth_problem(most: int) -> str:
    """The message for data nested deeper than ``most`` levels."""
    return f"dane zagnieżdżone zbyt głęboko (dopuszczalne najwyżej {most} poziomów)"


def _short_number(number: int) -> str:
    """A number for a message: a 4,000-digit one is not printed in full."""
    if abs(number) < 10**20:
        return str(number)
    return f"o ok. {int(abs(number).bit_length() * 0.30103) + 1} cyfrach"
