"""Query-time synonyms and abbreviations from the editable file ``data/synonimy.txt``.

Each line of the file is a group of expressions that mean the same; a query
containing one of them (compared after analysis, so any inflected form
counts) also searches for the others, as phrases in the text fields, scored
below the words as typed (:data:`SYNONYM_BOOST`).

Editors change the file while the search runs: :func:`load_synonyms` re-reads
it when its modification time or size changes (looking at most every
:data:`RELOAD_CHECK_SECONDS`), and a file that cannot be read keeps the last good
groups, so a bad save never breaks searching.

Searches use the thesaurus *in use*: the file :data:`SYNONYMS_FILE` unless
:func:`using_thesaurus` (or :func:`use_thesaurus`) names another :class:`Thesaurus`
for the current context — the web app's configured file (``BDP_SYNONYMS``) for
each request, or a text not saved yet, to preview how it would change results
(``search(..., synonyms=Thesaurus.from_text(text))``). :func:`read_lines` is the
one parser of the format: the loader and the editors' checks
(:mod:`~search_app.engine.thesaurus_edit`) both read the text through it.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from pathlib import Path

from whoosh.analysis import Analyzer
from whoosh.query import Or, Phrase, Query, Term

from indexer.schema import TEXT_FIELDS
from search_app.engine.context import QueryContext

log = logging.getLogger(__name__)

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "data" / "synonimy.txt"

Groups = tuple[tuple[str, ...], ...]
# What identifies one saved version of the file: (inode, mtime_ns, size). A save by
# replacement (the editors' API) always changes the inode, even within one tick of
# the file system's clock and at the same size.
Version = tuple[int, int, int]

# Words of a multi-word synonym may be this far apart ("ośrodek pomocy społecznej"
# also matches "ośrodka miejskiej pomocy społecznej").
PHRASE_SLOP = 2
# Expansions score at this fraction of the words as typed: a practice saying what the
# searcher typed is the surer match (a synonym differs in shade, an abbreviation may
# mean something else elsewhere), so it should rank above one found only via a synonym.
SYNONYM_BOOST = 0.5
# How often a process looks at the file's modification time: a stat per query would
# cost more than the searches it serves, and editors wait a couple of seconds anyway.
RELOAD_CHECK_SECONDS = 2.0
# Reads of a file caught while an editor saves it, before giving up until the next check.
READ_ATTEMPTS = 5
# An expression longer than this is a missing comma or a pasted sentence, not a name.
MAX_EXPRESSION_CHARS = 80
# Analysed groups kept per (file version, analyzer); indexes with different analyzers
# are rare, versions of the file replace each other.
ANALYSED_CACHE_SIZE = 4


def _now() -> float:
    """The clock of the reload checks (tests replace it instead of sleeping)."""
    return time.monotonic()


@dataclass
class _Loaded:
    """The groups read from one file, the version of the file they came from."""

    groups: Groups
    version: Version | None  # None: never read successfully
    checked: float  # _now() of the last look at the file


_loaded: dict[Path, _Loaded] = {}
_lock = threading.Lock()


def thesaurus_version() -> int:
    """A number that changes when the groups in use change: part of cached answers' keys."""
    return hash(load_synonyms())


def load_synonyms(path: Path | None = None) -> Groups:
    """Groups of equivalent expressions; "#" starts a comment, commas separate expressions.

    Without ``path``, the groups of the thesaurus in use (:func:`thesaurus_in_use`).
    The file is read again when its modification time or size changed or it was
    replaced (a new inode, as :func:`~search_app.engine.thesaurus_edit.save_thesaurus`
    does), looked at
    no more than every :data:`RELOAD_CHECK_SECONDS`. If it cannot be read (missing,
    not UTF-8), the groups last read stay in use and a warning is logged; malformed
    lines are skipped with a warning naming the line.
    """
    if path is None:
        thesaurus = _in_use.get()
        if thesaurus is not None:
            return thesaurus.groups()
        path = SYNONYMS_FILE
    now = _now()
    with _lock:  # one thread reads the file; the others wait for it, not re-read it
        loaded = _loaded.get(path)
        if loaded is not None and now - loaded.checked < RELOAD_CHECK_SECONDS:
            return loaded.groups
        if loaded is None:
            loaded = _loaded[path] = _Loaded((), None, now)
        loaded.checked = now
        try:
            version = _version(path)
            if version == loaded.version:
                return loaded.groups
            for _attempt in range(READ_ATTEMPTS):
                data = path.read_bytes()
                if data and len(data) == version[2] and _version(path) == version:
                    break  # (an empty file is one truncated by a save, not yet written)
                version = _version(path)  # being written: read the new state again
            else:
                return loaded.groups  # still being written: read it at the next check
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            log.warning(
                "Nie można odczytać pliku synonimów %s (%s); zostają poprzednie grupy (%d).",
                path,
                error,
                len(loaded.groups),
            )
            return loaded.groups
        groups = parse_synonyms(text, str(path))
        if not groups and loaded.groups:
            # An editor never empties the thesaurus on purpose; a save caught halfway
            # (truncated, not yet written) looks like this.
            log.warning(
                "Plik synonimów %s nie ma żadnej grupy; zostają poprzednie grupy (%d).",
                path,
                len(loaded.groups),
            )
            return loaded.groups
        loaded.groups = groups
        loaded.version = version
        return loaded.groups


def _version(path: Path) -> Version:
    """The file's version: what changes when an editor saves it."""
    return file_version(path.stat())


def file_version(stat: os.stat_result) -> Version:
    """The :data:`Version` of a file from its ``stat``."""
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def note_saved(path: Path, groups: Groups, version: Version) -> None:
    """The file at ``path`` was just saved with ``groups``: this process uses them at once.

    Other processes notice the change at their next look at the file (within
    :data:`RELOAD_CHECK_SECONDS`); in this one, every other name of a file is
    looked at again on its next use, in case it names the same file.
    """
    with _lock:
        for loaded in _loaded.values():
            loaded.checked = -math.inf
        _loaded[path] = _Loaded(groups, version, _now())


@dataclass(frozen=True)
class ThesaurusLine:
    """A line of the file holding expressions (or commas only), as the loader reads it."""

    number: int  # from 1, as editors count lines
    expressions: tuple[str, ...]  # stripped, lower-cased, each once, in order
    comment: str | None  # the text after "#", stripped; None without "#"
    skipped: str | None  # why the loader skips the line (Polish); None: it is a group


def read_lines(text: str) -> list[ThesaurusLine]:
    """The lines of ``text`` that are not blank nor comments only: the one parser of the format."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        content, hash_sign, comment = line.partition("#")
        if not content.strip():
            continue
        # Empty items are forgiven: a trailing comma or ",," hides nothing.
        group = tuple(dict.fromkeys(e.strip().lower() for e in content.split(",") if e.strip()))
        skipped = None
        if not group:
            skipped = "same przecinki, bez wyrażeń"
        elif any(len(e) > MAX_EXPRESSION_CHARS for e in group):
            skipped = f"wyrażenie dłuższe niż {MAX_EXPRESSION_CHARS} znaków (brak przecinka?)"
        elif len(group) < 2:
            skipped = f"grupa ma tylko jedno wyrażenie „{group[0]}”"
        lines.append(ThesaurusLine(number, group, comment.strip() if hash_sign else None, skipped))
    return lines


def parse_synonyms(text: str, source: str = "synonimy") -> Groups:
    """The groups of the file's ``text``; malformed lines are logged and skipped."""
    groups = []
    for line in read_lines(text):
        if line.skipped:
            log.warning("%s:%d: %s — pominięto wiersz.", source, line.number, line.skipped)
        else:
            groups.append(line.expressions)
    return tuple(groups)


def groups_of(text: str) -> Groups:
    """The groups the loader would read from ``text`` (nothing logged)."""
    return tuple(line.expressions for line in read_lines(text) if not line.skipped)


class Thesaurus:
    """The groups searches expand with: a file's, re-read when it changes, or a text's.

    ``Thesaurus.from_file(path)`` is what a running search uses;
    ``Thesaurus.from_text(text)`` a version not saved yet, for a preview.
    """

    def __init__(self, path: Path | None = None, groups: Groups = ()) -> None:
        self.path = path
        self._groups = groups

    @classmethod
    def from_file(cls, path: Path | str) -> Thesaurus:
        return cls(path=Path(path))

    @classmethod
    def from_text(cls, text: str) -> Thesaurus:
        return cls(groups=groups_of(text))

    def groups(self) -> Groups:
        """The groups now: a file's as :func:`load_synonyms` has them (reloaded on change)."""
        return load_synonyms(self.path) if self.path is not None else self._groups

    def __repr__(self) -> str:
        where = str(self.path) if self.path is not None else f"{len(self._groups)} grup z tekstu"
        return f"Thesaurus({where})"


# The thesaurus searches in this context use (None: the file SYNONYMS_FILE).
_in_use: ContextVar[Thesaurus | None] = ContextVar("bdp_thesaurus", default=None)


def thesaurus_in_use() -> Thesaurus:
    """The thesaurus searches in the current context expand with."""
    return _in_use.get() or Thesaurus.from_file(SYNONYMS_FILE)


def use_thesaurus(thesaurus: Thesaurus) -> Token[Thesaurus | None]:
    """Make searches in the current context use ``thesaurus`` until ``restore_thesaurus``."""
    return _in_use.set(thesaurus)


def restore_thesaurus(token: Token[Thesaurus | None]) -> None:
    """Undo the :func:`use_thesaurus` that gave ``token``."""
    _in_use.reset(token)


@contextmanager
def using_thesaurus(thesaurus: Thesaurus) -> Iterator[Thesaurus]:
    """Searches within the block (in this context) use ``thesaurus``."""
    token = use_thesaurus(thesaurus)
    try:
        yield thesaurus
    finally:
        restore_thesaurus(token)


def synonym_queries(
    context: QueryContext, words: Iterable[str], path: Path | None = None
) -> list[Query]:
    """Queries for the synonyms of every expression of a group the query's ``words`` contain.

    ``words`` are the query's words and phrases in order, as the parse tree has them.
    ``path`` names the file; by default the thesaurus in use.
    Where expressions of different groups overlap in the query, only the longest
    counts: "dolny śląsk" means Dolny Śląsk, not also Śląsk, and "kujawsko-pomorskie"
    not also "pomorskie".
    """
    query = sequence(context.analyzer, " ".join(words))
    if not query:
        return []
    analysed = analysed_groups(context.analyzer, load_synonyms(path))
    found = []  # (start, end, group) of each expression in the query
    for start, term in enumerate(query):
        for variant, group in analysed.by_first_term.get(term, ()):
            if query[start : start + len(variant)] == variant:
                found.append((start, start + len(variant), group))
    kept = [
        group
        for start, end, group in found
        if not any(
            s <= start and end <= e and e - s > end - start and g != group for s, e, g in found
        )
    ]
    wanted: dict[tuple[str, ...], None] = {}
    for group in dict.fromkeys(kept):
        wanted.update(
            (variant, None) for variant in analysed.groups[group] if not _contains(query, variant)
        )
    return [anywhere(variant) for variant in wanted]


@dataclass(frozen=True)
class AnalysedGroups:
    """The groups as the text fields' analyzer sees them, and an index by first term."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]  # per group, its expressions' terms
    by_first_term: dict[str, list[tuple[tuple[str, ...], int]]]  # -> (terms, group)


# Recently analysed (groups, analyzer, result), newest last. Every searcher unpickles its
# own schema, so analyzers are compared by value: equal analyzers analyse alike.
_analysed: list[tuple[Groups, Analyzer, AnalysedGroups]] = []
_analysed_lock = threading.Lock()


def analysed_groups(analyzer: Analyzer, groups: Groups) -> AnalysedGroups:
    """``groups`` analysed by ``analyzer``; expressions with no terms are dropped.

    Cached: analysing every expression of the file takes tens of milliseconds, and
    every query would otherwise do it again.
    """
    with _analysed_lock:
        for cached_groups, cached_analyzer, result in reversed(_analysed):
            if (cached_groups is groups or cached_groups == groups) and (
                cached_analyzer is analyzer or cached_analyzer == analyzer
            ):
                return result
    terms = tuple(
        tuple(dict.fromkeys(t for t in (sequence(analyzer, e) for e in group) if t))
        for group in groups
    )
    by_first_term: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for number, variants in enumerate(terms):
        for variant in variants:
            by_first_term.setdefault(variant[0], []).append((variant, number))
    result = AnalysedGroups(terms, by_first_term)
    with _analysed_lock:
        _analysed.append((groups, analyzer, result))
        del _analysed[:-ANALYSED_CACHE_SIZE]
    return result


def sequence(analyzer: Analyzer, text: str) -> tuple[str, ...]:
    """The terms ``analyzer`` searches for ``text``, one per position.

    A hyphenated compound is analysed as itself and its parts at the parts'
    positions ("kujawsko-pomorskie": the compound and "kujawsko" at one, "pomorski"
    at the next); keeping the last term of each position gives the parts, so the
    phrase lines up with the indexed text, with or without the hyphen.
    """
    by_position: dict[int, str] = {}
    for token in analyzer(text, mode="query", positions=True):
        by_position[token.pos] = token.text
    return tuple(by_position[position] for position in sorted(by_position))


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == tuple(needle) for i in range(len(haystack) - n + 1))


def anywhere(words: tuple[str, ...], boost: float = SYNONYM_BOOST) -> Query:
    """An analysed expression in any text field: a term, or a phrase with some slop.

    The boost is on each leaf, so that it survives Whoosh flattening nested ``Or``s.
    """
    if len(words) == 1:
        return Or([Term(name, words[0], boost=boost) for name in TEXT_FIELDS])
    return Or([Phrase(name, list(words), slop=PHRASE_SLOP, boost=boost) for name in TEXT_FIELDS])
