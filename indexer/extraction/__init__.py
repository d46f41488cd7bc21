"""Text of practice attachments (PDF, also scanned, DOCX, ODT, RTF, DOC, TXT) for the index.

:func:`extract_file` reads one file in this process; :func:`extract_many`
reads many, each in a worker process bounded in time and memory, answering
from an :class:`ExtractionCache` where it can. Failures are
:class:`ExtractionError` with a Polish ``reason``; the caller names the file.
"""

from indexer.extraction.cache import EXTRACTOR_VERSION, ExtractionCache, file_sha256
from indexer.extraction.formats import (
    EXTRACTORS,
    SUPPORTED_SUFFIXES,
    detect_kind,
    extract_file,
)
from indexer.extraction.model import Extraction, ExtractionError, ExtractionLimits
from indexer.extraction.pool import extract_many

__all__ = [
    "EXTRACTOR_VERSION",
    "EXTRACTORS",
    "SUPPORTED_SUFFIXES",
    "Extraction",
    "ExtractionCache",
    "ExtractionError",
    "ExtractionLimits",
    "detect_kind",
    "extract_file",
    "extract_many",
    "file_sha256",
]
