"""PDF attachments: pypdf reads the text layer page by page; pages without one go to OCR.

A scanned page (an image and no text, or only a page number) is rendered by
pypdfium2 at 300 dpi and read by the Tesseract CLI with its Polish data.
"""

from __future__ import annotations

import functools
import io
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.extraction.model import Extraction, ExtractionError
from indexer.extraction.text import normalise
from indexer.extraction.tools import SCRIPTS_HINT, find_program, run_tool, tool_failure

if TYPE_CHECKING:  # the PDF libraries load when a file needs them, not in every server
    import pypdfium2  # type: ignore[import-untyped]
    from pypdf import PdfReader

CORRUPT = "plik PDF jest uszkodzony"
ENCRYPTED = "plik PDF jest zaszyfrowany (chroniony hasłem)"
TESSERACT_MISSING = (
    "brak programu tesseract do odczytu skanów (OCR) — zainstaluj pakiety Debiana "
    f"tesseract-ocr i tesseract-ocr-pol {SCRIPTS_HINT}"
)
POLISH_MISSING = (
    "brak polskich danych programu tesseract do odczytu skanów (OCR) — zainstaluj pakiet "
    f"Debiana tesseract-ocr-pol {SCRIPTS_HINT}"
)
# A page with fewer visible characters than this in its text layer is taken for a scan.
MIN_TEXT_CHARS = 20
OCR_DPI = 300
# The longer side of a rendered page, at most: a poster-sized page would otherwise
# become a gigapixel image.
MAX_IMAGE_SIDE = 7000
OCR_LANGUAGE = "pol"


def extract_pdf(path: Path) -> Extraction:
    """The text of every page; scanned pages read by OCR."""
    reader = _open(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about every flaw it works around
            pages = [page.extract_text() or "" for page in reader.pages]
    except (ExtractionError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file makes pypdf raise anything
        raise ExtractionError(CORRUPT) from exc
    scanned = [number for number, text in enumerate(pages) if _looks_scanned(text)]
    used_ocr = False
    if scanned:
        for number, text in zip(scanned, ocr_pages(path, scanned), strict=True):
            if _visible(text) > _visible(pages[number]):
                pages[number], used_ocr = text, True
    return Extraction("pdf", tuple(normalise(text) for text in pages), used_ocr)


def _open(path: Path) -> PdfReader:
    """A reader with its pages readable: decrypted with the empty password if need be."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise ExtractionError(ENCRYPTED)
            if len(reader.pages) == 0:
                raise ExtractionError(CORRUPT)
    except (ExtractionError, MemoryError):
        raise
    except DependencyError as exc:  # an encryption pypdf cannot undo
        raise ExtractionError(ENCRYPTED) from exc
    except Exception as exc:  # noqa: BLE001 - a broken file makes pypdf raise anything
        raise ExtractionError(CORRUPT) from exc
    return reader


def _visible(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def _looks_scanned(text: str) -> bool:
    return _visible(text) < MIN_TEXT_CHARS


def ocr_pages(path: Path, numbers: Sequence[int]) -> list[str]:
    """The OCR text of the given pages (0-based), in that order."""
    import pypdfium2

    tesseract = _tesseract()
    try:
        document = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as exc:
        raise ExtractionError(CORRUPT) from exc
    try:
        return [_ocr_image(tesseract, _render(document, number)) for number in numbers]
    finally:
        document.close()


def _render(document: pypdfium2.PdfDocument, number: int) -> bytes:
    """The page as a grayscale PNG at OCR_DPI (less for a huge page)."""
    page = document[number]
    try:
        width, height = page.get_size()
        scale = min(OCR_DPI / 72, MAX_IMAGE_SIDE / max(width, height, 1))
        image = page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _ocr_image(tesseract: str, png: bytes) -> str:
    # One thread each: extractions already run side by side in their own processes.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = run_tool([tesseract, "stdin", "stdout", "-l", OCR_LANGUAGE], stdin=png, env=env)
    if result.returncode != 0:
        raise ExtractionError(tool_failure("tesseract", result))
    return result.stdout.decode("utf-8", "replace")


def _tesseract() -> str:
    """The tesseract program, checked to have the Polish data."""
    tesseract = find_program("tesseract", TESSERACT_MISSING)
    if OCR_LANGUAGE not in _languages(tesseract):
        raise ExtractionError(POLISH_MISSING)
    return tesseract


@functools.lru_cache(maxsize=8)
def _languages(tesseract: str) -> frozenset[str]:
    """The languages the program has data for (older versions list them on stderr)."""
    result = run_tool([tesseract, "--list-langs"])
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    return frozenset(line.strip() for line in output.splitlines())
