"""The text of an HTML document as a browser lays it out, for readers built on text.

Readers of saved pages already understand the page's text, line by line: an
HTML page is turned into the lines a browser shows, so the same reader serves
both. Block elements (p, div, li, tr, h1–h6, dt, dd, section …) start a new
line, inline ones (a, strong, span …) do not, ``<br>`` breaks the line, table
cells in a row are separated by a tab. Inside a line, runs of spaces, tabs and
newlines collapse to one space and vanish at the line's ends, while
non-breaking spaces stay (saved text pages keep them). Paragraphs and headings
are followed by an empty line, as their margins leave one on screen (and as a
browser copies them). Scripts, styles, ``<head>`` and other unrendered content
are dropped.

The encoding is the browser's too, from the byte order mark, then a charset
declared in a ``<meta>`` within the first kilobyte; without one (or when it
fails to decode) it is detected like any source file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import lxml.html  # type: ignore[import-untyped]  # lxml ships no type hints
from lxml import etree

from indexer.encoding import decode_source, read_source_bytes
from indexer.errors import SourceError

# Where a browser looks for <meta charset> before it starts parsing.
PRESCAN_BYTES = 1024
META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:+-]+)", re.IGNORECASE)
# The encodings source files may be in (see indexer.encoding): a declared one is
# trusted. Any other label on a Polish page is usually wrong (old sites said
# "iso-8859-1" of Windows-1250 text), so the bytes are examined first.
SOURCE_ENCODINGS = frozenset({"utf-8", "cp1250", "iso8859-2"})

BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li listing main menu nav ol p plaintext pre search section summary table tbody "
    "tfoot thead tr ul xmp".split()
)
# Blocks whose bottom margin shows (and is copied) as an empty line.
SPACED_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6".split())
CELLS = frozenset({"td", "th"})
PREFORMATTED = frozenset({"pre", "listing", "xmp", "plaintext", "textarea"})
# Content a browser does not show as text (a closed <select> shows one option only).
UNRENDERED = frozenset("head title script style noscript template iframe select datalist".split())
COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")


def html_to_text(data: bytes, path: Path | str) -> str:
    """The text of an HTML document, one rendered line per line; ``path`` names errors."""
    text, _encoding = decode_html(data, path)
    root = _parse(text, path)
    if root is None:
        return ""
    layout = _Layout()
    _render(root, layout)
    return layout.text()


def read_html_text(path: Path, max_bytes: int | None = None) -> str:
    """The text of an HTML file; like any source, only a regular file of at most ``max_bytes``."""
    return html_to_text(read_source_bytes(path, max_bytes), path)


def decode_html(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode an HTML document's bytes; returns the text and the encoding it was in."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise SourceError(
                path, "plik w UTF-16 zawiera błędne bajty; zapisz go ponownie jako UTF-8"
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return decode_source(data, path)
    declared = _declared_encoding(data[:PRESCAN_BYTES])
    if declared is None:
        return decode_source(data, path)
    if declared in SOURCE_ENCODINGS:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            return decode_source(data, path)  # the declaration is wrong
    try:
        return decode_source(data, path)
    except SourceError:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass
        raise


def _declared_encoding(head: bytes) -> str | None:
    """The codec named by a ``<meta>`` charset, or None when absent or unknown."""
    match = META_CHARSET.search(head)
    if not match:
        return None
    try:
        return codecs.lookup(match[1].decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _parse(text: str, path: Path | str) -> lxml.html.HtmlElement | None:
    """The document's root element, or None for a document with nothing in it.

    The text is handed over as UTF-8 with that encoding named, so that a
    ``<meta charset>`` in it cannot make the parser decode it a second time.
    ``huge_tree`` lets nesting go 2048 levels deep, not 256: past its depth
    limit libxml2 drops the text without a word, and every unclosed <div> of an
    old page nests the rest one level deeper.
    """
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except etree.ParserError:
        return None  # "Document is empty": no element, no text
    except (etree.LxmlError, ValueError) as exc:
        raise SourceError(path, f"nie udało się odczytać HTML: {exc}") from exc


def _render(root: lxml.html.HtmlElement, layout: _Layout) -> None:
    """Lay out the tree in document order (iteratively: nesting depth is the document's)."""
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            layout.end(element.tag)
            layout.add_text(element.tail)
            continue
        if not _rendered(element):
            layout.add_text(element.tail)  # text after a <script> or a comment shows
            continue
        layout.start(element.tag, _after_cell(element))
        text = element.text
        if element.tag in PREFORMATTED and text and text.startswith("\n"):
            text = text[1:]  # a newline right after <pre> is not shown
        layout.add_text(text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))


def _rendered(element: lxml.html.HtmlElement) -> bool:
    """Whether an element's content shows: not a comment, script, style or hidden element."""
    tag = element.tag
    return isinstance(tag, str) and tag not in UNRENDERED and element.get("hidden") is None


def _after_cell(element: lxml.html.HtmlElement) -> bool:
    """Whether a table cell follows another cell of its row (a tab separates them)."""
    if element.tag not in CELLS:
        return False
    return any(sibling.tag in CELLS for sibling in element.itersiblings(preceding=True))


class _Layout:
    """Rendered text built as strings and required line breaks (an int: how many).

    Required breaks next to each other merge into the largest, and vanish at the
    start and the end, as the HTML ``innerText`` algorithm has them.
    """

    def __init__(self) -> None:
        self.items: list[str | int] = []
        self.preformatted = 0  # depth of <pre>-like elements around the text
        self.space = False  # a collapsed space waits for the next word of the line
        self.inline = False  # the current line has words

    def start(self, tag: str, after_cell: bool) -> None:
        if after_cell:
            self._put("\t", words=False)
        if tag in BLOCKS:
            self._require(2 if tag in SPACED_BLOCKS else 1)
        if tag == "br":
            self._put("\n", words=False)
        if tag in PREFORMATTED:
            self.preformatted += 1

    def end(self, tag: str) -> None:
        if tag in PREFORMATTED:
            self.preformatted -= 1
        if tag in BLOCKS:
            self._require(2 if tag in SPACED_BLOCKS else 1)

    def add_text(self, raw: str | None) -> None:
        if not raw:
            return
        if self.preformatted:
            for i, part in enumerate(raw.split("\n")):
                if i:
                    self._put("\n", words=False)
                if part:
                    self._put(part)
            return
        collapsed = COLLAPSIBLE.sub(" ", raw)
        self.space = self.space or collapsed.startswith(" ")
        words = collapsed.strip(" ")
        if words:
            self._put(words)
            self.space = collapsed.endswith(" ")

    def text(self) -> str:
        out: list[str] = []
        breaks = 0
        for item in self.items:
            if isinstance(item, int):
                breaks = max(breaks, item)
                continue
            if breaks and out:
                out.append("\n" * breaks)
            breaks = 0
            out.append(item)
        return "".join(out)

    def _put(self, text: str, *, words: bool = True) -> None:
        if words and self.space and self.inline:
            self.items.append(" ")
        self.items.append(text)
        self.inline = words
        self.space = False

    def _require(self, breaks: int) -> None:
        if self.items and self.items[-1] == "\n":
            self.items.pop()  # a <br> ending a block ends its line, it adds no empty one
        self.items.append(breaks)
        self.inline = False
        self.space = False
