"""Finding source files and reading them into practices, whatever their format."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.attachments import locate_listed, page_folder_files
from indexer.bdp_page import parse_html_page, parse_page
from indexer.encoding import regular_file_problem
from indexer.errors import AttachmentProblem, SourceError
from indexer.jsonl import read_jsonl_numbered
from indexer.records import Practice

PAGE_SUFFIX = ".txt"
HTML_PAGE_SUFFIXES = (".html", ".htm")
JSONL_SUFFIX = ".jsonl"
SOURCE_SUFFIXES = (PAGE_SUFFIX, *HTML_PAGE_SUFFIXES, JSONL_SUFFIX)

# The bundled collection; editable installs resolve it inside the checkout.
DEFAULT_SOURCES = Path(__file__).resolve().parent.parent / "data" / "practices"


@dataclass
class SourceReport:
    """Everything read from a set of sources: the good practices and every error."""

    practices: list[Practice] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    # Attachments left out (their practices are read): reported, but no reason to
    # hold the others back.
    problems: list[AttachmentProblem] = field(default_factory=list)
    files: int = 0
    # Where each practice was read: "file" or "file:line", to name it when writing fails.
    origins: dict[str, str] = field(default_factory=dict)


def find_source_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Expand directories into their page (.txt, .html, .htm) and JSON Lines entries, sorted.

    A FIFO or device named like a source is listed too, so that :func:`read_file`
    reports it rather than skip it in silence; a dangling link (such as an editor's
    lock file) is not.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(_sources_under(path))
        else:
            yield path


def _sources_under(directory: Path) -> Iterator[Path]:
    """Source files below ``directory``, never inside a source's own folder.

    The folder ``X/`` beside ``X.txt``, ``X.html`` or ``X.jsonl`` holds that source's
    full presentation and attachments (see :mod:`indexer.attachments`): a ``.txt``
    or ``.html`` there is a document of the practice, not a page of another one.
    """
    for folder, subfolders, names in os.walk(directory):
        here = Path(folder)
        files = [
            here / name
            for name in names
            if Path(name).suffix in SOURCE_SUFFIXES and (here / name).exists()
        ]
        owned = {file.stem for file in files}
        subfolders[:] = [name for name in subfolders if name not in owned]
        yield from files


def read_file(path: Path) -> Iterator[tuple[int | None, Practice | SourceError]]:
    """Read one source file, yielding (line, practice or error) in file order.

    The line is known for JSON Lines; a page is one practice, so it has none.
    Anything but a regular file (a FIFO would block the build forever) is an
    error found by ``stat`` alone, before anything is opened.
    """
    problem = regular_file_problem(path)
    if problem:
        yield None, SourceError(path, problem)
    elif path.suffix == JSONL_SUFFIX:
        for line, item in read_jsonl_numbered(path):
            if isinstance(item, Practice) and item.attachments:
                item, problems = locate_listed(item, path, line)
                yield from ((line, problem) for problem in problems)
            yield line, item
    elif path.suffix in (PAGE_SUFFIX, *HTML_PAGE_SUFFIXES):
        parse = parse_page if path.suffix == PAGE_SUFFIX else parse_html_page
        try:
            practice, errors, problems = page_folder_files(parse(path), path)
        except SourceError as error:
            yield None, error
            return
        yield from ((None, problem) for problem in (*problems, *errors))
        if not errors:
            yield None, practice
    else:
        yield (
            None,
            SourceError(
                path,
                "nieznany format: oczekiwano pliku .txt, .html lub .htm (strona BDP) albo .jsonl",
            ),
        )


def read_sources(paths: Iterable[Path | str]) -> SourceReport:
    """Read every source; a duplicate id is an error on its second occurrence."""
    report = SourceReport()
    seen = report.origins
    for path in find_source_files(paths):
        report.files += 1
        for line, item in read_file(path):
            if isinstance(item, AttachmentProblem):
                report.problems.append(item)
            elif isinstance(item, SourceError):
                report.errors.append(item)
            elif item.id in seen:
                report.errors.append(
                    SourceError(
                        path,
                        f"identyfikator {item.id!r} występuje już w {seen[item.id]}",
                        line=line,
                        field="id",
                    )
                )
            else:
                seen[item.id] = str(path) if line is None else f"{path}:{line}"
                report.practices.append(item)
    return report
