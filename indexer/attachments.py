"""A practice's own files: found beside its source, kept inside it, read into text.

Layout (README, docs/redakcja.md): the folder ``X/`` beside a page ``X.txt`` (or
``X.html``) holds the page's full presentation (``pelna-prezentacja.txt`` or
``.html``) and any other files, its attachments, sub-folders included. A JSON Lines
record lists its attachments with paths relative to the ``.jsonl`` file's folder.
Either way no path may leave that folder: not by ``..``, not as an absolute path,
not through a symbolic link.

A file that cannot be used (missing, outside the folder, corrupt, encrypted, too
big, of an unknown type) is a *problem*: reported with its path and the reason,
while the practice is indexed without that file's text and nothing else is lost.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from indexer.encoding import read_source_text, regular_file_problem
from indexer.errors import AttachmentProblem, SourceError
from indexer.extraction import (
    EXTRACTOR_VERSION,
    Extraction,
    ExtractionCache,
    ExtractionError,
    ExtractionLimits,
    extract_many,
    file_sha256,
)
from indexer.generations import PHASE_ATTACHMENTS, OnPhase
from indexer.html_text import read_html_text
from indexer.limits import current_limits, practice_problem
from indexer.records import Attachment, Practice

# The full presentation of a saved page, in its folder (the first of these found).
FULL_PRESENTATION = ("pelna-prezentacja.txt", "pelna-prezentacja.html", "pelna-prezentacja.htm")
# Where extracted text is cached by content, inside the index directory.
CACHE_FOLDER = "extracted"
# The digest of an attachment whose file could not be located.
MISSING = "-"

__all__ = [
    "AttachedFile",
    "Prepared",
    "indexed_hash",
    "locate_listed",
    "page_folder_files",
    "prepare_attachments",
]


@dataclass(frozen=True)
class AttachedFile:
    """An attachment as indexed: what the page and the API show, and its text by page."""

    title: str
    path: str
    location: str | None
    sha256: str
    size: int | None = None
    kind: str | None = None
    pages: tuple[str, ...] = ()
    ocr: bool = False
    problem: str | None = None
    # For a file whose text was not read: what could change that (see :func:`retry_key`).
    retry: str = ""

    @property
    def digest(self) -> str:
        """This file's part of the practice's indexed hash (:func:`indexed_hash`)."""
        return f"{self.sha256}!{self.retry}" if self.problem else self.sha256

    @property
    def text(self) -> str:
        return "\n\n".join(self.pages)

    def metadata(self) -> dict[str, Any]:
        """Stored with the document: everything but the text (see :func:`file_pages`)."""
        return {
            "title": self.title,
            "path": self.path,
            "location": self.location,
            "sha256": self.sha256,
            "size": self.size,
            "kind": self.kind,
            "pages": len(self.pages) if self.kind == "pdf" else None,
            "chars": len(self.text),
            "ocr": self.ocr,
            "problem": self.problem,
        }


@dataclass
class Prepared:
    """Each practice's attachments as indexed, and every problem met on the way."""

    files: dict[str, list[AttachedFile]]
    problems: list[AttachmentProblem]

    def of(self, practice: Practice) -> list[AttachedFile]:
        return self.files.get(practice.id, [])


# --- finding the files -----------------------------------------------------------------


def locate_listed(
    practice: Practice, source: Path, line: int | None
) -> tuple[Practice, list[AttachmentProblem]]:
    """A JSON Lines record with each listed attachment located in the file's folder.

    An attachment that cannot be located stays in the record (so nothing the editor
    wrote is lost on export) without a location, and is reported.
    """
    located, problems = [], []
    for item in practice.attachments:
        where, problem = _locate(source.parent, item.path)
        if problem:
            problems.append(
                AttachmentProblem(
                    source, f"załącznik {item.path!r}: {problem}", line=line, field="attachments"
                )
            )
        located.append(replace(item, location=str(where) if where else None))
    return replace(practice, attachments=tuple(located)), problems


def page_folder_files(
    practice: Practice, page: Path
) -> tuple[Practice, list[SourceError], list[AttachmentProblem]]:
    """A saved page with its folder's full presentation and attachments.

    Returns the practice, the errors that reject it (an unreadable full
    presentation: the page would be indexed without its main text; a record
    outside the limits once the folder is added, e.g. a body longer than a
    record's) and the attachment problems.
    """
    folder = page.with_suffix("")
    if not folder.is_dir() or folder.is_symlink():
        return practice, [], []
    presentation, body, errors = _full_presentation(folder)
    attachments, problems = [], []
    for file in _files_under(folder):
        if file.parent == folder and file.name in FULL_PRESENTATION:
            continue
        relative = file.relative_to(page.parent).as_posix()
        where, problem = _locate(page.parent, relative)
        if problem:
            problems.append(AttachmentProblem(file, problem))
        attachments.append(Attachment(relative, file.name, str(where) if where else None))
    practice = replace(practice, attachments=tuple(attachments))
    if body is not None:
        practice = replace(practice, body=body)
    # The page was checked against the limits without its folder: check the whole.
    outside = None if errors else practice_problem(practice, current_limits())
    if outside:
        field, message = outside
        at = presentation if field == "body" and presentation else page
        errors.append(SourceError(at, message, field=field))
    return practice, errors, problems


def _full_presentation(folder: Path) -> tuple[Path | None, str | None, list[SourceError]]:
    """The full presentation's path and text, or the error that makes it unreadable."""
    for name in FULL_PRESENTATION:
        path = folder / name
        if not path.exists():
            continue
        limit = current_limits().record_bytes
        try:
            if path.suffix == ".txt":
                return path, read_source_text(path, limit).strip(), []
            return path, read_html_text(path, limit).strip(), []
        except SourceError as error:
            return path, None, [error]
    return None, None, []


def _files_under(folder: Path) -> list[Path]:
    """Every file below ``folder``, sorted; linked folders are not followed."""
    found: list[Path] = []
    for here, _folders, names in os.walk(folder):
        found.extend(Path(here) / name for name in names)
    return sorted(found)


def _locate(base: Path, relative: str) -> tuple[Path | None, str | None]:
    """The real path of ``relative`` inside ``base``, or the reason (Polish) it is refused."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or (pure.parts and ":" in pure.parts[0]):
        return None, "ścieżka bezwzględna; podaj ścieżkę względem katalogu źródła"
    if ".." in pure.parts:
        return None, "ścieżka wychodzi poza katalog źródła („..”)"
    candidate = base.joinpath(*pure.parts)
    real, root = candidate.resolve(), base.resolve()
    if not real.is_relative_to(root):
        return None, "dowiązanie symboliczne prowadzi poza katalog źródła"
    if not real.exists():
        return None, "nie ma takiego pliku"
    problem = regular_file_problem(real)
    if problem:
        return None, problem
    return real, None


# --- hashing and reading ---------------------------------------------------------------


def file_digests(
    practice: Practice, unread: Collection[str] = (), limits: ExtractionLimits | None = None
) -> list[str]:
    """Each attachment's part of the indexed hash, in record order.

    The sha256 of its file (:data:`MISSING` if there is none); for a file whose text
    was not read last time (its sha256 in ``unread``), also what could change that,
    so that raising a limit or installing Tesseract re-reads it on the next update,
    while nothing else changes it.
    """
    digests = [_digest(item.location) for item in practice.attachments]
    if not unread:
        return digests
    key = retry_key(limits)
    return [f"{digest}!{key}" if digest in unread else digest for digest in digests]


def retry_key(limits: ExtractionLimits | None = None) -> str:
    """What a failed extraction depends on besides the file: limits, tools, extractors."""
    limits = ExtractionLimits.from_env() if limits is None else limits
    tools = [name for name in ("tesseract", "antiword") if shutil.which(name)]
    state = f"{EXTRACTOR_VERSION}|{limits.max_bytes}|{limits.seconds}|{limits.memory_mb}|{tools}"
    return hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]


def _digest(location: str | None) -> str:
    if location is None:
        return MISSING
    try:
        return file_sha256(Path(location))
    except OSError:
        return MISSING


def indexed_hash(practice: Practice, digests: Sequence[str]) -> str:
    """The hash an update compares: the record's, and its files' when it has any.

    So a changed attachment re-indexes its practice, and a practice without
    attachments keeps the hash it always had.
    """
    if not practice.attachments:
        return practice.content_hash()
    joined = "\n".join([practice.content_hash(), *digests])
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def cache_for(index_dir: Path | str) -> ExtractionCache:
    """The extracted-text cache of an index: shared by its generations and its builds."""
    return ExtractionCache(Path(index_dir) / CACHE_FOLDER)


def prepare_attachments(
    practices: Iterable[Practice],
    index_dir: Path | str,
    limits: ExtractionLimits | None = None,
    on_read: Callable[[int, int], None] | None = None,
    on_phase: OnPhase | None = None,
) -> Prepared:
    """Read the text of every located attachment (cached by content), in worker processes.

    When there are files to read, ``on_phase`` hears :data:`PHASE_ATTACHMENTS` and
    ``on_read`` gets (files read so far, files to read): first with none read, then
    after each file.
    """
    practices = list(practices)
    wanted = sorted(
        {Path(item.location) for p in practices for item in p.attachments if item.location}
    )
    outcomes: dict[Path, Extraction | ExtractionError] = {}
    if wanted:
        if on_phase:
            on_phase(PHASE_ATTACHMENTS)
        read = 0

        def done(_path: Path, _outcome: Extraction | ExtractionError) -> None:
            nonlocal read
            read += 1
            if on_read:
                on_read(read, len(wanted))

        if on_read:
            on_read(0, len(wanted))
        outcomes = extract_many(wanted, cache=cache_for(index_dir), limits=limits, on_done=done)
    prepared = Prepared({}, [])
    for practice in practices:
        if practice.attachments:
            prepared.files[practice.id] = [
                _attached(item, outcomes, prepared.problems, retry_key(limits))
                for item in practice.attachments
            ]
    return prepared


def _attached(
    item: Attachment,
    outcomes: dict[Path, Extraction | ExtractionError],
    problems: list[AttachmentProblem],
    retry: str,
) -> AttachedFile:
    if item.location is None:
        return AttachedFile(
            item.title, item.path, None, MISSING, problem="nie znaleziono pliku", retry=retry
        )
    path = Path(item.location)
    outcome = outcomes.get(path)
    size = path.stat().st_size if path.exists() else None
    if isinstance(outcome, Extraction):
        return AttachedFile(
            item.title,
            item.path,
            item.location,
            _digest(item.location),
            size,
            outcome.kind,
            outcome.pages,
            outcome.ocr,
        )
    reason = outcome.reason if isinstance(outcome, ExtractionError) else "nie odczytano pliku"
    problems.append(AttachmentProblem(path, f"tekst załącznika pominięty: {reason}"))
    return AttachedFile(
        item.title,
        item.path,
        item.location,
        _digest(item.location),
        size,
        problem=reason,
        retry=retry,
    )
