"""“Podobne praktyki”: practices sharing the key terms of one practice (more like this)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from cachetools import LRUCache
from whoosh import classify
from whoosh.fields import FieldType
from whoosh.query import Term
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from analyzers.surfaces import index_tokens
from indexer.fields import OWN_TEXT_FIELDS, SIMILAR_FIELDS
from search_app.engine.arrays import evaluate, ranked
from search_app.engine.columns import segments_key
from search_app.engine.variants import UnionOr

RELATED_LIMIT = 5
# With 12, generic words of the text ("wraz", "cel", "istnieć") crowded out the topic words
# once lemmas were ranked by frequency; 20 keeps the foster-care pages each other's nearest.
KEY_TERMS = 20
# The text fields of their own (title, summary, body; not the metric card's metadata).
RELATED_FIELDS = OWN_TEXT_FIELDS
# Key terms come from the first this many characters of title, summary and body
# together: a practice says what it is about at the start, the bundled practices
# have a few thousand, and analysing a 50 MB body took 8.7 s and 280 MB.
RELATED_TEXT_CHARS = 20_000
# Collection frequencies of body terms, looked up by the key-term model: each page asked
# the term dictionary twice for each of its ~150 distinct words, mostly the same words.
FREQUENCIES_HELD = 20_000  # about 6 MB (cachetools, tracemalloc)


def similar_practices(
    searcher: Searcher, practice_id: str, limit: int = RELATED_LIMIT
) -> list[dict[str, Any]]:
    """The practices most like ``practice_id``, best first; [] for an unknown id.

    Whoosh's ``more_like`` searches one field only, and many practices say most in
    the summary, so the key terms (the same Bo1 model ``more_like`` uses) are searched
    in the title, summary and body together, weighted by how characteristic they are.
    Only the first :data:`RELATED_TEXT_CHARS` characters are analysed, so the cost
    is bounded whatever the practice's length.
    """
    docnum = searcher.document_number(id=practice_id)
    if docnum is None:
        return []
    record = searcher.stored_fields(docnum)["record"]
    text = related_text(record)
    terms = key_terms(searcher.reader(), text)
    if not terms:
        return []
    # A tree of unions (not Whoosh's arrays of small segments): evaluated as arrays.
    query = UnionOr(
        [Term(name, term, boost=weight) for name in RELATED_FIELDS for term, weight in terms]
    )
    found = evaluate(searcher, query)
    found.mask[docnum] = False
    best = ranked(found.scores, found.mask, limit)
    return [_summary(searcher.stored_fields(int(doc))["record"]) for doc in best]


def key_terms(reader: IndexReader, text: str) -> list[tuple[str, float]]:
    """Whoosh's ``key_terms_from_text`` for the body field (the Bo1 model), with each
    term's collection frequency remembered across pages of the same segments."""
    expander = classify.Expander(_RememberedFrequencies(reader), "body", model=classify.Bo1Model)
    expander.add(_term_weights(reader.schema["body"], text))
    return expander.expanded_terms(KEY_TERMS, normalize=True)


def _term_weights(field: FieldType, text: str) -> list[tuple[str, float]]:
    """What ``Expander.add_text`` weighs for ``text`` (each term's count times the field's
    boost), with the text analysed a distinct word at a time (analyzers.surfaces)."""
    counts = Counter(
        term for term, stopped, *_ in index_tokens(field.analyzer, text) if not stopped
    )
    boost = field.format.field_boost
    return [(term, count * boost) for term, count in counts.items()]


_frequencies: LRUCache = LRUCache(maxsize=FREQUENCIES_HELD)
_lock = threading.Lock()


class _RememberedFrequencies:
    """A reader whose ``frequency`` and ``in`` answer from one remembered lookup.

    Keyed by the reader's segments (which never change once written) and the term,
    so an update or a rebuild brings new keys. Everything else goes to the reader.
    """

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._segments = segments_key(reader)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self.frequency(*term) > 0

    def frequency(self, fieldname: str, text: bytes) -> float:
        key = (self._segments, fieldname, text)
        with _lock:
            found = _frequencies.get(key)
        if found is None:
            found = self._reader.frequency(fieldname, text)  # 0 for a term not in the index
            with _lock:
                _frequencies[key] = found
        return found


def related_text(record: dict[str, Any], most: int = RELATED_TEXT_CHARS) -> str:
    """The start of the practice's title, summary and body, at most ``most`` characters."""
    parts: list[str] = []
    left = most
    for name in RELATED_FIELDS:
        part = (record.get(name) or "")[:left]
        parts.append(part)
        left -= len(part) + 1
        if left <= 0:
            break
    return "\n".join(parts)[:most]


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record.get(name) for name in SIMILAR_FIELDS}
