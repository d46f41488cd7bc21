"""Dictionary lemmas from Morfeusz 2; words it does not know are kept as written.

Morfeusz loads in ~0.05 s and analyses a word in ~10 µs; it is opened once per
process by :func:`load_morfeusz` and its answers are cached (bounded in
bytes), so the filters that use it carry no state worth pickling. Stemming the
unknown words with Stempel instead changed nothing measurable (allegro-faq
nDCG@10 0.6021 either way) but would load its table (~1 s or more) in every
process that searches.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Iterator

from whoosh.analysis import Filter, Token

from analyzers.polish import MIN_STEM_INPUT, cached_per_word, stem_word

# Letters, possibly hyphenated; anything else (numbers, "pa?a*") is kept as it is.
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# Interpretations marked archaic, rare or regional rarely are what a text means
# (colloquial "pot." ones are kept: people type colloquially; measured +0.0025 nDCG@10).
RARE_QUALIFIERS = frozenset({"przest.", "rzad.", "daw.", "gwar.", "reg."})


@functools.cache
def load_morfeusz():
    """The Morfeusz 2 analyser (SGJP dictionary), opened once per process."""
    import morfeusz2

    return morfeusz2.Morfeusz(generate=False, expand_dag=False)


# Per-word caches bounded in bytes (analyzers.polish.cached_per_word): 55,000-70,000 words
# of real text each (measured); a never-seen token evicts the least recently used word.
@cached_per_word(max_bytes=16 * 1024 * 1024)
def lemmas(word: str) -> tuple[str, ...]:
    """Candidate lemmas of one lowercase word, the most likely first.

    Words Morfeusz does not know (acronyms such as "pcpr", names, typos) and
    numbers are kept as they are.

    >>> lemmas("żorach")
    ('żory',)
    >>> lemmas("gminie")
    ('gmina', 'gmin')
    """
    if len(word) < MIN_STEM_INPUT or not WORD.fullmatch(word):
        return (word,)  # numbers, and wildcard patterns the query parser passes whole
    if "-" in word:
        head, _, last = word.rpartition("-")
        return tuple(f"{head}-{lemma}" for lemma in lemmas(last))
    votes: Counter[str] = Counter()
    for start, _end, (_orth, lemma, tag, _names, quals) in load_morfeusz().analyse(word):
        if start != 0:
            continue  # the agglutinate of "zrobiłem" is not a second word
        if tag == "ign":
            return (word,)
        lemma = lemma.split(":", 1)[0].lower()
        # Rare-only lemmas stay candidates, ranked after every common one.
        votes[lemma] += 0 if RARE_QUALIFIERS.intersection(quals) else 1
    if len(votes) < 2:
        return tuple(votes) or (word,)  # most words: one lemma, nothing to rank
    # Ties go to the lemma sharing the longest prefix with the word ("limity" -> "limit").
    ranked = sorted(votes, key=lambda lemma: (-votes[lemma], -_common_prefix(lemma, word)))
    return tuple(ranked)


def _common_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


@cached_per_word(max_bytes=16 * 1024 * 1024)
def best_lemma(word: str) -> str:
    """The most likely lemma of a lowercase word (see :func:`lemmas`)."""
    return lemmas(word)[0]


class LemmaFilter(Filter):
    """Replace each token with its Morfeusz lemma(s); Stempel stems unknown words.

    ``mode`` is "best" (the most likely lemma), "all" (every candidate lemma at
    the token's position) or "lemma+stem" (the best lemma and the Stempel stem).
    """

    is_morph = True
    MODES = ("best", "all", "lemma+stem")

    def __init__(self, mode: str = "best") -> None:
        if mode not in self.MODES:
            raise ValueError(f"unknown lemma mode {mode!r}")
        self.mode = mode

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        mode = self.mode
        for t in tokens:
            if t.stopped:
                yield t
                continue
            word = t.text
            if mode == "best":
                t.text = best_lemma(word)
                yield t
                continue
            variants = lemmas(word) if mode == "all" else (best_lemma(word), stem_word(word))
            for text in dict.fromkeys(variants):
                t.text = text
                yield t


@cached_per_word(max_bytes=4 * 1024 * 1024)
def is_dictionary_word(word: str) -> bool:
    """Whether Morfeusz knows the lowercase word (a real word is never a typo to correct)."""
    return any(interp[2][2] != "ign" for interp in load_morfeusz().analyse(word))
