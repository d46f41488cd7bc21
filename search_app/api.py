"""The JSON API: /api/search, /api/practices/<id>, /api/openapi.json, /healthz."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from indexer.store import IndexMissingError, current_generation
from search_app.access import close_searcher, find_record, get_searcher, run_search
from search_app.openapi import openapi_spec

bp = Blueprint("api", __name__)
bp.teardown_app_request(close_searcher)


@bp.get("/api/search")
def api_search():
    """Ranked results with facets, exactly as ``bdp search --json`` prints them."""
    _request, response = run_search(request.args)
    return jsonify(response.to_dict())


@bp.get("/api/practices/<practice_id>")
def api_practice(practice_id: str):
    """One practice in the canonical format."""
    record = find_record(practice_id)
    if record is None:
        abort(404, description=f"Nie ma praktyki o identyfikatorze „{practice_id}”.")
    return jsonify(record)


@bp.get("/api/openapi.json")
def api_openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_spec())


@bp.get("/healthz")
def healthz():
    """Liveness and readiness: 200 with the document count when an index is served."""
    index_dir = current_app.config["INDEX_DIR"]
    try:
        documents = get_searcher().doc_count()
    except IndexMissingError as exc:
        return jsonify({"status": "error", "message": str(exc)}), 503
    return jsonify(
        {"status": "ok", "documents": documents, "generation": current_generation(index_dir)}
    )
