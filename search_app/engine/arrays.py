"""Queries evaluated over the whole index at once, as numpy arrays.

Whoosh's matchers walk every posting of every query term in Python, through a
tree of union and intersection matchers: at 100,000 practices a five-word query
(each word an ``Or`` of its variants in every text field) reads about 100,000
postings that way, several hundred milliseconds. Every search also needs every
match, for its total and its facets, so Whoosh's skipping of low-scoring blocks
cannot help.

Here a term's postings are read once per searcher, block by block, into arrays
(document numbers and term frequencies) kept in a bounded cache, and a query is
evaluated as whole-collection arrays: a boolean mask of its matches and their
scores. Unions, intersections and scores become a few vector operations. The
scores are Whoosh's own: BM25F with the searcher's parameters per term, summed
as Whoosh's matchers sum them (union and intersection: the sum of the parts
that match; ``AndMaybe``: the optional part only where the required one
matches; a boost multiplies; a constant score is constant; a negation in an
intersection adds Whoosh's 1.0). A node of any other kind (phrases, prefixes,
ranges, ``Or`` with coordination) is evaluated by Whoosh's own matcher and only
combined here, so every query keeps its meaning; ``tests/test_arrays.py``
checks masks and scores against Whoosh's.

A searcher never changes (an update publishes a new generation, read through a
new searcher), so its cache never goes stale. A server's thread keeps its
searcher for a whole generation (``LiveIndex.shared_searcher``), so the
postings of frequent words are read once per generation, not per request.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from cachetools import LRUCache
from whoosh import scoring
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    ConstantScoreQuery,
    Every,
    Not,
    NullQuery,
    Or,
    Query,
    Term,
)
from whoosh.query.compound import PreloadedOr
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from search_app.engine.docsets import DocSetQuery

# Postings kept by the process, in bytes (8 a posting): about four million postings,
# the words of a day's queries at 100,000 practices, shared by a worker's threads and
# by the generations sharing a segment.
POSTINGS_CACHE_BYTES = 32 * 1024 * 1024

# The length a field's length byte stands for (Whoosh stores lengths in one byte).
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)


def _entry_bytes(entry: tuple[np.ndarray, np.ndarray]) -> int:
    return entry[0].nbytes + entry[1].nbytes + 256  # with the arrays and key themselves


# (segment id, field, term) -> the segment's document numbers and term frequencies.
# A segment never changes once written (deletions are applied by each searcher's live
# mask), so its postings can be shared by every searcher that reads it.
_postings: LRUCache = LRUCache(maxsize=POSTINGS_CACHE_BYTES, getsizeof=_entry_bytes)
_cache_lock = threading.Lock()


def clear() -> None:
    """Forget every cached posting list (for tests and benchmarks)."""
    with _cache_lock:
        _postings.clear()


@dataclass
class Evaluated:
    """A query's matches (a mask over global document numbers) and their scores (0 elsewhere)."""

    mask: np.ndarray
    scores: np.ndarray
    cut: bool = False  # stopped at its deadline: the matches found by then


class IndexArrays:
    """One searcher's live documents, and its postings and field lengths as arrays."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.leaves = list(searcher.reader().leaf_readers())
        self.live = _live_mask(searcher, self.leaves, self.size)
        # field -> every document's length byte (read once per searcher: a byte a document)
        self._lengths: dict[str, np.ndarray] = {}

    def empty(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def docs(self, numbers) -> np.ndarray:
        """A mask of the given global document numbers."""
        mask = self.empty()
        ids = np.fromiter(numbers, dtype=np.int64)
        mask[ids[(ids >= 0) & (ids < self.size)]] = True
        return mask

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Global document numbers (ascending) and term frequencies of ``field:text``
        (empty for a term the index lacks)."""
        ids_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for leaf, offset in self.leaves:
            ids, weights = _segment_postings(leaf, field, text)
            if len(ids):
                ids_parts.append(ids.astype(np.int64) + offset)
                weight_parts.append(weights)
        if len(ids_parts) == 1:
            return ids_parts[0], weight_parts[0]
        if not ids_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(ids_parts), np.concatenate(weight_parts)

    def has_any(self, docnum: int, field: str, texts: Iterable[str]) -> bool:
        """Whether document ``docnum`` (global) has any of ``texts`` in ``field``: a binary
        search in the postings of its segment alone, cached as the query's own are."""
        for leaf, offset in self.leaves:
            if offset <= docnum < offset + leaf.doc_count_all():
                local = docnum - offset
                for text in texts:
                    ids, _weights = _segment_postings(leaf, field, text)
                    at = int(np.searchsorted(ids, local))
                    if at < len(ids) and ids[at] == local:
                        return True
                return False
        return False

    def field_lengths(self, field: str, docs: np.ndarray) -> np.ndarray:
        """The length of ``field`` in each of ``docs`` (global numbers), as Whoosh's scorer
        reads it."""
        column = self._lengths.get(field)
        if column is None:
            parts = [_leaf_lengths(leaf, field) for leaf, _offset in self.leaves]
            column = self._lengths[field] = np.concatenate(parts)
        return _LENGTH_OF_BYTE[column[docs]]


def _live_mask(searcher: Searcher, leaves: list, size: int) -> np.ndarray:
    """Which documents are not deleted: from each segment's deleted set where Whoosh keeps
    one (asking every document took 0.15 s at 100,000 practices), else document by document."""
    if not all(hasattr(leaf, "deleted_docs_set") for leaf, _offset in leaves):
        live = np.zeros(size, dtype=bool)
        live[np.fromiter(searcher.reader().all_doc_ids(), dtype=np.int64)] = True
        return live
    live = np.ones(size, dtype=bool)
    for leaf, offset in leaves:
        deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
        live[deleted + offset] = False
    return live


def _segment_postings(leaf, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    segment = leaf.segment()
    key = None if segment is None else (segment.segment_id(), field, text)
    if key is not None:
        with _cache_lock:
            found = _postings.get(key)
        if found is not None:
            return found
    try:  # one term-dictionary lookup: asking `in` first was a second one
        found = _leaf_postings(leaf.postings(field, text))
    except TermNotFound:  # kept too: a word the segment lacks is asked for as often
        found = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
    if key is not None:
        with _cache_lock:
            _postings[key] = found
    return found


def _leaf_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """A segment's posting list read a block at a time (Whoosh's own format, whoosh3)."""
    matcher = getattr(matcher, "child", matcher)  # deletions: the live mask excludes them
    ids_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    if all(hasattr(matcher, a) for a in ("_read_data", "_read_weights", "_next_block")):
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            stored = np.asarray(matcher._data[0], dtype=np.int64)
            # Block ids are stored as deltas unless they fit in bytes (whoosh3's _read_ids).
            ids_parts.append(stored if matcher._byteids else np.cumsum(stored))
            matcher._read_weights()
            weight_parts.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
    else:  # another posting format: one posting at a time
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        ids_parts.append(np.asarray(ids, dtype=np.int64))
        weight_parts.append(np.asarray(weights, dtype=np.float32))
    if not ids_parts:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids_parts).astype(np.int32), np.concatenate(weight_parts)


def _leaf_lengths(leaf, field: str) -> np.ndarray:
    """A segment's field length bytes, read whole when Whoosh's length column is at hand."""
    count = leaf.doc_count_all()
    perdoc = getattr(leaf, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    raw = np.zeros(count, dtype=np.uint8)
    if column is not None and all(
        hasattr(column, name) for name in ("_dbfile", "_basepos", "_count", "_fixedlen")
    ):
        if column._fixedlen != 1:
            raise ValueError(f"unexpected length column width {column._fixedlen}")
        stored = min(column._count, count)
        if stored:
            raw[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), np.uint8)
        return raw
    for doc in range(count):  # another format: Whoosh's lengths one by one
        raw[doc] = length_to_byte(leaf.doc_field_length(doc, field, 0) or 0)
    return raw


_arrays: weakref.WeakKeyDictionary[Searcher, IndexArrays] = weakref.WeakKeyDictionary()
_arrays_lock = threading.Lock()


def index_arrays(searcher: Searcher) -> IndexArrays:
    """The arrays of ``searcher``, made on first use and kept as long as the searcher."""
    with _arrays_lock:
        arrays = _arrays.get(searcher)
        if arrays is None:
            arrays = _arrays[searcher] = IndexArrays(searcher)
        return arrays


def matches(searcher: Searcher, query: Query) -> np.ndarray:
    """The mask of documents matching ``query`` (as ``searcher.docs_for_query``)."""
    run = _Run(index_arrays(searcher))
    return _mask(run, query) & run.arrays.live


def evaluate(
    searcher: Searcher,
    query: Query,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Evaluated:
    """The documents matching ``query`` and their scores, as Whoosh's top collector scores them.

    Past ``deadline`` (on ``clock``) no more postings are read and the parts left are
    taken as matching nothing: the answer is then ``cut`` (as far as time allowed).
    """
    run = _Run(index_arrays(searcher), deadline, clock)
    found = _scored(run, query)
    mask = found.mask & run.arrays.live
    return Evaluated(mask, np.where(mask, found.scores, 0.0), run.cut)


def ranked(scores: np.ndarray, mask: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` best documents of ``mask`` by score, ties by document number (as Whoosh)."""
    docs = np.flatnonzero(mask)
    if len(docs) > limit:
        # Everything scoring at least the limit-th best, then the exact order among them.
        kth = np.partition(scores[docs], len(docs) - limit)[len(docs) - limit]
        docs = docs[scores[docs] >= kth]
    order = np.lexsort((docs, -scores[docs]))
    return docs[order][:limit]


def doc_numbers(mask: np.ndarray) -> list[int]:
    """The document numbers of a mask, as Python integers."""
    return np.flatnonzero(mask).tolist()


class _Run:
    """One evaluation: the searcher's arrays and the time it may take."""

    # Postings read by a Whoosh matcher between two looks at the clock.
    CHECK_EVERY = 256

    def __init__(
        self,
        arrays: IndexArrays,
        deadline: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.arrays = arrays
        self.deadline = deadline
        self.clock = clock
        self.cut = False

    def expired(self) -> bool:
        """Whether the deadline has passed (then noted as ``cut``)."""
        if self.deadline is not None and not self.cut and self.clock() > self.deadline:
            self.cut = True
        return self.cut


# Mask-only evaluation: what matches, for totals, facets, filters and relaxing.


def _mask(run: _Run, query: Query) -> np.ndarray:
    if query is NullQuery:
        return run.arrays.empty()
    if isinstance(query, Term) and isinstance(query.text, str):
        mask = run.arrays.empty()
        if not run.expired():
            mask[run.arrays.postings(query.fieldname, query.text)[0]] = True
        return mask
    if isinstance(query, DocSetQuery):
        return run.arrays.docs(query.numbers)
    if isinstance(query, Or):
        return _union(run.arrays.empty(), (_mask(run, q) for q in query.subqueries))
    if isinstance(query, And):
        positive = [q for q in query.subqueries if not isinstance(q, Not)]
        negative = [q.query for q in query.subqueries if isinstance(q, Not)]
        if not positive:
            return _fallback_mask(run, query)
        mask = _mask(run, positive[0])
        for q in positive[1:]:
            mask &= _mask(run, q)
        for q in negative:
            mask &= ~_mask(run, q)
        return mask
    if isinstance(query, AndMaybe):
        return _mask(run, query.a)
    if isinstance(query, AndNot):
        return _mask(run, query.a) & ~_mask(run, query.b)
    if isinstance(query, Not):
        return run.arrays.live & ~_mask(run, query.query)
    if isinstance(query, ConstantScoreQuery):
        return _mask(run, query.child)
    if isinstance(query, Every) and query.fieldname in (None, "", "*"):
        return run.arrays.live.copy()
    return _fallback_mask(run, query)


def _union(mask: np.ndarray, parts) -> np.ndarray:
    for part in parts:
        mask |= part
    return mask


def _fallback_mask(run: _Run, query: Query) -> np.ndarray:
    return _fallback(run, query, scored=False).mask


# Scored evaluation: the ranking, mirroring Whoosh's matchers (see the module's docstring).


def _scored(run: _Run, query: Query) -> Evaluated:
    if query is NullQuery:
        return _nothing(run)
    if isinstance(query, Term) and isinstance(query.text, str):
        return _term(run, query)
    if isinstance(query, DocSetQuery):
        return Evaluated(run.arrays.docs(query.numbers), np.zeros(run.arrays.size))
    if isinstance(query, (Or, And)) and len(query.subqueries) == 0:
        return _nothing(run)
    if isinstance(query, (Or, And)) and len(query.subqueries) == 1:
        return _scored(run, query.subqueries[0])  # Whoosh drops the boost too
    if isinstance(query, Or) and not query.scale and not _preloaded(run, query):
        # Summed as they come: holding every part's arrays took tens of MB per query
        # at 100,000 practices (similar practices unite 60 terms).
        # A term's part is added where it matches only (the same sums: the rest adds 0).
        mask, scores = run.arrays.empty(), np.zeros(run.arrays.size)
        for subquery in query.subqueries:
            term = _term_scores(run, subquery)
            if term is not None:
                ids, values = term
                mask[ids] = True
                scores[ids] += values
            else:
                part = _scored(run, subquery)
                mask |= part.mask
                scores += part.scores
        return _boosted(Evaluated(mask, scores), query.boost)
    if isinstance(query, And):
        return _boosted(_intersection(run, query), query.boost)
    if isinstance(query, AndMaybe):
        required, optional = _scored(run, query.a), _scored(run, query.b)
        both = required.mask & optional.mask
        return Evaluated(required.mask, required.scores + np.where(both, optional.scores, 0.0))
    if isinstance(query, AndNot):
        required = _scored(run, query.a)
        return Evaluated(required.mask & ~_mask(run, query.b), required.scores)
    if isinstance(query, ConstantScoreQuery):
        mask = _mask(run, query.child)
        # Whoosh's ListMatcher reads a weight of 0 as "no weight" and scores 1.
        return Evaluated(mask, np.where(mask, query.score or 1.0, 0.0))
    if isinstance(query, Every) and query.fieldname in (None, "", "*"):
        return Evaluated(run.arrays.live.copy(), np.where(run.arrays.live, query.boost or 1.0, 0.0))
    return _fallback(run, query)


def _nothing(run: _Run) -> Evaluated:
    return Evaluated(run.arrays.empty(), np.zeros(run.arrays.size))


def _boosted(found: Evaluated, boost: float) -> Evaluated:
    if boost != 1.0:
        found.scores = found.scores * boost
    return found


def _preloaded(run: _Run, query: Or) -> bool:
    """Whether Whoosh would preload this ``Or`` into arrays (its scores then differ a little)."""
    if query.matcher_type == Or.ARRAY_MATCHER or isinstance(query, PreloadedOr):
        return True
    if query.matcher_type != Or.AUTO_MATCHER:
        return query.matcher_type == Or.SPLIT_MATCHER
    # Or.AUTO_MATCHER: the tree of unions for big segments or two parts, else preloaded.
    small = any(leaf.doc_count_all() <= 5000 for leaf, _offset in run.arrays.leaves)
    return small and len(query.subqueries) != 2 and len(query.subqueries) < Or.TOO_MANY_CLAUSES


def _intersection(run: _Run, query: And) -> Evaluated:
    positive = [q for q in query.subqueries if not isinstance(q, Not)]
    negative = [q.query for q in query.subqueries if isinstance(q, Not)]
    if not positive:
        return _fallback(run, query)
    first = _scored(run, positive[0])
    mask, scores = first.mask.copy(), first.scores.copy()
    for subquery in positive[1:]:
        part = _scored(run, subquery)
        mask &= part.mask
        scores += part.scores
    for q in negative:
        mask &= ~_mask(run, q)
    # Each negated part's inverse matcher scores 1.0 where it matches.
    scores += float(len(negative))
    return Evaluated(mask, np.where(mask, scores, 0.0))


def _term(run: _Run, query: Term) -> Evaluated:
    found = _term_scores(run, query)
    if found is None:
        return _fallback(run, query)
    ids, values = found
    mask, scores = run.arrays.empty(), np.zeros(run.arrays.size)
    mask[ids] = True
    scores[ids] = values
    return Evaluated(mask, scores)


def _term_scores(run: _Run, query: Query) -> tuple[np.ndarray, np.ndarray] | None:
    """A term's documents (global numbers) and BM25F scores, as Whoosh's matcher scores
    them; None for a node that is not such a term (Whoosh's own matcher scores it)."""
    if not (isinstance(query, Term) and isinstance(query.text, str)):
        return None
    searcher = run.arrays.searcher
    field, text = query.fieldname, query.text
    weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F:
        return None
    if run.expired():
        return _NO_DOCS, _NO_SCORES
    ids, frequencies = run.arrays.postings(field, text)
    if not len(ids):
        return _NO_DOCS, _NO_SCORES
    weights = frequencies.astype(np.float64)  # Whoosh scores in double precision
    if searcher.schema[field].scorable:
        lengths = run.arrays.field_lengths(field, ids)
        b = weighting._field_B.get(field, weighting.B)
        k1 = weighting.K1
        idf = searcher.idf(field, text)
        average = searcher.avg_field_length(field) or 1
        values = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))
    else:  # Whoosh scores a term of an unscored field by its weight
        values = weights
    return ids, values * query.boost if query.boost != 1.0 else values


_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


def _fallback(run: _Run, query: Query, scored: bool = True) -> Evaluated:
    """Whoosh's own matcher, run segment by segment, for a node of another kind
    (``scored=False``: its matches only, as ``docs_for_query`` reads them)."""
    mask, scores = run.arrays.empty(), np.zeros(run.arrays.size)
    searcher = run.arrays.searcher
    context = searcher.context() if scored else searcher.boolean_context()
    for sub, offset in searcher.leaf_searchers():
        matcher = query.matcher(sub, context)
        ids: list[int] = []
        values: list[float] = []
        while matcher.is_active() and not (len(ids) % run.CHECK_EVERY == 0 and run.expired()):
            ids.append(matcher.id() + offset)
            if scored:
                values.append(matcher.score())
            matcher.next()
        mask[ids] = True
        if scored:
            scores[ids] = values
    return Evaluated(mask, scores)


__all__ = [
    "Evaluated",
    "IndexArrays",
    "clear",
    "doc_numbers",
    "evaluate",
    "index_arrays",
    "matches",
    "ranked",
]
