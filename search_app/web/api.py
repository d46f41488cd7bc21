"""The JSON API: /api/search, /api/practices/<id>, /api/openapi.json, /healthz."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for

from search_app.engine.attachments import stored_files
from search_app.web.access import (
    find_similar,
    get_document_or_404,
    get_record_or_404,
    get_searcher,
    run_suggest,
)
from search_app.web.analytics import logged_search
from search_app.web.cache import cache_summary
from search_app.web.downloads import attachment_url, public_files
from search_app.web.openapi import openapi_spec

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def api_search():
    """Ranked results with facets, exactly as ``bdp search --json`` prints them.

    The search is recorded in the search log (its hits carry nothing extra).
    """
    _request, response, _search_id = logged_search(request.args)
    body = response.to_dict()
    for hit in body["results"]:
        for item in hit["attachments"]:
            item["url"] = attachment_url(hit["id"], item["n"])
    return jsonify(body)


@bp.get("/api/practices/<practice_id>")
def api_practice(practice_id: str):
    """One practice in the canonical format, with its attachments as indexed (``files``)."""
    stored = get_document_or_404(practice_id)
    files, _pages = stored_files(stored)
    return jsonify(with_files(stored["record"], public_files(practice_id, files)))


def with_files(record: dict[str, Any], files: list) -> dict[str, Any]:
    """The record with ``files`` right after ``attachments``: the same keys in the same
    order as ``bdp export`` writes, and what the index made of each listed file."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        out[key] = value
        if key == "attachments":
            out["files"] = files
    out.setdefault("files", files)
    return out


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
    """Liveness and readiness: 200 with the document count when an index is served, and
    this worker's response cache figures.

    Without a usable index the error handler answers 503 in the one error shape.
    """
    documents = get_searcher().doc_count()
    generation = current_app.extensions["bdp_index"].generation
    return jsonify(
        {
            "status": "ok",
            "documents": documents,
            "generation": generation,
            "cache": cache_summary(),
        }
    )
