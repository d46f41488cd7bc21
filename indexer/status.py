"""The live index at a glance: which generation serves, since when, how many practices.

A pure function over the index directory (no Flask, no engine), for the editors'
status endpoint (``GET /api/admin/status``) and the editors' panel alike. It
reads ``CURRENT`` and the live generation's table of contents only — never the
segments — so it costs a few small file reads whatever the size of the index.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from whoosh.filedb.filestore import FileStorage

from indexer.generations import CURRENT_FILE, GENERATION_NAME, current_generation

REBUILD = "Zbuduj indeks ponownie: bdp index build."


class IndexStatus(TypedDict):
    """What :func:`index_status` reports; the OpenAPI ``IndexStatus`` schema follows it."""

    # The live generation's directory name (``gen-<UTC time>-<random>``), None before any build.
    generation: str | None
    # When it was published: ``CURRENT``'s modification time, ISO 8601 UTC, to the second.
    published: str | None
    # Practices in the live generation; None when it cannot be read.
    documents: int | None
    # Why there is no usable index (Polish), else None.
    problem: str | None


def index_status(index_dir: Path | str) -> IndexStatus:
    """The live generation of ``index_dir``, when it was published and its practice count.

    Never raises for a missing or damaged index: ``problem`` says what is wrong
    (in Polish) and the values that could not be read are None.
    """
    index_dir = Path(index_dir)
    name = current_generation(index_dir)
    if name is None:
        return _status(None, None, None, "Indeks nie został jeszcze zbudowany (bdp index build).")
    published = _published(index_dir / CURRENT_FILE)
    if not GENERATION_NAME.fullmatch(name):
        return _status(None, published, None, f"Plik {CURRENT_FILE} jest uszkodzony. {REBUILD}")
    try:
        ix = FileStorage(str(index_dir / name), supports_mmap=False).open_index()
        try:
            documents = ix.doc_count()
        finally:
            ix.close()
    except Exception as exc:  # noqa: BLE001 - whatever a damaged generation raises
        problem = f"Nie można odczytać generacji {name} ({type(exc).__name__}). {REBUILD}"
        return _status(name, published, None, problem)
    return _status(name, published, documents, None)


def _published(current: Path) -> str | None:
    """``CURRENT``'s modification time: it is replaced (renamed into place) on each publish."""
    try:
        seconds = os.stat(current).st_mtime
    except OSError:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _status(
    generation: str | None, published: str | None, documents: int | None, problem: str | None
) -> IndexStatus:
    return {
        "generation": generation,
        "published": published,
        "documents": documents,
        "problem": problem,
    }
