"""Folding Polish letters to ASCII, for queries typed without diacritics.

Folding after stemming lets only ~20–27% of such words reach the right stem,
so the index has a separate folded field: each distinct word of a practice,
once, folded ("zorach", "lodzi", "samorzadow", "rodzinne"). It catches words
typed without diacritics that no dictionary knows (names); known words are
respelt with Morfeusz instead (``search_app.engine.diacritics``). It is also the
vocabulary of typo correction, which needs the words as written (the text
fields hold lemmas). A plain list of distinct words (a KEYWORD field) costs far
less to index than a second analysis of the whole text.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator

from whoosh.support.charset import accent_map

from analyzers.polish import load_stopwords

WORD = re.compile(r"[^\W\d_]+")

# What each ASCII letter may stand for when Polish is typed without diacritics.
RESTORE = {"a": "aą", "c": "cć", "e": "eę", "l": "lł", "n": "nń", "o": "oó", "s": "sś", "z": "zźż"}


def fold(text: str) -> str:
    """Lowercase ASCII-folded text (Whoosh's accent map folds "ł" too, unlike NFD).

    >>> fold("Łódź, Żory, samorządów")
    'lodz, zory, samorzadow'
    """
    return text.lower().translate(accent_map)


def folded_words(text: str) -> str:
    """The folded field's value: every distinct word as written, folded.

    Words without Polish letters are kept too: the text fields hold lemmas, and typo
    correction compares what was typed with the words as the texts write them
    ("rozinne" is one edit from "rodzinne", two from the lemma "rodzinny").

    >>> folded_words("Rodziny w Żorach i w Żorach, w Łodzi")
    'lodzi rodziny zorach'
    """
    stopwords = load_stopwords()
    words = {w for w in WORD.findall(text.lower()) if w not in stopwords}
    return " ".join(sorted({fold(w) for w in words}))


def spelling_count(word: str) -> int:
    """How many spellings with or without Polish letters fold to the folded ``word``.

    >>> spelling_count("zolw")
    12
    """
    return math.prod(len(RESTORE.get(ch, ch)) for ch in word)


def spellings(word: str) -> Iterator[str]:
    """Every spelling that folds to the folded ``word``, the word itself first.

    >>> list(spellings("lo"))
    ['lo', 'ló', 'ło', 'łó']
    """
    choices = [RESTORE.get(ch, ch) for ch in word]
    return ("".join(letters) for letters in itertools.product(*choices))
