"""DocSetQuery: a query limited to known documents finds exactly those, in any segment."""

from __future__ import annotations

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import And, Every, Term

from search_app.engine.docsets import DocSetQuery


def _three_segments():
    ix = RamStorage().create_index(Schema(id=ID(stored=True), text=TEXT(stored=True)))
    for start in (0, 4, 8):
        with ix.writer() as writer:
            writer.merge = False
            for n in range(start, start + 4):
                writer.add_document(id=str(n), text="gmina" if n % 2 else "gmina powiat")
    return ix


def test_only_the_given_documents_match_across_segments():
    ix = _three_segments()
    with ix.searcher() as searcher:
        assert not searcher.is_atomic()
        wanted = {1, 4, 6, 11}
        found = set(searcher.docs_for_query(And([DocSetQuery(wanted), Every()])))
        assert found == wanted
        powiat = set(searcher.docs_for_query(Term("text", "powiat")))
        within = And([DocSetQuery(wanted), Term("text", "powiat")])
        assert set(searcher.docs_for_query(within)) == wanted & powiat


def test_it_adds_nothing_to_the_scores():
    ix = _three_segments()
    with ix.searcher() as searcher:
        plain = {hit["id"]: hit.score for hit in searcher.search(Term("text", "gmina"), limit=None)}
        limited = searcher.search(
            And([DocSetQuery(set(range(12))), Term("text", "gmina")]), limit=None
        )
        assert {hit["id"]: hit.score for hit in limited} == plain
