"""kill -9 of a writer in the middle of its work leaves the previous index whole."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bdp.cli import main
from indexer.build import build_index
from indexer.generations import GENERATION_PREFIX, create_generation, current_generation
from indexer.jsonl import write_jsonl
from indexer.sources import read_sources
from indexer.store import stored_records
from tests.conftest import ROOT, SMALL_JSONL

# The writer prints one id per practice (--verbose) into a pipe we stop reading
# after a few lines: once the pipe buffer (64 KiB on Linux) is full it blocks, so
# with far more output than that still to come it is certainly mid-work when killed.
GENERATED = 4000
ID_FORMAT = "praktyka-wygenerowana-{:05d}"
KILL_AFTER_LINES = 20


@pytest.fixture()
def big_source(tmp_path) -> Path:
    """Thousands of practices, enough that writing them all takes a while."""
    base = read_sources([SMALL_JSONL]).practices
    path = tmp_path / "duze.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl(
            (
                replace(base[i % len(base)], id=ID_FORMAT.format(i), title=f"Praktyka nr {i}")
                for i in range(GENERATED)
            ),
            handle,
        )
    assert (GENERATED - KILL_AFTER_LINES) * len(ID_FORMAT.format(0)) > 64 * 1024
    return path


def kill_writer_midway(index_dir: Path, *command: str) -> int:
    """Run a writing ``bdp`` command, kill -9 it once it has written some practices; its PID."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bdp", "--index-dir", str(index_dir), *command, "--verbose"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for _ in range(KILL_AFTER_LINES):
            assert process.stdout.readline().startswith("praktyka-wygenerowana-")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    return process.pid


def assert_previous_index_intact(runner, index_dir: Path, generation: str, records) -> None:
    assert current_generation(index_dir) == generation
    assert stored_records(index_dir) == records
    found = runner.invoke(main, ["--index-dir", str(index_dir), "search", "budżet", "--json"])
    assert found.exit_code == 0
    assert "fx-budzet-obywatelski" in [hit["id"] for hit in json.loads(found.output)["results"]]


@pytest.mark.parametrize("command", ["build", "update"])
def test_kill_9_mid_write_keeps_every_practice(runner, index_dir, big_source, command):
    generation, records = current_generation(index_dir), stored_records(index_dir)
    killed = kill_writer_midway(index_dir, "index", command, str(big_source))

    # The killed writer left its unfinished generation behind, unpublished.
    assert len(list(index_dir.glob(f"{GENERATION_PREFIX}*"))) == 2
    assert_previous_index_intact(runner, index_dir, generation, records)

    # The next writer takes over the dead writer's lock and cleans up after it.
    again = runner.invoke(
        main,
        [
            "--index-dir",
            str(index_dir),
            "index",
            "update",
            str(SMALL_JSONL),
            "--wait",
            "0",
            "--json",
        ],
    )
    assert again.exit_code == 0, again.output
    summary = json.loads(again.output)
    assert summary["counts"]["unchanged"] == len(records)
    assert summary["recovered_lock_from"] == killed
    assert [p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*")] == [generation]


def test_a_killed_writers_leftover_never_passes_for_the_previous_generation(tmp_path):
    """Found by the fault soak: the next build kept the leftover and removed the real
    previous generation (which searchers opened before the switch still read)."""
    index_dir = tmp_path / "ix"
    practices = read_sources([SMALL_JSONL]).practices
    build_index(practices, index_dir)
    previous = current_generation(index_dir)
    leftover = create_generation(index_dir)[0]  # what a writer killed mid-build leaves
    assert leftover > previous

    build_index(practices, index_dir)
    live = current_generation(index_dir)
    assert sorted(p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*")) == [previous, live]
