"""The BDP Search web app: a Polish search page and a JSON API over one search function."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from indexer.sources import DEFAULT_SOURCES
from indexer.store import LiveIndex


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides the defaults (``INDEX_DIR`` above all)."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=os.environ.get("BDP_INDEX_DIR", "index"),
        JSON_SORT_KEYS=False,
        # Never the interactive debugger, whatever FLASK_DEBUG says; tests may override.
        DEBUG=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
        # The editors' endpoint (search_app/admin.py) exists only with a token.
        ADMIN_TOKEN=os.environ.get("BDP_ADMIN_TOKEN", ""),
        ADMIN_LOCK_TIMEOUT=10.0,
        ADMIN_RATE_LIMIT=(5, 60.0),  # requests per seconds, per client address and worker
        SOURCES=_sources_from_environment(),
    )
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["bdp_index"] = LiveIndex(Path(app.config["INDEX_DIR"]))

    from search_app import api, errors, security, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    if str(app.config["ADMIN_TOKEN"]).strip():
        from search_app import admin

        app.register_blueprint(admin.bp)
    errors.register(app)
    security.register(app)
    return app


def _sources_from_environment() -> list[Path]:
    """``BDP_SOURCES`` (paths joined with the OS path separator), else the bundled data."""
    raw = os.environ.get("BDP_SOURCES", "")
    return [Path(p) for p in raw.split(os.pathsep) if p] or [DEFAULT_SOURCES]
