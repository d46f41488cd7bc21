"""Reading the live index: opening it, following new generations, stats and stored records.

Writing lives in :mod:`indexer.generations` (the generation transaction) and
the schema in :mod:`indexer.schema`.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, Index
from whoosh.searching import Searcher

from analyzers.collation import polish_key
from indexer.errors import IndexMissingError
from indexer.generations import (
    CURRENT_FILE,
    GENERATION_NAME,
    close_files_under,
    current_generation,
)
from indexer.schema import FACETS, FILES_FIELD


def open_index(index_dir: Path | str) -> Index:
    """Open the live generation for reading.

    If the generation vanishes while being opened because a writer published a
    newer one and cleaned up meanwhile, the newer one is opened instead.
    """
    index_dir = Path(index_dir)
    name = current_generation(index_dir)
    while True:
        if name is None:
            raise IndexMissingError(index_dir)
        if not GENERATION_NAME.fullmatch(name):
            raise IndexMissingError(
                index_dir, f"plik {CURRENT_FILE} jest uszkodzony: {name[:40]!r}"
            )
        path = index_dir / name
        try:
            # Without mmap: whoosh3 copies a mapped segment's term and posting
            # files into memory for every reader opened, i.e. on every request.
            ix = FileStorage(str(path), supports_mmap=False).open_index()
            ix.reader().close()  # opens every segment file: damage shows here, not mid-request
            return ix
        except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises, rebuild
            close_files_under(path)
            newer = current_generation(index_dir)
            if newer == name:
                raise IndexMissingError(
                    index_dir, f"generacja {name} jest uszkodzona: {exc}"
                ) from exc
            name = newer


def index_stats(index_dir: Path | str) -> dict:
    """What ``bdp index stats`` shows: size, generation and per-facet value counts."""
    index_dir = Path(index_dir)
    name = current_generation(index_dir)
    ix = open_index(index_dir)
    path = index_dir / str(name)
    size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    with ix.searcher() as searcher:
        reader = searcher.reader()
        facets = {}
        for facet in FACETS:
            column = reader.column_reader(facet)
            counts: dict[str, int] = {}
            for docnum in reader.all_doc_ids():
                value = column[docnum]
                if value:
                    counts[value] = counts.get(value, 0) + 1
            # Most practices first; equal counts in Polish alphabetical order (ł after l).
            facets[facet] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], polish_key(kv[0]))))
        stats = {
            "index_dir": str(index_dir),
            "generation": name,
            "documents": reader.doc_count(),
            "size_bytes": size,
            "toc_bytes": sum(p.stat().st_size for p in path.glob("*.toc")),
            "facets": facets,
        }
    ix.close()
    return stats


def stored_records(index_dir: Path | str) -> list[dict]:
    """Every indexed practice as its canonical record, in id order."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            records = [fields["record"] for fields in searcher.all_stored_fields()]
    finally:
        ix.close()
    return sorted(records, key=lambda r: r["id"])


def indexed_hashes(index_dir: Path | str) -> dict[str, str]:
    """The content hash of every indexed practice, by id: what an update compares against."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            return {fields["id"]: fields["content_hash"] for fields in searcher.all_stored_fields()}
    finally:
        ix.close()


def unread_attachments(index_dir: Path | str) -> dict[str, set[str]]:
    """By practice id, the sha256 of each attachment whose text was not read when indexed."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            return {
                fields["id"]: {f["sha256"] for f in fields.get(FILES_FIELD) or () if f["problem"]}
                for fields in searcher.all_stored_fields()
                if any(f["problem"] for f in fields.get(FILES_FIELD) or ())
            }
    finally:
        ix.close()


def _close_all(searchers: list[Searcher]) -> None:
    for searcher in searchers:
        searcher.close()
    searchers.clear()


class LiveIndex:
    """The live generation, kept open and reopened when ``CURRENT`` names a new one.

    Long-running readers (the web app, each gunicorn worker) hold one of these:
    a rebuild is picked up on the next request, with no restart.
    """

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        self._name: str | None = None
        self._index: Index | None = None
        self._lock = threading.Lock()
        self._held = threading.local()
        # Every thread's kept searcher, closed with this object (an app that goes away,
        # in tests; a worker keeps its app for life).
        self._kept: list[Searcher] = []
        weakref.finalize(self, _close_all, self._kept)

    def get(self) -> Index:
        """The index of the live generation (raises IndexMissingError if there is none)."""
        name = current_generation(self.index_dir)
        with self._lock:
            if self._index is None or name != self._name:
                fresh = open_index(self.index_dir)
                old, self._index, self._name = self._index, fresh, name
                if old is not None:
                    old.close()
            return self._index

    @property
    def generation(self) -> str | None:
        """The name of the live generation as ``CURRENT`` says now (None before any build)."""
        return current_generation(self.index_dir)

    def shared_searcher(self) -> Searcher:
        """This thread's searcher on the live generation, kept for its next requests.

        Opening a searcher reads the segments' table of contents and, on the first
        stored record, the offsets of every stored document (1–2 ms at 10,000
        practices, ten times that at 100,000): a worker's thread keeps one for as long
        as the generation lives. Searchers are not shared between threads (Whoosh's
        rule); a new generation gets a new one, and the old one is closed.
        """
        name = current_generation(self.index_dir)
        held: tuple[str | None, Searcher] | None = getattr(self._held, "searcher", None)
        if held is not None and held[0] == name:
            return held[1]
        searcher = self.searcher()
        self._held.searcher = (name, searcher)
        with self._lock:
            self._kept.append(searcher)
            if held is not None:
                self._kept.remove(held[1])
        if held is not None:
            held[1].close()
        return searcher

    def searcher(self) -> Searcher:
        """A new searcher on the live generation; one per request or thread.

        Two quick publishes can remove the generation this object holds between
        :meth:`get` and opening its files (another thread's request still read it);
        the live one is then opened afresh, once.
        """
        try:
            return self.get().searcher()
        except (EmptyIndexError, OSError):
            with self._lock:
                self._name = None  # forces get() to reopen whatever CURRENT names now
            return self.get().searcher()
