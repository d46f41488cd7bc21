"""The BDP Search web layer: a Polish search page and a JSON API over the engine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g
from flask.json.provider import DefaultJSONProvider

from indexer.sources import DEFAULT_SOURCES
from indexer.store import LiveIndex
from search_app.engine.synonyms import (
    SYNONYMS_FILE,
    Thesaurus,
    restore_thesaurus,
    use_thesaurus,
)
from search_app.web.vocabulary import Vocabularies

# The index directory when neither ``config`` nor ``BDP_INDEX_DIR`` names one (as ``bdp``).
DEFAULT_INDEX_DIR = Path("index")
ENV_PREFIX = "BDP"
# Never taken from the environment: the interactive debugger must stay off in production.
NOT_FROM_ENVIRONMENT = ("DEBUG", "TESTING")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults, then ``BDP_*`` variables, then ``config``.

    Every ``BDP_<KEY>`` variable sets the config key ``<KEY>`` (``BDP_INDEX_DIR`` ->
    ``INDEX_DIR``); the values are strings, parsed by :func:`parse_config` into the
    defaults' types (paths, lists, counts, seconds).
    """
    from search_app.web.pages import OPERATOR_DEFAULTS

    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=DEFAULT_INDEX_DIR,
        JSON_SORT_KEYS=False,
        # Never the interactive debugger, whatever FLASK_DEBUG says; tests may override.
        DEBUG=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
        # The editors' endpoint (search_app/web/admin.py) exists only with a token.
        ADMIN_TOKEN="",
        # A job waits this long for another writer (the CLI, say) before failing.
        ADMIN_LOCK_TIMEOUT=60.0,
        # Wrong tokens, and valid update requests, counted apart: (events, seconds)
        # per client address and worker; a guesser never blocks a valid token.
        ADMIN_AUTH_FAILURES=(10, 60.0),
        ADMIN_RATE_LIMIT=(10, 60.0),
        # Valid reads of the editors' status and search report, counted apart from updates.
        ADMIN_READ_RATE_LIMIT=(60, 60.0),
        # The search log (search_app/web/analytics.py): on unless BDP_ANALYTICS=0; its file
        # is BDP_ANALYTICS_DB or analytics.sqlite3 in the index directory.
        ANALYTICS=True,
        ANALYTICS_DB="",
        # Paths joined with the OS path separator in BDP_SOURCES.
        SOURCES=[DEFAULT_SOURCES],
        # The thesaurus searches expand with and editors save (BDP_SYNONYMS).
        SYNONYMS=SYNONYMS_FILE,
        # Behind a reverse proxy: how many proxies' X-Forwarded-For to trust (0: none),
        # so rate limits count clients, not the proxy's one address.
        PROXY_FIX_X_FOR=0,
        # Host names the app answers for (None: any; a forged Host is never reflected).
        # Comma-separated in BDP_TRUSTED_HOSTS.
        TRUSTED_HOSTS=None,
        # The response cache (search_app/web/cache.py): on unless BDP_CACHE=0; answers
        # and megabytes kept per worker.
        CACHE=True,
        CACHE_ENTRIES=5000,
        CACHE_MB=64,
        # Seconds a suggestion waits for the vocabulary of a new generation, built in a
        # thread of its own (search_app/web/vocabulary.py).
        SUGGEST_WAIT=2.0,
    )
    # Who runs the site, for "O bazie" and the accessibility statement (search_app/web/
    # pages.py): BDP_OPERATOR_NAME, BDP_ACCESSIBILITY_EMAIL, BDP_STATEMENT_UPDATED...;
    # the defaults are demo values the pages mark as such.
    app.config.from_mapping(OPERATOR_DEFAULTS)
    protected = {key: app.config[key] for key in NOT_FROM_ENVIRONMENT}
    app.config.from_prefixed_env(ENV_PREFIX, loads=str)
    app.config.update(protected)
    if config:
        app.config.from_mapping(config)
    parse_config(app.config)
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware. The same proxies' X-Forwarded-Proto
        # is trusted too, so request.is_secure (the panel's Secure cookie) sees their HTTPS.
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if isinstance(app.json, DefaultJSONProvider):
        app.json.ensure_ascii = False
        app.json.sort_keys = False
    app.extensions["bdp_index"] = LiveIndex(Path(app.config["INDEX_DIR"]))
    app.extensions["bdp_vocabularies"] = Vocabularies(
        app.extensions["bdp_index"],
        app.config["SUGGEST_WAIT"],
        on_error=lambda exc: app.logger.error("Suggestion vocabulary not built: %r", exc),
    )
    _use_configured_thesaurus(app)

    from search_app.web import (
        analytics,
        api,
        cache,
        downloads,
        errors,
        feeds,
        pages,
        security,
        views,
    )

    analytics.init_app(app)
    cache.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(pages.bp)
    if str(app.config["ADMIN_TOKEN"]).strip():
        from search_app.web import admin, admin_synonyms  # noqa: F401 - its routes are admin's

        app.register_blueprint(admin.bp)
        from search_app.web import panel  # the editors' panel, /redakcja (same token)

        panel.init_app(app)
    errors.register(app)
    security.register(app)
    return app


def parse_config(config: dict[str, Any]) -> None:
    """Turn the string values the environment gives into the types the app uses.

    Values already of their type (from ``config``, or the defaults) are kept; a
    malformed one stops the start with a Polish message naming the variable.
    """
    config["INDEX_DIR"] = Path(config["INDEX_DIR"] or DEFAULT_INDEX_DIR)
    config["SYNONYMS"] = Path(config["SYNONYMS"] or SYNONYMS_FILE)
    if isinstance(config["SOURCES"], str):
        paths = [Path(p) for p in config["SOURCES"].split(os.pathsep) if p]
        config["SOURCES"] = paths or [DEFAULT_SOURCES]
    if isinstance(config["TRUSTED_HOSTS"], str):
        hosts = [v.strip() for v in config["TRUSTED_HOSTS"].split(",") if v.strip()]
        config["TRUSTED_HOSTS"] = hosts or None
    config["ADMIN_TOKEN"] = str(config["ADMIN_TOKEN"] or "")
    config["PROXY_FIX_X_FOR"] = _count(config, "PROXY_FIX_X_FOR")
    config["CACHE"] = parse_switch(f"{ENV_PREFIX}_CACHE", config["CACHE"])
    config["CACHE_ENTRIES"] = _count(config, "CACHE_ENTRIES")
    config["CACHE_MB"] = _count(config, "CACHE_MB")
    if config["MAX_CONTENT_LENGTH"] is not None:  # None: no limit
        config["MAX_CONTENT_LENGTH"] = _count(config, "MAX_CONTENT_LENGTH")
    config["ADMIN_LOCK_TIMEOUT"] = _seconds(config, "ADMIN_LOCK_TIMEOUT")
    config["SUGGEST_WAIT"] = _seconds(config, "SUGGEST_WAIT")
    for name in ("ADMIN_AUTH_FAILURES", "ADMIN_RATE_LIMIT", "ADMIN_READ_RATE_LIMIT"):
        config[name] = _rate(config, name)
    from search_app.web.pages import parse_operator_config

    parse_operator_config(config, ENV_PREFIX)


def _use_configured_thesaurus(app: Flask) -> None:
    """Every request searches with the thesaurus ``SYNONYMS`` (the engine's default otherwise)."""
    thesaurus = Thesaurus.from_file(app.config["SYNONYMS"])

    @app.before_request
    def use_it() -> None:
        g.bdp_thesaurus_token = use_thesaurus(thesaurus)

    @app.teardown_request
    def stop_using_it(_exc: BaseException | None = None) -> None:
        token = g.pop("bdp_thesaurus_token", None)
        if token is not None:
            restore_thesaurus(token)


SWITCH_ON = ("1", "true", "tak", "yes", "on")
SWITCH_OFF = ("0", "false", "nie", "no", "off")


def parse_switch(variable: str, value: Any) -> bool:
    """An on/off setting (on when blank); a typo stops the start, in Polish."""
    if isinstance(value, bool):
        return value
    raw = str(value if value is not None else "").strip().lower()
    if not raw or raw in SWITCH_ON:
        return True
    if raw in SWITCH_OFF:
        return False
    raise ValueError(f"{variable} musi mieć wartość 1 albo 0 (tak/nie), a ma: {value!r}.")


def _count(config: Mapping[str, Any], key: str) -> int:
    """A count ≥ 0 (blank: 0); a typo stops the start, in Polish."""
    value = config[key]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raw = str(value if value is not None else "").strip() or "0"
    if not (raw.isascii() and raw.isdigit()):
        raise ValueError(f"{ENV_PREFIX}_{key} musi być liczbą całkowitą ≥ 0, a jest: {raw!r}.")
    return int(raw)


def _seconds(config: Mapping[str, Any], key: str) -> float:
    value = config[key]
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0:  # also NaN
        raise ValueError(f"{ENV_PREFIX}_{key} musi być liczbą sekund ≥ 0, a jest: {value!r}.")
    return seconds


def _rate(config: Mapping[str, Any], key: str) -> tuple[int, float]:
    """``(events, seconds)``; from the environment as ``events,seconds`` (e.g. ``10,60``)."""
    value = config[key]
    parts = value.split(",") if isinstance(value, str) else value
    try:
        events, seconds = (p.strip() if isinstance(p, str) else p for p in parts)
        events, seconds = int(events), float(seconds)
    except (TypeError, ValueError):
        events, seconds = -1, -1.0
    if events < 0 or not seconds > 0:
        raise ValueError(
            f"{ENV_PREFIX}_{key} musi mieć postać „liczba,sekundy” (np. 10,60), a jest: {value!r}."
        )
    return events, seconds
