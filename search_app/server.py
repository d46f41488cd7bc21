"""Serving the app with gunicorn from ``bdp serve`` (no debug mode, several workers)."""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication

from search_app import create_app


class _Gunicorn(BaseApplication):
    """Gunicorn's documented embedding API: options in, our app out."""

    def __init__(self, index_dir: Path, options: dict) -> None:
        self.index_dir = index_dir
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app({"INDEX_DIR": str(self.index_dir)})


def run_gunicorn(index_dir: Path, host: str, port: int, workers: int) -> None:
    """Serve until interrupted; each worker opens the live index and follows rebuilds."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",
        "timeout": 60,
    }
    _Gunicorn(index_dir, options).run()
