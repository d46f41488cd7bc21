"""Correcting query words that occur nowhere in the index (typos).

A word is left alone if it is a real Polish word (Morfeusz knows it: correcting
"muzycznych" to "fizycznych" because the index lacks it would change the
question) or if its folded form, its surface form or its analysed form (lemma
or stem) is in the index. Any other word is replaced by the most
frequent index word within edit distance 1 (words of 4–7 letters) or 2
(longer words), found with Whoosh's automaton over the folded field's
vocabulary, which holds surface words, folded words and folded lemmas.
"""

from __future__ import annotations

import re

from whoosh.searching import Searcher

from analyzers import fold
from analyzers.lemmas import is_dictionary_word
from analyzers.polish import load_stopwords
from indexer.store import FOLDED_FIELD, TEXT_FIELDS
from search_app.diacritics import best_spelling, in_text_fields, with_diacritics

MIN_CORRECTED = 4
LONG_WORD = 8

# Letters only; a word directly followed by ":" names a field in query syntax.
WORD = re.compile(r"(?<![*?])\b[^\W\d_]+\b(?![:*]|\?\w)")


def max_edits(word: str) -> int:
    """How many edits a correction of ``word`` may make (0: too short to correct).

    >>> [max_edits(w) for w in ("ulica", "zastępczych", "dom")]
    [1, 2, 0]
    """
    if len(word) < MIN_CORRECTED:
        return 0
    return 1 if len(word) < LONG_WORD else 2


def correct_query(searcher: Searcher, text: str) -> str | None:
    """``text`` with unknown words corrected, or None when nothing needed correcting."""
    if FOLDED_FIELD not in searcher.schema:
        return None
    stopwords = load_stopwords()
    changed = False
    parts: list[str] = []
    last = 0
    for match in WORD.finditer(text):
        word = match.group().lower()
        if (
            max_edits(word) == 0
            or word in stopwords
            or is_dictionary_word(word)
            or is_known(searcher, word)
        ):
            continue
        correction = nearest_word(searcher, word)
        if correction is None:
            continue
        if match.group()[:1].isupper():
            correction = correction[:1].upper() + correction[1:]
        parts.append(text[last : match.start()] + correction)
        last = match.end()
        changed = True
    if not changed:
        return None
    return "".join(parts) + text[last:]


def is_known(searcher: Searcher, word: str) -> bool:
    """Whether the index has the word folded or as its analysed form."""
    if (FOLDED_FIELD, fold(word)) in searcher.reader():
        return True
    return in_text_fields(searcher, word)


def nearest_word(searcher: Searcher, word: str) -> str | None:
    """The most frequent index word at the smallest edit distance, if within reach.

    Candidates are the folded field's words (compared folded), given back their
    Polish letters ("zastepczych" -> "zastępczych"), and the text fields' terms
    (lemmas); at the same distance a word as the texts write it goes first.
    """
    reader = searcher.reader()
    lookups = [(FOLDED_FIELD, fold(word))] + [(name, word) for name in TEXT_FIELDS]
    for distance in range(1, max_edits(word) + 1):
        found = {
            (name == FOLDED_FIELD, reader.doc_frequency(name, term), term, name)
            for name, text in lookups
            for term in reader.terms_within(name, text, distance)
            if term not in (word, fold(word))
        }
        if found:
            *_rank, term, name = max(found)
            if name == FOLDED_FIELD:
                spellings = with_diacritics(searcher, term)
                term = best_spelling(searcher, spellings) if spellings else term
            return term
    return None
