"""“Podobne praktyki”: practices sharing the key terms of one practice (more like this)."""

from __future__ import annotations

from typing import Any

from whoosh.query import Or, Term
from whoosh.searching import Searcher

RELATED_LIMIT = 5
KEY_TERMS = 12
RELATED_FIELDS = ("title", "summary", "body")


def similar_practices(
    searcher: Searcher, practice_id: str, limit: int = RELATED_LIMIT
) -> list[dict[str, Any]]:
    """The practices most like ``practice_id``, best first; [] for an unknown id.

    Whoosh's ``more_like`` searches one field only, and many practices say most in
    the summary, so the key terms (the same Bo1 model ``more_like`` uses) are searched
    in the title, summary and body together, weighted by how characteristic they are.
    """
    docnum = searcher.document_number(id=practice_id)
    if docnum is None:
        return []
    record = searcher.stored_fields(docnum)["record"]
    text = "\n".join(record.get(name) or "" for name in RELATED_FIELDS)
    terms = searcher.key_terms_from_text("body", text, numterms=KEY_TERMS, normalize=True)
    if not terms:
        return []
    query = Or(
        [Term(name, term, boost=weight) for name in RELATED_FIELDS for term, weight in terms]
    )
    hits = searcher.search(query, limit=limit, mask={docnum})
    return [_summary(hit["record"]) for hit in hits]


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        name: record.get(name)
        for name in ("id", "title", "category", "subcategory", "town", "voivodeship")
    }
