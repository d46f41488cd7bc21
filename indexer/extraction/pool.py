"""Extracting many attachments, each in a worker process with its own time and memory limit.

A PDF parser on a hostile file can loop, eat all memory or crash in C code.
So every file the cache cannot answer gets a forked process of its own (at
most ``procs`` at a time), which:

- limits its address space (``RLIMIT_AS``), so a runaway allocation fails as
  a MemoryError there instead of waking the system's OOM killer;
- is killed by the parent when its time is up, and its external programs
  (tesseract, antiword) with it, through ``PR_SET_PDEATHSIG``;
- dies with the parent, however the parent dies (even ``kill -9``);
- reports one result over a pipe; a worker that dies without one closes the
  pipe, and the parent turns that into an ExtractionError for that file only.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from indexer.extraction.cache import ExtractionCache, file_sha256
from indexer.extraction.formats import check_file, extract_file
from indexer.extraction.model import (
    MEMORY_REASON,
    Extraction,
    ExtractionError,
    ExtractionLimits,
    timeout_reason,
)
from indexer.extraction.tools import die_with_parent
from indexer.messages import describe_exit

Outcome = Extraction | ExtractionError
OnDone = Callable[[Path, Outcome], None]

# How long the parent waits for a worker that has sent its result to exit.
EXIT_GRACE_SECONDS = 1.0


@dataclass
class _Job:
    """One distinct attachment (by content and kind) and the paths that hold it."""

    sha: str
    kind: str
    paths: list[Path] = field(default_factory=list)
    process: Any = None
    results: Connection | None = None
    deadline: float = 0.0


def extract_many(
    paths: Sequence[Path],
    *,
    cache: ExtractionCache | None = None,
    limits: ExtractionLimits | None = None,
    procs: int = 2,
    on_done: OnDone | None = None,
) -> dict[Path, Outcome]:
    """The text of each file, or the ExtractionError that stopped it, keyed by path.

    Cached files start no worker; a file identical to another is extracted once.
    ``on_done`` is called for each path as soon as its outcome is known.
    """
    limits = ExtractionLimits.from_env() if limits is None else limits
    outcomes: dict[Path, Outcome] = {}

    def finish(done: list[Path], outcome: Outcome) -> None:
        for path in done:
            outcomes[path] = outcome
            if on_done is not None:
                on_done(path, outcome)

    jobs = _plan(paths, cache, limits, finish)
    if jobs:
        _run(jobs, cache, limits, max(1, procs), finish)
    return {path: outcomes[path] for path in paths}


def _plan(
    paths: Sequence[Path],
    cache: ExtractionCache | None,
    limits: ExtractionLimits,
    finish: Callable[[list[Path], Outcome], None],
) -> list[_Job]:
    """Settle what needs no worker (bad files, cache hits); group the rest by content."""
    jobs: dict[tuple[str, str], _Job] = {}
    for path in dict.fromkeys(paths):
        try:
            kind = check_file(path, limits)
            sha = file_sha256(path)
        except ExtractionError as exc:
            finish([path], exc)
            continue
        except OSError as exc:
            finish([path], ExtractionError(f"nie można odczytać pliku: {exc.strerror or exc}"))
            continue
        cached = cache.get(sha) if cache is not None else None
        if cached is not None and cached.kind == kind:
            finish([path], cached)
            continue
        jobs.setdefault((sha, kind), _Job(sha, kind)).paths.append(path)
    return list(jobs.values())


def _run(
    jobs: list[_Job],
    cache: ExtractionCache | None,
    limits: ExtractionLimits,
    procs: int,
    finish: Callable[[list[Path], Outcome], None],
) -> None:
    """Keep up to ``procs`` workers busy until every job has an outcome."""
    context = multiprocessing.get_context("fork")
    pending = deque(jobs)
    running: dict[Connection, _Job] = {}
    try:
        while pending or running:
            while pending and len(running) < procs:
                job = pending.popleft()
                _start_worker(context, job, limits)
                assert job.results is not None
                running[job.results] = job
            soonest = min(job.deadline for job in running.values())
            for ready in wait(list(running), max(0.0, soonest - time.monotonic())):
                job = running.pop(ready)  # type: ignore[arg-type]
                outcome = _receive(job)
                if cache is not None and isinstance(outcome, Extraction):
                    cache.put(job.sha, outcome)
                finish(job.paths, outcome)
            now = time.monotonic()
            for results, job in list(running.items()):
                if job.deadline <= now:
                    del running[results]
                    _stop(job)
                    finish(job.paths, ExtractionError(timeout_reason(limits.seconds)))
    finally:
        for job in running.values():
            _stop(job)


def _start_worker(context: Any, job: _Job, limits: ExtractionLimits) -> None:
    receive, send = context.Pipe(duplex=False)
    job.process = context.Process(
        target=_work,
        args=(job.paths[0], limits, send, os.getpid()),
        name="bdp-extract-worker",
        daemon=True,
    )
    job.process.start()
    send.close()  # only the worker holds the sending end: its death is then our EOF
    job.results = receive
    job.deadline = time.monotonic() + limits.seconds


def _receive(job: _Job) -> Outcome:
    """The worker's result, or an error saying how it died."""
    assert job.results is not None
    try:
        status, payload = job.results.recv()
    except (EOFError, OSError):
        outcome: Outcome = ExtractionError(_death_reason(job))
    else:
        outcome = payload if status == "ok" else ExtractionError(payload)
    _stop(job, EXIT_GRACE_SECONDS)
    return outcome


def _death_reason(job: _Job) -> str:
    job.process.join(EXIT_GRACE_SECONDS)
    cause = describe_exit(job.process.exitcode)
    return f"proces odczytu pliku zakończył się nieoczekiwanie ({cause})"


def _stop(job: _Job, grace: float = 0.0) -> None:
    """Reap the worker, killing it if it still runs after ``grace`` seconds."""
    job.process.join(grace)
    if job.process.is_alive():
        job.process.kill()
        job.process.join()
    if job.results is not None:
        job.results.close()


# --- in the worker process -------------------------------------------------------


def _work(path: Path, limits: ExtractionLimits, send: Connection, parent: int) -> None:
    """Extract one file under the memory limit and send back the outcome."""
    # Ctrl+C reaches the whole process group: the parent handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if not die_with_parent(parent):
        os._exit(1)
    _limit_memory(limits.memory_mb)
    try:
        message: tuple[str, Any] = ("ok", extract_file(path, limits))
    except ExtractionError as exc:
        message = ("error", exc.reason)
    except MemoryError:
        message = ("error", MEMORY_REASON)
    except Exception as exc:  # noqa: BLE001 - a bug in one extractor fails one file
        message = ("error", f"nieoczekiwany błąd odczytu ({type(exc).__name__}: {exc})"[:300])
    send.send(message)
    send.close()


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space at what the worker maps now plus ``memory_mb``.

    The cap passes to the programs the worker runs; each starts small, so it is
    generous for them.
    """
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        mapped = 0
    limit = mapped + memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
