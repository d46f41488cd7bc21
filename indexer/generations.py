"""Generations on disk: ``CURRENT``, and creating, cloning, publishing and pruning generations.

An index directory holds generations — complete Whoosh indexes in
``gen-*`` subdirectories — and a ``CURRENT`` file naming the live one. Every
writer (build and update alike) goes through :func:`generation_transaction`:
it writes a new generation beside the live one and then replaces ``CURRENT``
atomically, so readers only ever open a finished index.

Updates are copy-on-write too: :func:`clone_generation` hard-links the live
generation's files (Whoosh never changes a written segment or TOC file, it
only adds new ones) into a new generation, the update commits there, and it
is published the same way. No writer ever writes into the live generation, so
a writer killed at any moment leaves the live index exactly as it was.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from analyzers import DEFAULT_ANALYZER
from indexer.schema import build_schema

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
GENERATION_NAME = re.compile(rf"{GENERATION_PREFIX}[0-9A-Za-z-]+")
WHOOSH_LOCK_SUFFIX = "WRITELOCK"

# The phases of a write, in order, as reported to an ``on_phase`` callback (the CLI words
# them in Polish). Not every write has every phase: only an update compares, only
# practices with attachments read them.
PHASE_COMPARING = "comparing"  # an update: comparing the sources with the indexed hashes
PHASE_ATTACHMENTS = "attachments"  # reading the attachments' text (cached by content)
PHASE_WRITING = "writing"  # analysing the practices and writing their documents
PHASE_COMMITTING = "committing"  # Whoosh finishing and merging the segments on disk
PHASE_PUBLISHING = "publishing"  # flushing the generation to disk and switching CURRENT
OnPhase = Callable[[str], None]


def current_generation(index_dir: Path | str) -> str | None:
    """The name of the live generation, or None if nothing was ever published."""
    try:
        raw = (Path(index_dir) / CURRENT_FILE).read_bytes()
    except FileNotFoundError:
        return None
    name = raw.decode("utf-8", errors="replace").strip()
    return name or None


def close_files_under(directory: Path | str) -> None:
    """Close the files Whoosh left open under ``directory`` when it failed.

    On a damaged index or a full disk Whoosh raises without closing what it
    opened; closing those files now frees the descriptors (and the space of a
    discarded generation) instead of leaving them to some later garbage collection.
    """
    prefix = os.path.join(str(directory), "")
    for obj in gc.get_objects():
        if isinstance(obj, io.IOBase) and not obj.closed:
            if str(getattr(obj, "name", "")).startswith(prefix):
                with contextlib.suppress(OSError, ValueError):
                    obj.close()


def create_generation(index_dir: Path | str, analyzer: str = DEFAULT_ANALYZER) -> tuple[str, Index]:
    """Create an empty generation beside the live one; it is invisible until published."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    name = _new_generation_name()
    path = index_dir / name
    path.mkdir()
    try:
        return name, whoosh_index.create_in(str(path), build_schema(analyzer))
    except BaseException:  # e.g. a full disk: leave nothing half-made behind
        close_files_under(path)
        shutil.rmtree(path, ignore_errors=True)
        raise


def clone_generation(index_dir: Path | str, source: str) -> tuple[str, Index]:
    """A new unpublished generation holding the same index as ``source``, for an update.

    Files are hard-linked (copied where links are impossible): cheap at any
    size, and safe because Whoosh only ever creates new files. Whoosh's lock
    file and temporary directories are not carried over. A clone that fails
    halfway (a full disk, say) is removed before the error propagates.
    """
    index_dir = Path(index_dir)
    name = _new_generation_name()
    path = index_dir / name
    path.mkdir()
    try:
        for item in (index_dir / source).iterdir():
            if item.is_file() and not item.name.endswith(WHOOSH_LOCK_SUFFIX):
                try:
                    os.link(item, path / item.name)
                except OSError:
                    shutil.copy2(item, path / item.name)
        return name, whoosh_index.open_dir(str(path))
    except BaseException:
        close_files_under(path)
        shutil.rmtree(path, ignore_errors=True)
        raise


@contextlib.contextmanager
def generation_transaction(
    index_dir: Path | str,
    *,
    clone_from: str | None = None,
    analyzer: str = DEFAULT_ANALYZER,
    on_phase: OnPhase | None = None,
) -> Iterator[tuple[str, Index]]:
    """A new generation to write into, published when the block ends without error.

    The one transaction every writer uses (build and update): create an empty
    generation (or clone ``clone_from``), let the block write, then publish it
    durably and prune old generations. If the block or the switch fails, the
    unpublished generation is discarded and the live one keeps serving. Call it
    only while holding the writer lock. ``on_phase`` hears :data:`PHASE_PUBLISHING`
    when the block is done and the publishing starts.
    """
    index_dir = Path(index_dir)
    # A writer killed before its switch left an unpublished generation; remove it
    # now, or after this publish it would pass for the previous generation.
    if index_dir.is_dir():
        remove_old_generations(index_dir)
    if clone_from:
        name, ix = clone_generation(index_dir, clone_from)
    else:
        name, ix = create_generation(index_dir, analyzer)
    try:
        yield name, ix
        ix.close()
    except BaseException:
        ix.close()
        close_files_under(index_dir / name)
        discard_generation(index_dir, name)
        raise
    try:
        if on_phase:
            on_phase(PHASE_PUBLISHING)
        publish_generation(index_dir, name)
    except BaseException:
        if current_generation(index_dir) != name:  # the switch never happened
            discard_generation(index_dir, name)
        raise
    remove_old_generations(index_dir)


def _new_generation_name() -> str:
    # Microseconds keep names in creation order even for several updates a second.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"


def publish_generation(index_dir: Path | str, name: str) -> None:
    """Make ``name`` the live generation with one atomic rename of ``CURRENT``.

    Durable in Lucene's commit order: every file of the generation, then its
    directory, then the new ``CURRENT`` and the index directory are flushed to
    disk, so after a power loss ``CURRENT`` never names files that are not there.
    """
    index_dir = Path(index_dir)
    sync_generation(index_dir / name)
    tmp = index_dir / f"{CURRENT_FILE}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / CURRENT_FILE)
    finally:
        tmp.unlink(missing_ok=True)  # only left if the switch failed (e.g. disk full)
    _fsync_dir(index_dir)


def discard_generation(index_dir: Path | str, name: str) -> None:
    """Remove an unpublished (failed) generation."""
    shutil.rmtree(Path(index_dir) / name, ignore_errors=True)


def remove_old_generations(index_dir: Path | str, keep: int = 2) -> list[str]:
    """Delete all but the live generation and the ``keep - 1`` published before it.

    The previous generation is kept so searchers opened just before a switch
    can finish. Generations newer than the live one were never published (a
    writer died before the switch) and are removed too, so call this only while
    holding the writer lock.
    """
    index_dir = Path(index_dir)
    live = current_generation(index_dir)
    generations = sorted(
        (p for p in index_dir.glob(f"{GENERATION_PREFIX}*") if p.is_dir()),
        key=lambda p: p.name,
        reverse=True,
    )
    kept = 0
    removed = []
    for path in generations:
        if path.name == live:
            kept += 1
            continue
        if live is not None and path.name < live and kept < keep:
            kept += 1
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for tmp in index_dir.glob(f"{CURRENT_FILE}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def sync_generation(path: Path) -> None:
    """fsync every file of a generation, then the generation directory itself."""
    for item in path.iterdir():
        if item.is_file():
            fd = os.open(item, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
