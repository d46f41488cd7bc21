"""Dictionary lemmas from Morfeusz 2; words it does not know are kept as written.

Morfeusz loads in ~0.05 s and analyses a word in ~10 µs; it is opened once per
process by :func:`load_morfeusz` and its answers are cached (bounded in
bytes), so the filters that use it carry no state worth pickling. Stemming the
unknown words with Stempel instead changed nothing measurable (allegro-faq
nDCG@10 0.6021 either way) but would load its table (~1 s or more) in every
process that searches.

A word with several lemmas gets the one most common in Polish first, from a small
table built from wordfreq (:func:`lemma_frequencies`); before it, the lemma with
the most readings won ties, which picked rare ones ("mam" -> "mama", "ile" -> "ił").
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from whoosh.analysis import Filter, Token

from analyzers.polish import MIN_STEM_INPUT, cached_per_word, stem_word

# Letters, possibly hyphenated; anything else (numbers, "pa?a*") is kept as it is.
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# Interpretations marked archaic, rare or regional rarely are what a text means
# (colloquial "pot." ones are kept: people type colloquially; measured +0.0025 nDCG@10).
RARE_QUALIFIERS = frozenset({"przest.", "rzad.", "daw.", "gwar.", "reg."})

# Made by scripts/make_lemma_frequencies.py; shipped as package data.
FREQUENCIES = Path(__file__).resolve().parent / "lemma_frequencies.tsv.gz"


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
    numbers are kept as they are. The most frequent lemma in Polish text goes
    first (:func:`lemma_frequencies`): "mam" is a form of "mieć" and of "mama".

    >>> lemmas("żorach")
    ('żory',)
    >>> lemmas("gminie")
    ('gmina', 'gmin')
    >>> lemmas("mam")[0]
    'mieć'
    """
    if len(word) < MIN_STEM_INPUT or not WORD.fullmatch(word):
        return (word,)  # numbers, and wildcard patterns the query parser passes whole
    if "-" in word:
        head, _, last = word.rpartition("-")
        return tuple(f"{head}-{lemma}" for lemma in lemmas(last))
    votes: dict[str, int] = {}  # lemma -> its readings not marked rare
    lexemes: dict[str, set[str]] = {}
    for reading in readings(word):
        lemma = _with_negation(lemma_name(reading.lexeme), reading.tag, word)
        votes[lemma] = votes.get(lemma, 0) + (not reading.rare)
        lexemes.setdefault(lemma, set()).add(reading.lexeme)
    if len(votes) < 2:
        return tuple(votes) or (word,)  # most words: one lemma, nothing to rank
    table = lemma_frequencies()
    frequency = {lemma: sum(table.get(x, 0.0) for x in ids) for lemma, ids in lexemes.items()}
    # Lemmas read only in archaic, rare or regional senses last; then the one most used
    # in Polish; then the one with more readings of the word; then the one sharing the
    # longest prefix with it ("limity" -> "limit").
    ranked = sorted(
        votes,
        key=lambda lemma: (
            votes[lemma] == 0,
            -frequency[lemma],
            -votes[lemma],
            -_common_prefix(lemma, word),
        ),
    )
    return tuple(ranked)


class Reading(NamedTuple):
    """One of Morfeusz's readings of a word: the lexeme, its grammatical tag, and
    whether Morfeusz marks it archaic, rare or regional."""

    lexeme: str
    tag: str
    rare: bool


def readings(word: str) -> list[Reading]:
    """Morfeusz's readings of a lowercase word as one word; none if it does not know it.

    A lexeme is Morfeusz's lemma id: a variant paradigm has an id of its own
    ("dostawać:Vi~wam" reads "dostawa", "dostawać:Vi~ję" reads "dostaje"), so a
    frequency can tell the noun "dostawa" from a rare conjugation of "dostawać".
    scripts/make_lemma_frequencies.py reads words through this too.
    """
    found = []
    for start, _end, (_orth, lexeme, tag, _names, quals) in load_morfeusz().analyse(word):
        if start != 0:
            continue  # the agglutinate of "zrobiłem" is not a second word
        if tag == "ign":
            return []
        # Morfeusz joins a reading's qualifiers with commas: ["pot.,szkol."].
        rare = any(RARE_QUALIFIERS.intersection(q.split(",")) for q in quals)
        found.append(Reading(lexeme, tag, rare))
    return found


def lemma_name(lexeme: str) -> str:
    """The lemma as indexed: Morfeusz's lexeme id without its homonym mark, lowercase."""
    return lexeme.split(":", 1)[0].lower()


def _with_negation(lemma: str, tag: str, word: str) -> str:
    """The lemma of a negated active participle keeps its "nie".

    Morfeusz reads "niewidzący" as a form of "widzieć" (negation is only in its tag),
    so blind people ("osoby niewidzące") would match every "widzi" and the reverse;
    "niesłyszący", "niepracujący" name people the same way. Every form of one such
    word still shares one lemma ("niewidzieć"). Passive participles and gerunds keep
    the verb: a text on "nieocieplone szkoły" is about insulating schools (measured on
    the bdp set: keeping their "nie" lost a relevant practice of "ocieplenie szkół").

    >>> _with_negation("widzieć", "pact:sg:nom:m1:imperf:neg", "niewidzący")
    'niewidzieć'
    """
    parts = tag.split(":")
    if (
        parts[0] == "pact"
        and "neg" in parts
        and word.startswith("nie")
        and not lemma.startswith("nie")
    ):
        return "nie" + lemma
    return lemma


def _common_prefix(a: str, b: str) -> int:
    return len(os.path.commonprefix([a, b]))


# The table of lemma frequencies, read once per process on first use (see below).
_frequencies: dict[str, float] | None = None
_frequencies_lock = threading.Lock()


def lemma_frequencies() -> dict[str, float]:
    """How common each lexeme that competes with another is, per 10^9 words of Polish.

    Morfeusz lists a word's lemmas in no useful order, and counting its readings
    favours rare ones ("ile": "ił" has six readings, "ile" four). The table, made from
    wordfreq by scripts/make_lemma_frequencies.py (method in its docstring), has the
    ~13,000 Morfeusz lexemes that share a form with another lemma; one not listed
    counts 0. It is read on first use, once per process (~15 ms, ~1.5 MB); wordfreq is
    needed only to rebuild it. Module state, not the filter's: pickled analyzers stay
    small.
    """
    global _frequencies
    table = _frequencies
    if table is None:
        with _frequencies_lock:
            if _frequencies is None:
                _frequencies = read_frequencies(FREQUENCIES)
            table = _frequencies
    return table


def read_frequencies(path: Path) -> dict[str, float]:
    """The ``lexeme<TAB>centi-log10`` rows of a gzipped table (``#`` lines: its header)."""
    table: dict[str, float] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            lexeme, value = line.rstrip("\n").split("\t")
            table[lexeme] = 10 ** (int(value) / 100)
    return table


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
