"""Writing practices into the index: full builds into a new generation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

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


def build_index(
    practices: Iterable[Practice],
    index_dir: Path | str,
    on_progress: Callable[[Practice], None] | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
    on_wait: Callable[[dict | None], None] | None = None,
    analyzer: str = DEFAULT_ANALYZER,
) -> int:
    """Index every practice into a fresh generation and publish it when complete.

    If anything fails before the switch, the new generation is discarded and
    the live index keeps serving untouched. Holds the writer lock throughout,
    so a build never publishes over a concurrent update (or the reverse).
    """
    with WriterLock(index_dir, lock_timeout, on_wait):
        return _build_generation(practices, index_dir, on_progress, analyzer)


def _build_generation(
    practices: Iterable[Practice],
    index_dir: Path | str,
    on_progress: Callable[[Practice], None] | None,
    analyzer: str,
) -> int:
    name, ix = create_generation(index_dir, analyzer)
    fields = set(ix.schema.names())
    count = 0
    try:
        with ix.writer() as writer:
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
