"""Writing practices into the index: full builds into a new generation."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sized
from pathlib import Path

from whoosh.fields import TEXT, Schema

from indexer.documents import practice_to_document
from indexer.records import Practice
from indexer.store import (
    create_generation,
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
    procs: int | None = None,
) -> int:
    """Index every practice into a fresh generation and publish it when complete.

    Large collections are analysed by ``procs`` worker processes (by default
    one per core, at most two); each writes its own segment, left unmerged
    since merging in one process would undo the gain. If anything fails
    before the switch, the new generation is discarded and the live index
    keeps serving untouched.
    """
    if procs is None:
        procs = default_procs(practices)
    name, ix = create_generation(index_dir)
    count = 0
    try:
        if procs > 1:
            warm_analyzers(ix.schema)
        # Separate segment files, not one compound file: this Whoosh copies a
        # compound file's term dictionary into memory on every reader opened.
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        with ix.writer(compound=False, **options) as writer:
            for practice in practices:
                writer.add_document(**practice_to_document(practice))
                count += 1
                if on_progress:
                    on_progress(practice)
        ix.close()
    except BaseException:
        ix.close()
        discard_generation(index_dir, name)
        raise
    publish_generation(index_dir, name)
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
