"""Shared fixtures: small Polish practices, built indexes, the app, its client, the CLI runner."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from hypothesis import HealthCheck, settings
from whoosh.searching import Searcher

from indexer.build import build_index
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.store import open_index
from search_app.engine.search import SearchResponse, clean_request, search
from search_app.engine.synonyms import SYNONYMS_FILE
from search_app.web import create_app

# Property tests: bounded in the suite; HYPOTHESIS_PROFILE=deep searches far longer.
settings.register_profile(
    "suite", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", parent=settings.get_profile("suite"), max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
# Suggestions wait this long for a new generation's vocabulary (built in a thread of its
# own; 2 s by default): long enough that no test sees one still being built unless it
# asks to (tests/test_suggest_vocabulary.py), whatever the machine's load.
os.environ.setdefault("BDP_SUGGEST_WAIT", "600")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = DEFAULT_SOURCES / "bdp"
ZORY = SEEDS / "000_3b014753ec2e4c31.txt"
LODZ = SEEDS / "001_8428a99dc5593c9b.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL_JSONL = FIXTURES / "practices.jsonl"


@pytest.fixture(scope="session")
def small_index(tmp_path_factory) -> Path:
    """The two seed pages plus a few fixture practices; built once per session."""
    index_dir = tmp_path_factory.mktemp("small-index")
    report = read_sources([SEEDS, SMALL_JSONL])
    assert not report.errors, report.errors
    build_index(report.practices, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory) -> Path:
    """Everything bundled in data/practices, as ``bdp index build`` indexes it."""
    index_dir = tmp_path_factory.mktemp("bundled-index")
    report = read_sources([DEFAULT_SOURCES])
    assert not report.errors, report.errors
    build_index(report.practices, index_dir)
    return index_dir


@pytest.fixture()
def index_dir(tmp_path) -> Path:
    """A fresh index of the fixture practices that a test may change (files override it)."""
    path = tmp_path / "ix"
    build_index(read_sources([SMALL_JSONL]).practices, path)
    return path


@pytest.fixture()
def app(small_index, tmp_path):
    # The search log goes to the test's own folder, not into the shared index directory.
    analytics_db = str(tmp_path / "analytics.sqlite3")
    return create_app(
        {"TESTING": True, "INDEX_DIR": str(small_index), "ANALYTICS_DB": analytics_db}
    )


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def bundled_client(bundled_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(bundled_index)}).test_client()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def start_python(script: str, *args: str) -> subprocess.Popen:
    """Run ``script`` in another Python process (text pipes on stdin and stdout).

    For holders of locks and writers that must outlive a moment of the test: they
    report on stdout and wait on stdin, which the test closes to let them go.
    """
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


@dataclass
class Hammering:
    """What :func:`hammer` saw: how many calls succeeded and every failure."""

    calls: int = 0
    failures: list[BaseException] = field(default_factory=list)


@contextlib.contextmanager
def hammer(call: Callable[[], object], threads: int = 2) -> Iterator[Hammering]:
    """Call ``call`` over and over in ``threads`` threads for as long as the block runs."""
    seen = Hammering()
    stop = threading.Event()
    lock = threading.Lock()

    def repeat() -> None:
        while not stop.is_set():
            try:
                call()
                with lock:
                    seen.calls += 1
            except BaseException as exc:  # every failure counts, whatever it is
                with lock:
                    seen.failures.append(exc)

    workers = [threading.Thread(target=repeat) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        yield seen
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)


def open_searcher(index_dir: Path) -> Iterator[Searcher]:
    """A searcher on the index in ``index_dir`` for the duration of a fixture."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        yield searcher
    ix.close()


@pytest.fixture(scope="module")
def small_searcher(small_index) -> Iterator[Searcher]:
    yield from open_searcher(small_index)


@pytest.fixture(scope="module")
def bundled_searcher(bundled_index) -> Iterator[Searcher]:
    yield from open_searcher(bundled_index)


def run_search(searcher: Searcher, q: str = "", **kwargs) -> SearchResponse:
    """Search as the API does: clean the raw input, then search (its notes come first)."""
    request, _notes = clean_request(q, **kwargs)
    return search(searcher, request)


CHROMIUM = Path(
    "/usr/bin/chromium"
)  # Debian's package (scripts/system_packages.sh), never a download
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Chromium under Playwright for one module's browser tests (skipped without it)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is missing (bash scripts/test.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser, base_url: str, viewport: dict, timeout_ms: int = 10_000, **options):
    """A page in a fresh Polish browser context at ``viewport``: the context (to close),
    the page and the list its JavaScript errors are collected in."""
    context = browser.new_context(viewport=viewport, locale="pl-PL", base_url=base_url, **options)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def app_on_a_copy(bundled_index: Path, folder: Path, **config) -> Flask:
    """The app over a copy of ``bundled_index`` in ``folder``, with its own thesaurus and
    search log there: what a browser test changes never reaches the shared index or the
    repository's files."""
    index_dir = folder / "index"
    shutil.copytree(bundled_index, index_dir, symlinks=True)
    thesaurus = folder / "synonimy.txt"
    thesaurus.write_bytes(SYNONYMS_FILE.read_bytes())
    return create_app(
        {
            "INDEX_DIR": str(index_dir),
            "SOURCES": [DEFAULT_SOURCES],
            "SYNONYMS": str(thesaurus),
            "ANALYTICS_DB": str(folder / "analytics.sqlite3"),
            **config,
        }
    )


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on a free local port in a thread, for a real browser; its address."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
