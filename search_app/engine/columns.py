"""Facet columns as compact codes, cached per index segment.

Counting facet values through Whoosh's column readers costs a method call
and a decode per matched document. Each segment's column is read once per
process and kept as its distinct values and one ``int32`` code per document
(an index into them): ``numpy.bincount`` over a query's matches then counts
every value at once. Only the codes are kept, not a string per document
(at 100,000 practices the plain lists of the seven facets held 42 MB).

A segment never changes once written (deletions only hide documents, which
then never match), so its codes are reused by every later searcher, keyed by
the segment's unique id. A rebuild or an incremental update brings new
segments, hence new keys: stale values cannot be served, and the oldest
entries are dropped once more than :data:`MAX_COLUMNS` are held.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from whoosh.columns import TranslatingColumnReader, VarBytesColumn
from whoosh.reading import IndexReader

MAX_COLUMNS = 256
T = TypeVar("T")

Codes = tuple[list[str], np.ndarray]  # sorted distinct values, a code per document

_cache: OrderedDict[tuple, Codes] = OrderedDict()  # (segment id, field) -> its codes
_lock = threading.Lock()


def facet_codes(reader: IndexReader, name: str) -> Codes:
    """The distinct values of ``name`` (sorted) and each document's value as an index
    into them, by document number across the reader's segments."""
    leaves = reader.leaf_readers()
    if len(leaves) == 1:
        return _segment_codes(leaves[0][0], name)
    return _remembered(
        _merged_cache,
        MAX_COLUMNS,
        (segments_key(reader), name),
        lambda: _merged([_segment_codes(leaf, name) for leaf, _offset in leaves]),
    )


_merged_cache: OrderedDict[tuple, Codes] = OrderedDict()


def _segment_codes(leaf: IndexReader, name: str) -> Codes:
    segment = leaf.segment()
    if segment is None:  # not an on-disk segment: nothing stable to key a cache on
        return _encoded(leaf, name)
    return _remembered(
        _cache, MAX_COLUMNS, (segment.segment_id(), name), lambda: _encoded(leaf, name)
    )


def _encoded(leaf: IndexReader, name: str) -> Codes:
    raw, translate = _raw_values(leaf, name)
    if not raw:
        return [], np.zeros(0, dtype=np.int32)
    first_seen: dict = {}  # raw value -> its number in order of first appearance
    seen = np.fromiter((first_seen.setdefault(v, len(first_seen)) for v in raw), np.int32, len(raw))
    # Only the distinct values are translated (decoding each document's took 0.4 s at 100k).
    values = [translate(v) for v in first_seen] if translate else list(first_seen)
    labels = sorted(set(values))
    position = {label: i for i, label in enumerate(labels)}
    code_of_seen = np.array([position[value] for value in values], dtype=np.int32)
    return labels, code_of_seen[seen]


def column_values(leaf: IndexReader, name: str) -> list:
    """Every document's value of the segment's column ``name``, as its reader gives them."""
    raw, translate = _raw_values(leaf, name)
    return [translate(v) for v in raw] if translate else raw


def _raw_values(leaf: IndexReader, name: str) -> tuple[list, Callable[[Any], Any] | None]:
    """Every document's stored value of column ``name``, and what turns one into the
    reader's value (None: they are the reader's values already).

    Whoosh's reader of a variable-length column (``VarBytesColumn``, our facets') asks the
    file for each value apart, 2 s for the facets of 100,000 practices; its values lie one
    after another, so here they are read at once and cut by their stored lengths.
    """
    reader = leaf.column_reader(name)
    translating = isinstance(reader, TranslatingColumnReader)
    raw = reader.raw_column() if translating else reader
    if not isinstance(raw, VarBytesColumn.Reader) or not all(
        hasattr(raw, a) for a in ("_dbfile", "_basepos", "_lengths")
    ):
        return list(reader), None
    lengths = raw._lengths
    data = raw._dbfile.get(raw._basepos, sum(lengths))
    values = []
    start = 0
    for length in lengths:
        end = start + length
        values.append(data[start:end])
        start = end
    return values, reader._translate if translating else None


def _merged(parts: list[Codes]) -> Codes:
    """One segment after another (document numbers are offset by the earlier segments'
    document counts), each segment's codes renumbered into the union of the values."""
    labels = sorted(set().union(*(part_labels for part_labels, _codes in parts)))
    position = {label: i for i, label in enumerate(labels)}
    renumbered = [
        np.array([position[label] for label in part_labels], dtype=np.int32)[codes]
        if len(codes)
        else codes
        for part_labels, codes in parts
    ]
    return labels, np.concatenate(renumbered) if renumbered else np.zeros(0, dtype=np.int32)


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


def segments_key(reader: IndexReader) -> tuple:
    """The reader's segments by their unique ids: what anything cached per index keys on
    (segments never change once written; an update or a rebuild brings new ones)."""
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
        parents, parent_codes = facet_codes(reader, parent)
        children, child_codes = facet_codes(reader, child)
        live = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
        pairs = np.unique(parent_codes[live].astype(np.int64) * len(children) + child_codes[live])
        return frozenset((parents[p // len(children)], children[p % len(children)]) for p in pairs)

    key = (segments_key(reader), reader.doc_count(), parent, child)
    return _remembered(_pairs_cache, MAX_PAIR_SETS, key, make)


def clear() -> None:
    """Forget every cached column (for tests and benchmarks)."""
    with _lock:
        _cache.clear()
        _merged_cache.clear()
        _pairs_cache.clear()
