"""One writer at a time per index directory: a lock file of our own that names its holder.

Every command that changes the index (build, update, add, delete, the editors'
endpoint) holds :class:`WriterLock` from reading the live generation until the
new one is published, so two writers can never publish over each other.

The lock is an ``flock`` on ``index_dir/WRITER.lock``: the kernel drops it when
the holding process dies, even by kill -9, so a lock left by a dead process is
recovered by simply taking it. The file also records the holder's PID and start
time — for the message a waiting editor reads and to report the recovery. The
file is never deleted (deleting a flock file lets two processes lock two
different files); an empty file means nobody holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from indexer.errors import IndexBusyError

LOCK_FILE = "WRITER.lock"
DEFAULT_TIMEOUT = 30.0
POLL_INTERVAL = 0.05

# Descriptors of the locks this process holds. A forked child (a parallel build's
# worker) closes its copies at once: an flock belongs to the open file, so a
# child that outlived its parent would otherwise keep every later writer out.
# O_CLOEXEC does the same for programs started with exec.
_held_fds: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in _held_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    _held_fds.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


class WriterLock:
    """The index directory's writer lock; use as ``with WriterLock(dir, timeout):``.

    ``recovered`` is the record of a previous holder that died without
    releasing the lock (None if the lock was free or released properly).
    """

    def __init__(
        self,
        index_dir: Path | str,
        timeout: float = DEFAULT_TIMEOUT,
        on_wait: Callable[[dict | None], None] | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.path = self.index_dir / LOCK_FILE
        self.timeout = timeout
        self.on_wait = on_wait
        self.recovered: dict | None = None
        self._fd: int | None = None

    def acquire(self) -> WriterLock:
        """Take the lock, waiting at most ``timeout`` seconds, else raise IndexBusyError."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + self.timeout
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise IndexBusyError(self.index_dir, self.timeout, holder) from None
                if not waited and self.on_wait:
                    self.on_wait(_read_holder(fd))
                waited = True
                time.sleep(POLL_INTERVAL)
        try:
            # We hold the flock, so any holder still recorded in the file died holding it.
            self.recovered = _read_holder(fd)
            since = datetime.now(UTC).isoformat(timespec="seconds")
            _write_holder(fd, {"pid": os.getpid(), "since": since})
        except BaseException:  # e.g. a full disk: never keep a lock nobody will release
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            raise
        self._fd = fd
        _held_fds.add(fd)
        return self

    def release(self) -> None:
        """Clear the holder record and drop the lock."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _held_fds.discard(fd)
        try:
            os.ftruncate(fd, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *_exc) -> None:
        self.release()


def lock_holder(index_dir: Path | str) -> dict | None:
    """Who the lock file says holds the lock (may be a dead process); None if it is free."""
    try:
        with open(Path(index_dir) / LOCK_FILE, "rb") as handle:
            return _parse_holder(handle.read())
    except FileNotFoundError:
        return None


def _read_holder(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    return _parse_holder(os.read(fd, 4096))


def _parse_holder(raw: bytes) -> dict | None:
    try:
        holder = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _write_holder(fd: int, holder: dict) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(holder).encode("utf-8"))
    os.fsync(fd)
