"""One shape for text from every format, so the analyser and the snippets see no format quirks."""

from __future__ import annotations

import re
import unicodedata

# Line and page separators become line breaks; a form feed (a page break in
# antiword's and pypdf's output) a paragraph break.
_BREAKS = str.maketrans(
    {"\r": "\n", "\v": "\n", "\x85": "\n", "\u2028": "\n", "\f": "\n\n", "\u2029": "\n\n"}
)
# Control characters (C0 but tab and newline, DEL, C1), the soft hyphen, the BOM
# and zero-width spaces: invisible, and they split words for the analyser.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    r"""NFC text with single spaces, no control characters and at most one blank line in a row.

    >>> normalise("Zielona  \t\x00Go\u0301ra\r\n\f\n\nul.\u00a0Polna ")
    'Zielona Góra\n\nul. Polna'
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = _INVISIBLE.sub("", text.translate(_BREAKS))
    lines = (line.strip() for line in _SPACES.sub(" ", text).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
