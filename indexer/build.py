"""Writing practices into the index: full builds into a new generation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from analyzers import DEFAULT_ANALYZER
from indexer.documents import practice_to_document
from indexer.records import Practice
from indexer.store import (
    create_generation,
    discard_generation,
    publish_generation,
    remove_old_generations,
)


def build_index(
    practices: Iterable[Practice],
    index_dir: Path | str,
    on_progress: Callable[[Practice], None] | None = None,
    analyzer: str = DEFAULT_ANALYZER,
) -> int:
    """Index every practice into a fresh generation and publish it when complete.

    If anything fails before the switch, the new generation is discarded and
    the live index keeps serving untouched.
    """
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
        discard_generation(index_dir, name)
        raise
    publish_generation(index_dir, name)
    remove_old_generations(index_dir)
    return count
