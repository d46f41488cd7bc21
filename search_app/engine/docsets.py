"""A query matching a known set of documents, so that another query is checked on them only.

Whoosh applies a set of allowed documents (``filter=``, ``FilterCollector``) after its
matcher has found each match: the whole query is still evaluated over the whole index,
phrases (synonym expressions) included, which costs position reads on every document
containing their words. Intersected with :class:`DocSetQuery` instead, the other
query's matcher skips straight to the allowed documents.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from whoosh.matching import ListMatcher, Matcher, NullMatcher
from whoosh.query import Query
from whoosh.searching import Searcher


class DocSetQuery(Query):
    """Matches exactly ``docs`` (global document numbers) and scores nothing itself."""

    fieldname = None  # of no field (Whoosh's normalizing asks)

    def __init__(self, docs: Iterable[int]) -> None:
        # Not ``docs``: Whoosh's Query.docs() is a method its searcher calls.
        self.numbers = frozenset(docs)
        self._sorted = sorted(self.numbers)
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.numbers)} documents)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocSetQuery) and other.numbers == self.numbers

    def __hash__(self) -> int:
        return hash(self.numbers)

    def estimate_size(self, ixreader) -> int:
        return len(self.numbers)

    def matcher(self, searcher: Searcher, context=None) -> Matcher:
        """The documents of ``searcher``'s segment, in its own numbering."""
        offset = 0
        if searcher.has_parent():
            offset = searcher.get_parent()._offset_for_subsearcher(searcher) or 0
        end = offset + searcher.reader().doc_count_all()
        inside = self._sorted[bisect_left(self._sorted, offset) : bisect_left(self._sorted, end)]
        ids = [doc - offset for doc in inside]
        return _UnscoredListMatcher(ids) if ids else NullMatcher()


class _UnscoredListMatcher(ListMatcher):
    """A list of documents adding 0 to the score of what it is intersected with."""

    def score(self) -> float:
        return 0.0

    def copy(self) -> _UnscoredListMatcher:
        return _UnscoredListMatcher(self._ids, position=self._i)
