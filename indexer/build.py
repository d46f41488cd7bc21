"""Writing practices into the index: full builds into a new generation."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sized
from pathlib import Path

from whoosh.fields import TEXT, Schema

from analyzers import DEFAULT_ANALYZER
from indexer.documents import practice_to_document
from indexer.lock import DEFAULT_TIMEOUT, WriterLock
from indexer.records import Practice
from indexer.store import (
    close_files_under,
    create_generation,
    current_generation,
    discard_generation,
    publish_generation,
    remove_old_generations,
)

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
) -> int:
    """Index every practice into a fresh generation and publish it when complete.

    If anything fails before the switch, the new generation is discarded and
    the live index keeps serving untouched. Holds the writer lock throughout,
    so a build never publishes over a concurrent update (or the reverse).
    Large collections are analysed by ``procs`` worker processes (by default
    one per core, at most two); each writes its own segment, left unmerged
    since merging in one process would undo the gain.
    """
    if procs is None:
        procs = default_procs(practices)
    with WriterLock(index_dir, lock_timeout, on_wait):
        return _build_generation(practices, index_dir, on_progress, analyzer, procs)


def _build_generation(
    practices: Iterable[Practice],
    index_dir: Path | str,
    on_progress: Callable[[Practice], None] | None,
    analyzer: str,
    procs: int = 1,
) -> int:
    name, ix = create_generation(index_dir, analyzer)
    fields = set(ix.schema.names())
    count = 0
    try:
        if procs > 1:
            warm_analyzers(ix.schema)
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        with ix.writer(**options) as writer:
            for practice in practices:
                document = practice_to_document(practice)
                writer.add_document(**{k: v for k, v in document.items() if k in fields})
                count += 1
                if on_progress:
                    on_progress(practice)
        ix.close()
    except BaseException:
        ix.close()
        close_files_under(Path(index_dir) / name)
        discard_generation(index_dir, name)
        raise
    try:
        publish_generation(index_dir, name)
    except BaseException:
        if current_generation(index_dir) != name:  # the switch never happened
            discard_generation(index_dir, name)
        raise
    remove_old_generations(index_dir)
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
