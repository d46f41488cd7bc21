"""Running external programs (tesseract, antiword) so that none outlives its time or its caller.

Each program runs in a session of its own, so a timeout kills it with all its
children; and the kernel kills it when the process that started it dies
(``PR_SET_PDEATHSIG``), so a worker killed for its time or by a ``kill -9`` of
the indexer leaves no orphan behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from indexer.extraction.model import ExtractionError, timeout_reason

PR_SET_PDEATHSIG = 1
SCRIPTS_HINT = "(bash scripts/system_packages.sh)"


@dataclass(frozen=True)
class _Deadline:
    at: float
    seconds: float


# The end of the current extraction's time; extract_file sets it, tools obey it.
_deadline: ContextVar[_Deadline | None] = ContextVar("extraction_deadline", default=None)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Give every program run inside the block at most what is left of ``seconds``."""
    token = _deadline.set(_Deadline(time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def _load_libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


# Loaded once, here: a freshly forked child about to exec must not call dlopen.
_LIBC = _load_libc()


def die_with_parent(parent: int) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; False if it is already gone.

    Checking the parent afterwards closes the race where it died before the request.
    """
    prctl = getattr(_LIBC, "prctl", None)
    if prctl is not None:  # elsewhere than Linux the parent's own cleanup still applies
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    return os.getppid() == parent


def _guard_child(parent: int) -> None:
    """Run in the program's process between fork and exec."""
    if not die_with_parent(parent):
        os._exit(1)


def find_program(name: str, missing_reason: str) -> str:
    """The program's path, or an ExtractionError telling which Debian package brings it."""
    path = shutil.which(name)
    if path is None:
        raise ExtractionError(missing_reason)
    return path


def run_tool(
    args: Sequence[str], *, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run a program to its end within the current time limit; raise ExtractionError past it."""
    limit = _deadline.get()
    timeout = None if limit is None else max(0.01, limit.at - time.monotonic())
    parent = os.getpid()
    try:
        process = subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
            # Runs between fork and exec and only calls prctl (libc is loaded at import).
            # Python warns that preexec_fn is unsafe beside threads; the workers have none.
            preexec_fn=functools.partial(_guard_child, parent),
        )
    except OSError as exc:
        problem = f"{os.path.basename(args[0])}: {exc.strerror or exc}"
        raise ExtractionError(f"nie można uruchomić programu {problem}") from exc
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        assert limit is not None
        raise ExtractionError(timeout_reason(limit.seconds)) from None
    except BaseException:
        _kill_group(process)
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def tool_failure(name: str, result: subprocess.CompletedProcess[bytes]) -> str:
    """A short reason quoting the last line the program wrote to stderr."""
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    detail = f": {lines[-1].strip()[:200]}" if lines else ""
    return f"program {name} zakończył się błędem (kod {result.returncode}){detail}"
