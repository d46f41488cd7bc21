"""What an extraction yields, how it fails, and the limits it runs under."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from indexer.errors import LimitSettingError

KINDS = ("pdf", "docx", "odt", "rtf", "doc", "txt")


@dataclass(frozen=True)
class Extraction:
    """The text of one attachment; a PDF keeps one item per page so hits can name the page."""

    kind: str
    pages: tuple[str, ...]
    ocr: bool = False

    @property
    def text(self) -> str:
        """All pages as one text, pages separated like paragraphs."""
        return "\n\n".join(self.pages)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for the cache)."""
        return {"kind": self.kind, "pages": list(self.pages), "ocr": self.ocr}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Extraction:
        """The inverse of :meth:`to_dict`; ValueError on anything else, so junk never passes."""
        kind, pages, ocr = data.get("kind"), data.get("pages"), data.get("ocr")
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if not isinstance(pages, list) or not all(isinstance(page, str) for page in pages):
            raise ValueError("pages must be a list of strings")
        if not isinstance(ocr, bool):
            raise ValueError("ocr must be a boolean")
        return cls(kind, tuple(pages), ocr)


class ExtractionError(Exception):
    """An attachment whose text could not be read; ``reason`` says why, in Polish.

    The path is left out on purpose: the caller knows which file it asked for
    and names it in its own message.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


ENV_MAX_BYTES = "BDP_MAX_ATTACHMENT_BYTES"
ENV_SECONDS = "BDP_MAX_EXTRACTION_SECONDS"
ENV_MEMORY_MB = "BDP_MAX_EXTRACTION_MEMORY_MB"


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds on one attachment, so a single bad file cannot stall or sink a whole build.

    ``memory_mb`` is address space the extraction may add on top of what its
    worker process already maps when it starts (the worker is forked from the
    indexer, whose own size is not the attachment's fault).
    """

    max_bytes: int = 50 * 1024 * 1024
    seconds: float = 60.0
    memory_mb: int = 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ExtractionLimits:
        """The defaults, each overridden by its ``BDP_MAX_*`` variable when set."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        raw = environ.get(ENV_MAX_BYTES, "").strip()
        if raw:
            values["max_bytes"] = _positive_int(ENV_MAX_BYTES, raw)
        raw = environ.get(ENV_SECONDS, "").strip()
        if raw:
            values["seconds"] = _positive_seconds(ENV_SECONDS, raw)
        raw = environ.get(ENV_MEMORY_MB, "").strip()
        if raw:
            values["memory_mb"] = _positive_int(ENV_MEMORY_MB, raw)
        return cls(**values)


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise LimitSettingError(f"{name}: oczekiwano dodatniej liczby całkowitej, jest {raw!r}")
    return value


def _positive_seconds(name: str, raw: str) -> float:
    try:
        value = float(raw.replace("_", "").replace(",", "."))
    except ValueError:
        value = 0.0
    if not math.isfinite(value) or value <= 0:
        raise LimitSettingError(f"{name}: oczekiwano dodatniej liczby sekund, jest {raw!r}")
    return value


def format_number(number: int) -> str:
    """A whole number with spaces between thousands, as Polish writes it.

    >>> format_number(52428800)
    '52 428 800'
    """
    return f"{number:,}".replace(",", " ")


def format_seconds(seconds: float) -> str:
    """Seconds with a Polish decimal comma.

    >>> format_seconds(60.0), format_seconds(0.5)
    ('60', '0,5')
    """
    return f"{seconds:g}".replace(".", ",")


def size_reason(size: int, most: int) -> str:
    """The reason for a file over the size limit."""
    return f"plik ma {format_number(size)} bajtów, dopuszczalne najwyżej {format_number(most)}"


def timeout_reason(seconds: float) -> str:
    """The reason for an extraction that ran out of time."""
    return f"przekroczono limit czasu {format_seconds(seconds)} s"


MEMORY_REASON = "przekroczono limit pamięci"
