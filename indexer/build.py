"""Writing practices into the index: full builds into a new generation."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence, Sized
from pathlib import Path

from whoosh.fields import TEXT, Schema
from whoosh.index import Index

from analyzers import DEFAULT_ANALYZER
from indexer.attachments import Prepared, prepare_attachments
from indexer.documents import schema_document
from indexer.errors import AttachmentProblem, IndexWriteError
from indexer.generations import (
    PHASE_COMMITTING,
    PHASE_WRITING,
    OnPhase,
    generation_transaction,
)
from indexer.lock import DEFAULT_TIMEOUT, WriterLock
from indexer.parallel import write_in_parallel
from indexer.records import Practice
from indexer.runs import with_chunked_runs

# Below this many practices, starting worker processes costs more than it saves.
PARALLEL_MIN_PRACTICES = 2_000


def build_index(
    practices: Iterable[Practice],
    index_dir: Path | str,
    on_progress: Callable[[Practice], None] | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
    on_wait: Callable[[dict | None], None] | None = None,
    procs: int | None = None,
    analyzer: str = DEFAULT_ANALYZER,
    on_problem: Callable[[AttachmentProblem], None] | None = None,
    on_phase: OnPhase | None = None,
    on_attachment: Callable[[int, int], None] | None = None,
) -> int:
    """Index every practice into a fresh generation and publish it when complete.

    If anything fails before the switch, the new generation is discarded and
    the live index keeps serving untouched. Holds the writer lock throughout,
    so a build never publishes over a concurrent update (or the reverse).
    Large collections are analysed by ``procs`` worker processes (by default
    one per core, at most two; see :mod:`indexer.parallel`); each writes its
    own segment, left unmerged since merging in one process would undo the
    gain. A practice that cannot be written, or a worker that dies, fails the
    whole build with :class:`IndexWriteError`: nothing less than every
    practice is ever published.

    Attachments are read first (text cached by content in the index directory); one
    that cannot be read goes to ``on_problem`` and its practice is indexed without it.

    ``on_phase`` hears each phase as it starts (``PHASE_*`` in :mod:`indexer.generations`:
    attachments, writing, committing, publishing); ``on_attachment`` gets (attachment
    files read, files to read) and ``on_progress`` each practice written.
    """
    if not isinstance(practices, Sequence):
        practices = list(practices)
    if procs is None:
        procs = default_procs(practices)
    with WriterLock(index_dir, lock_timeout, on_wait):
        prepared = prepare_attachments(
            [p for p in practices if p.attachments],
            index_dir,
            on_read=on_attachment,
            on_phase=on_phase,
        )
        for problem in prepared.problems:
            if on_problem:
                on_problem(problem)
        return _build_generation(
            practices, index_dir, on_progress, analyzer, procs, prepared, on_phase
        )


def _build_generation(
    practices: Sequence[Practice],
    index_dir: Path | str,
    on_progress: Callable[[Practice], None] | None,
    analyzer: str,
    procs: int,
    prepared: Prepared,
    on_phase: OnPhase | None,
) -> int:
    with generation_transaction(index_dir, analyzer=analyzer, on_phase=on_phase) as (_name, ix):
        if on_phase:
            on_phase(PHASE_WRITING)
        if procs > 1 and len(practices) >= procs:
            warm_analyzers(ix.schema)
            return write_in_parallel(ix, practices, procs, on_progress, prepared, on_phase)
        return _write_serially(ix, practices, on_progress, prepared, on_phase)


def _write_serially(
    ix: Index,
    practices: Iterable[Practice],
    on_progress: Callable[[Practice], None] | None,
    prepared: Prepared,
    on_phase: OnPhase | None = None,
) -> int:
    """Write every practice in this process; a practice that cannot be written is named."""
    fields = set(ix.schema.names())
    count = 0
    with with_chunked_runs(ix.writer()) as writer:
        for practice in practices:
            try:
                writer.add_document(**schema_document(practice, fields, prepared.of(practice)))
            except Exception as exc:  # noqa: BLE001 - any failure names the practice
                raise IndexWriteError(
                    f"Nie udało się zapisać praktyki {practice.id!r}: "
                    f"{type(exc).__name__}: {str(exc)[:200]}. Nowy indeks nie zostanie "
                    "opublikowany; popraw ją w źródle.",
                    practice_id=practice.id,
                ) from exc
            count += 1
            if on_progress:
                on_progress(practice)
        if on_phase:
            on_phase(PHASE_COMMITTING)  # leaving the block commits: Whoosh writes the segment
    return count


def default_procs(practices: Iterable[Practice]) -> int:
    """Two worker processes for a large collection on a multi-core machine, else one."""
    if not isinstance(practices, Sized) or len(practices) < PARALLEL_MIN_PRACTICES:
        return 1
    return min(2, os.cpu_count() or 1)


def warm_analyzers(schema: Schema) -> None:
    """Load lazy analysis tables (Stempel's) once, so forked workers inherit them."""
    for _name, field in schema.items():
        if isinstance(field, TEXT):
            list(field.process_text("Rozgrzewka analizatora: gminy i powiaty"))
