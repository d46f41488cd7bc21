"""The BDP Search web layer: a Polish search page and a JSON API over the engine."""

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
        # The editors' endpoint (search_app/web/admin.py) exists only with a token.
        ADMIN_TOKEN=os.environ.get("BDP_ADMIN_TOKEN", ""),
        # A job waits this long for another writer (the CLI, say) before failing.
        ADMIN_LOCK_TIMEOUT=60.0,
        # Wrong tokens, and valid update requests, counted apart: (events, seconds)
        # per client address and worker; a guesser never blocks a valid token.
        ADMIN_AUTH_FAILURES=(10, 60.0),
        ADMIN_RATE_LIMIT=(10, 60.0),
        SOURCES=_sources_from_environment(),
        # Behind a reverse proxy: how many proxies' X-Forwarded-For to trust (0: none),
        # so rate limits count clients, not the proxy's one address.
        PROXY_FIX_X_FOR=_int_from_environment("BDP_PROXY_FIX_X_FOR"),
        # Host names the app answers for (None: any; a forged Host is never reflected).
        TRUSTED_HOSTS=_list_from_environment("BDP_TRUSTED_HOSTS"),
    )
    if config:
        app.config.from_mapping(config)
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]))
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["bdp_index"] = LiveIndex(Path(app.config["INDEX_DIR"]))

    from search_app.web import api, errors, security, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    if str(app.config["ADMIN_TOKEN"]).strip():
        from search_app.web import admin

        app.register_blueprint(admin.bp)
    errors.register(app)
    security.register(app)
    return app


def _int_from_environment(name: str) -> int:
    """A count ≥ 0 from the environment (0 when unset); a typo stops the start, in Polish."""
    raw = os.environ.get(name, "").strip() or "0"
    if not (raw.isascii() and raw.isdigit()):
        raise ValueError(f"{name} musi być liczbą całkowitą ≥ 0, a jest: {raw!r}.")
    return int(raw)


def _list_from_environment(name: str) -> list[str] | None:
    """Comma-separated values from the environment; None when unset or blank."""
    values = [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]
    return values or None


def _sources_from_environment() -> list[Path]:
    """``BDP_SOURCES`` (paths joined with the OS path separator), else the bundled data."""
    raw = os.environ.get("BDP_SOURCES", "")
    return [Path(p) for p in raw.split(os.pathsep) if p] or [DEFAULT_SOURCES]
