"""The editors' endpoint: POST /api/admin/reindex runs an index update from the sources.

Registered only when ``ADMIN_TOKEN`` (``BDP_ADMIN_TOKEN``) is set; without a
token the address does not exist (404). Callers send ``Authorization: Bearer
<token>``, compared in constant time; each client address may call it at most
``ADMIN_RATE_LIMIT`` times (requests, seconds) — more get a 429 with Retry-After.
"""

from __future__ import annotations

import hmac
import math

from flask import Blueprint, current_app, jsonify, request

from indexer.lock import IndexBusyError
from indexer.sources import read_sources
from indexer.update import update_index
from search_app.errors import error_payload
from search_app.ratelimit import RateLimiter

bp = Blueprint("admin", __name__)


@bp.record_once
def _set_up_rate_limit(state) -> None:
    """Every caller (with or without a valid token) counts against ``ADMIN_RATE_LIMIT``."""
    limit, window = state.app.config["ADMIN_RATE_LIMIT"]
    state.app.extensions["bdp_admin_limit"] = RateLimiter(limit, window)


TRUE_VALUES = ("1", "true", "tak", "yes")


@bp.post("/api/admin/reindex")
def reindex():
    """Update the index from ``SOURCES``; answers what ``bdp index update --json`` prints.

    ``?prune=1`` also removes practices gone from the sources. A concurrent
    writer makes this wait ``ADMIN_LOCK_TIMEOUT`` seconds, then answer 409.
    """
    wait = current_app.extensions["bdp_admin_limit"].retry_after(request.remote_addr or "")
    if wait:
        response = jsonify(
            error_payload(429, "Zbyt wiele żądań odświeżenia indeksu — spróbuj za chwilę.")
        )
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response, 429
    if not _authorized():
        response = jsonify(error_payload(401, "Brak poprawnego tokenu redakcji (Bearer)."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="bdp-admin"'
        return response, 401
    report = read_sources(current_app.config["SOURCES"])
    try:
        summary = update_index(
            report,
            current_app.config["INDEX_DIR"],
            prune=request.args.get("prune", "").lower() in TRUE_VALUES,
            lock_timeout=current_app.config["ADMIN_LOCK_TIMEOUT"],
        )
    except IndexBusyError as exc:
        return jsonify(error_payload(409, str(exc))), 409
    return jsonify(summary.to_dict())


def _authorized() -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = current_app.config["ADMIN_TOKEN"]
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8"), expected.encode("utf-8")
    )
