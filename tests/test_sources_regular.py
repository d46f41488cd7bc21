"""Only regular files are sources: a FIFO or a device is reported, never opened, never waited on."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.encoding import read_source_text
from indexer.errors import SourceError
from indexer.sources import SourceReport, read_sources
from tests.conftest import SMALL_JSONL, ZORY

# A regression would block in open() forever; the test then unblocks it itself
# (by opening the FIFO's other end) instead of hanging the suite.
GIVE_UP_SECONDS = 30


def _in_thread(work: Callable[[], object], fifos: list[Path]) -> object:
    """``work()`` in a thread; fails (after releasing it) if it blocks on a FIFO."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            result["value"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(GIVE_UP_SECONDS)
    if thread.is_alive():
        for fifo in fifos:  # a blocked reader's open() returns once a writer appears
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join()
        pytest.fail("reading the sources blocked on a FIFO")
    return result["value"]


def _read_in_thread(paths: list[Path], fifos: list[Path]) -> SourceReport:
    report = _in_thread(lambda: read_sources(paths), fifos)
    assert isinstance(report, SourceReport), report
    return report


@pytest.mark.parametrize("name", ["potok.jsonl", "potok.txt"])
def test_a_fifo_given_as_a_source_is_an_error(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    report = _read_in_thread([fifo, SMALL_JSONL], [fifo])
    assert len(report.practices) == 4  # the good source is still read
    (error,) = report.errors
    assert error.path == str(fifo)
    assert "nie jest zwykły plik" in error.problem and "FIFO" in error.problem


def test_a_fifo_inside_a_source_directory_is_reported_not_skipped(tmp_path):
    (tmp_path / "dobra.txt").write_bytes(ZORY.read_bytes())
    os.mkfifo(tmp_path / "zla.jsonl")
    report = _read_in_thread([tmp_path], [tmp_path / "zla.jsonl"])
    assert [p.id for p in report.practices] == ["dobra"]
    assert [Path(e.path).name for e in report.errors] == ["zla.jsonl"]


def test_a_device_behind_a_link_is_an_error(tmp_path):
    link = tmp_path / "urzadzenie.jsonl"
    link.symlink_to(os.devnull)
    (error,) = read_sources([link]).errors
    assert "urządzenie" in error.problem


def test_the_reader_itself_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "potok.txt"
    os.mkfifo(fifo)
    error = _in_thread(lambda: read_source_text(fifo), [fifo])
    assert isinstance(error, SourceError) and "FIFO" in str(error)


def test_dangling_links_in_a_directory_are_still_skipped(tmp_path):
    (tmp_path / "dobra.txt").write_bytes(ZORY.read_bytes())
    (tmp_path / ".#dobra.txt").symlink_to(tmp_path / "nie-ma")  # an editor's lock file
    report = read_sources([tmp_path])
    assert [p.id for p in report.practices] == ["dobra"] and report.errors == []


def test_a_missing_file_is_still_reported(tmp_path):
    (error,) = read_sources([tmp_path / "brak.jsonl"]).errors
    assert error.problem == "plik nie istnieje"
