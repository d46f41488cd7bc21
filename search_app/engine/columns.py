"""Facet columns as plain Python lists, cached per index segment.

Counting facet values through Whoosh's column readers costs a method call
and a decode per matched document. A segment never changes once written
(deletions only hide documents, which then never match), so its column can
be read once per process and reused by every later searcher, keyed by the
segment's unique id. A rebuild or an incremental update brings new
segments, hence new keys: stale values cannot be served, and the oldest
entries are dropped once more than :data:`MAX_COLUMNS` columns are held.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from whoosh.reading import IndexReader

MAX_COLUMNS = 256
T = TypeVar("T")

_cache: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
_lock = threading.Lock()


def facet_column(reader: IndexReader, name: str) -> list[str]:
    """Every document's value of the sortable field ``name``, indexed by document number."""
    leaves = reader.leaf_readers()
    if len(leaves) == 1:
        return _segment_column(leaves[0][0], name)
    values: list[str] = []
    for leaf, _offset in leaves:  # offsets are the cumulative document counts
        values.extend(_segment_column(leaf, name))
    return values


def _segment_column(leaf: IndexReader, name: str) -> list[str]:
    segment = leaf.segment()
    if segment is None:  # not an on-disk segment: nothing stable to key a cache on
        return list(leaf.column_reader(name))
    key = (segment.segment_id(), name)
    return _remembered(_cache, MAX_COLUMNS, key, lambda: list(leaf.column_reader(name)))


def _remembered(cache: OrderedDict, limit: int, key: tuple, make: Callable[[], T]) -> T:
    """``cache[key]``, made by ``make()`` if missing; the oldest dropped past ``limit``."""
    with _lock:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
    found = make()
    with _lock:
        cache[key] = found
        while len(cache) > limit:
            cache.popitem(last=False)
    return found


_codes_cache: OrderedDict[tuple, tuple[list[str], np.ndarray]] = OrderedDict()


def facet_codes(reader: IndexReader, name: str) -> tuple[list[str], np.ndarray]:
    """The distinct values of ``name`` and each document's value as an index into them.

    Counting a facet over a query's matches is then one ``numpy.bincount``.
    """

    def make() -> tuple[list[str], np.ndarray]:
        values = np.array(facet_column(reader, name), dtype=object)
        labels, codes = np.unique(values, return_inverse=True)
        return labels.tolist(), codes.astype(np.int32)

    return _remembered(_codes_cache, MAX_COLUMNS, (_segments(reader), name), make)


def _segments(reader: IndexReader) -> tuple:
    return tuple(
        leaf.segment().segment_id() if leaf.segment() is not None else id(leaf)
        for leaf, _offset in reader.leaf_readers()
    )


# (segment ids, live documents, parent facet, child facet) -> pairs present in the index.
_pairs_cache: OrderedDict[tuple, frozenset[tuple[str, str]]] = OrderedDict()
MAX_PAIR_SETS = 16


def value_pairs(reader: IndexReader, parent: str, child: str) -> frozenset[tuple[str, str]]:
    """Every (parent value, child value) pair some live document has, e.g. (śląskie, żorski).

    One pass over two cached columns instead of one search per pair: a request
    choosing many counties and voivodeships asked the index hundreds of times.
    Keyed by the segments and the live document count, which deletions change.
    """

    def make() -> frozenset[tuple[str, str]]:
        parents, children = facet_column(reader, parent), facet_column(reader, child)
        return frozenset((parents[doc], children[doc]) for doc in reader.all_doc_ids())

    key = (_segments(reader), reader.doc_count(), parent, child)
    return _remembered(_pairs_cache, MAX_PAIR_SETS, key, make)


def clear() -> None:
    """Forget every cached column (for tests and benchmarks)."""
    with _lock:
        _cache.clear()
        _codes_cache.clear()
        _pairs_cache.clear()
