"""The JSON API: /api/search, /api/practices/<id>, /api/openapi.json, /healthz."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from search_app.web.access import (
    find_similar,
    get_record_or_404,
    get_searcher,
    run_search,
    run_suggest,
)
from search_app.web.openapi import openapi_spec

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def api_search():
    """Ranked results with facets, exactly as ``bdp search --json`` prints them."""
    _request, response = run_search(request.args)
    return jsonify(response.to_dict())


@bp.get("/api/practices/<practice_id>")
def api_practice(practice_id: str):
    """One practice in the canonical format."""
    return jsonify(get_record_or_404(practice_id))


@bp.get("/api/practices/<practice_id>/similar")
def api_similar(practice_id: str):
    """“Podobne praktyki”: the practices most like this one."""
    get_record_or_404(practice_id)
    return jsonify({"id": practice_id, "results": _with_urls(find_similar(practice_id))})


@bp.get("/api/suggest")
def api_suggest():
    """Search-as-you-type: titles and word completions for ``q``."""
    suggestions = run_suggest(request.args.get("q", ""))
    suggestions["titles"] = _with_urls(suggestions["titles"])
    return jsonify(suggestions)


def _with_urls(practices: list[dict]) -> list[dict]:
    return [{**p, "url": url_for("views.practice", practice_id=p["id"])} for p in practices]


@bp.get("/api/openapi.json")
def api_openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_spec())


@bp.get("/healthz")
def healthz():
    """Liveness and readiness: 200 with the document count when an index is served.

    Without a usable index the error handler answers 503 in the one error shape.
    """
    documents = get_searcher().doc_count()
    generation = current_app.extensions["bdp_index"].generation
    return jsonify({"status": "ok", "documents": documents, "generation": generation})
