"""The BDP Search web app: a Polish search page and a JSON API over one search function."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

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
    )
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["bdp_index"] = LiveIndex(Path(app.config["INDEX_DIR"]))

    from search_app import api, errors, security, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    errors.register(app)
    security.register(app)
    return app
