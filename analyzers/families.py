"""Word families: one key for a word and its derivational relatives.

Lemmas conflate the inflected forms of one word, not a noun with its adjective
("fotowoltaika", "fotowoltaiczne"), a verb with its noun ("kajak", "kajakowy"),
or the forms of a word Morfeusz doesn't know ("mammobus", "mammobusu"). A word's
family key is the start of its folded lemma: relatives share it, and the index
keeps each practice's keys in a secondary field, scored below the words
themselves (``indexer.schema.FAMILY_FIELD``). The prefix length was chosen by
measurement on both test collections (docs/relevance.md).
"""

from __future__ import annotations

import os
import re

from analyzers.folding import fold
from analyzers.lemmas import best_lemma
from analyzers.polish import MIN_STEM_INPUT, load_stopwords

# Letters of the stripped, folded lemma that make up a family key (0: all of them).
FAMILY_PREFIX = int(os.environ.get("BDP_FAMILY_PREFIX", 0))
WORD = re.compile(r"[^\W\d_]+")

# Derivational endings of folded lemmas, longest first: adjectives (-owy, -czny, -ski),
# abstract and verbal nouns (-ość, -anie, -stwo), verbs (-ować, -ić) and the plain
# endings of nouns ("rodzina", "zdrowie"). Stripping one gives the shared stem:
# "kajakowy" and "kajak", "niepełnosprawność" and "niepełnosprawny", "gminny" and "gmina".
SUFFIXES = tuple(
    sorted(
        (
            "owski owy iczny yczny czny alny ny ski cki zki "
            "nosc osc anie enie cie stwo ctwo izm ista ika yka otny ik ka ek ia ja ie "
            "owac ywac iwac ac ec ic yc "
            "a o e y i"
        ).split(),
        key=len,
        reverse=True,
    )
)
# A stem left shorter than this is not stripped ("sport" stays, not "spor").
MIN_FAMILY_STEM = 4


def family_key(lemma: str) -> str | None:
    """The family of a lemma, or None for a word too short to have relatives worth finding.

    >>> family_key("fotowoltaiczny") == family_key("fotowoltaika")
    True
    >>> family_key("kajakowy") == family_key("kajak")
    True
    """
    if len(lemma) < MIN_STEM_INPUT:
        return None
    word = fold(lemma)
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_FAMILY_STEM:
            word = word[: -len(suffix)]
            break
    return word[:FAMILY_PREFIX] if FAMILY_PREFIX else word


def family_words(text: str) -> str:
    """The family field's value: the distinct family keys of a text's words.

    >>> family_words("Panele fotowoltaiczne i fotowoltaika w gminie")
    'fotowolta gmin panel'
    """
    stopwords = load_stopwords()
    keys = set()
    for word in set(WORD.findall(text.lower())):
        if word in stopwords:
            continue
        key = family_key(best_lemma(word))
        if key:
            keys.add(key)
    return " ".join(sorted(keys))
