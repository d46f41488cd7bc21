"""A text's index tokens computed once per distinct written word, not once per occurrence.

Snippets re-analyse the texts of every result page (``search_app.engine.snippets``).
Through Whoosh's chain of generators each occurrence of each word passes the
tokenizer and five filters: a seventh of an uncached search request. But the
filters of our analyzers look at one token at a time, so a written word always
gives the same tokens: :func:`index_tokens` splits the text with the tokenizer's own
regular expression and takes each word's tokens from a per-process cache, filled
by running that word alone through the same filters.

A chain with any other tokenizer or filter (one that could look at its
neighbours, or renumber positions) is run as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, LowercaseFilter, StopFilter, Token
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.analysis.tokenizers import RegexTokenizer

from analyzers.lemmas import LemmaFilter
from analyzers.polish import HyphenFilter, NumberFilter, StempelFilter

# Filters whose tokens depend on the one token they are given. HyphenFilter moves the
# positions after a compound by its extra parts, which index_tokens replays.
PER_WORD_FILTERS = (NumberFilter, LowercaseFilter, HyphenFilter, LemmaFilter, StempelFilter)
# Written words remembered per analyzer (8 MB when full: about 200 bytes each, tracemalloc);
# past it they are forgotten all at once, which costs less per lookup than an LRU order.
WORDS_HELD = 40_000
# Analyzers remembered at once; an index has one, a comparison of configurations a few.
ANALYZERS_HELD = 4

# One token as the index saw it: (term, stopped, startchar, endchar, position).
IndexToken = tuple[str, bool, int, int, int]


class WordAnalysis:
    """An analyzer's tokens per written word, remembered, for chains of per-word filters."""

    def __init__(self, tokenizer: RegexTokenizer, filters: list[Any]) -> None:
        self.expression = tokenizer.expression
        self.filters = filters
        # word -> (its tokens, start and position from the word's; its extra positions)
        self.words: dict[str, tuple[tuple[IndexToken, ...], int]] = {}

    def of(self, word: str) -> tuple[tuple[IndexToken, ...], int]:
        """The word's tokens as if it stood alone, and how many positions it adds past one."""
        known = self.words.get(word)
        if known is None:
            token = Token(positions=True, chars=True, removestops=False, mode="index")
            token.text, token.boost, token.stopped = word, 1.0, False
            token.pos, token.startchar, token.endchar = 0, 0, len(word)
            stream: Iterator[Token] = iter([token])
            for f in self.filters:
                stream = f(stream)
            tokens = tuple((t.text, t.stopped, t.startchar, t.endchar, t.pos) for t in stream)
            known = (tokens, max((t[4] for t in tokens), default=0))
            if len(self.words) >= WORDS_HELD:
                self.words = {}
            self.words[word] = known
        return known

    def tokens(self, text: str) -> list[IndexToken]:
        """The text's tokens: each word's, moved to where the word stands."""
        found: list[IndexToken] = []
        append = found.append
        of = self.of
        pos = 0
        for match in self.expression.finditer(text):
            tokens, extra = of(match.group())
            start = match.start()
            for term, stopped, a, b, shift in tokens:
                append((term, stopped, start + a, start + b, pos + shift))
            pos += 1 + extra
        return found


def index_tokens(analyzer: Analyzer, text: str) -> list[IndexToken]:
    """The tokens ``analyzer`` indexes for ``text``, stopwords kept and flagged.

    The same as ``analyzer(text, positions=True, chars=True, mode="index",
    removestops=False)`` (a test compares them on every configuration), faster
    for chains of per-word filters.

    >>> from analyzers.configs import lemma_analyzer
    >>> [(t[0], t[4]) for t in index_tokens(lemma_analyzer(), "Współpraca JST-NGO w Żorach")]
    [('współpraca', 0), ('jst-ngo', 1), ('jst', 1), ('ngo', 2), ('w', 3), ('żory', 4)]
    """
    words = _word_analysis(analyzer)
    if words is None:
        return [
            (t.text, t.stopped, t.startchar, t.endchar, t.pos)
            for t in analyzer(text, positions=True, chars=True, mode="index", removestops=False)
        ]
    return words.tokens(text)


_held: list[tuple[Analyzer, WordAnalysis | None]] = []
_held_lock = threading.Lock()


def _word_analysis(analyzer: Analyzer) -> WordAnalysis | None:
    """The analyzer's :class:`WordAnalysis`; None if its chain is not per word.

    Every searcher unpickles its own schema, so analyzers are compared by value.
    """
    with _held_lock:
        for i, (held, words) in enumerate(_held):
            if held is analyzer or held == analyzer:
                _held[i] = (analyzer, words)  # the next call finds it by identity
                return words
    words = _per_word(analyzer)
    with _held_lock:
        _held.append((analyzer, words))
        del _held[:-ANALYZERS_HELD]
    return words


def _per_word(analyzer: Analyzer) -> WordAnalysis | None:
    """A :class:`WordAnalysis` of the analyzer, if its tokenizer and filters allow one."""
    if not isinstance(analyzer, CompositeAnalyzer):
        return None
    tokenizer, *filters = analyzer.items
    if type(tokenizer) is not RegexTokenizer or tokenizer.gaps:
        return None
    if not all(_is_per_word(f) for f in filters):
        return None
    return WordAnalysis(tokenizer, filters)


def _is_per_word(f: object) -> bool:
    """Whether a filter's tokens depend only on the token it is given."""
    if isinstance(f, StopFilter):  # renumbering counts the stopwords before
        return type(f) is StopFilter and not f.renumber
    return type(f) in PER_WORD_FILTERS
