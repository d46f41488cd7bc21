r"""Reader and writer for the canonical JSON Lines format, one practice per line.

A line ends at ``\n`` only (a ``\r`` before it is dropped): JSON strings may hold
U+2028, U+0085 and the like raw, and ``str.splitlines`` would cut a practice there
and miscount every later line. The writer escapes them anyway (see
:meth:`Practice.to_json`), so other tools see one practice per line too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from indexer.encoding import read_source_text, source_lines
from indexer.errors import SourceError
from indexer.fields import BOOLEAN_FIELDS, DATE_FIELDS, REQUIRED_FIELDS
from indexer.limits import Limits, current_limits, depth_problem, practice_problem
from indexer.records import (
    FIELD_ORDER,
    LIST_FIELDS,
    OPTIONAL_TEXT_FIELDS,
    Attachment,
    Practice,
    url_problem,
)

# Fields holding a web address: checked as one (see indexer.records.url_problem).
URL_FIELDS = ("source_url",)
# A JSON string, a bracket or a colon: enough to follow nesting without parsing.
JSON_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{}:]')


def read_jsonl(path: Path | str) -> Iterator[Practice | SourceError]:
    """Yield each line's practice, or a :class:`SourceError` naming file and line.

    One bad line does not stop the others: the caller decides what to do.
    """
    for _number, item in read_jsonl_numbered(path):
        yield item


def read_jsonl_numbered(path: Path | str) -> Iterator[tuple[int | None, Practice | SourceError]]:
    """Like :func:`read_jsonl`, with each item's line number (None for a whole-file error)."""
    path = Path(path)
    limits = current_limits()
    try:
        text = read_source_text(path)
    except SourceError as error:
        yield None, error
        return
    for number, line in enumerate(source_lines(text), start=1):
        if not line.strip():
            continue
        try:
            yield number, practice_from_json(line, path, number, limits)
        except SourceError as error:
            yield number, error


def practice_from_json(
    line: str, path: Path, number: int, limits: Limits | None = None
) -> Practice:
    """Validate one JSON line against the canonical format and the limits, build the practice."""
    limits = limits or current_limits()
    size = len(line.encode("utf-8", "surrogatepass"))
    if size > limits.record_bytes:
        raise SourceError(
            path,
            f"wiersz ma {size:,} bajtów, dopuszczalne najwyżej {limits.record_bytes:,}".replace(
                ",", " "
            ),
            line=number,
        )
    too_deep = _nesting_problem(line, limits.extra_depth + 1)
    if too_deep:
        raise SourceError(path, too_deep[1], line=number, field=too_deep[0])
    try:
        data = json.loads(line, parse_constant=_reject_constant, parse_float=_finite_float)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except json.JSONDecodeError as exc:
        raise SourceError(
            path, f"niepoprawny JSON: {exc.msg} (kolumna {exc.colno})", line=number
        ) from None
    except RecursionError:
        raise SourceError(path, "JSON jest zagnieżdżony zbyt głęboko", line=number) from None
    except UnicodeEncodeError:
        raise SourceError(
            path, "tekst zawiera niepoprawny znak Unicode (np. \\ud800)", line=number
        ) from None
    except ValueError as exc:
        raise SourceError(path, str(exc), line=number) from None
    if not isinstance(data, dict):
        raise SourceError(path, "oczekiwano obiektu JSON {…}", line=number)
    return practice_from_dict(data, path, number, limits)


def _nesting_problem(line: str, most: int) -> tuple[str | None, str] | None:
    """(top-level key, problem) when the line nests deeper than ``most``, found without parsing.

    json.loads and json.dumps recurse: whether 975 levels fail there, or only later
    when the record is pickled, depends on the caller's stack. So depth is measured
    first, the same for every caller, and blamed on the field that holds it.
    """
    if line.count("[") + line.count("{") <= most:
        return None
    depth = 0
    key: str | None = None
    previous = ""
    for match in JSON_STRUCTURE.finditer(line):
        token = match[0]
        if token in ("[", "{"):
            depth += 1
            if depth > most:
                return key, depth_problem(most - 1)
        elif token in ("]", "}"):
            depth -= 1
        elif token == ":" and depth == 1 and previous.startswith('"'):
            key = _json_key(previous)
        previous = token
    return None


def _json_key(token: str) -> str | None:
    try:
        key = json.loads(token)
    except ValueError:
        return None
    return key if key in FIELD_ORDER else None


def _reject_constant(name: str) -> float:
    raise ValueError(f"niedozwolona wartość {name} (JSON dopuszcza tylko skończone liczby)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"liczba {text[:20]} jest zbyt duża")
    return value


def practice_from_dict(
    data: dict[str, Any],
    path: Path | str,
    number: int | None,
    limits: Limits | None = None,
) -> Practice:
    """Check field names, types, sizes and ranges; error messages name the offending field.

    Everything that could later break the index writer, a page or the export
    (an id unfit for a URL, a population beyond 64 bits, ``extra`` nested
    hundreds deep) is refused here, where the file and line are still known.
    """

    def fail(field: str, problem: str) -> SourceError:
        return SourceError(path, problem, line=number, field=field)

    unknown = sorted(set(data) - set(FIELD_ORDER))
    if unknown:
        raise fail(unknown[0], "nieznane pole (dodatkowe dane umieść w „extra”)")
    for name in REQUIRED_FIELDS:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise fail(name, "pole wymagane: niepusty tekst")

    values: dict[str, Any] = {"id": data["id"].strip(), "title": data["title"].strip()}
    for name in ("summary", "body"):
        value = data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise fail(name, "oczekiwano tekstu")
        values[name] = value
    for name in OPTIONAL_TEXT_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(name, "oczekiwano tekstu albo null")
        values[name] = value if value else None
    for name in URL_FIELDS:
        if values[name] is not None:
            values[name] = values[name].strip()
            not_url = url_problem(values[name])
            if not_url:
                raise fail(name, not_url)
    for name in BOOLEAN_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            raise fail(name, f"oczekiwano true albo false, jest {json.dumps(value)[:40]}")
        values[name] = bool(value)
    for name in DATE_FIELDS:
        if values[name] is not None:
            try:
                values[name] = dt.date.fromisoformat(values[name]).isoformat()
            except ValueError:
                raise fail(name, f"oczekiwano daty RRRR-MM-DD, jest {values[name]!r}") from None
    for name in LIST_FIELDS:
        value = data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(name, "oczekiwano listy tekstów")
        values[name] = tuple(value)
    population = data.get("population")
    if population is not None and (
        isinstance(population, bool) or not isinstance(population, int) or population < 0
    ):
        raise fail("population", "oczekiwano nieujemnej liczby całkowitej albo null")
    values["population"] = population
    values["attachments"] = _attachments(data.get("attachments"), fail)
    extra = data.get("extra") or {}
    if not isinstance(extra, dict):
        raise fail("extra", "oczekiwano obiektu JSON {…}")
    values["extra"] = extra
    practice = Practice(**values)
    problem = practice_problem(practice, limits or current_limits())
    if problem:
        raise fail(*problem)
    return practice


def _attachments(value: Any, fail: Callable[[str, str], SourceError]) -> tuple[Attachment, ...]:
    """The attachments as listed; whether each file is there and inside the source's
    folder is checked where the folder is known (:mod:`indexer.attachments`)."""
    shape = 'oczekiwano listy obiektów {"path": …, "title": …}'
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail("attachments", shape)
    found = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"path", "title"}:
            raise fail("attachments", shape)
        path, title = item.get("path"), item.get("title")
        if not isinstance(path, str) or not path.strip():
            raise fail("attachments", "każdy załącznik potrzebuje ścieżki „path” (niepusty tekst)")
        if title is not None and not isinstance(title, str):
            raise fail("attachments", "tytuł załącznika „title” musi być tekstem")
        found.append(Attachment(path, (title or "").strip() or PurePosixPath(path).name))
    return tuple(found)


def write_jsonl(practices: Iterable[Practice], handle: IO[str]) -> int:
    """Write practices in the canonical format; returns how many were written."""
    count = 0
    for practice in practices:
        handle.write(practice.to_json())
        handle.write("\n")
        count += 1
    return count
