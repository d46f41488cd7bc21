"""BDP Search: a pure search engine (:mod:`search_app.engine`) and its Flask web layer
(:mod:`search_app.web`).

Importing this package imports neither: ``bdp search`` loads only the engine,
and Flask is imported when an app is built (``create_app``, resolved lazily here
so ``from search_app import create_app`` keeps working for WSGI servers).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from search_app.web import create_app

        return create_app
    raise AttributeError(f"module 'search_app' has no attribute {name!r}")
