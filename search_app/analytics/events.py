"""The two events of the search log, in the form they are stored, and nothing more.

An event holds the normalized query, what the engine did with it, and a random
search id (``uuid4``) that ties later clicks to the search. Nothing about the
person is accepted here (no address, user agent, cookie or referrer), and time
is kept to the minute. Normalizing happens when the event is made, in the
request's thread (microseconds), so the writer thread only inserts.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from indexer.records import ID_PATTERN

# Bounds on what one event stores, so a pasted page cannot grow the database.
MAX_QUERY_CHARS = 500
MAX_WORDS = 32
MAX_WORD_CHARS = 64
MAX_SORT_CHARS = 32
MAX_FILTER_VALUES = 50
MAX_FILTER_CHARS = 200
MAX_POSITION = 10_000

SEARCH_ID = re.compile(r"[0-9a-f]{32}")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SearchEvent:
    """One search as stored: one row of ``searches``."""

    search_id: str
    minute: int
    query: str
    corrected: str | None
    filters: str
    sort: str
    page: int
    total: int
    latency_ms: float
    relaxed_words: str
    unknown_words: str


@dataclass(frozen=True, slots=True)
class ClickEvent:
    """One click on a result of a logged search: one row of ``clicks``."""

    minute: int
    search_id: str
    position: int
    practice_id: str


def new_search_id() -> str:
    """A random id (uuid4), derived from nothing about the person or the search."""
    return uuid.uuid4().hex


def epoch_minute(moment: datetime) -> int:
    """Minutes since 1970-01-01 UTC; a naive datetime is taken as UTC.

    >>> epoch_minute(datetime(1970, 1, 2, 0, 1, 59, tzinfo=UTC))
    1441
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp()) // 60


def normalize_query(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """Lowercase, whitespace collapsed, NFC, at most ``limit`` characters.

    >>> normalize_query("  Budżet\\tObywatelski \\n")
    'budżet obywatelski'
    >>> normalize_query("Z\\u0307ory") == "żory"
    True
    """
    return clean_text(text, limit).lower()


def clean_text(text: str, limit: int) -> str:
    """NFC, whitespace collapsed, at most ``limit`` characters; case kept (facet values)."""
    text = unicodedata.normalize("NFC", str(text))
    return _SPACE.sub(" ", text).strip()[:limit]


def canonical_filters(filters: Mapping[str, Iterable[str]] | None) -> str:
    """Filters as canonical JSON: keys sorted, each group's values cleaned and sorted.

    The order in which a person ticked facets does not make another search.

    >>> canonical_filters({"voivodeship": ["śląskie", " opolskie"], "category": []})
    '{"voivodeship":["opolskie","śląskie"]}'
    """
    groups: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        if isinstance(values, str):
            values = [values]
        cleaned = sorted({clean_text(v, MAX_FILTER_CHARS) for v in values} - {""})
        if cleaned:
            groups[clean_text(name, MAX_FILTER_CHARS)] = cleaned[:MAX_FILTER_VALUES]
    return _json(groups, sort_keys=True)


def word_list(words: Iterable[str]) -> str:
    """Words as a JSON list: normalized, each once, in the order given, bounded.

    >>> word_list(["Gmina", "gmina", " ", "żłobek"])
    '["gmina","żłobek"]'
    """
    seen: dict[str, None] = {}
    for word in words:
        cleaned = normalize_query(word, MAX_WORD_CHARS)
        if cleaned:
            seen.setdefault(cleaned, None)
        if len(seen) == MAX_WORDS:
            break
    return _json(list(seen))


def search_event(
    search_id: str,
    moment: datetime,
    query: str,
    *,
    corrected: str | None,
    filters: Mapping[str, Iterable[str]] | None,
    sort: str,
    page: int,
    total: int,
    latency_ms: float,
    relaxed_words: Iterable[str],
    unknown_words: Iterable[str],
) -> SearchEvent:
    """The stored form of one search; raises on values of the wrong type (the caller drops it).

    A correction that normalizes to the query itself (only its case differed) is none.
    """
    normalized = normalize_query(query)
    corrected_query = normalize_query(corrected) if corrected is not None else ""
    return SearchEvent(
        search_id=search_id,
        minute=epoch_minute(moment),
        query=normalized,
        corrected=corrected_query if corrected_query not in ("", normalized) else None,
        filters=canonical_filters(filters),
        sort=normalize_query(sort, MAX_SORT_CHARS),
        page=max(1, int(page)),
        total=max(0, int(total)),
        latency_ms=round(max(0.0, float(latency_ms)), 2),
        relaxed_words=word_list(relaxed_words),
        unknown_words=word_list(unknown_words),
    )


def click_event(
    moment: datetime, search_id: str, position: int, practice_id: str
) -> ClickEvent | None:
    """The stored form of one click, or None when a value is not one the site gives out.

    Clicks arrive from URLs anyone can write: only a search id of the log's own
    form, a position from 1 and a valid practice id are kept, so no free text
    (an address, a name) can be smuggled into the log through them.

    >>> click_event(datetime.now(UTC), "0" * 32, 1, "000_3b014753ec2e4c31") is not None
    True
    >>> click_event(datetime.now(UTC), "203.0.113.77", 1, "p1") is None
    True
    """
    if not isinstance(search_id, str) or not SEARCH_ID.fullmatch(search_id):
        return None
    if not isinstance(practice_id, str) or not ID_PATTERN.fullmatch(practice_id):
        return None
    if isinstance(position, bool) or not isinstance(position, int):
        return None
    if not 1 <= position <= MAX_POSITION:
        return None
    return ClickEvent(epoch_minute(moment), search_id, position, practice_id)


# Made once: json.dumps with non-default options builds an encoder per call (~3 µs).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_SORTED_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _json(value: object, sort_keys: bool = False) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return (_SORTED_ENCODER if sort_keys else _ENCODER).encode(value)
