"""A result's attachments: what results show of them, and the page a snippet comes from.

An attachment's text is searched (the ``attachments`` field, below the body), so a
practice may be found by words only its files hold. The result then has to say where
they are: when a page of one of its files shows more of the query's words than the
practice's own text (summary, body), the snippet is taken from that page and the
result names the file and the page (:class:`SnippetSource`; PDFs have pages, other
formats are one text).

Only what the index stores is read (``files`` and ``file_pages``), never the files on
disk; a file's location on disk is internal to the index and never leaves here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh.analysis import Token
from whoosh.searching import Searcher

from indexer.fields import FIELDS, FILES
from indexer.schema import FILE_PAGES_FIELD, FILES_FIELD, FOLDED_FIELD
from search_app.engine.arrays import index_arrays
from search_app.engine.snippets import MAX_ANALYSED_CHARS, Wanted, matched_tokens, wanted

# The text field of the attachments (from the field registry), or None without one.
ATTACHMENTS_FIELD = next((f.name for f in FIELDS if f.kind == FILES and f.text == f.name), None)
# Attachment text analysed per result at most: a long report's pages are looked
# through in order up to here (each page up to snippets.MAX_ANALYSED_CHARS), so ten
# results with 500-page attachments cost about as much as ten long bodies.
MAX_CHARS_PER_HIT = 256 * 1024


@dataclass(frozen=True)
class HitFile:
    """One attachment of a result, as the API shows it; ``n`` numbers it for its download."""

    n: int
    title: str
    kind: str | None
    size: int | None
    pages: int | None
    ocr: bool


@dataclass(frozen=True)
class SnippetSource:
    """The attachment a snippet comes from: its title, number and page (None: no pages)."""

    attachment: str
    n: int
    page: int | None


@dataclass(frozen=True)
class Passage:
    """An attachment page chosen for a snippet: its text, matches and where it is."""

    text: str
    tokens: list[Token]
    words: int
    source: SnippetSource


def stored_files(stored: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[Sequence[str]]]:
    """A document's attachments as indexed and their pages' text (empty for older indexes)."""
    return list(stored.get(FILES_FIELD) or []), list(stored.get(FILE_PAGES_FIELD) or [])


def hit_files(files: Sequence[Mapping[str, Any]]) -> list[HitFile]:
    """The public metadata of each attachment, in record order: never its location."""
    return [
        HitFile(
            n=n,
            title=str(meta.get("title") or ""),
            kind=meta.get("kind"),
            size=meta.get("size"),
            pages=meta.get("pages"),
            ocr=bool(meta.get("ocr")),
        )
        for n, meta in enumerate(files)
    ]


def attachment_passage(hit: Any, beat: int = 0) -> Passage | None:
    """The attachment page of ``hit`` showing the most query words, if more than ``beat``.

    ``beat`` is how many the snippet from the practice's own text would show. Of
    equal pages the first wins. The index says first whether the document has the
    words in its attachments at all (and so how many a page can show at most), so
    results found by their title or metric card analyse none of their files.
    """
    schema = hit.searcher.schema
    if ATTACHMENTS_FIELD is None or ATTACHMENTS_FIELD not in schema:
        return None
    files, pages = stored_files(hit.fields())
    if not files:
        return None
    want = wanted(hit.results.q, ATTACHMENTS_FIELD)
    if not want:
        return None
    most = _words_present(hit.searcher, hit.docnum, want)
    if most <= beat:
        return None
    analyzer = schema[ATTACHMENTS_FIELD].analyzer
    best: Passage | None = None
    left = MAX_CHARS_PER_HIT
    for n, (meta, texts) in enumerate(zip(files, pages, strict=False)):
        paged = meta.get("pages") is not None
        for number, text in enumerate(texts, start=1):
            if left <= 0:
                return best
            left -= min(len(text), MAX_ANALYSED_CHARS)
            tokens = matched_tokens(text, analyzer, want)
            words = len({token.text for token in tokens})
            if words > (best.words if best else beat):
                source = SnippetSource(str(meta.get("title") or ""), n, number if paged else None)
                best = Passage(text, tokens, words, source)
                if words >= most:
                    return best
    return best


def _words_present(searcher: Searcher, docnum: int, want: Wanted) -> int:
    """How many of the wanted words the document has in its attachments (an upper bound:
    folded words are counted if any of its text has them)."""
    assert ATTACHMENTS_FIELD is not None
    has = index_arrays(searcher).has_any
    terms = {t for t in want.terms if has(docnum, ATTACHMENTS_FIELD, [t])}
    phrases = [
        words
        for words, _slop in want.phrases
        if all(w in terms or has(docnum, ATTACHMENTS_FIELD, [w]) for w in words)
    ]
    folded = [w for w in want.folded if has(docnum, FOLDED_FIELD, [w])]
    return len(terms) + len(phrases) + len(folded)
