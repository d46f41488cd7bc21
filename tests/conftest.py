"""Shared fixtures: small Polish practices, built indexes, the app, its client, the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from indexer.build import build_index
from indexer.sources import DEFAULT_SOURCES, read_sources
from search_app.web import create_app

# Property tests: bounded in the suite; HYPOTHESIS_PROFILE=deep searches far longer.
settings.register_profile(
    "suite", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", parent=settings.get_profile("suite"), max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

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
def app(small_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(small_index)})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def bundled_client(bundled_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(bundled_index)}).test_client()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
