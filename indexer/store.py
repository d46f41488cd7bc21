"""The index schema and every access to the on-disk index, in one place.

An index directory holds generations — complete Whoosh indexes in
``gen-*`` subdirectories — and a ``CURRENT`` file naming the live one. A full
build writes a new generation beside the live one and then replaces
``CURRENT`` atomically, so readers only ever open a finished index.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import Index

from analyzers import DEFAULT_ANALYZER, analyzer_config

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"

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
        schema.add(
            FOLDED_FIELD, KEYWORD(lowercase=False, scorable=True, field_boost=FOLDED_BOOST)
        )
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
        name = (Path(index_dir) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def open_index(index_dir: Path | str) -> Index:
    """Open the live generation for reading (and for incremental writing)."""
    index_dir = Path(index_dir)
    name = current_generation(index_dir)
    if name is None:
        raise IndexMissingError(index_dir)
    path = index_dir / name
    try:
        return whoosh_index.open_dir(str(path))
    except (whoosh_index.EmptyIndexError, OSError) as exc:
        raise IndexMissingError(index_dir, f"generacja {name} jest uszkodzona: {exc}") from exc


def create_generation(
    index_dir: Path | str, analyzer: str = DEFAULT_ANALYZER
) -> tuple[str, Index]:
    """Create an empty generation beside the live one; it is invisible until published."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    name = f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"
    path = index_dir / name
    path.mkdir()
    return name, whoosh_index.create_in(str(path), build_schema(analyzer))


def publish_generation(index_dir: Path | str, name: str) -> None:
    """Make ``name`` the live generation with one atomic rename of ``CURRENT``."""
    index_dir = Path(index_dir)
    tmp = index_dir / f"{CURRENT_FILE}.{uuid.uuid4().hex[:8]}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)


def discard_generation(index_dir: Path | str, name: str) -> None:
    """Remove an unpublished (failed) generation."""
    shutil.rmtree(Path(index_dir) / name, ignore_errors=True)


def remove_old_generations(index_dir: Path | str, keep: int = 2) -> list[str]:
    """Delete all but the newest ``keep`` generations, never the live one.

    The previous generation is kept so searchers opened just before a switch
    can finish; anything older is gone.
    """
    index_dir = Path(index_dir)
    live = current_generation(index_dir)
    generations = sorted(
        (p for p in index_dir.glob(f"{GENERATION_PREFIX}*") if p.is_dir()),
        key=lambda p: p.name,
        reverse=True,
    )
    removed = []
    for path in generations[keep:]:
        if path.name != live:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    for tmp in index_dir.glob(f"{CURRENT_FILE}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


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
