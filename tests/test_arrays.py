"""Queries evaluated as arrays match and score exactly as Whoosh's own matchers do.

Whoosh is the oracle: for any query tree, the documents it matches (live ones,
across segments, after deletions) and each one's score must be the same from
:mod:`search_app.engine.arrays`, which the search uses for totals, facets and
ranking. A difference would change what users find or its order.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import (
    And,
    AndMaybe,
    ConstantScoreQuery,
    Every,
    Not,
    Or,
    Phrase,
    Prefix,
    Query,
    Term,
)

from search_app.engine import arrays
from search_app.engine.budget import QueryBudget
from search_app.engine.context import QueryContext
from search_app.engine.docsets import DocSetQuery
from search_app.engine.search import _named_filters, _understood_query, clean_request
from search_app.engine.variants import UnionOr

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["gmina", "powiat", "rodzina", "senior", "szkoła", "woda"]


def _whoosh(searcher, query: Query) -> dict[int, float]:
    """Every live match of ``query`` and its score, from Whoosh's matchers."""
    found: dict[int, float] = {}
    for sub, offset in searcher.leaf_searchers():
        matcher = query.matcher(sub, searcher.context())
        while matcher.is_active():
            found[matcher.id() + offset] = matcher.score()
            matcher.next()
    live = set(searcher.reader().all_doc_ids())
    return {doc: score for doc, score in found.items() if doc in live}


def _assert_same(searcher, query: Query) -> None:
    try:
        expected = _whoosh(searcher, query)
    except IndexError:  # Whoosh's matchers fail on a few trees: no oracle for those
        assume(False)
    evaluated = arrays.evaluate(searcher, query)
    assert set(np.flatnonzero(evaluated.mask).tolist()) == set(expected), query
    for doc, score in expected.items():
        assert evaluated.scores[doc] == pytest.approx(score, rel=1e-12, abs=1e-12), (query, doc)
    matched = arrays.matches(searcher, query)
    assert set(np.flatnonzero(matched).tolist()) == set(expected), query


@pytest.fixture(scope="module")
def segmented():
    """Three segments of varied texts, with deleted documents in two of them."""
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT, title=TEXT, tag=KEYWORD)
    ix = RamStorage().create_index(schema)
    rng = np.random.default_rng(7)
    for start in (0, 40, 80):
        with ix.writer() as writer:
            writer.merge = False
            for n in range(start, start + 40):
                words = rng.choice(WORDS, size=int(rng.integers(1, 12)))
                writer.add_document(
                    id=str(n),
                    text=" ".join(words),
                    title=" ".join(words[:2]),
                    tag=str(rng.choice(["a", "b", "c"])),
                )
    with ix.writer() as writer:
        writer.merge = False
        for n in (3, 17, 45, 46, 90):
            writer.delete_by_term("id", str(n))
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) >= 3 and searcher.reader().has_deletions()
        yield searcher


def _leaf() -> st.SearchStrategy[Query]:
    word = st.sampled_from(WORDS + ["brak"])  # "brak": a term no document has
    return st.one_of(
        st.builds(Term, st.sampled_from(["text", "title"]), word),
        st.builds(lambda w, b: Term("text", w, boost=b), word, st.sampled_from([0.5, 2.0, 1.0])),
        st.builds(Term, st.just("tag"), st.sampled_from(["a", "b", "c"])),
        st.builds(lambda a, b: Phrase("text", [a, b]), word, word),
        st.builds(lambda w: Prefix("text", w[:3]), word),
        st.just(Every()),
    )


def _tree(leaves: st.SearchStrategy[Query]) -> st.SearchStrategy[Query]:
    parts = st.lists(leaves, min_size=1, max_size=4)
    return st.one_of(
        st.builds(Or, parts),
        st.builds(UnionOr, parts),
        st.builds(lambda p: Or(p, boost=1.5), parts),
        st.builds(lambda p: Or(p, scale=0.9), parts),
        st.builds(And, parts),
        st.builds(lambda p, n: And([*p, Not(n)]), parts, leaves),
        st.builds(Not, leaves),
        st.builds(lambda q: ConstantScoreQuery(q, 0.3), leaves),
    )


TREES = st.recursive(_leaf(), _tree, max_leaves=12)
# AndMaybe (optional words) at the root, as the matching strategy builds it: below an
# intersection Whoosh's AndMaybeMatcher.skip_to leaves the optional part behind and
# drops its score (see test_a_filter_never_changes_a_score).
QUERIES = st.one_of(TREES, st.builds(AndMaybe, TREES, TREES))


@settings(max_examples=300, deadline=None)
@given(query=QUERIES)
def test_any_query_matches_and_scores_as_whoosh(segmented, query):
    _assert_same(segmented, query)
    try:
        normalized = query.normalize()
    except AttributeError:  # Whoosh cannot flatten a ConstantScoreQuery's boost
        return
    _assert_same(segmented, normalized)


@settings(max_examples=100, deadline=None)
@given(query=QUERIES, chosen=st.sets(st.integers(0, 119), max_size=40))
def test_a_query_within_known_documents_scores_as_without(segmented, query, chosen):
    """How the search ranks within filters: the query's matches among the documents,
    each scored as by Whoosh without them (see test_a_filter_never_changes_a_score)."""
    try:
        unfiltered = _whoosh(segmented, query)
    except IndexError:
        assume(False)
    within = arrays.evaluate(segmented, And([DocSetQuery(chosen), query]))
    expected = {doc: score for doc, score in unfiltered.items() if doc in chosen}
    assert set(np.flatnonzero(within.mask).tolist()) == set(expected)
    for doc, score in expected.items():
        assert within.scores[doc] == pytest.approx(score, rel=1e-12, abs=1e-12)


def test_a_filter_never_changes_a_score(segmented):
    """Within filters a practice scores as without them, optional words included.

    Whoosh's own matchers do not: skipping to a filtered document moves the optional
    part to the filter's next document, not to the required part's, and its score is
    lost on some documents.
    """
    query = AndMaybe(Term("text", "powiat"), Term("text", "senior"))
    unfiltered = arrays.evaluate(segmented, query)
    live = sorted(set(segmented.reader().all_doc_ids()))
    within = arrays.evaluate(segmented, And([DocSetQuery(live[::2]), query]))
    docs = np.flatnonzero(within.mask)
    assert len(docs) > 5 and unfiltered.mask[docs].all()
    assert np.array_equal(within.scores[docs], unfiltered.scores[docs])
    optional = arrays.matches(segmented, Term("text", "senior"))
    assert (within.scores[docs][optional[docs]] > 0).all()


def _relevance_queries() -> list[str]:
    lines = (ROOT / "bench" / "relevance" / "queries.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in lines.splitlines() if line.strip()]


OPERATOR_QUERIES = [
    '"pomoc społeczna" -dzieci',
    "rodzin* AND NOT mops",
    "title:gmina OR body:powiat",
    "+rodziny zastępcze seniorzy",
    "mops gops pcpr ngo",
    "pomoc~ spoleczna",
    "NOT gmina",
    "gmina NOT (dzieci OR seniorzy)",
]


def test_every_judged_and_operator_query_scores_as_whoosh(bundled_searcher):
    """The queries the engine builds (variants, synonyms, families, relaxing) on our data."""
    queries = [*_relevance_queries(), *OPERATOR_QUERIES]
    assert len(queries) > 100
    for q in queries:
        request = clean_request(q)[0]
        context = QueryContext(bundled_searcher, QueryBudget())
        query, _understood, _matched = _understood_query(
            context, request, _named_filters(context, request.filters)
        )
        _assert_same(bundled_searcher, query)


def test_the_best_come_first_and_equal_scores_by_document_number():
    scores = np.array([1.0, 3.0, 2.0, 3.0, 0.5, 2.0])
    mask = np.array([True, True, True, True, True, False])
    assert arrays.ranked(scores, mask, 3).tolist() == [1, 3, 2]
    assert arrays.ranked(scores, mask, 10).tolist() == [1, 3, 2, 0, 4]
    assert arrays.ranked(scores, ~mask, 10).tolist() == [5]


def test_cached_postings_are_the_index_postings(segmented):
    """A term read twice (the second time from the process's cache) is the same."""
    arrays.clear()
    first = arrays.index_arrays(segmented).postings("text", "gmina")
    again = arrays.index_arrays(segmented).postings("text", "gmina")
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    in_whoosh = []
    for sub, offset in segmented.leaf_searchers():
        if ("text", "gmina") in sub.reader():
            matcher = sub.reader().postings("text", "gmina")
            in_whoosh += [offset + doc for doc in getattr(matcher, "child", matcher).all_ids()]
    assert first[0].tolist() == in_whoosh  # deleted documents too: the live mask drops them


def test_the_postings_cache_is_bounded():
    arrays.clear()
    assert arrays._postings.maxsize == arrays.POSTINGS_CACHE_BYTES
    for n in range(3):
        arrays._postings[("segment", "text", str(n))] = (
            np.zeros(arrays.POSTINGS_CACHE_BYTES // 16, np.int32),
            np.zeros(arrays.POSTINGS_CACHE_BYTES // 16, np.float32),
        )
    assert arrays._postings.currsize <= arrays.POSTINGS_CACHE_BYTES
    assert ("segment", "text", "0") not in arrays._postings  # the least recently used went
    arrays.clear()


class _Clock:
    """A clock that passes the deadline after ``ticks`` looks (no sleeping)."""

    def __init__(self, ticks: int) -> None:
        self.ticks = ticks

    def __call__(self) -> float:
        self.ticks -= 1
        return 0.0 if self.ticks >= 0 else 10.0


def test_an_evaluation_stops_at_its_deadline_with_what_it_found(segmented):
    query = UnionOr([Term("text", w) for w in WORDS] + [Prefix("title", "s")])
    whole = arrays.evaluate(segmented, query)
    for ticks in range(len(WORDS) + 2):
        cut = arrays.evaluate(segmented, query, deadline=1.0, clock=_Clock(ticks))
        assert cut.cut
        assert not (cut.mask & ~whole.mask).any()  # nothing it would not match
        assert cut.scores.sum() < whole.scores.sum()  # the parts left unread count nothing
    assert not arrays.evaluate(segmented, query, deadline=1.0, clock=_Clock(10**6)).cut
