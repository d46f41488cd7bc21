"""The search log in the web layer: every search of the page and the API, and result clicks.

:func:`init_app` gives the app one :class:`~search_app.analytics.SearchLog`
(``app.extensions["bdp_analytics"]``), configured by

- ``ANALYTICS`` (``BDP_ANALYTICS``): ``0``/``false``/``nie`` turns logging off; on by default;
- ``ANALYTICS_DB`` (``BDP_ANALYTICS_DB``): the database file, by default
  ``analytics.sqlite3`` in the index directory (as ``bdp analytics`` reads it);
- ``ANALYTICS_RETENTION_DAYS`` (``BDP_ANALYTICS_RETENTION_DAYS``): days searches are
  kept, 90 by default.

:func:`logged_search` runs a search for the page or the API, measures the
engine call and records it; the log only queues the event (the writing happens
in its own thread) and never raises, so logging neither slows nor fails a search.
A search is recorded when it has a query or a filter: the bare home page (every
practice, newest first) is a visit, not a search.

Nothing about the person is passed on: the log is given the search, not the
request — no address, user agent, cookie or referrer.

Clicks: each result link of the search page carries ``?z=<search id>.<position>``
(:func:`click_token`); the practice page records the click (:func:`record_click`)
and redirects to its plain address, so the address people see, copy, bookmark
or reload is the canonical one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from werkzeug.datastructures import MultiDict

from search_app.analytics import SearchLog, analytics_db_path
from search_app.analytics.settings import ENV_RETENTION_DAYS, retention_days
from search_app.engine.search import SearchRequest, SearchResponse
from search_app.web import parse_switch
from search_app.web.access import run_search

EXTENSION = "bdp_analytics"
# The query parameter of a result link that carries the click: ``<search id>.<position>``.
CLICK_PARAM = "z"
# The longest position a click token may carry (the log accepts 1..10,000).
MAX_POSITION_DIGITS = 5

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Read the ``ANALYTICS*`` settings and set up the app's search log (None when off).

    A malformed setting stops the start with a Polish message naming the variable.
    """
    config = app.config
    config["ANALYTICS"] = parse_switch("BDP_ANALYTICS", config.get("ANALYTICS", True))
    config["ANALYTICS_DB"] = db_path(config)
    days = _retention(config.get("ANALYTICS_RETENTION_DAYS"))
    config["ANALYTICS_RETENTION_DAYS"] = days
    search_log = SearchLog(config["ANALYTICS_DB"], retention_days=days)
    app.extensions[EXTENSION] = search_log if config["ANALYTICS"] else None


def db_path(config: Mapping[str, Any]) -> Path:
    """``ANALYTICS_DB`` when set, else ``analytics.sqlite3`` in ``INDEX_DIR``."""
    configured = str(config.get("ANALYTICS_DB") or "").strip()
    return Path(configured) if configured else analytics_db_path(config["INDEX_DIR"], {})


def search_log() -> SearchLog | None:
    """The current app's search log; None when logging is off."""
    return current_app.extensions.get(EXTENSION)


def logged_search(args: MultiDict) -> tuple[SearchRequest, SearchResponse, str | None]:
    """Run a search from request arguments (as :func:`access.run_search`) and record it.

    Also the search id of the recorded search (for result links), or None when
    nothing was recorded (logging off, or neither a query nor a filter).
    """
    started = time.perf_counter()
    search_request, response = run_search(args)
    latency_ms = (time.perf_counter() - started) * 1000
    return search_request, response, record_search(search_request, response, latency_ms)


def record_search(
    search_request: SearchRequest, response: SearchResponse, latency_ms: float
) -> str | None:
    """Queue one search in the log; its id, or None when it is not recorded. Never raises.

    What was recorded, and the id, stay in ``g`` (``bdp_logged_search``,
    ``bdp_search_id``): the response cache keeps them to record the search again when
    it answers the same request (:func:`record_again`).
    """
    search_log = search_log_or_none()
    if search_log is None or not (search_request.q or search_request.filters):
        return None
    logged = {
        "query": search_request.q,
        "corrected": response.suggestion if response.corrected else None,
        "filters": search_request.filters,
        "sort": search_request.sort,
        "page": search_request.page,
        "total": response.total,
        "relaxed_words": tuple(response.relaxed),
        "unknown_words": tuple(response.unknown),
    }
    search_id = _record(search_log, logged, latency_ms)
    g.bdp_logged_search = logged
    g.bdp_search_id = search_id
    return search_id


def record_again(logged: Mapping[str, Any], latency_ms: float = 0.0) -> str | None:
    """Record a search answered from the cache, as :func:`record_search` recorded it."""
    search_log = search_log_or_none()
    if search_log is None:
        return None
    return _record(search_log, logged, latency_ms)


def _record(search_log: SearchLog, logged: Mapping[str, Any], latency_ms: float) -> str | None:
    query = logged["query"]
    try:
        return search_log.record_search(
            query, **{k: v for k, v in logged.items() if k != "query"}, latency_ms=latency_ms
        )
    except Exception:  # noqa: BLE001 - the log never raises; this is belt and braces
        log.exception("Could not record a search")
        return None


def click_token(search_id: str, position: int) -> str:
    """The value of :data:`CLICK_PARAM` for the result at ``position`` (from 1) of a search."""
    return f"{search_id}.{position}"


def parse_click_token(token: str) -> tuple[str, int] | None:
    """``(search id, position)`` from a click token, or None if it is not of that form.

    >>> parse_click_token("0123456789abcdef0123456789abcdef.3")
    ('0123456789abcdef0123456789abcdef', 3)
    >>> parse_click_token("1;DROP TABLE clicks") is None
    True
    """
    search_id, dot, position = token.partition(".")
    if not dot or not (position.isascii() and position.isdigit()):
        return None
    if len(position) > MAX_POSITION_DIGITS:
        return None
    return search_id, int(position)


def record_click(token: str, practice_id: str) -> bool:
    """Record a click carried by a result link; False when it is not recorded. Never raises.

    The search id, position and practice id are checked by the log itself
    (:meth:`SearchLog.record_click`): anything not of the form the site hands
    out is dropped.
    """
    search_log = search_log_or_none()
    parsed = parse_click_token(token)
    if search_log is None or parsed is None:
        return False
    search_id, position = parsed
    try:
        return search_log.record_click(search_id, position, practice_id)
    except Exception:  # noqa: BLE001 - as above
        log.exception("Could not record a click")
        return False


def search_log_or_none() -> SearchLog | None:
    try:
        return search_log()
    except Exception:  # noqa: BLE001 - outside an app context, say
        return None


def _retention(value: Any) -> int:
    """Days to keep searches: the setting, else ``BDP_ANALYTICS_RETENTION_DAYS`` (90)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return retention_days()
    return retention_days({ENV_RETENTION_DAYS: str(value)})
