"""Which query words name a place of the collection: a town, a county, a voivodeship.

A place in a query ("biblioteka w Kłodzku") works like a filter on a topic, and when
few practices have both, the topic elsewhere is what the person can use next
(:func:`search_app.engine.matching.apply_strategy`). The places are the values of the
index's town, county and voivodeship columns, analysed as query words are; values of
several words ("Zielona Góra") are left out, since their words alone ("góra") name no
place. Computed once per set of segments, like the facet columns.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from search_app.engine.context import QueryContext

PLACE_FIELDS = ("town", "county", "voivodeship")
MAX_SETS = 8

_cache: OrderedDict[tuple, frozenset[str]] = OrderedDict()
_lock = threading.Lock()


def place_terms(context: QueryContext) -> frozenset[str]:
    """The analysed terms that name a place of the index."""
    reader = context.reader
    segments = [leaf.segment() for leaf, _offset in reader.leaf_readers()]
    key = tuple(s.segment_id() for s in segments if s is not None)
    with _lock:
        if key and key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    terms: set[str] = set()
    for name in PLACE_FIELDS:
        if name not in reader.schema:
            continue
        for value in reader.field_terms(name):
            analysed = context.analysed(value) if isinstance(value, str) else []
            if len(analysed) == 1:
                terms.add(analysed[0])
    found = frozenset(terms)
    if key:
        with _lock:
            _cache[key] = found
            while len(_cache) > MAX_SETS:
                _cache.popitem(last=False)
    return found
