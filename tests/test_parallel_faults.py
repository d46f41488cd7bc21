"""A parallel build (≥ PARALLEL_MIN_PRACTICES practices) under faults: all or nothing, no orphans.

These runs take the real multiprocessing path: the collection is large enough
for ``bdp index build`` to fork its workers, which the kills then hit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bench.faults import alive, children
from indexer.build import PARALLEL_MIN_PRACTICES, build_index
from indexer.errors import IndexWriteError
from indexer.generations import GENERATION_PREFIX, current_generation
from indexer.jsonl import write_jsonl
from indexer.sources import read_sources
from indexer.store import stored_records
from tests.conftest import ROOT, SMALL_JSONL, start_python

PRACTICES = 3000
ID_FORMAT = "praktyka-rownolegla-{:05d}"
# How long every process of a stopped build may take to disappear (the bound).
GONE_WITHIN_SECONDS = 2.0


@pytest.fixture(scope="module")
def many_practices():
    base = read_sources([SMALL_JSONL]).practices
    practices = [
        replace(base[i % len(base)], id=ID_FORMAT.format(i), title=f"Praktyka nr {i}")
        for i in range(PRACTICES)
    ]
    assert len(practices) >= PARALLEL_MIN_PRACTICES  # the parallel path, not the serial one
    return practices


@pytest.fixture(scope="module")
def big_source(tmp_path_factory, many_practices) -> Path:
    path = tmp_path_factory.mktemp("big") / "duze.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl(many_practices, handle)
    return path


@pytest.fixture()
def errors(tmp_path):
    """A file for the build's stderr (a pipe nobody reads could block it)."""
    with (tmp_path / "stderr.txt").open("w+", encoding="utf-8") as handle:
        yield handle


def bdp(index_dir: Path, *args: str, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bdp", "--index-dir", str(index_dir), *args],
        cwd=ROOT,
        text=True,
        **options,
    )


def start_parallel_build(index_dir: Path, source: Path, stderr) -> tuple[subprocess.Popen, list]:
    """Start a build, wait until its workers have written some practices; (process, workers)."""
    process = bdp(
        index_dir, "index", "build", str(source), "--verbose", stdout=subprocess.PIPE, stderr=stderr
    )
    for _ in range(20):
        assert process.stdout.readline().startswith("praktyka-rownolegla-")
    workers = children(process.pid)
    assert len(workers) == 2, workers
    return process, workers


def wait_until_gone(pids: list[int], within: float) -> list[int]:
    """Poll until none of ``pids`` runs or ``within`` seconds passed; those still running."""
    deadline = time.monotonic() + within
    while True:
        running = [pid for pid in pids if alive(pid)]
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(0.02)


def assert_next_build_succeeds_at_once(index_dir: Path, source: Path = SMALL_JSONL) -> None:
    again = bdp(index_dir, "index", "build", str(source), "--wait", "0", stderr=subprocess.PIPE)
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_stopping_the_parent_stops_every_worker(index_dir, big_source, errors, signum):
    generation, records = current_generation(index_dir), stored_records(index_dir)
    process, workers = start_parallel_build(index_dir, big_source, errors)
    process.send_signal(signum)

    assert wait_until_gone([process.pid, *workers], GONE_WITHIN_SECONDS) == []
    process.wait(timeout=5)
    process.stdout.close()
    assert current_generation(index_dir) == generation
    assert stored_records(index_dir) == records
    if signum != signal.SIGKILL:  # handled: a Polish line, no traceback, nothing left behind
        assert process.returncode == 128 + signum
        errors.seek(0)
        said = errors.read()
        assert f"Przerwano ({signal.Signals(signum).name})" in said
        assert "Traceback" not in said
        assert [p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*")] == [generation]
    assert_next_build_succeeds_at_once(index_dir)


@pytest.mark.parametrize("killed", ["one", "both"])
def test_a_dead_worker_fails_the_build_and_publishes_nothing(index_dir, big_source, errors, killed):
    generation, records = current_generation(index_dir), stored_records(index_dir)
    process, workers = start_parallel_build(index_dir, big_source, errors)
    # Freeze both, so the killed one certainly dies halfway through its share.
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    victims = workers[:1] if killed == "one" else workers
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    for pid in workers:
        if pid not in victims:
            os.kill(pid, signal.SIGCONT)

    process.communicate(timeout=30)  # reads what it prints, so it never blocks on the pipe
    assert process.returncode == 1
    assert wait_until_gone(workers, GONE_WITHIN_SECONDS) == []
    errors.seek(0)
    said = errors.read()
    assert "Proces indeksujący nr" in said and "SIGKILL" in said
    assert "nie zostanie opublikowany" in said and "Traceback" not in said
    assert ID_FORMAT.format(0) in said or ID_FORMAT.format(PRACTICES - 1) in said
    assert current_generation(index_dir) == generation
    assert stored_records(index_dir) == records
    if killed == "one":  # the next parallel build of the same collection works at once
        assert_next_build_succeeds_at_once(index_dir, big_source)
        assert len(stored_records(index_dir)) == PRACTICES
    else:
        assert_next_build_succeeds_at_once(index_dir)


def test_a_poisoned_record_is_named_and_nothing_is_published(index_dir, many_practices):
    """A record that crashes a worker (here a population past Whoosh's 64-bit range,
    which validation of sources rejects earlier) fails the build, naming the practice."""
    generation, records = current_generation(index_dir), stored_records(index_dir)
    poisoned = list(many_practices)
    poisoned[2200] = replace(poisoned[2200], population=2**63)

    with pytest.raises(IndexWriteError) as failure:
        build_index(poisoned, index_dir, procs=2, lock_timeout=0)
    assert failure.value.practice_id == ID_FORMAT.format(2200)
    assert ID_FORMAT.format(2200) in str(failure.value)
    assert current_generation(index_dir) == generation
    assert stored_records(index_dir) == records
    assert [p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*")] == [generation]
    assert children(os.getpid()) == []

    assert build_index(many_practices, index_dir, procs=2, lock_timeout=0) == PRACTICES
    assert len(stored_records(index_dir)) == PRACTICES


def test_a_poisoned_record_in_a_serial_build_is_named(index_dir):
    practices = read_sources([SMALL_JSONL]).practices
    practices[1] = replace(practices[1], population=2**63)
    with pytest.raises(IndexWriteError, match=practices[1].id):
        build_index(practices, index_dir, procs=1, lock_timeout=0)


ORPHAN_HOLDER = """
import os, sys
from indexer.lock import WriterLock
WriterLock(sys.argv[1], 0).acquire()
if os.fork() == 0:  # a child that outlives its parent, as a stray worker would
    print(os.getpid(), flush=True)
    sys.stdin.read()  # blocks until the test closes our stdin
    os._exit(0)
os._exit(0)  # the parent dies holding the lock, without releasing it
"""


def test_a_forked_child_never_keeps_the_writer_lock(tmp_path):
    """An flock belongs to the open file: a child that kept the descriptor would lock
    every later writer out after its parent died (issue: workers holding WRITER.lock)."""
    process = start_python(ORPHAN_HOLDER, str(tmp_path))
    child = int(process.stdout.readline())
    process.wait(timeout=10)
    try:
        assert alive(child)
        from indexer.lock import WriterLock

        with WriterLock(tmp_path, timeout=0) as lock:
            assert lock.recovered["pid"] == process.pid
    finally:
        process.stdin.close()
        process.stdout.close()
        wait_until_gone([child], 5)


def test_a_record_that_breaks_a_worker_is_named_with_its_file_and_line(
    runner, index_dir, big_source, monkeypatch
):
    """Validation catches the known poisons (population, depth, sizes); whatever else
    breaks a worker is still reported with the practice's file and line."""
    import indexer.documents
    from bdp.cli import main

    original = indexer.documents.practice_to_document
    poisoned = ID_FORMAT.format(2600)

    def breaks_on_one(practice, files=()):
        if practice.id == poisoned:
            raise RuntimeError("nieoczekiwany stan analizatora")
        return original(practice, files)

    monkeypatch.setattr(indexer.documents, "practice_to_document", breaks_on_one)
    generation = current_generation(index_dir)
    result = runner.invoke(main, ["--index-dir", str(index_dir), "index", "build", str(big_source)])
    assert result.exit_code == 1
    assert f"{poisoned!r}" in result.output
    assert f"źródło: {big_source}:2601" in result.output
    assert current_generation(index_dir) == generation
