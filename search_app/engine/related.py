"""“Podobne praktyki”: practices sharing the key terms of one practice (more like this)."""

from __future__ import annotations

from typing import Any

from whoosh.query import Term
from whoosh.searching import Searcher

from indexer.fields import OWN_TEXT_FIELDS, SIMILAR_FIELDS
from search_app.engine.arrays import evaluate, ranked
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
    terms = searcher.key_terms_from_text("body", text, numterms=KEY_TERMS, normalize=True)
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
