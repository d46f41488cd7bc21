"""The index schema and every access to the on-disk index, in one place.

An index directory holds generations — complete Whoosh indexes in
``gen-*`` subdirectories — and a ``CURRENT`` file naming the live one. A full
build writes a new generation beside the live one and then replaces
``CURRENT`` atomically, so readers only ever open a finished index.

Updates are copy-on-write too: :func:`clone_generation` hard-links the live
generation's files (Whoosh never changes a written segment or TOC file, it
only adds new ones) into a new generation, the update commits there, and it
is published the same way. No writer ever writes into the live generation, so
a writer killed at any moment leaves the live index exactly as it was.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index

from analyzers import DEFAULT_ANALYZER, analyzer_config

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
GENERATION_NAME = re.compile(rf"{GENERATION_PREFIX}[0-9A-Za-z-]+")
WHOOSH_LOCK_SUFFIX = "WRITELOCK"

# Field boosts: a word in the title says more than one in the metric card.
TITLE_BOOST = 4.0
SUMMARY_BOOST = 2.0
BODY_BOOST = 1.0
METADATA_BOOST = 0.7
# The folded field only rescues words typed without diacritics or not inflected
# as in the text; it must not outweigh the analysed fields.
FOLDED_BOOST = 0.5

TEXT_FIELDS = ("title", "summary", "body", "metadata")
# Distinct words of all the text fields, folded and as written (analyzers.folding); present
# when the analyzer configuration asks for it.
FOLDED_FIELD = "folded"

# Facet name -> Polish label; every facet is a stored, sortable ID field.
FACETS = {
    "category": "Kategoria",
    "subcategory": "Podkategoria",
    "voivodeship": "Województwo",
    "county": "Powiat",
    "unit_type": "Typ jednostki",
    "year": "Rok dodania",
    "population": "Liczba mieszkańców",
}

# Population bands: (facet value, label, lower bound inclusive, upper bound exclusive).
POPULATION_BANDS = (
    ("0-5k", "< 5 tys.", 0, 5_000),
    ("5k-20k", "5–20 tys.", 5_000, 20_000),
    ("20k-100k", "20–100 tys.", 20_000, 100_000),
    ("100k-500k", "100–500 tys.", 100_000, 500_000),
    ("500k+", "> 500 tys.", 500_000, None),
)


class IndexMissingError(Exception):
    """There is no usable index where one was expected; says how to build it."""

    def __init__(self, index_dir: Path | str, detail: str = "") -> None:
        self.index_dir = str(index_dir)
        message = (
            f"Brak indeksu w katalogu {self.index_dir}"
            + (f" ({detail})" if detail else "")
            + ". Zbuduj go poleceniem: bdp index build"
        )
        super().__init__(message)


def build_schema(analyzer: str = DEFAULT_ANALYZER) -> Schema:
    """The schema of a practice document (pickled into the index with its analyzer).

    ``analyzer`` names a configuration in ``analyzers.ANALYZERS``.
    """
    config = analyzer_config(analyzer)
    text = config.make()
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, field_boost=TITLE_BOOST),
        summary=TEXT(analyzer=text, field_boost=SUMMARY_BOOST),
        body=TEXT(analyzer=text, field_boost=BODY_BOOST),
        metadata=TEXT(analyzer=text, field_boost=METADATA_BOOST),
        category=ID(stored=True, sortable=True),
        subcategory=ID(stored=True, sortable=True),
        voivodeship=ID(stored=True, sortable=True),
        county=ID(stored=True, sortable=True),
        unit_type=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        population=ID(stored=True, sortable=True),
        population_count=NUMERIC(int, bits=64, sortable=True),
        date_added=ID(stored=True, sortable=True),
        date_updated=ID(stored=True, sortable=True),
        content_hash=ID(stored=True),
        record=STORED(),
    )
    if config.folded:
        schema.add(FOLDED_FIELD, KEYWORD(lowercase=False, scorable=True, field_boost=FOLDED_BOOST))
    return schema


def population_band(population: int | None) -> str | None:
    """The facet value of a population, e.g. 60444 -> "20k-100k"."""
    if population is None:
        return None
    for value, _label, low, high in POPULATION_BANDS:
        if population >= low and (high is None or population < high):
            return value
    return None


def facet_label(facet: str, value: str) -> str:
    """How a facet value is shown to people (population bands have Polish labels)."""
    if facet == "population":
        for band, label, _low, _high in POPULATION_BANDS:
            if band == value:
                return label
    return value


def current_generation(index_dir: Path | str) -> str | None:
    """The name of the live generation, or None if nothing was ever published."""
    try:
        raw = (Path(index_dir) / CURRENT_FILE).read_bytes()
    except FileNotFoundError:
        return None
    name = raw.decode("utf-8", errors="replace").strip()
    return name or None


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


def close_files_under(directory: Path | str) -> None:
    """Close the files Whoosh left open under ``directory`` when it failed.

    On a damaged index or a full disk Whoosh raises without closing what it
    opened; closing those files now frees the descriptors (and the space of a
    discarded generation) instead of leaving them to some later garbage collection.
    """
    prefix = os.path.join(str(directory), "")
    for obj in gc.get_objects():
        if isinstance(obj, io.IOBase) and not obj.closed:
            if str(getattr(obj, "name", "")).startswith(prefix):
                with contextlib.suppress(OSError, ValueError):
                    obj.close()


def create_generation(index_dir: Path | str, analyzer: str = DEFAULT_ANALYZER) -> tuple[str, Index]:
    """Create an empty generation beside the live one; it is invisible until published."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    name = _new_generation_name()
    path = index_dir / name
    path.mkdir()
    try:
        return name, whoosh_index.create_in(str(path), build_schema(analyzer))
    except BaseException:  # e.g. a full disk: leave nothing half-made behind
        close_files_under(path)
        shutil.rmtree(path, ignore_errors=True)
        raise


def clone_generation(index_dir: Path | str, source: str) -> tuple[str, Index]:
    """A new unpublished generation holding the same index as ``source``, for an update.

    Files are hard-linked (copied where links are impossible): cheap at any
    size, and safe because Whoosh only ever creates new files. Whoosh's lock
    file and temporary directories are not carried over. A clone that fails
    halfway (a full disk, say) is removed before the error propagates.
    """
    index_dir = Path(index_dir)
    name = _new_generation_name()
    path = index_dir / name
    path.mkdir()
    try:
        for item in (index_dir / source).iterdir():
            if item.is_file() and not item.name.endswith(WHOOSH_LOCK_SUFFIX):
                try:
                    os.link(item, path / item.name)
                except OSError:
                    shutil.copy2(item, path / item.name)
        return name, whoosh_index.open_dir(str(path))
    except BaseException:
        close_files_under(path)
        shutil.rmtree(path, ignore_errors=True)
        raise


@contextlib.contextmanager
def generation_transaction(
    index_dir: Path | str, *, clone_from: str | None = None, analyzer: str = DEFAULT_ANALYZER
) -> Iterator[tuple[str, Index]]:
    """A new generation to write into, published when the block ends without error.

    The one transaction every writer uses (build and update): create an empty
    generation (or clone ``clone_from``), let the block write, then publish it
    durably and prune old generations. If the block or the switch fails, the
    unpublished generation is discarded and the live one keeps serving. Call it
    only while holding the writer lock.
    """
    index_dir = Path(index_dir)
    if clone_from:
        name, ix = clone_generation(index_dir, clone_from)
    else:
        name, ix = create_generation(index_dir, analyzer)
    try:
        yield name, ix
        ix.close()
    except BaseException:
        ix.close()
        close_files_under(index_dir / name)
        discard_generation(index_dir, name)
        raise
    try:
        publish_generation(index_dir, name)
    except BaseException:
        if current_generation(index_dir) != name:  # the switch never happened
            discard_generation(index_dir, name)
        raise
    remove_old_generations(index_dir)


def _new_generation_name() -> str:
    # Microseconds keep names in creation order even for several updates a second.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"


def publish_generation(index_dir: Path | str, name: str) -> None:
    """Make ``name`` the live generation with one atomic rename of ``CURRENT``.

    Durable in Lucene's commit order: every file of the generation, then its
    directory, then the new ``CURRENT`` and the index directory are flushed to
    disk, so after a power loss ``CURRENT`` never names files that are not there.
    """
    index_dir = Path(index_dir)
    sync_generation(index_dir / name)
    tmp = index_dir / f"{CURRENT_FILE}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, index_dir / CURRENT_FILE)
    finally:
        tmp.unlink(missing_ok=True)  # only left if the switch failed (e.g. disk full)
    _fsync_dir(index_dir)


def discard_generation(index_dir: Path | str, name: str) -> None:
    """Remove an unpublished (failed) generation."""
    shutil.rmtree(Path(index_dir) / name, ignore_errors=True)


def remove_old_generations(index_dir: Path | str, keep: int = 2) -> list[str]:
    """Delete all but the live generation and the ``keep - 1`` published before it.

    The previous generation is kept so searchers opened just before a switch
    can finish. Generations newer than the live one were never published (a
    writer died before the switch) and are removed too, so call this only while
    holding the writer lock.
    """
    index_dir = Path(index_dir)
    live = current_generation(index_dir)
    generations = sorted(
        (p for p in index_dir.glob(f"{GENERATION_PREFIX}*") if p.is_dir()),
        key=lambda p: p.name,
        reverse=True,
    )
    kept = 0
    removed = []
    for path in generations:
        if path.name == live:
            kept += 1
            continue
        if live is not None and path.name < live and kept < keep:
            kept += 1
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for tmp in index_dir.glob(f"{CURRENT_FILE}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def sync_generation(path: Path) -> None:
    """fsync every file of a generation, then the generation directory itself."""
    for item in path.iterdir():
        if item.is_file():
            fd = os.open(item, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
            facets[facet] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
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

    def searcher(self):
        """A new searcher on the live generation; one per request or thread."""
        return self.get().searcher()
