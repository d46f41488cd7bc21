"""Polish text analysis for Whoosh: tokenizer, stopwords and Stempel stemming.

The analyzer is pickled into the index schema, so every filter here carries
only small, plain state (a table name, a frozenset of stopwords); the Stempel
table itself is loaded lazily, once per process, by :func:`load_stemmer`.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from importlib.resources import files
from typing import Any, NamedTuple, TypeVar

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

# Per-word caches: words longer than this are computed every time and never cached. Text
# rarely has them (the longest Polish words have about 30 letters); hostile queries do, and
# each would take the room of several common words.
MAX_CACHED_WORD = 40
# What an OrderedDict entry costs beyond its key and value (hash table slot and linked-list
# node; measured with tracemalloc: 91 bytes on CPython 3.11), rounded up.
CACHE_ENTRY_BYTES = 100

F = TypeVar("F", bound=Callable[..., Any])


class CacheInfo(NamedTuple):
    entries: int
    bytes: int
    max_bytes: int


def cached_per_word(max_bytes: int) -> Callable[[F], F]:
    """Cache a function of a word (plus small hashable arguments) in at most ``max_bytes``.

    ``functools.lru_cache`` bounds only the number of entries, so every never-seen
    token of every query (random words, 500-letter "words") grew the process: the
    per-token caches were allowed 500,000 entries each. Here each entry is charged
    its key's and value's ``sys.getsizeof`` (tuples of words counted with their
    words) plus :data:`CACHE_ENTRY_BYTES`, and the least recently used entries are
    dropped past ``max_bytes``. Thread-safe; ``cache_clear()`` and ``cache_info()``
    as on ``lru_cache``.
    """

    def decorate(function: F) -> F:
        entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        lock = threading.Lock()
        held = [0]  # bytes charged to the entries held

        @functools.wraps(function)
        def cached(word: str, *args: Hashable) -> Any:
            key = (word, *args) if args else word
            with lock:
                entry = entries.get(key)
                if entry is not None:
                    entries.move_to_end(key)
                    return entry[0]
            value = function(word, *args)
            if len(word) > MAX_CACHED_WORD:
                return value
            size = CACHE_ENTRY_BYTES + _deep_size(key) + _deep_size(value)
            with lock:
                if key not in entries:
                    entries[key] = (value, size)
                    held[0] += size
                while held[0] > max_bytes and entries:
                    _key, (_value, dropped) = entries.popitem(last=False)
                    held[0] -= dropped
            return value

        def cache_clear() -> None:
            with lock:
                entries.clear()
                held[0] = 0

        def cache_info() -> CacheInfo:
            with lock:
                return CacheInfo(len(entries), held[0], max_bytes)

        cached.cache_clear = cache_clear  # type: ignore[attr-defined]
        cached.cache_info = cache_info  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate


def _deep_size(value: Any) -> int:
    """Bytes of a str, bool or tuple of them, counting what a tuple holds."""
    if isinstance(value, tuple):
        return sys.getsizeof(value) + sum(_deep_size(item) for item in value)
    return sys.getsizeof(value)


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


@cached_per_word(max_bytes=16 * 1024 * 1024)
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
