"""Extractions kept by file content, so a rebuild reads (and OCRs) each attachment only once.

One JSON file per attachment, named by the SHA-256 of its bytes and
:data:`EXTRACTOR_VERSION`: raise the version whenever the extractors' output
changes, and every old entry simply stops matching.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from indexer.extraction.model import Extraction

EXTRACTOR_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ExtractionCache:
    """A directory of JSON files, one per extracted attachment; safe to share between runs."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _file(self, sha: str) -> Path:
        return self.directory / f"{sha}-v{EXTRACTOR_VERSION}.json"

    def get(self, sha: str) -> Extraction | None:
        """The stored extraction, or None: a missing, unreadable or corrupt entry is a miss."""
        if not _SHA256.fullmatch(sha):
            return None
        try:
            data = json.loads(self._file(sha).read_text(encoding="utf-8"))
            if data.get("sha256") != sha or data.get("version") != EXTRACTOR_VERSION:
                return None
            return Extraction.from_dict(data["extraction"])
        except Exception:  # noqa: BLE001 - whatever is wrong with an entry, extract afresh
            return None

    def put(self, sha: str, extraction: Extraction) -> None:
        """Store an extraction; written to a temporary file first, so readers never see half."""
        if not _SHA256.fullmatch(sha):
            raise ValueError(f"not a SHA-256 hex digest: {sha!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        entry = {"sha256": sha, "version": EXTRACTOR_VERSION, "extraction": extraction.to_dict()}
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{sha}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(entry, handle, ensure_ascii=False)
            os.replace(temporary, self._file(sha))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
