"""Editing the thesaurus (``data/synonimy.txt``): check a text, preview it, save it safely.

What the editors' API (``/api/admin/synonyms``) and panel call:

- :func:`check_thesaurus` lists the problems of a text, each with its line and a
  Polish message: the lines the loader would skip (read by the loader's own parser,
  :func:`~search_app.engine.synonyms.read_lines`) and the file's rules for editors (a
  source comment on every group, one expression in one group, expressions the
  search can use, characters a text editor shows);
- :func:`preview_thesaurus` searches with the current thesaurus and with a text not
  saved yet, side by side;
- :func:`save_thesaurus` refuses a text with problems, else replaces the file
  atomically under a lock beside it, keeping the previous version in
  ``synonimy.wersje/`` (the last :data:`KEEP_VERSIONS`); this process searches with
  the new groups at once, the other processes within ``RELOAD_CHECK_SECONDS``.

A version of the file is named by its :func:`etag` (sha256 of its bytes): a save
given the ETag the editor started from refuses to overwrite a change made since.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from whoosh.analysis import Analyzer
from whoosh.searching import Searcher

from analyzers import analyzer_config
from search_app.engine.context import QueryContext
from search_app.engine.search import SearchRequest, SearchResponse, search
from search_app.engine.synonyms import (
    Thesaurus,
    file_version,
    groups_of,
    note_saved,
    read_lines,
    sequence,
)

# Previous versions kept beside the file (in ``<name>.wersje/``), the newest last.
KEEP_VERSIONS = 10
VERSIONS_SUFFIX = ".wersje"
LOCK_SUFFIX = ".lock"
# A save waits this long for another one to finish (a save takes milliseconds).
LOCK_TIMEOUT = 10.0
LOCK_POLL = 0.02
# The comment every group ends with (the file's header asks for it).
SOURCE_PREFIX = "źródło:"
# Expressions deliberately in two groups, each meaning something else (the header says so).
SHARED_ON_PURPOSE = frozenset({"ppp"})
# A text with more problems than this lists the first ones and how many there are.
MAX_PROBLEMS = 200
# Characters no line of the file should hold: control characters (tab and CR excepted),
# lone surrogates (not UTF-8) and the replacement character (a text read in another
# encoding).
BAD_CHARACTER = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")
# Line ends that Python counts but text editors do not (they would shift line numbers).
ODD_LINE_ENDS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True)
class ThesaurusProblem:
    """One problem of a thesaurus text: its line (from 1; None: the whole text), in Polish."""

    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


class ThesaurusError(Exception):
    """A save that did not happen; the message is Polish, for editors."""


class InvalidThesaurusError(ThesaurusError):
    """The text has problems (``problems``); nothing was saved."""

    def __init__(self, problems: list[ThesaurusProblem]) -> None:
        super().__init__(
            f"Słownik ma błędy ({len(problems)}) — nic nie zapisano. Popraw wskazane wiersze."
        )
        self.problems = problems


class StaleThesaurusError(ThesaurusError):
    """The file changed since the version the editor started from; nothing was saved."""

    def __init__(self, current: str) -> None:
        super().__init__(
            "Ktoś inny zmienił słownik, odkąd go pobrano — nic nie zapisano. Pobierz go"
            " ponownie, nanieś swoje zmiany i zapisz jeszcze raz."
        )
        self.current = current


class ThesaurusBusyError(ThesaurusError):
    """Another save held the lock for longer than the timeout."""


@dataclass(frozen=True)
class ThesaurusText:
    """The file as it is now: its text, its :func:`etag` and how many groups it has."""

    text: str
    etag: str
    groups: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "groups": self.groups, "etag": self.etag}


@dataclass(frozen=True)
class SaveResult:
    """A save: the new file's groups and ETag, and where the previous version was kept.

    ``previous`` is the copy's path relative to the file's directory
    (``synonimy.wersje/synonimy-20260101T120000123456Z.txt``), None when there was
    no file; ``changed`` is False when the text was the file's already (nothing written).
    """

    groups: int
    etag: str
    previous: str | None
    changed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "etag": self.etag,
            "previous": self.previous,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class PreviewSide:
    """One side of a preview: how many practices match, and the first ones (id, title)."""

    total: int
    results: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, response: SearchResponse) -> PreviewSide:
        return cls(response.total, [{"id": hit.id, "title": hit.title} for hit in response.results])

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "results": self.results}


@dataclass(frozen=True)
class ThesaurusPreview:
    """A query's results with the thesaurus in use and with a proposed text, and its problems."""

    query: str
    current: PreviewSide
    proposed: PreviewSide
    problems: list[ThesaurusProblem]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "current": self.current.to_dict(),
            "proposed": self.proposed.to_dict(),
            "problems": [problem.to_dict() for problem in self.problems],
        }


def etag(data: bytes) -> str:
    """The name of one version of the file: the sha256 of its bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def check_thesaurus(text: str, analyzer: Analyzer | None = None) -> list[ThesaurusProblem]:
    """The problems of ``text`` as a thesaurus, by line; an empty list: it may be saved.

    Ordered by line, the problems of the whole text (``line`` None) last.

    ``analyzer`` is the index's text analyzer (by default the one indexes are built
    with): expressions are compared as the search compares them, in any inflected form.
    """
    analyzer = analyzer or analyzer_config().make()
    problems = _character_problems(text)
    seen: dict[tuple[str, ...], int] = {}  # analysed expression -> line of its first group
    groups = 0
    for line in read_lines(text):
        if line.skipped:
            problems.append(
                ThesaurusProblem(
                    line.number, f"{_sentence(line.skipped)} — wiersz byłby pominięty."
                )
            )
            continue
        groups += 1
        source = line.comment or ""
        if not (source.lower().startswith(SOURCE_PREFIX) and source[len(SOURCE_PREFIX) :].strip()):
            problems.append(
                ThesaurusProblem(
                    line.number,
                    "Brak przypisu ze źródłem na końcu wiersza: „# źródło: …” (ustawa, nazwa"
                    " programu albo „język potoczny”).",
                )
            )
        problems.extend(_expression_problems(line.number, line.expressions, analyzer, seen))
    if not groups:
        problems.append(
            ThesaurusProblem(
                None,
                "Słownik nie ma żadnej grupy — wyszukiwarka zostałaby przy poprzedniej wersji.",
            )
        )
    problems.sort(key=lambda problem: (problem.line is None, problem.line or 0))
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS]
        problems.append(ThesaurusProblem(None, f"… i {more} kolejnych problemów."))
    return problems


def _character_problems(text: str) -> list[ThesaurusProblem]:
    """Lines holding characters a text editor would not show, or lines it would not count."""
    problems = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        end = line[-1:]
        if end in ODD_LINE_ENDS:
            problems.append(
                ThesaurusProblem(
                    number,
                    f"Nietypowy znak końca wiersza U+{ord(end):04X} — użyj zwykłego końca"
                    " wiersza (Enter).",
                )
            )
        bad = BAD_CHARACTER.search(line.rstrip("\r\n"))
        if bad:
            problems.append(
                ThesaurusProblem(
                    number,
                    f"Niedozwolony znak U+{ord(bad.group()):04X} (znak sterujący albo tekst"
                    " zapisany w innym kodowaniu niż UTF-8).",
                )
            )
    return problems


def _expression_problems(
    number: int,
    expressions: tuple[str, ...],
    analyzer: Analyzer,
    seen: dict[tuple[str, ...], int],
) -> list[ThesaurusProblem]:
    """What the search would make of one group's expressions; ``seen`` collects them."""
    problems = []
    variants: dict[tuple[str, ...], str] = {}
    for expression in expressions:
        terms = sequence(analyzer, expression)
        if not terms:
            problems.append(
                ThesaurusProblem(
                    number,
                    f"Wyrażenie „{expression}” nie ma żadnego słowa, po którym wyszukiwarka"
                    " szuka (same słowa pomijane albo znaki).",
                )
            )
        else:
            variants.setdefault(terms, expression)
    if len(variants) == 1 and not problems:
        problems.append(
            ThesaurusProblem(
                number,
                "Wszystkie wyrażenia grupy wyszukiwarka czyta tak samo (np. formy odmiany"
                " jednego słowa) — grupa niczego nie doda.",
            )
        )
    for terms, expression in variants.items():
        earlier = seen.setdefault(terms, number)
        if earlier != number and expression not in SHARED_ON_PURPOSE:
            problems.append(
                ThesaurusProblem(
                    number,
                    f"Wyrażenie „{expression}” jest już w grupie z wiersza {earlier} — jedno"
                    " wyrażenie należy do jednej grupy.",
                )
            )
    return problems


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def read_thesaurus(path: Path) -> ThesaurusText:
    """The file as it is now (a missing file reads as empty; bytes not UTF-8 as U+FFFD)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    text = data.decode("utf-8", errors="replace")
    return ThesaurusText(text, etag(data), len(groups_of(text)))


def preview_thesaurus(searcher: Searcher, request: SearchRequest, text: str) -> ThesaurusPreview:
    """``request``'s results with the thesaurus in use and with ``text``; nothing is saved."""
    request = replace(request, snippets=False)
    current = search(searcher, request)
    proposed = search(searcher, request, synonyms=Thesaurus.from_text(text))
    problems = check_thesaurus(text, QueryContext(searcher).analyzer)
    return ThesaurusPreview(request.q, PreviewSide.of(current), PreviewSide.of(proposed), problems)


def save_thesaurus(
    path: Path,
    text: str,
    *,
    if_match: str | Iterable[str] | None = None,
    analyzer: Analyzer | None = None,
    keep: int = KEEP_VERSIONS,
    lock_timeout: float = LOCK_TIMEOUT,
) -> SaveResult:
    """Replace the thesaurus file at ``path`` with ``text``, if it has no problems.

    Raises :class:`InvalidThesaurusError` (with the problems) for a text
    :func:`check_thesaurus` finds fault with, :class:`StaleThesaurusError` when
    ``if_match`` (the ETag, or ETags, the editor started from) no longer names the
    file, :class:`ThesaurusBusyError` past ``lock_timeout``; nothing is written then.

    Saves take turns under an ``flock`` on ``<file>.lock``. The previous version is
    copied to ``<stem>.wersje/`` first (the last ``keep`` copies are kept); the new
    text is written to a temporary file in the same directory, flushed to disk and
    moved over the file in one step, so readers see the old or the new version,
    never a mix. This process searches with the new groups at once.
    """
    path = Path(path)
    problems = check_thesaurus(text, analyzer)
    if problems:
        raise InvalidThesaurusError(problems)
    data = text.encode("utf-8")
    groups = groups_of(text)
    expected = {if_match} if isinstance(if_match, str) else None
    if if_match is not None and expected is None:
        expected = set(if_match)
    with _locked(path, lock_timeout):
        try:
            old: bytes | None = path.read_bytes()
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            old, mode = None, 0o644
        current = etag(old or b"")
        if expected is not None and current not in expected:
            raise StaleThesaurusError(current)
        if old == data:
            return SaveResult(len(groups), current, None, changed=False)
        previous = _keep_copy(path, old, keep) if old is not None else None
        stat = _write_atomically(path, data, mode)
        note_saved(path, groups, file_version(stat))
    return SaveResult(len(groups), etag(data), previous, changed=True)


def versions_dir(path: Path) -> Path:
    """Where the previous versions of the file at ``path`` are kept (``synonimy.wersje``)."""
    return path.with_name(path.stem + VERSIONS_SUFFIX)


def kept_versions(path: Path) -> list[Path]:
    """The previous versions kept of the file at ``path``, oldest first."""
    folder = versions_dir(path)
    name = re.compile(rf"{re.escape(path.stem)}-\d{{8}}T\d{{12}}Z{re.escape(path.suffix)}")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if name.fullmatch(p.name))


def _keep_copy(path: Path, data: bytes, keep: int) -> str:
    """Copy the previous version ``data`` into the versions folder; its path from the file's."""
    folder = versions_dir(path)
    folder.mkdir(exist_ok=True)
    moment = datetime.now(UTC)
    while True:  # names sort by time: a name taken (the same microsecond) moves on by one
        name = f"{path.stem}-{moment:%Y%m%dT%H%M%S%f}Z{path.suffix}"
        if not (folder / name).exists():
            break
        moment += timedelta(microseconds=1)
    _write_atomically(folder / name, data, 0o644)
    for old in kept_versions(path)[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return f"{folder.name}/{name}"


def _write_atomically(path: Path, data: bytes, mode: int) -> os.stat_result:
    """Write ``path`` whole or not at all, durably; the new file's stat."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
            stat = os.fstat(handle.fileno())  # a rename keeps the inode and times
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return stat


@contextmanager
def _locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold the ``flock`` on ``<file>.lock`` (never deleted: two lock files would not exclude)."""
    fd = os.open(
        path.with_name(path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ThesaurusBusyError(
                        "Słownik zapisuje właśnie ktoś inny — spróbuj ponownie za chwilę."
                    ) from None
                time.sleep(LOCK_POLL)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock
