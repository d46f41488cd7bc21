"""Polish text analysis for Whoosh: tokenizer, stopwords and Stempel stemming.

The analyzer is pickled into the index schema, so every filter here carries
only small, plain state (a table name, a frozenset of stopwords); the Stempel
table itself is loaded lazily, once per process, by :func:`load_stemmer`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from importlib.resources import files

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.support.charset import accent_map

# Numbers with thousands groups ("1 482,30", "2 774 345") or decimal parts
# ("60.444", "3,5") stay one token; words keep their hyphenated compounds
# ("jst-ngo", "opiekuńczo-wychowawczej"), which HyphenFilter also splits.
TOKEN_PATTERN = (
    r"\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?(?!\d)"
    r"|\d+(?:[.,]\d+)*"
    r"|\w+(?:[-\u2010]\w+)*"
)

STEMMER_TABLES = {
    "default": ("pystempel.data.original", "stemmer_20000.tbl.gz"),
    "polimorf": ("pystempel.data.polimorf", "stemmer_polimorf.tbl.gz"),
}

# Stems this short are almost always Stempel garbage ("a" -> "ativus" is the
# opposite failure, handled by not stemming short words at all).
MIN_STEM_INPUT = 3
MIN_STEM_OUTPUT = 2


@functools.cache
def load_stopwords() -> frozenset[str]:
    """The Polish stopword list shipped beside this module (source in its header).

    Each word also counts without diacritics ("sie", "juz", "ktory"), as people type them.
    """
    text = files("analyzers").joinpath("stopwords_pl.txt").read_text(encoding="utf-8")
    words = {
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    }
    return frozenset(words | {word.translate(accent_map) for word in words})


@functools.cache
def load_stemmer(table: str = "default") -> Callable[[str], str | None]:
    """Load a Stempel table once per process; it takes ~0.5 s (default) to ~7 s (polimorf)."""
    os.environ.setdefault("DISABLE_TQDM", "1")  # pystempel draws a progress bar otherwise
    from pystempel import Stemmer

    package, name = STEMMER_TABLES[table]
    # Stemmer.default() goes through the deprecated importlib.resources.path().
    with_path = files(package).joinpath(name)
    return Stemmer.from_file(str(with_path))


@functools.lru_cache(maxsize=500_000)
def stem_word(word: str, table: str = "default") -> str:
    """Stem one lowercase word, leaving numbers, short words and bad stems alone.

    >>> stem_word("zastępczych")
    'zastępczy'
    >>> stem_word("2008")
    '2008'
    """
    if len(word) < MIN_STEM_INPUT or any(ch.isdigit() for ch in word):
        return word
    if "-" in word:
        head, _, last = word.rpartition("-")
        return f"{head}-{stem_word(last, table)}"
    stem = load_stemmer(table)(word)
    if not stem or len(stem) < MIN_STEM_OUTPUT:
        return word
    return stem


class NumberFilter(Filter):
    """Drop the thousands spaces inside numbers: "1 482,30" is indexed as "1482,30"."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.text[:1].isdigit():
                t.text = t.text.replace(" ", "").replace("\u00a0", "")
            yield t


class HyphenFilter(Filter):
    """Index a hyphenated compound whole and also each of its parts.

    "jst-ngo" yields "jst-ngo" and "jst" at one position and "ngo" at the
    next, so both "JST-NGO" and "NGO" find it, and phrases still line up.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        shift = 0
        for t in tokens:
            if shift and t.positions:
                t.pos += shift
            if "-" not in t.text and "\u2010" not in t.text:
                yield t
                continue
            text = t.text.replace("\u2010", "-")
            t.text = text
            yield t
            parts = [p for p in text.split("-") if p]
            startchar = getattr(t, "startchar", None)
            offset = 0
            for i, part in enumerate(parts):
                t.text = part
                if t.positions:
                    t.pos = t.pos + (1 if i else 0)
                if t.chars and startchar is not None:
                    t.startchar = startchar + text.index(part, offset)
                    t.endchar = t.startchar + len(part)
                    offset = t.startchar - startchar + len(part)
                yield t
            shift += len(parts) - 1


class StempelFilter(Filter):
    """Replace each token with its Stempel stem (cached, table loaded lazily)."""

    is_morph = True

    def __init__(self, table: str = "default") -> None:
        if table not in STEMMER_TABLES:
            raise ValueError(f"unknown Stempel table {table!r}")
        self.table = table

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        table = self.table
        for t in tokens:
            if not t.stopped:
                t.text = stem_word(t.text, table)
            yield t


def polish_tokenizer() -> RegexTokenizer:
    """Split text into words and numbers as :data:`TOKEN_PATTERN` describes."""
    return RegexTokenizer(TOKEN_PATTERN)


def polish_analyzer(stemming: str | None = "default", stopwords: bool = True):
    """Stempel stemming of Polish text (the "stempel" and "polimorf" configurations).

    >>> [t.text for t in polish_analyzer()("Rodzinach zastępczych w Żorach")]
    ['rodziny', 'zastępczy', 'żorach']
    """
    chain = polish_tokenizer() | NumberFilter() | LowercaseFilter() | HyphenFilter()
    if stopwords:
        # renumber=False keeps the gaps, so phrases never match across a stopword.
        chain = chain | StopFilter(stoplist=load_stopwords(), minsize=1, renumber=False)
    if stemming:
        chain = chain | StempelFilter(stemming)
    return chain
