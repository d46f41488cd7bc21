"""Which format an attachment is, and the extractor for each format.

:data:`EXTRACTORS` maps a kind to its extractor. It is a plain dict on
purpose: a test (or a caller) can swap one in, and worker processes forked
afterwards inherit the swap.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.encoding import decode_source, regular_file_problem
from indexer.errors import SourceError
from indexer.extraction.model import (
    Extraction,
    ExtractionError,
    ExtractionLimits,
    size_reason,
)
from indexer.extraction.pdf import extract_pdf
from indexer.extraction.text import normalise
from indexer.extraction.tools import (
    SCRIPTS_HINT,
    find_program,
    run_tool,
    time_limit,
    tool_failure,
)

if TYPE_CHECKING:
    from docx.table import Table

Extractor = Callable[[Path], Extraction]

SUFFIX_KINDS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".rtf": "rtf",
    ".doc": "doc",
    ".txt": "txt",
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(SUFFIX_KINDS)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
RTF_MAGIC = b"{\\rtf"
# The PDF header may follow some junk, within the first kilobyte.
HEAD_BYTES = 1024

ANTIWORD_MISSING = f"brak programu antiword — zainstaluj pakiet Debiana antiword {SCRIPTS_HINT}"


def detect_kind(path: Path) -> str | None:
    """The attachment's kind by its suffix, if its first bytes agree; None otherwise."""
    try:
        return _kind(path)
    except ExtractionError:
        return None


def _kind(path: Path) -> str:
    """The kind, or an ExtractionError saying why the file is none we read."""
    suffix = path.suffix.lower()
    kind = SUFFIX_KINDS.get(suffix)
    if kind is None:
        raise ExtractionError(f"nieznany typ pliku ({suffix or 'bez rozszerzenia'})")
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise ExtractionError(f"nie można odczytać pliku: {exc.strerror or exc}") from exc
    # Word could save a document as RTF under a .doc name, and many offices did.
    if kind == "doc" and head.startswith(RTF_MAGIC):
        return "rtf"
    if not _head_matches(kind, head):
        raise ExtractionError(f"zawartość pliku nie odpowiada rozszerzeniu {suffix}")
    return kind


def _head_matches(kind: str, head: bytes) -> bool:
    if kind == "pdf":
        return b"%PDF-" in head
    if kind in ("docx", "odt"):
        return head.startswith(ZIP_MAGIC)
    if kind == "rtf":
        return head.lstrip().startswith(RTF_MAGIC)
    if kind == "doc":
        return head.startswith(OLE_MAGIC)
    return True  # plain text has no signature; decoding it is the check


def check_file(path: Path, limits: ExtractionLimits) -> str:
    """The kind of a file worth extracting; ExtractionError when it is not one.

    Cheap (a stat and one read of a kilobyte), so it runs before any work or worker.
    """
    problem = regular_file_problem(path)
    if problem:
        raise ExtractionError(problem)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ExtractionError(size_reason(size, limits.max_bytes))
    return _kind(path)


def extract_file(path: Path, limits: ExtractionLimits | None = None) -> Extraction:
    """The attachment's text, in this process; ExtractionError when it cannot be read.

    The size limit is checked first and external programs get the time limit;
    the whole time and memory limits hold only in :func:`extract_many`'s workers.
    """
    limits = ExtractionLimits.from_env() if limits is None else limits
    kind = check_file(path, limits)
    with time_limit(limits.seconds):
        try:
            return EXTRACTORS[kind](path)
        except OSError as exc:
            raise ExtractionError(f"nie można odczytać pliku: {exc.strerror or exc}") from exc


def _corrupt(kind: str) -> str:
    return f"plik {kind.upper()} jest uszkodzony"


# --- the formats -----------------------------------------------------------------


def extract_docx(path: Path) -> Extraction:
    """Paragraphs and table cells of the document body, in their order."""
    import docx  # the format libraries load when a file needs them, not in every server

    try:
        document = docx.Document(str(path))
        lines = list(_docx_lines(document.iter_inner_content()))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken zip or XML makes it raise anything
        raise ExtractionError(_corrupt("docx")) from exc
    return Extraction("docx", (normalise("\n".join(lines)),))


def _docx_lines(blocks: Iterator) -> Iterator[str]:
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            yield from _docx_cells(block)
        else:
            yield block.text


def _docx_cells(table: Table) -> Iterator[str]:
    """Each cell once (a merged cell shows up in every row and column it spans)."""
    seen: set[object] = set()  # the cells' XML elements, kept alive so each stays one object
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in seen:
                seen.add(cell._tc)
                yield from _docx_lines(cell.iter_inner_content())


def extract_odt(path: Path) -> Extraction:
    """Headings and paragraphs (also in tables and lists), in document order."""
    from odf import teletype  # type: ignore[import-untyped]
    from odf.opendocument import load as load_odf  # type: ignore[import-untyped]

    try:
        document = load_odf(str(path))
        lines = [teletype.extractText(node) for node in _odt_paragraphs(document.text)]
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken zip or XML makes it raise anything
        raise ExtractionError(_corrupt("odt")) from exc
    return Extraction("odt", (normalise("\n".join(lines)),))


def _odt_paragraphs(root) -> Iterator:
    """text:p and text:h elements, walked without recursion (lists nest deeply)."""
    from odf.namespaces import TEXTNS  # type: ignore[import-untyped]

    paragraphs = {(TEXTNS, "p"), (TEXTNS, "h")}
    stack = list(reversed(root.childNodes))
    while stack:
        node = stack.pop()
        if getattr(node, "qname", None) in paragraphs:
            yield node
        else:
            stack.extend(reversed(node.childNodes))


_ANSI_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


def extract_rtf(path: Path) -> Extraction:
    r"""RTF text; ``\'xx`` escapes decoded in the code page the file declares."""
    from striprtf.striprtf import rtf_to_text

    data = path.read_bytes()
    encoding = _rtf_encoding(data)
    try:
        text = rtf_to_text(data.decode(encoding, "replace"), encoding=encoding, errors="replace")
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - striprtf fails on malformed input in many ways
        raise ExtractionError(_corrupt("rtf")) from exc
    return Extraction("rtf", (normalise(text),))


def _rtf_encoding(data: bytes) -> str:
    r"""The codec for ``\ansicpgNNNN`` when Python knows it, else RTF's default, Windows-1252."""
    found = _ANSI_CODEPAGE.search(data[:4096])
    if found:
        name = f"cp{found.group(1).decode('ascii')}"
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    return "cp1252"


def extract_doc(path: Path) -> Extraction:
    """Word 97–2003 text by antiword, a paragraph per line."""
    antiword = find_program("antiword", ANTIWORD_MISSING)
    result = run_tool([antiword, "-m", "UTF-8.txt", "-w", "0", str(path)])
    if result.returncode != 0:
        raise ExtractionError(
            f"plik DOC jest uszkodzony lub nie jest dokumentem Worda 97–2003 "
            f"({tool_failure('antiword', result)})"
        )
    return Extraction("doc", (normalise(result.stdout.decode("utf-8", "replace")),))


def extract_txt(path: Path) -> Extraction:
    """Plain text in UTF-8 or a Polish legacy code page (as the practice sources are read)."""
    try:
        text, _encoding = decode_source(path.read_bytes(), path)
    except SourceError as exc:
        raise ExtractionError(exc.problem) from exc
    return Extraction("txt", (normalise(text),))


EXTRACTORS: dict[str, Extractor] = {
    "pdf": extract_pdf,
    "docx": extract_docx,
    "odt": extract_odt,
    "rtf": extract_rtf,
    "doc": extract_doc,
    "txt": extract_txt,
}
