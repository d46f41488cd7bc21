"""Correcting query words that occur nowhere in the index (typos).

A word is left alone if it is a real Polish word (Morfeusz knows it: correcting
"muzycznych" to "fizycznych" because the index lacks it would change the
question) or if its folded form, its surface form or its analysed form (lemma
or stem) is in the index. Any other word is replaced by the most frequent index
word within edit distance 1 (words of 4–7 letters; two neighbouring letters swapped
count as one edit) or 2 (longer words), found with Whoosh's Levenshtein automaton
over the folded field's vocabulary, which holds surface words, folded words and
folded lemmas.

The automaton is walked over each segment's vocabulary held in memory (a sorted
list per field, cached per segment and bounded in bytes) rather than through
Whoosh's on-disk term table: the same words come out, about ten times faster
(a word of 10 letters at distance 2 over five fields: 11 ms instead of 138 ms
on the bundled practices). The words come from the query's parse tree
(:mod:`~search_app.engine.understanding`); the work per query is capped by a
:class:`~search_app.engine.budget.QueryBudget`.
"""

from __future__ import annotations

import sys
import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Iterator

from whoosh.automata import lev
from whoosh.automata.fsa import DFA
from whoosh.reading import IndexReader

from analyzers import fold
from analyzers.lemmas import is_dictionary_word
from analyzers.polish import load_stopwords
from indexer.schema import FOLDED_FIELD, TEXT_FIELDS
from search_app.engine.context import QueryContext
from search_app.engine.diacritics import best_spelling, in_text_fields, with_diacritics

MIN_CORRECTED = 4
LONG_WORD = 8

# Vocabularies held in memory, all fields and segments together. A field whose words
# would not fit is searched through Whoosh's on-disk term table instead (slower, but
# bounded by the budget's deadline). Each word costs its str object plus a list slot:
# the bundled practices' five fields (7,240 words) take about 0.5 MB.
MAX_VOCABULARY_BYTES = 32 * 1024 * 1024
LIST_SLOT_BYTES = 8

# (segment id, field) -> (words, bytes); words None when the field is too big to hold.
_vocabularies: OrderedDict[tuple[str, str], tuple[tuple[str, ...] | None, int]] = OrderedDict()
_vocabulary_bytes = 0
_lock = threading.Lock()


def max_edits(word: str) -> int:
    """How many edits a correction of ``word`` may make (0: too short to correct).

    >>> [max_edits(w) for w in ("ulica", "zastępczych", "dom")]
    [1, 2, 0]
    """
    if len(word) < MIN_CORRECTED:
        return 0
    return 1 if len(word) < LONG_WORD else 2


def corrections(context: QueryContext, words: Iterable[str]) -> dict[str, str]:
    """The corrections of the unknown ``words`` (lowercase, in query order): {word: correction}.

    A query with more unknown words than the budget's corrections is not a
    query with a typo or two (random letters, codes, a foreign text): none of
    its words is corrected, and the costly search for the nearest words is
    never started. Past the budget otherwise the remaining words stay as typed.
    """
    if not context.folded:
        return {}
    budget = context.budget
    unknown = dict.fromkeys(unknown_words(context, words))
    if len(unknown) > budget.max_corrections:
        budget.exhausted = True
        return {}
    found = {}
    for word in unknown:
        correction = nearest_word(context, word)
        if correction is not None:
            found[word] = correction
    return found


def unknown_words(context: QueryContext, words: Iterable[str]) -> list[str]:
    """The ``words`` worth correcting: long enough, and unknown to Morfeusz and the index.

    Two look-ups a word; the words past the budget are not looked at.
    """
    stopwords = load_stopwords()
    budget = context.budget
    found = []
    for word in words:
        if max_edits(word) == 0 or word in stopwords or not budget.fits(word):
            continue
        if not budget.spend_lookups(2):
            break
        if not (is_dictionary_word(word) or is_known(context, word)):
            found.append(word)
    return found


def is_known(context: QueryContext, word: str) -> bool:
    """Whether the index has the word folded or as its analysed form."""
    if (FOLDED_FIELD, fold(word)) in context.reader:
        return True
    return in_text_fields(context, word)


def nearest_word(context: QueryContext, word: str) -> str | None:
    """The most frequent index word at the smallest edit distance, if within reach.

    Candidates are the folded field's words (compared folded), given back their
    Polish letters ("zastepczych" -> "zastępczych"), and the text fields' terms
    (lemmas); at the same distance a word as the texts write it goes first.
    None also when the budget runs out before the search is complete: a
    correction from part of the vocabulary could be a worse one.
    """
    budget = context.budget
    if not budget.spend_correction():
        return None
    reader = context.reader
    lookups = [(FOLDED_FIELD, fold(word))] + [(name, word) for name in TEXT_FIELDS]
    for distance in range(1, max_edits(word) + 1):
        automata: dict[str, DFA] = {}
        found: set[tuple[bool, int, str, str]] = set()
        for name, text in lookups:
            if not budget.time_left():
                return None
            if text not in automata:
                automata[text] = lev.levenshtein_automaton(text, distance).to_dfa()
            found.update(
                (name == FOLDED_FIELD, reader.doc_frequency(name, term), term, name)
                for term in terms_within(reader, name, text, distance, automata[text])
                if term not in (word, fold(word))
            )
            if distance == 1:
                found.update(
                    (name == FOLDED_FIELD, reader.doc_frequency(name, term), term, name)
                    for term in transpositions(text)
                    if term not in (word, fold(word)) and (name, term) in reader
                )
        if found:
            *_rank, term, name = max(found)
            if name == FOLDED_FIELD and (fold(word) != word or not is_dictionary_word(term)):
                # A folded word: given back its Polish letters ("zastepczych", and
                # "szkuł" -> "szkół"). Typed without Polish letters, one that is a word
                # as it is ("bibloteka" -> "biblioteka") stays: the nearest to what was
                # typed, not "biblioteką".
                candidates = with_diacritics(term, budget)
                term = best_spelling(context, candidates) if candidates else term
            return term
    return None


def transpositions(word: str) -> set[str]:
    """``word`` with two neighbouring letters swapped, each way: one slip of the fingers,
    which Levenshtein counts as two edits ("rodizny" for "rodziny").

    >>> sorted(transpositions("abc"))
    ['acb', 'bac']
    """
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)} - {word}


def terms_within(reader: IndexReader, name: str, text: str, distance: int, dfa: DFA) -> set[str]:
    """The field's words within ``distance`` edits of ``text`` (``dfa`` accepts exactly those)."""
    found: set[str] = set()
    for leaf, _offset in reader.leaf_readers():
        words = _vocabulary(leaf, name)
        if words is None:
            found.update(leaf.terms_within(name, text, distance))
        else:
            found.update(_accepted(dfa, words))
    return found


def _accepted(dfa: DFA, words: tuple[str, ...]) -> Iterator[str]:
    """The sorted ``words`` the automaton accepts, skipping between them as Whoosh does.

    The same walk as ``whoosh.codec.base.Automata.find_matches``, with a binary
    search in memory where Whoosh seeks in its on-disk term table.
    """
    if not words:
        return
    position = 0
    match = dfa.next_valid_string(words[0])
    while match:
        position = bisect_left(words, match, position)
        if position == len(words):
            return
        word = words[position]
        if match == word:
            yield match
            word += "\0"
        match = dfa.next_valid_string(word)


def _vocabulary(leaf: IndexReader, name: str) -> tuple[str, ...] | None:
    """The segment's words of field ``name`` in order, or None if they are not held in memory.

    A segment never changes once written, so its words are read once per
    process, keyed by the segment's id; the least recently used go first when
    the vocabularies would take more than :data:`MAX_VOCABULARY_BYTES`.
    """
    global _vocabulary_bytes
    segment = leaf.segment()
    if segment is None or name not in leaf.schema:
        return None
    key = (segment.segment_id(), name)
    with _lock:
        if key in _vocabularies:
            _vocabularies.move_to_end(key)
            return _vocabularies[key][0]
    words, size = _read_words(leaf, leaf.schema[name].spelling_fieldname(name))
    with _lock:
        if key not in _vocabularies:
            _vocabularies[key] = (words, size)
            _vocabulary_bytes += size
        while _vocabulary_bytes > MAX_VOCABULARY_BYTES and len(_vocabularies) > 1:
            _old_key, (_old, old_size) = _vocabularies.popitem(last=False)
            _vocabulary_bytes -= old_size
    return words


def _read_words(leaf: IndexReader, name: str) -> tuple[tuple[str, ...] | None, int]:
    """The field's words (in Whoosh's order, which is code-point order) and their size.

    (None, 0) for a vocabulary too big to hold: reading stops at the limit.
    """
    from_bytes = leaf.schema[name].from_bytes
    words: list[str] = []
    size = 0
    for btext in leaf.lexicon(name):
        word = from_bytes(btext)
        size += sys.getsizeof(word) + LIST_SLOT_BYTES
        if size > MAX_VOCABULARY_BYTES:
            return None, 0
        words.append(word)
    return tuple(words), size


def clear() -> None:
    """Forget every vocabulary held in memory (for tests and benchmarks)."""
    global _vocabulary_bytes
    with _lock:
        _vocabularies.clear()
        _vocabulary_bytes = 0
