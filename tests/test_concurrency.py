"""One writer at a time, stale locks, and searches that keep working during updates."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bdp.cli import main
from indexer.build import build_index
from indexer.errors import IndexBusyError
from indexer.lock import WriterLock, lock_holder
from indexer.sources import SourceReport, read_sources
from indexer.store import LiveIndex, open_index
from indexer.update import update_index
from search_app.engine.search import clean_request, search
from tests.conftest import SMALL_JSONL, hammer, start_python

HOLD_LOCK = (
    "import sys\n"
    "from indexer.lock import WriterLock\n"
    "WriterLock(sys.argv[1]).acquire()\n"
    "print('locked', flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.fixture()
def practices():
    return read_sources([SMALL_JSONL]).practices


@pytest.fixture()
def index_dir(tmp_path, practices) -> Path:
    path = tmp_path / "ix"
    build_index(practices, path)
    return path


def start_lock_holder(index_dir: Path) -> subprocess.Popen:
    """Another process that takes the writer lock and keeps it until killed."""
    holder = start_python(HOLD_LOCK, str(index_dir))
    assert holder.stdout.readline() == "locked\n"
    return holder


@pytest.mark.parametrize(
    "command",
    [
        ["build", str(SMALL_JSONL)],
        ["update", str(SMALL_JSONL)],
        ["add", str(SMALL_JSONL)],
        ["delete", "fx-gops-wies"],
    ],
)
def test_second_writer_gives_up_with_a_polish_message(runner, index_dir, command):
    holder = start_lock_holder(index_dir)
    try:
        result = runner.invoke(
            main, ["--index-dir", str(index_dir), "index", *command, "--wait", "0.2"]
        )
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        holder.stdin.close()
    assert result.exit_code == 1
    assert "jest właśnie zmieniany przez inny proces" in result.output
    assert f"proces {holder.pid}" in result.output


def test_second_writer_waits_for_the_first(index_dir, practices):
    first = WriterLock(index_dir).acquire()
    waiting = threading.Event()
    outcome = {}

    def second_writer():
        changed = [replace(practices[0], title="Zmieniony tytuł praktyki"), *practices[1:]]
        outcome["summary"] = update_index(
            SourceReport(practices=changed),
            index_dir,
            lock_timeout=30,
            on_wait=lambda _holder: waiting.set(),
        )

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert waiting.wait(timeout=30)
    first.release()
    thread.join(timeout=30)
    assert outcome["summary"].updated == [practices[0].id]


def test_lock_of_a_killed_writer_is_recovered(index_dir, practices):
    holder = start_lock_holder(index_dir)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    holder.stdin.close()
    assert lock_holder(index_dir)["pid"] == holder.pid  # the dead process is still recorded

    lock = WriterLock(index_dir, timeout=0).acquire()
    try:
        assert lock.recovered["pid"] == holder.pid
        assert lock_holder(index_dir)["pid"] == os.getpid()
    finally:
        lock.release()
    assert lock_holder(index_dir) is None


def test_whoosh_lock_left_in_the_live_generation_does_not_block_updates(index_dir, practices):
    ix = open_index(index_dir)
    stuck = ix.writer()  # holds Whoosh's MAIN_WRITELOCK, like a writer killed mid-commit
    try:
        changed = [replace(practices[0], summary="Nowe streszczenie."), *practices[1:]]
        summary = update_index(SourceReport(practices=changed), index_dir, lock_timeout=0)
    finally:
        stuck.cancel()
        ix.close()
    assert summary.updated == [practices[0].id]


def test_busy_error_names_the_holder(index_dir):
    with WriterLock(index_dir):
        with pytest.raises(IndexBusyError) as caught:
            WriterLock(index_dir, timeout=0).acquire()
    assert f"proces {os.getpid()}" in str(caught.value)


def test_searches_keep_working_during_updates_and_builds(index_dir, practices):
    live = LiveIndex(index_dir)
    request, _messages = clean_request("pomoc", page=1, per_page=10, sort="relevance", filters={})
    totals: set[int] = set()

    def search_once() -> None:
        with live.searcher() as searcher:
            totals.add(search(searcher, request).total)

    with hammer(search_once, threads=3) as seen:
        for round_number in range(6):
            changed = [replace(p, body=f"{p.body} Wersja {round_number}.") for p in practices]
            if round_number % 3 == 2:
                build_index(changed, index_dir)  # full rebuilds switch over just as safely
            else:
                update_index(SourceReport(practices=changed), index_dir)
    assert seen.failures == []
    assert seen.calls > 0
    assert len(totals) == 1  # every search saw a complete index, old or new


def test_a_searcher_is_opened_on_the_live_generation_when_its_own_vanished(index_dir, practices):
    """The race of two threads of one worker and two quick updates, made deterministic:
    a request got the generation just before two publishes removed it."""
    live = LiveIndex(index_dir)
    stale = live.get()
    for number in (1, 2):
        changed = [replace(practices[0], title=f"{practices[0].title} {number}")]
        update_index(SourceReport(practices=changed), index_dir)
    original_get, calls = live.get, []

    def get_racing():
        calls.append(1)
        return stale if len(calls) == 1 else original_get()

    live.get = get_racing
    with live.searcher() as searcher:
        assert searcher.doc_count() == len(practices)
    assert len(calls) == 2
