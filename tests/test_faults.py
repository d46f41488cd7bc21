"""Faults: a damaged or missing index, a full disk during a build, a writer killed with -9."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh.filedb.structfile import StructFile
from whoosh.index import LockError

from bdp.cli import main
from indexer.build import build_index
from indexer.errors import IndexMissingError
from indexer.generations import CURRENT_FILE, current_generation
from indexer.messages import describe_os_error
from indexer.sources import read_sources
from indexer.store import open_index
from search_app.web import create_app
from tests.conftest import SEEDS, SMALL_JSONL, start_python


@pytest.fixture(scope="module")
def practices():
    return read_sources([SEEDS, SMALL_JSONL]).practices


@pytest.fixture()
def live_index(tmp_path, practices) -> Path:
    index_dir = tmp_path / "index"
    build_index(practices, index_dir)
    return index_dir


def _segment(index_dir: Path, pattern: str) -> Path:
    return next((index_dir / current_generation(index_dir)).glob(pattern))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


DAMAGE = {
    "toc garbage": lambda d: _segment(d, "*.toc").write_bytes(b"garbage" * 10),
    "toc truncated": lambda d: _truncate(_segment(d, "*.toc")),
    "toc empty": lambda d: _segment(d, "*.toc").write_bytes(b""),
    "toc deleted": lambda d: _segment(d, "*.toc").unlink(),
    "segment truncated": lambda d: _truncate(_segment(d, "*.seg")),
    "segment deleted": lambda d: _segment(d, "*.seg").unlink(),
    "segment overwritten": lambda d: _segment(d, "*.seg").write_bytes(os.urandom(4096)),
    "generation deleted": lambda d: shutil.rmtree(d / current_generation(d)),
    "CURRENT garbage": lambda d: (d / CURRENT_FILE).write_bytes(b"\xff\x00../../etc\n"),
    "CURRENT empty": lambda d: (d / CURRENT_FILE).write_bytes(b""),
    "directory missing": lambda d: shutil.rmtree(d),
}


# Whoosh retries opening a damaged segment ten times and drops the open file each
# time; the resulting ResourceWarnings are its own, not a leak of ours.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_gives_a_clear_message_naming_the_rebuild(live_index, runner, damage):
    DAMAGE[damage](live_index)
    with pytest.raises(IndexMissingError, match="bdp index build"):
        open_index(live_index)

    client = create_app({"TESTING": True, "INDEX_DIR": str(live_index)}).test_client()
    for url in ("/healthz", "/api/search?q=rodzina", "/api/practices/fx-gops-wies"):
        response = client.get(url)
        assert response.status_code == 503
        error = response.get_json()["error"]  # the one error shape, /healthz included
        assert error["status"] == 503 and "bdp index build" in error["message"]
    page = client.get("/?q=rodzina")
    assert page.status_code == 503 and "bdp index build" in page.get_data(as_text=True)

    result = runner.invoke(main, ["--index-dir", str(live_index), "search", "rodzina"])
    assert result.exit_code == 1 and "bdp index build" in result.output


def test_rebuild_after_damage_serves_again(live_index, practices):
    DAMAGE["segment truncated"](live_index)
    build_index(practices, live_index)
    assert open_index(live_index).doc_count() == len(practices)


def _disk_fills_after(monkeypatch, writes: int) -> None:
    """Every index file write fails with ENOSPC after the first ``writes`` calls."""
    original = StructFile.write
    calls = {"n": 0}

    def write(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > writes:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(StructFile, "write", write)


def _snapshot(index_dir: Path) -> tuple[str | None, list[str], int]:
    generations = sorted(p.name for p in index_dir.iterdir())
    return current_generation(index_dir), generations, open_index(index_dir).doc_count()


@pytest.mark.parametrize("writes", [0, 5, 200])
def test_disk_full_during_a_build_leaves_the_live_index_untouched(
    live_index, practices, monkeypatch, writes
):
    before = _snapshot(live_index)
    _disk_fills_after(monkeypatch, writes)
    with pytest.raises(OSError, match="No space left"):
        build_index(practices * 3, live_index)
    monkeypatch.undo()
    assert _snapshot(live_index) == before  # same CURRENT, no half-written generation left


def test_disk_full_when_switching_leaves_the_live_index_untouched(
    live_index, practices, monkeypatch
):
    before = _snapshot(live_index)

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("indexer.generations.os.replace", no_space)
    with pytest.raises(OSError):
        build_index(practices, live_index)
    monkeypatch.undo()
    assert _snapshot(live_index) == before


def test_cli_reports_a_full_disk_in_polish(live_index, runner, monkeypatch):
    before = _snapshot(live_index)
    _disk_fills_after(monkeypatch, 10)
    result = runner.invoke(main, ["--index-dir", str(live_index), "index", "build", str(SEEDS)])
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "Zapis indeksu nie powiódł się" in result.output
    assert "działający indeks pozostaje bez zmian" in result.output
    assert _snapshot(live_index) == before


@pytest.fixture()
def tiny_disk(tmp_path):
    """A real 1 MiB tmpfs (room for two generations of the fixture practices, not more),
    where the system allows mounting one (root on Linux)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here; the simulated disk-full tests cover this")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_really_full_disk_leaves_the_live_index_untouched(tiny_disk, practices):
    index_dir = tiny_disk / "index"
    build_index(practices, index_dir)
    before = _snapshot(index_dir)
    filler = tiny_disk / "filler"
    with filler.open("wb", buffering=0) as handle:  # fill the disk up to the last byte
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while handle.write(b"\0" * size):
                    pass
    with pytest.raises(OSError):
        build_index(practices * 5, index_dir)
    assert _snapshot(index_dir) == before
    filler.unlink()
    assert build_index(practices, index_dir) == len(practices)


WRITER = """
import sys
from indexer.store import open_index
writer = open_index(sys.argv[1]).writer()
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_writer_killed_with_sigkill_leaves_no_stale_lock(live_index):
    holder = start_python(WRITER, str(live_index))
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockError):
            open_index(live_index).writer()  # really held ...
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdin.close()
        holder.stdout.close()
    writer = open_index(live_index).writer()  # ... and free once its process is dead
    writer.cancel()
    assert open_index(live_index).doc_count() > 0


def test_a_full_disk_while_taking_the_writer_lock_does_not_keep_it(tmp_path, monkeypatch):
    from indexer.lock import WriterLock

    def no_space(*_args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("indexer.lock.os.write", no_space)
    with pytest.raises(OSError):
        WriterLock(tmp_path, timeout=0.1).acquire()
    monkeypatch.undo()
    with WriterLock(tmp_path, timeout=0.1) as lock:  # free again, not held by a leaked fd
        assert lock.recovered is None


@pytest.mark.parametrize("command", ["update", "add", "delete"])
def test_every_write_command_reports_a_full_disk_in_one_polish_line(
    live_index, runner, monkeypatch, tmp_path, command
):
    new = tmp_path / "nowa.jsonl"
    new.write_text('{"id": "nowa-praktyka", "title": "Nowa praktyka"}\n', encoding="utf-8")
    arguments = {"update": [str(new)], "add": [str(new)], "delete": ["fx-gops-wies"]}[command]
    before = _snapshot(live_index)
    _disk_fills_after(monkeypatch, 0)
    result = runner.invoke(main, ["--index-dir", str(live_index), "index", command, *arguments])
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "Zapis indeksu nie powiódł się: brak miejsca na dysku" in result.output
    assert "działający indeks pozostaje bez zmian" in result.output
    assert "Traceback" not in result.output and "OSError" not in result.output
    assert _snapshot(live_index) == before


def test_a_full_disk_in_a_parallel_build_is_reported_as_a_full_disk(
    live_index, practices, monkeypatch
):
    """The disk fills while the workers write: the parent fails with their ENOSPC."""
    before = _snapshot(live_index)
    many = [replace(practices[i % len(practices)], id=f"p{i}") for i in range(200)]
    original, parent = StructFile.write, os.getpid()

    def write_in_parent_only(self, *args, **kwargs):
        if os.getpid() != parent:  # a worker, forked after this patch
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(StructFile, "write", write_in_parent_only)
    with pytest.raises(OSError) as failure:
        build_index(many, live_index, procs=2)
    monkeypatch.undo()
    assert failure.value.errno == errno.ENOSPC
    assert _snapshot(live_index) == before


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        (errno.ENOSPC, "brak miejsca na dysku"),
        (errno.EACCES, "brak uprawnień do zapisu"),
        (errno.EROFS, "system plików jest tylko do odczytu"),
    ],
)
def test_write_errors_of_the_system_are_named_in_polish(code, cause):
    message = describe_os_error(OSError(code, os.strerror(code), "index/gen-x"))
    assert message == (
        f"Zapis indeksu nie powiódł się: {cause} (index/gen-x); "
        "działający indeks pozostaje bez zmian."
    )
