"""The response cache: answers kept per worker for as long as the index generation lives.

The index changes only when editors publish a generation, and a few requests (the home
page, a category, a voivodeship of the map, popular queries) make most of the traffic.
So each worker keeps the answers it computed, keyed by

- the live generation and the thesaurus in use (a new generation or a saved thesaurus
  makes a new key; the first request that sees a new generation empties the cache, so
  the memory of the old answers is freed at once),
- the normalized request: the endpoint, the path, the query parameters in a canonical
  order (whitespace of ``q`` trimmed), and the host and scheme (feeds carry absolute
  addresses).

What is cached: the 200 answers of the public GET pages and API (search, facets,
suggestions, practice pages, feeds, the static pages; see :data:`CACHED_ENDPOINTS`).
Never: the editors' routes (``/api/admin``, ``/redakcja``), ``/healthz``, attachment
downloads (their own ETag), the streamed CSV export, errors, redirects, answers that set
a cookie, and searches cut short by their budget (a busy worker's answer is not the
answer). Bounded by entries and bytes (``CACHE_ENTRIES``, ``CACHE_MB``; least recently
used first out), counted in ``/healthz`` and ``GET /api/admin/status``. ``BDP_CACHE=0``
turns the cache off (ETags and 304s stay).

HTTP caching: every such answer has an ``ETag`` derived from the generation, the
thesaurus and the request, answers ``If-None-Match`` with 304, and says
``Cache-Control: public, no-cache``: a reverse proxy may keep it but asks again each
time, so a new generation is never served stale and every search still reaches the
search log. ``X-Cache: hit`` or ``miss`` tells which answers came from the cache.

Searches count in the search log whether answered from the cache, with 304 or anew:
a cached entry keeps what the log needs and records it again. A results page carries
its search's id in its result links (clicks); the cached page keeps a placeholder there,
replaced by each request's own id, so a page from the cache differs from a fresh one
exactly as two fresh ones do, by that id alone. Its ETag is weak for that reason.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from flask import Flask, Response, current_app, g, request

from search_app.engine.synonyms import thesaurus_version
from search_app.web import analytics

EXTENSION = "bdp_cache"
# The public GET endpoints whose 200 answers are cached.
CACHED_ENDPOINTS = frozenset(
    {
        "api.api_search",
        "api.api_practice",
        "api.api_similar",
        "api.api_suggest",
        "api.api_openapi",
        "views.index",
        "views.practice",
        "views.help_page",
        "feeds.feed",
        "pages.about",
        "pages.accessibility",
    }
)
CACHE_CONTROL = "public, no-cache"
# Bytes an entry costs beyond its body (key, headers, the log's record), for the bound.
ENTRY_OVERHEAD = 1024
# Headers of an answer that belong to that one answer, not to its content.
NOT_STORED = frozenset({"content-length", "date", "etag", "x-cache", "set-cookie"})
# Stands for the request's search id in a cached results page; random per process, so
# no text can contain it by chance.
SEARCH_ID_PLACEHOLDER = uuid.uuid4().hex


@dataclass(frozen=True)
class Entry:
    """One cached answer: its body, its content headers, its ETag and its log record."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    weak: bool
    logged: dict[str, Any] | None  # what the search log records for it, if a search

    @property
    def size(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD


@dataclass
class CacheStats:
    """Counters of one worker's cache, as ``/healthz`` shows them."""

    hits: int = 0
    misses: int = 0
    not_modified: int = 0
    stored: int = 0
    evicted: int = 0
    cleared: int = 0


class _Entries(LRUCache):
    """An LRU map that counts what it drops to stay within its bounds."""

    def __init__(self, max_bytes: int, stats: CacheStats) -> None:
        super().__init__(maxsize=max(max_bytes, 1), getsizeof=lambda entry: entry.size)
        self.stats = stats

    def popitem(self) -> tuple[Any, Any]:
        item = super().popitem()
        self.stats.evicted += 1
        return item


@dataclass
class ResponseCache:
    """A least-recently-used map of answers bounded by entries and bytes; thread-safe."""

    max_entries: int
    max_bytes: int
    stats: CacheStats = field(default_factory=CacheStats)

    def __post_init__(self) -> None:
        self._entries = _Entries(self.max_bytes, self.stats)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None

    def get(self, stamp: tuple, key: tuple) -> Entry | None:
        """The entry of ``key`` under ``stamp`` (generation, thesaurus), or None."""
        with self._lock:
            self._follow(stamp)
            entry = self._entries.get(key)
            if entry is None:
                self.stats.misses += 1
            else:
                self.stats.hits += 1
            return entry

    def put(self, stamp: tuple, key: tuple, entry: Entry) -> None:
        """Keep ``entry``, dropping the least recently used ones beyond the bounds."""
        if entry.size > self.max_bytes or self.max_entries < 1:
            return
        with self._lock:
            self._follow(stamp)
            if key not in self._entries:
                while len(self._entries) >= self.max_entries:
                    self._entries.popitem()
            self._entries[key] = entry  # beyond max_bytes, LRUCache drops the oldest itself
            self.stats.stored += 1

    def count_not_modified(self) -> None:
        with self._lock:
            self.stats.not_modified += 1

    def _follow(self, stamp: tuple) -> None:
        """Empty the cache when the generation or the thesaurus changed."""
        if stamp != self._stamp:
            if self._entries:
                self.stats.cleared += 1
            self._entries.clear()
            self._stamp = stamp

    def summary(self) -> dict[str, int]:
        """The counters and the size now (one worker's)."""
        with self._lock:
            return {
                "hits": self.stats.hits,
                "misses": self.stats.misses,
                "not_modified": self.stats.not_modified,
                "stored": self.stats.stored,
                "evicted": self.stats.evicted,
                "cleared": self.stats.cleared,
                "entries": len(self._entries),
                "bytes": int(self._entries.currsize),
                "max_entries": self.max_entries,
                "max_bytes": self.max_bytes,
            }


def init_app(app: Flask) -> None:
    """Give the app its cache (bounded by ``CACHE_ENTRIES`` and ``CACHE_MB``, parsed with
    the other settings by ``search_app.web.parse_config``) and its hooks."""
    megabytes = app.config["CACHE_MB"]
    app.extensions[EXTENSION] = ResponseCache(app.config["CACHE_ENTRIES"], megabytes * 1024 * 1024)
    app.before_request(_answer_from_cache)
    app.after_request(_keep_and_validate)


def cache_summary() -> dict[str, Any]:
    """This worker's cache figures, for ``/healthz`` and the editors' status."""
    cache: ResponseCache = current_app.extensions[EXTENSION]
    return {"enabled": bool(current_app.config["CACHE"]), **cache.summary()}


def _answer_from_cache() -> Response | None:
    """Before the view: the cached answer of this request, if there is one."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED_ENDPOINTS:
        return None
    stamp = (current_app.extensions["bdp_index"].generation, thesaurus_version())
    key = _request_key()
    g.bdp_cache = (stamp, key)
    if not current_app.config["CACHE"]:
        return None
    cache: ResponseCache = current_app.extensions[EXTENSION]
    entry = cache.get(stamp, key)
    if entry is None:
        return None
    g.bdp_cache_hit = True
    search_id = analytics.record_again(entry.logged) if entry.logged else None
    body = entry.body
    if entry.weak:
        body = body.replace(SEARCH_ID_PLACEHOLDER.encode(), (search_id or _fresh_id()).encode())
    response = current_app.response_class(body, status=200, headers=list(entry.headers))
    response.set_etag(entry.etag, weak=entry.weak)
    return response


def _keep_and_validate(response: Response) -> Response:
    """After the view: keep a cacheable answer, label it and answer ``If-None-Match``."""
    marked = g.get("bdp_cache")
    if marked is None or response.status_code != 200 or response.is_streamed:
        return response
    hit = g.get("bdp_cache_hit", False)
    response.headers["X-Cache"] = "hit" if hit else "miss"
    if not hit and ("Set-Cookie" in response.headers or g.get("bdp_incomplete_search")):
        response.headers["Cache-Control"] = "no-store"  # this answer only, nobody keeps it
        return response
    if not hit:
        _keep(marked, response)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.make_conditional(request)
    if response.status_code == 304:
        current_app.extensions[EXTENSION].count_not_modified()
    return response


def _keep(marked: tuple[tuple, tuple], response: Response) -> None:
    """Give the answer its ETag and, with the cache on, keep it."""
    stamp, key = marked
    search_id = g.get("bdp_search_id")
    body = response.get_data()
    weak = bool(search_id) and search_id.encode() in body
    etag, _weak = response.get_etag()
    if etag is None:
        etag = _etag(stamp, key)
        response.set_etag(etag, weak=weak)
    else:
        weak = weak or bool(_weak)
    if not current_app.config["CACHE"]:
        return
    if weak:
        body = body.replace(search_id.encode(), SEARCH_ID_PLACEHOLDER.encode())
    headers = tuple(
        (name, value) for name, value in response.headers if name.lower() not in NOT_STORED
    )
    entry = Entry(body, headers, etag, weak, g.get("bdp_logged_search"))
    cache: ResponseCache = current_app.extensions[EXTENSION]
    cache.put(stamp, key, entry)


def _request_key() -> tuple:
    """The request as the cache tells requests apart: what makes its answer."""
    args = sorted(
        (name, value.strip() if name == "q" else value)
        for name, value in request.args.items(multi=True)
    )
    return (request.endpoint, request.path, tuple(args), request.host, request.scheme)


def _etag(stamp: tuple, key: tuple) -> str:
    """A validator of the generation, the thesaurus and the request."""
    return hashlib.blake2b(repr((stamp, key)).encode(), digest_size=16).hexdigest()


def _fresh_id() -> str:
    """A search id for a page whose search could not be logged: its links lead nowhere."""
    return uuid.uuid4().hex
