"""The editors' endpoint: POST /api/admin/reindex runs an index update from the sources.

Registered only when ``ADMIN_TOKEN`` (``BDP_ADMIN_TOKEN``) is set; without a
token the address does not exist (404). Callers send ``Authorization: Bearer
<token>``, compared in constant time.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request

from indexer.lock import IndexBusyError
from indexer.sources import read_sources
from indexer.update import update_index
from search_app.errors import error_payload

bp = Blueprint("admin", __name__)

TRUE_VALUES = ("1", "true", "tak", "yes")


@bp.post("/api/admin/reindex")
def reindex():
    """Update the index from ``SOURCES``; answers what ``bdp index update --json`` prints.

    ``?prune=1`` also removes practices gone from the sources. A concurrent
    writer makes this wait ``ADMIN_LOCK_TIMEOUT`` seconds, then answer 409.
    """
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
