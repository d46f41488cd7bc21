"""Search-as-you-type: practice titles and words that complete what the user is typing.

Matching is by word prefix on the surface words of titles and summaries (not on the
stemmed index terms, which are not words people recognise), ignoring case and Polish
diacritics, so "zastep" suggests "zastępczych".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from whoosh.searching import Searcher

from analyzers import fold
from analyzers.polish import load_stopwords

MIN_PREFIX = 2
TITLE_LIMIT = 5
TERM_LIMIT = 6
STEM_LETTERS = 4
WORD = re.compile(r"\w+(?:-\w+)*")


@dataclass
class Vocabulary:
    """What suggestions are drawn from; built once per index generation."""

    titles: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    words: Counter[str] = field(default_factory=Counter)
    folded: dict[str, str] = field(default_factory=dict)
    stems: dict[str, str] = field(default_factory=dict)


def build_vocabulary(searcher: Searcher) -> Vocabulary:
    """Titles and their folded words; every non-stopword of titles and summaries, counted."""
    stopwords = load_stopwords()
    vocabulary = Vocabulary()
    for stored in searcher.all_stored_fields():
        record = stored["record"]
        title = record["title"]
        vocabulary.titles.append((record["id"], title, tuple(fold(w) for w in WORD.findall(title))))
        for word in WORD.findall(f"{title} {record.get('summary') or ''}"):
            lower = word.lower()
            if len(lower) > MIN_PREFIX and not lower.isdigit() and lower not in stopwords:
                vocabulary.words[lower] += 1
    vocabulary.titles.sort(key=lambda t: t[1])
    vocabulary.folded = {word: fold(word) for word in vocabulary.words}
    analyzer = searcher.schema["title"].analyzer
    vocabulary.stems = {
        word: next((token.text for token in analyzer(word)), word) for word in vocabulary.words
    }
    return vocabulary


def suggest(vocabulary: Vocabulary, text: str) -> dict[str, Any]:
    """Titles and words completing the last typed word (the one being typed)."""
    typed = [fold(w) for w in WORD.findall(text)]
    if not typed or len(typed[-1]) < MIN_PREFIX:
        return {"query": text, "titles": [], "terms": []}
    return {
        "query": text,
        "titles": _titles(vocabulary, typed),
        "terms": _terms(vocabulary, text, typed[-1]),
    }


def _titles(vocabulary: Vocabulary, typed: list[str]) -> list[dict[str, str]]:
    """Titles with a word starting with the last typed word, those sharing more of the
    other words (by their first letters, a rough stand-in for the stem) first."""
    *before, last = typed
    stems = [word[:STEM_LETTERS] for word in before]
    found = []
    for practice_id, title, words in vocabulary.titles:
        if any(w.startswith(last) for w in words):
            shared = sum(any(w.startswith(stem) for w in words) for stem in stems)
            found.append((-shared, title, practice_id))
    found.sort()
    return [{"id": practice_id, "title": title} for _s, title, practice_id in found[:TITLE_LIMIT]]


def _terms(vocabulary: Vocabulary, text: str, prefix: str) -> list[dict[str, str]]:
    """The most frequent words starting with the last typed word, as whole queries.

    One form per stem: "rodziny" stands for "rodzinie" and "rodzinami" too, since
    the search finds the other forms anyway.
    """
    stripped = text.strip()
    head = stripped[: stripped.rfind(" ") + 1]
    matches = [
        (count, word)
        for word, count in vocabulary.words.items()
        if vocabulary.folded[word].startswith(prefix) and vocabulary.folded[word] != prefix
    ]
    matches.sort(key=lambda m: (-m[0], m[1]))
    terms: dict[str, str] = {}
    for _count, word in matches:
        terms.setdefault(vocabulary.stems[word], word)
        if len(terms) == TERM_LIMIT:
            break
    return [{"term": word, "query": head + word} for word in terms.values()]
