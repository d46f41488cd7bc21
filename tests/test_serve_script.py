"""scripts/serve.sh keeps an index the user built (issue #15): it builds the bundled
practices only when there is no index, otherwise updates it, and says which."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from indexer.build import build_index
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.store import stored_records
from tests.conftest import ROOT, SMALL_JSONL

SCRIPTS = ROOT / "scripts"
BUILDING = "Brak indeksu — buduję go z dołączonych praktyk (data/practices)."
UPDATING = "Indeks już istnieje — uzupełniam go dołączonymi praktykami (nic nie usuwam)."


def index_bundled(index_dir: Path) -> subprocess.CompletedProcess:
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, str(SCRIPTS / "index_bundled.sh")],
        env={**os.environ, "BDP_INDEX_DIR": str(index_dir)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def ids(index_dir: Path) -> set[str]:
    return {record["id"] for record in stored_records(index_dir)}


def test_serve_indexes_through_the_script_that_keeps_an_index():
    serve = (SCRIPTS / "serve.sh").read_text(encoding="utf-8")
    assert "bash scripts/index_bundled.sh" in serve and "index build" not in serve


def test_an_index_the_user_built_is_updated_not_replaced(tmp_path):
    index_dir = tmp_path / "index"
    build_index(read_sources([SMALL_JSONL]).practices, index_dir)
    own = ids(index_dir)

    first = index_bundled(index_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(UPDATING)
    bundled = {p.id for p in read_sources([DEFAULT_SOURCES]).practices}
    assert ids(index_dir) == own | bundled  # the user's practices are all still there

    again = index_bundled(index_dir)
    assert again.returncode == 0 and again.stdout.startswith(UPDATING)
    assert "(bez zmian)" in again.stdout  # idempotent


def test_without_an_index_the_bundled_practices_are_built(tmp_path):
    index_dir = tmp_path / "index"
    result = index_bundled(index_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(BUILDING)
    assert ids(index_dir) == {p.id for p in read_sources([DEFAULT_SOURCES]).practices}
