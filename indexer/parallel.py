"""A full build spread over worker processes: every practice is written, or none is published.

Whoosh's own ``MpWriter`` loses a worker's documents silently when that worker
dies, and its workers outlive a killed parent while holding the job pipe (and,
through an inherited descriptor, our writer lock). This module keeps Whoosh's
layout — each worker writes one segment of the same generation, and the parent
lists those segments in the generation's table of contents — but owns the
process plumbing, so that:

- the shares are fixed before the workers start (forked, so each inherits its
  practices without pickling), and each worker reports how many practices it
  wrote, or which one it could not write and why;
- the parent watches every worker's result pipe: a worker that dies (OOM
  killer, SIGKILL) closes its end, the parent sees end-of-file at once, stops
  the others and fails with a Polish message naming the lost practices;
- the parent commits only when every worker wrote exactly its share;
- workers die with the parent: ``PR_SET_PDEATHSIG`` has the kernel send them
  SIGKILL the moment the parent dies, however it dies (even by SIGKILL, where
  no handler of ours could run); a polling watchdog would leave a window, and a
  process group would not survive the parent's own SIGKILL;
- workers never hold the writer lock (``indexer.lock`` closes it after fork).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from whoosh.index import Index
from whoosh.writing import SegmentWriter

from indexer.attachments import Prepared
from indexer.documents import schema_document
from indexer.errors import IndexWriteError
from indexer.generations import PHASE_COMMITTING, OnPhase
from indexer.messages import describe_exit
from indexer.records import Practice
from indexer.runs import with_chunked_runs

# How many practices a worker writes between two progress reports.
PROGRESS_EVERY = 25
# How long the parent waits for a stopped worker before killing it.
STOP_GRACE_SECONDS = 1.0
PR_SET_PDEATHSIG = 1


@dataclass
class _Worker:
    number: int
    process: Any
    results: Connection
    share: Sequence[Practice]
    offset: int
    written: int = 0
    segment: Any = None
    done: bool = False


def write_in_parallel(
    ix: Index,
    practices: Sequence[Practice],
    procs: int,
    on_progress: Callable[[Practice], None] | None = None,
    prepared: Prepared | None = None,
    on_phase: OnPhase | None = None,
) -> int:
    """Write ``practices`` into the empty generation ``ix`` with ``procs`` workers.

    Returns the number written, always ``len(practices)``; raises
    :class:`IndexWriteError` (nothing committed) if any worker failed or died.
    ``on_phase`` hears :data:`PHASE_COMMITTING` once every worker has added its whole
    share and is finishing its segment.
    """
    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    try:
        for number, (offset, share) in enumerate(_shares(practices, procs), start=1):
            workers.append(_start_worker(context, ix, number, offset, share, prepared))
        _collect(workers, on_progress, on_phase)
        _commit_segments(ix, [w.segment for w in workers])
    finally:
        _stop(workers)
    written = sum(w.written for w in workers)
    if written != len(practices) or ix.doc_count() != len(practices):
        raise IndexWriteError(
            f"Zapisano {ix.doc_count()} z {len(practices)} praktyk — nowy indeks nie "
            "zostanie opublikowany."
        )
    return written


def _shares(practices: Sequence[Practice], procs: int) -> list[tuple[int, Sequence[Practice]]]:
    """Contiguous, nearly equal shares (documents keep their source order)."""
    size = -(-len(practices) // procs)
    return [(start, practices[start : start + size]) for start in range(0, len(practices), size)]


def _start_worker(context, ix: Index, number: int, offset: int, share, prepared) -> _Worker:
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_work,
        args=(ix.storage, ix.indexname, share, send, os.getpid(), prepared),
        name=f"bdp-index-worker-{number}",
        daemon=True,
    )
    process.start()
    send.close()  # only the worker may hold the sending end: its death is then our EOF
    return _Worker(number, process, receive, share, offset)


def _collect(
    workers: list[_Worker],
    on_progress: Callable[[Practice], None] | None,
    on_phase: OnPhase | None = None,
) -> None:
    """Read every worker's reports until all are done; fail on the first loss."""
    waiting = {w.results: w for w in workers}
    committing = False
    while waiting:
        if not committing and all(w.written == len(w.share) for w in workers):
            committing = True  # every practice added: the workers are finishing their segments
            if on_phase:
                on_phase(PHASE_COMMITTING)
        for ready in wait(list(waiting)):
            worker = waiting[ready]  # type: ignore[index]
            try:
                kind, *payload = worker.results.recv()
            except (EOFError, OSError):
                raise _lost(worker) from None
            if kind == "progress":
                _report_progress(worker, payload[0], on_progress)
            elif kind == "done":
                worker.segment, worker.done = payload[1], True
                _report_progress(worker, payload[0], on_progress)
                del waiting[ready]  # type: ignore[arg-type]
            elif kind == "oserror":
                raise OSError(*payload)
            else:  # "failed"
                position, problem = payload
                practice = worker.share[position]
                raise IndexWriteError(
                    f"Nie udało się zapisać praktyki {practice.id!r}: {problem}. "
                    "Nowy indeks nie zostanie opublikowany; popraw ją w źródle.",
                    practice_id=practice.id,
                )


def _report_progress(worker: _Worker, written: int, on_progress) -> None:
    if on_progress:
        for practice in worker.share[worker.written : written]:
            on_progress(practice)
    worker.written = written


def _lost(worker: _Worker) -> IndexWriteError:
    """The error for a worker that died without finishing its share."""
    worker.process.join(STOP_GRACE_SECONDS)
    cause = describe_exit(worker.process.exitcode)
    share = worker.share
    return IndexWriteError(
        f"Proces indeksujący nr {worker.number} zakończył się przedwcześnie ({cause}) "
        f"po zapisaniu {worker.written} z {len(share)} praktyk "
        f"(od {share[0].id!r} do {share[-1].id!r}). Nowy indeks nie zostanie opublikowany; "
        "działający indeks pozostaje bez zmian."
    )


def _commit_segments(ix: Index, segments: list[Any]) -> None:
    """List the workers' segments in the generation's table of contents (as MpWriter does)."""
    writer = SegmentWriter(ix)
    try:
        writer._close_segment()
        writer._commit_toc(list(writer.segments) + segments)
    finally:
        writer._finish()


def _stop(workers: list[_Worker]) -> None:
    """Make sure no worker outlives the build, whatever happened."""
    for worker in workers:
        if worker.process.is_alive():
            worker.process.terminate()
    for worker in workers:
        worker.process.join(STOP_GRACE_SECONDS)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.results.close()


# --- in the worker process -------------------------------------------------------


def _work(
    storage,
    indexname: str,
    share: Sequence[Practice],
    send: Connection,
    parent: int,
    prepared: Prepared | None,
):
    """Write one share into a segment of its own; report progress, the result or a failure."""
    _die_with_parent(parent)
    try:
        segment = _write_share(storage, indexname, share, send, prepared or Prepared({}, []))
    except OSError as exc:  # a full disk, say: the parent re-raises it for its Polish message
        send.send(("oserror", exc.errno, exc.strerror, exc.filename))
        send.close()
        os._exit(1)
    send.send(("done", len(share), segment))
    send.close()


def _write_share(
    storage, indexname: str, share: Sequence[Practice], send: Connection, prepared: Prepared
):
    ix = storage.open_index(indexname)
    fields = set(ix.schema.names())
    writer = with_chunked_runs(SegmentWriter(ix, _lk=False))
    for position, practice in enumerate(share):
        try:
            writer.add_document(**schema_document(practice, fields, prepared.of(practice)))
        except OSError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which names the practice
            send.send(("failed", position, f"{type(exc).__name__}: {exc}"[:300]))
            send.close()
            os._exit(1)
        if (position + 1) % PROGRESS_EVERY == 0:
            send.send(("progress", position + 1))
    if len(share) % PROGRESS_EVERY:
        send.send(("progress", len(share)))  # all added: finishing the segment comes next
    return writer._finalize_segment()


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the parent dies; leave signals to the parent.

    Ctrl+C reaches the whole process group: the worker ignores it and the parent,
    which handles it, stops the workers. SIGTERM and SIGHUP kill a worker outright.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's cleanup still stops us
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
