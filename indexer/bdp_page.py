"""Reader for practice pages saved from the BDP site as text (see data/practices/bdp/) or HTML.

A page is site chrome (menu, visitor counter), then the category line
("Usługi społeczne : Pomoc społeczna"), the title, a navigation line
(".: Skrót i Metryka -> Pełna prezentacja -> Załączniki :."), the abstract,
"Metryka praktyki" with ``Key:  value`` lines whose continuation lines start
with a (non-breaking) space, the navigation line again, and the partners' footer.

A page saved as HTML is read as the text a browser shows (indexer.html_text),
so both formats go through the same parser and give the same record, except for
the address of the original page (``source_url``): only HTML can name it, in
``<link rel="canonical">`` or ``<meta property="og:url">``. A text page has none,
and none is ever guessed.

A page without its metric card, or whose card is not closed by that second
navigation line, was cut short when saved (the metric fields would be silently
missing): it is refused as truncated rather than indexed half-empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html  # type: ignore[import-untyped]  # lxml ships no type hints
from lxml import etree

from indexer.encoding import read_source_bytes, read_source_text, source_lines
from indexer.errors import SourceError
from indexer.html_text import decode_html, html_to_text
from indexer.limits import Limits, current_limits, practice_problem
from indexer.records import Practice, url_problem

NAV_MARKER = "Skrót i Metryka"
METRIC_HEADER = "Metryka praktyki"
RESAVE = "zapisz stronę ponownie w całości"

# Metric card labels as the site prints them (its own spelling included),
# mapped to record fields; anything else lands in ``extra``.
METRIC_KEYS = {
    "data wprowadzenia do bdp": "date_added",
    "data aktualizacji": "date_updated",
    "typ jednostki": "unit_type",
    "miejscowość": "town",
    "powiat": "county",
    "województwo": "voivodeship",
    "kod pocztowy i poczta": "postal_code",
    "kod pocztowy": "postal_code",
    "jednostka wdrażająca": "implementing_unit",
    "ulica": "street",
    "adres": "street",
    "telefon": "phones",
    "telefony": "phones",
    "wirtyna internetowa": "websites",
    "witryna internetowa": "websites",
    "strona internetowa": "websites",
    "strona www": "websites",
    "adres e@mail": "emails",
    "adres e-mail": "emails",
    "e-mail": "emails",
    "e@mail": "emails",
    "liczba mieszkańców": "population",
    "osoby kontaktowe": "contacts",
    "osoba kontaktowa": "contacts",
}
MULTI_VALUE_FIELDS = {"phones", "websites", "emails", "contacts"}
DATE_FIELDS = {"date_added", "date_updated"}

METRIC_LINE = re.compile(r"^(?P<key>[^\s:][^:]{0,60}?)\s*:\s*(?P<value>.*)$")
POSTAL_CODE = re.compile(r"^(?P<code>\d{2}-\d{3})\s*(?P<post>.*)$")
POPULATION = re.compile(r"^\d{1,3}(?:[.\s]\d{3})*$|^\d+$")


@dataclass
class _Metric:
    """One metric entry while parsing: its label, field, first line and values."""

    label: str
    field: str | None
    line: int
    values: list[str] = dataclasses.field(default_factory=list)


def read_page_text(path: Path, max_bytes: int | None = None) -> str:
    """Read a page in UTF-8 (a BOM is tolerated), Windows-1250 or ISO-8859-2."""
    return read_source_text(path, max_bytes)


def parse_page(path: Path | str, limits: Limits | None = None) -> Practice:
    """Parse one saved BDP page into a practice whose id is the file name without extension.

    A page is a few kilobytes: one larger than a whole record may be is refused unread.
    """
    path = Path(path)
    limits = limits or current_limits()
    return parse_page_text(read_page_text(path, limits.record_bytes), path, limits)


def parse_html_page(path: Path | str, limits: Limits | None = None) -> Practice:
    """Parse one BDP page saved as HTML: its rendered text is read as a text page is.

    The size limit is the text page's: a saved page is still one practice.
    """
    path = Path(path)
    limits = limits or current_limits()
    data = read_source_bytes(path, limits.record_bytes)
    text = html_to_text(data, path)
    if not text.strip():
        raise SourceError(path, f"strona HTML nie zawiera tekstu (pusta lub uszkodzona?); {RESAVE}")
    try:
        practice = parse_page_text(text, path, limits)
    except SourceError as error:
        raise _in_shown_text(error) from None
    url = page_url(data, path, limits.field_chars)
    return dataclasses.replace(practice, source_url=url) if url else practice


def page_url(data: bytes, path: Path | str, most: int) -> str | None:
    """The address a saved HTML page names as its own, or None.

    ``<link rel="canonical">`` first, then ``<meta property="og:url">``; only an
    absolute http(s) address of at most ``most`` characters counts (a relative one
    has nothing to resolve against, a longer one would not read back from an export).
    """
    text, _encoding = decode_html(data, path)
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.LxmlError, ValueError):
        return None
    candidates = [
        *(
            link.get("href")
            for link in root.iter("link")
            if "canonical" in (link.get("rel") or "").lower().split()
        ),
        *(meta.get("content") for meta in root.iter("meta") if meta.get("property") == "og:url"),
    ]
    for candidate in candidates:
        url = (candidate or "").strip()
        if url and len(url) <= most and url_problem(url) is None:
            return url
    return None


def _in_shown_text(error: SourceError) -> SourceError:
    """The error with its line counted in the shown text, which is not the HTML file's line."""
    if error.line is None:
        return error
    return SourceError(
        error.path,
        f"{error.problem} (wiersz {error.line} tekstu widocznego na stronie)",
        field=error.field,
    )


def parse_page_text(text: str, path: Path, limits: Limits | None = None) -> Practice:
    """Parse the text of a page; ``path`` names the practice and the errors."""
    lines = [_clean_line(line) for line in source_lines(text)]
    nav = [i for i, line in enumerate(lines) if NAV_MARKER in line and "->" in line]
    if not nav:
        raise SourceError(
            path, f"brak linii nawigacji „{NAV_MARKER} -> …” — to nie jest strona BDP"
        )
    first_nav = nav[0]
    title_at, title = _previous_nonempty(lines, first_nav)
    if title is None:
        raise SourceError(path, "brak tytułu praktyki przed linią nawigacji", line=first_nav + 1)
    _category_at, category_line = _previous_nonempty(lines, title_at)
    if category_line is None or category_line in ("Strona główna",):
        raise SourceError(path, "brak linii kategorii nad tytułem", line=title_at + 1)
    category, _, subcategory = (part.strip() for part in category_line.partition(" : "))

    metric_at, end_at = _metric_block(lines, nav, path)
    summary = _paragraphs(lines[first_nav + 1 : metric_at])
    metrics = _metric_entries(lines, metric_at + 1, end_at, path)
    if not metrics:
        raise SourceError(
            path,
            f"sekcja „{METRIC_HEADER}” jest pusta — strona jest niepełna; {RESAVE}",
            line=metric_at + 1,
        )
    values, extra = _metric_values(metrics, path)

    practice = Practice(
        id=path.stem,
        title=title,
        category=category or None,
        subcategory=subcategory or None,
        summary=summary,
        body="",
        # The saved page's name, not the file's: saved as .txt or as .html, a page is
        # the same record (an update sees no change when an editor re-saves it).
        source=path.stem,
        extra=extra,
        **values,
    )
    problem = practice_problem(practice, limits or current_limits())
    if problem:
        field_name, message = problem
        raise SourceError(path, message, field=field_name)
    return practice


def _metric_block(lines: list[str], nav: list[int], path: Path) -> tuple[int, int]:
    """Where the metric card starts and the navigation line closing it; else truncated.

    A page cut short while saving loses its end: the card's last fields and the
    closing navigation line (a cut inside the partners' footer loses nothing).
    """
    try:
        metric_at = lines.index(METRIC_HEADER, nav[0])
    except ValueError:
        raise SourceError(
            path, f"brak sekcji „{METRIC_HEADER}” — strona jest niepełna (ucięta?); {RESAVE}"
        ) from None
    end_at = next((i for i in nav if i > metric_at), None)
    if end_at is None:
        raise SourceError(
            path,
            f"strona jest ucięta: sekcji „{METRIC_HEADER}” nie zamyka linia nawigacji "
            f"„.: {NAV_MARKER} -> … :.”, więc część pól metryki mogła przepaść; {RESAVE}",
            line=len(lines),
        )
    return metric_at, end_at


def _clean_line(line: str) -> str:
    """Non-breaking spaces become spaces; trailing blanks go; leading ones mark continuations."""
    return line.replace("\u00a0", " ").rstrip()


def _previous_nonempty(lines: list[str], before: int) -> tuple[int, str | None]:
    for i in range(before - 1, -1, -1):
        if lines[i].strip():
            return i, lines[i].strip()
    return -1, None


def _paragraphs(lines: list[str]) -> str:
    """Join lines into paragraphs separated by a blank line, spaces collapsed."""
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            current.append(" ".join(line.split()))
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _metric_entries(lines: list[str], start: int, end: int, path: Path) -> list[_Metric]:
    """Group metric lines into entries: a ``Key: value`` line plus its continuation lines."""
    entries: list[_Metric] = []
    for i in range(start, end):
        line = lines[i]
        if not line.strip():
            continue
        if line[0].isspace():
            if not entries:
                raise SourceError(path, "linia kontynuacji bez pola nad nią", line=i + 1)
            entries[-1].values.append(" ".join(line.split()))
            continue
        match = METRIC_LINE.match(line)
        if not match:
            raise SourceError(path, f"niezrozumiała linia metryki: {line.strip()!r}", line=i + 1)
        label = " ".join(match["key"].split())
        entry = _Metric(label, METRIC_KEYS.get(label.lower()), i + 1)
        if match["value"].strip():
            entry.values.append(" ".join(match["value"].split()))
        entries.append(entry)
    return entries


def _metric_values(metrics: list[_Metric], path: Path) -> tuple[dict, dict]:
    """Turn metric entries into record fields (validated) and an ``extra`` mapping."""
    values: dict = {}
    extra: dict = {}
    post_office = None
    for m in metrics:
        if m.field is None:
            extra[m.label] = m.values[0] if len(m.values) == 1 else list(m.values)
            continue
        if not m.values:
            continue
        if m.field in values:
            raise SourceError(path, "pole występuje dwa razy", line=m.line, field=m.label)
        if m.field in MULTI_VALUE_FIELDS:
            values[m.field] = tuple(m.values)
            continue
        value = " ".join(m.values)
        if m.field in DATE_FIELDS:
            values[m.field] = _iso_date(value, path, m)
        elif m.field == "population":
            values[m.field] = _population(value, path, m)
        elif m.field == "postal_code":
            code = POSTAL_CODE.match(value)
            if not code:
                raise SourceError(
                    path,
                    f"oczekiwano kodu w postaci 00-000, jest {value!r}",
                    line=m.line,
                    field=m.label,
                )
            values["postal_code"] = code["code"]
            if code["post"]:
                post_office = code["post"]
        else:
            values[m.field] = value
    if post_office and post_office != values.get("town"):
        extra["Poczta"] = post_office  # only when it says more than the town
    return values, extra


def _iso_date(value: str, path: Path, m: _Metric) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise SourceError(
            path, f"oczekiwano daty RRRR-MM-DD, jest {value!r}", line=m.line, field=m.label
        ) from None


def _population(value: str, path: Path, m: _Metric) -> int:
    """ "60.444" and "60 444" mean sixty thousand four hundred and forty-four."""
    if not POPULATION.match(value):
        raise SourceError(path, f"oczekiwano liczby, jest {value!r}", line=m.line, field=m.label)
    return int(re.sub(r"[.\s]", "", value))
