"""Search-as-you-type: phrases and practice titles completing what the user is typing.

The last typed word is completed in the context of the words before it, from the
words and collocations (two or three words; stopwords inside, never at the ends)
of the indexed texts: title, summary and body. "budżet ob" offers "budżet
obywatelski", not every word starting with "ob". Phrases are ranked by document
frequency and shown as the texts spell them (the most frequent spelling), never
as stems or lemmas. Matching ignores case and Polish diacritics; a typed context
word matches a phrase word of the same Morfeusz lemma, so "rodziny zast" finds
"rodzina zastępcza", or - for words Morfeusz does not know, such as inflected
words typed without diacritics - one differing only in a short ending.

Titles are offered only when they contain every typed word (the last one as a
prefix): a title sharing just the word being typed is rarely what is meant.

Cost, measured on bench.synthetic collections (2 shared cores): counting takes
~0.7 ms per practice, so past :data:`COUNTED_PRACTICES` an even sample is counted;
at most :data:`COUNT_CAP` candidates are held (the rarest dropped when it fills, as
in lossy counting) and the :data:`VOCABULARY_CAP` most frequent kept. At 10,000
practices building takes 4-6 s (1.5-2 s of it Morfeusz lemmas of the kept words)
and the vocabulary holds 60,000 phrases and 10,000 titles in 22 MB (tracemalloc;
peak 54 MB while counting); at 100,000, 11 s and 43 MB (peak 65 MB): past the
sample only the titles grow, packed one after another (:class:`PackedStrings`),
and nothing allocated while counting outlives the count. A keystroke takes
0.1-1 ms (4 ms at worst at 100,000: a stopword in most titles): phrases are looked
up by the first letters of their first word (a common prefix keeps its
:data:`POPULAR` most frequent), titles through an index of their words, so no
keystroke scans the vocabulary.
"""

from __future__ import annotations

import heapq
import os
import re
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, NamedTuple

from whoosh.searching import Searcher

from analyzers import fold
from analyzers.lemmas import best_lemma, lemmas
from analyzers.polish import load_stopwords
from search_app.engine.packed import PackedStrings

MIN_PREFIX = 2
TITLE_LIMIT = 5
TERM_LIMIT = 6
MAX_PHRASE_WORDS = 3
# Phrase ends shorter than this are mostly abbreviations and particles ("ul", "nr").
MIN_END_LETTERS = 3
# Phrases are indexed by this many first letters of their first word (and of its lemma):
# every pair of words matched as inflections of one another shares them.
KEY_LETTERS = 4
# Words Morfeusz cannot tell apart (typed without diacritics, names) match when they
# differ only in an ending of at most this many letters: "budzetu" ~ "budżet".
ENDING_LETTERS = 3
# Candidate words and phrases held while counting, and phrases kept in the vocabulary.
COUNT_CAP = 400_000
VOCABULARY_CAP = 60_000
# A two-word phrase almost always followed by the same word is shown only as the three
# ("ośrodek pomocy" -> "ośrodek pomocy społecznej"), once that is not chance.
SUBSUMED_SHARE = 0.8
SUBSUMED_MIN_DF = 3
MIN_TRIPLE_DF = 2
# Counting is the cost (see above): larger collections are sampled, very long bodies cut.
COUNTED_PRACTICES = 5_000
COUNTED_BODY_CHARS = 20_000
# A prefix starting more phrases than this keeps its most frequent ones, so that a
# keystroke ranks at most that many.
SCANNED = 1_000
POPULAR = 200

# Query words as typed (digits included), and the letters-only words phrases are made of.
QUERY_WORD = re.compile(r"\w+(?:-\w+)*")
LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Phrases never span punctuation, numbers or a dash between spaces.
BREAK = re.compile(r"[^\w\s-]|[\d_]|\s-+\s|^-|-$")


class Phrase(NamedTuple):
    """A word or collocation of the texts, with what it is matched and grouped by."""

    text: str  # as shown: "budżet obywatelski"
    words: tuple[str, ...]  # folded: ("budzet", "obywatelski")
    lemmas: tuple[str, ...]  # folded lemmas: its forms ("budżetu obywatelskiego") share them
    df: int  # practices containing it


@dataclass
class Vocabulary:
    """What suggestions are drawn from; built once per index generation."""

    phrases: list[Phrase] = field(default_factory=list)  # sorted by first word, then -df
    firsts: list[str] = field(default_factory=list)  # phrases[i].words[0], for bisect
    by_key: dict[str, array] = field(default_factory=dict)  # first letters -> phrase indices
    popular: dict[str, array] = field(default_factory=dict)  # common prefix -> top phrases
    titles: PackedStrings = field(default_factory=PackedStrings)  # in title order
    title_ids: PackedStrings = field(default_factory=PackedStrings)  # practice id, per title
    title_text: PackedStrings = field(default_factory=PackedStrings)  # " " + folded words
    postings: dict[str, array] = field(default_factory=dict)  # folded word -> title indices
    title_vocabulary: list[str] = field(default_factory=list)  # sorted folded title words
    title_keys: dict[str, list[str]] = field(default_factory=dict)  # first letters -> words
    lemma_of: dict[str, str] = field(default_factory=dict)  # folded title word -> lemma
    documents: int = 0


class _Typed(NamedTuple):
    word: str  # folded
    lemmas: tuple[str, ...]  # its candidate lemmas, folded: texts' words carry their best one


def build_vocabulary(searcher: Searcher) -> Vocabulary:
    """Count the words and phrases of the stored practices; index them and every title.

    Past :data:`COUNTED_PRACTICES`, an even sample of the practices is counted: the
    phrases worth offering are frequent enough to show in it, and counting is the cost.
    """
    counter = _PhraseCounter(load_stopwords())
    every = max(1, -(-searcher.doc_count() // COUNTED_PRACTICES))  # ceiling
    ids, titles = PackedStrings(), PackedStrings()
    for number, stored in enumerate(searcher.all_stored_fields()):
        record = stored["record"]
        ids.append(record["id"])
        titles.append(record["title"])
        if number % every == 0:
            body = (record.get("body") or "")[:COUNTED_BODY_CHARS]
            counter.add((record["title"], record.get("summary") or "", body))
    kept = _Kept.of(counter)
    vocabulary = Vocabulary(documents=counter.documents)
    # Counting allocated and freed hundreds of thousands of small strings; the kept
    # phrases are packed first, so that no string of the count outlives it and the
    # memory it took can be reused (built over 100,000 practices, 33 MB less RSS).
    del counter
    interned: dict[str, str] = {}  # one string per distinct word, shared by its phrases
    _index_phrases(vocabulary, kept, interned)
    _index_titles(vocabulary, ids, titles, interned)
    return vocabulary


def suggest(vocabulary: Vocabulary, text: str) -> dict[str, Any]:
    """Phrases completing the typed text and titles containing every typed word.

    Text ending in a space asks for the words that follow the typed ones.
    """
    empty: dict[str, Any] = {"query": text, "titles": [], "terms": []}
    matches = list(QUERY_WORD.finditer(text))
    if not matches:
        return empty
    if text[-1].isspace():
        context, last = matches, ""
    else:
        context, last = matches[:-1], fold(matches[-1].group())
        if len(last) < MIN_PREFIX:
            return empty
    typed = [_typed(m.group()) for m in context]
    return {
        "query": text,
        "titles": _titles(vocabulary, typed, last),
        "terms": _terms(vocabulary, text[: matches[-1].start()], context, typed, last),
    }


# -- counting -------------------------------------------------------------------------


class _PhraseCounter:
    """Document frequencies of words and phrases, in bounded memory.

    When more than :data:`COUNT_CAP` are held, the rarest are dropped until half
    remain (lossy counting): a phrase dropped early and seen again later is
    undercounted, which only matters for phrases too rare to be offered anyway.
    """

    def __init__(self, stopwords: frozenset[str]) -> None:
        self.stopwords = stopwords
        self.df: Counter[str] = Counter()
        # Practices writing a phrase only with capitals mid-sentence ("Ośrodek Pomocy
        # Społecznej", "MOPS"), and how: shown so when most practices write it so.
        self.capitalised: Counter[str] = Counter()
        self.cased: dict[str, str] = {}
        self.documents = 0

    def add(self, texts: Iterable[str]) -> None:
        """Count one practice's words and phrases (each once per practice)."""
        lowercase: set[str] = set()  # written in lowercase at least once
        capitalised: dict[str, str] = {}  # written with capitals, and how
        for text in texts:
            for segment in BREAK.split(text):
                words = LETTERS.findall(segment)
                if words:
                    self._segment(words, lowercase, capitalised)
        self.df.update(lowercase.union(capitalised))
        for key in capitalised.keys() - lowercase:
            self.capitalised[key] += 1
            self.cased[key] = capitalised[key]
        self.documents += 1
        if len(self.df) > COUNT_CAP:
            self._prune()

    def _segment(self, words: list[str], lowercase: set[str], capitalised: dict[str, str]) -> None:
        """The words and phrases of a run of words without punctuation."""
        lower = [w.lower() for w in words]
        stopwords = self.stopwords
        ends = [len(w) >= MIN_END_LETTERS and w not in stopwords for w in lower]
        capital = [w != low for w, low in zip(words, lower, strict=True)]
        # A capital starting a sentence says nothing, unless a name goes on ("Miejski Ośrodek").
        capital[0] = capital[0] and len(words) > 1 and capital[1]
        if not any(capital):  # the common case, in comprehensions (this loop is the cost)
            lowercase.update([w for w, end in zip(lower, ends, strict=True) if end])
            lowercase.update(
                [
                    f"{a} {b}"
                    for a, b, end_a, end_b in zip(lower, lower[1:], ends, ends[1:], strict=False)
                    if end_a and end_b
                ]
            )
            lowercase.update(
                [
                    f"{a} {b} {c}"
                    for a, b, c, end_a, end_c in zip(
                        lower, lower[1:], lower[2:], ends, ends[2:], strict=False
                    )
                    if end_a and end_c
                ]
            )
            return
        shown = [w if cap else low for w, low, cap in zip(words, lower, capital, strict=True)]
        n = len(lower)
        for size in range(1, MAX_PHRASE_WORDS + 1):
            for i in range(n - size + 1):
                if ends[i] and ends[i + size - 1]:
                    key = " ".join(lower[i : i + size])
                    if any(capital[i : i + size]):
                        capitalised[key] = " ".join(shown[i : i + size])
                    else:
                        lowercase.add(key)

    def _prune(self) -> None:
        """Drop the rarest phrases until at most half of the cap remain."""
        keep = COUNT_CAP // 2
        left, threshold = len(self.df), 0
        for df, count in sorted(Counter(self.df.values()).items()):
            if left <= keep:
                break
            left, threshold = left - count, df
        self.df = Counter({k: v for k, v in self.df.items() if v > threshold})
        self.capitalised = Counter({k: v for k, v in self.capitalised.items() if k in self.df})
        self.cased = {k: v for k, v in self.cased.items() if k in self.capitalised}

    def shown(self, key: str) -> str:
        """The phrase as the texts mostly write it: with capitals if most practices do."""
        if self.capitalised[key] * 2 > self.df[key]:
            return self.cased[key]
        return key

    def kept(self) -> list[tuple[str, int]]:
        """The most frequent phrases, at most :data:`VOCABULARY_CAP`, minus subsumed ones.

        Three-word phrases must occur in two practices: once is chance, not a collocation.
        Single words and pairs may not, so that a small collection offers them at all.
        """
        df = self.df
        ranked = [
            (k, v)
            for k, v in df.items()
            if (v >= MIN_TRIPLE_DF or k.count(" ") < 2) and not _repeats(k.split(" "))
        ]
        if len(ranked) > VOCABULARY_CAP:
            ranked = heapq.nsmallest(VOCABULARY_CAP, ranked, key=lambda kv: (-kv[1], kv[0]))
        subsumed = set()
        for key, count in ranked:
            head, space, _last = key.rpartition(" ")
            if space and head.count(" ") == 1:  # a three-word phrase
                if df[head] >= SUBSUMED_MIN_DF and count >= SUBSUMED_SHARE * df[head]:
                    subsumed.add(head)
        return [(key, count) for key, count in ranked if key not in subsumed]


def _repeats(words: list[str]) -> bool:
    """Whether a phrase repeats a word ("pomocy pomocy"): a slip, not a collocation."""
    return len(set(words)) < len(words)


# -- indexing -------------------------------------------------------------------------


@dataclass
class _Kept:
    """The phrases a count keeps, packed: their keys, how they are shown, their df."""

    keys: PackedStrings
    shown: PackedStrings
    df: array

    @classmethod
    def of(cls, counter: _PhraseCounter) -> _Kept:
        kept = counter.kept()
        return cls(
            PackedStrings(key for key, _df in kept),
            PackedStrings(counter.shown(key) for key, _df in kept),
            array("I", (df for _key, df in kept)),
        )


def _index_phrases(vocabulary: Vocabulary, kept: _Kept, interned: dict[str, str]) -> None:
    words: dict[str, tuple[str, str]] = {}  # lowercase -> (folded, folded lemma)

    def analysed(word: str) -> tuple[str, str]:
        if word not in words:
            folded, lemma = fold(word), fold(best_lemma(word))
            words[word] = (interned.setdefault(folded, folded), interned.setdefault(lemma, lemma))
        return words[word]

    phrases = []
    for i, df in enumerate(kept.df):
        parts = [analysed(w) for w in kept.keys[i].split(" ")]
        folded = tuple(p[0] for p in parts)
        phrases.append(Phrase(kept.shown[i], folded, tuple(p[1] for p in parts), df))
    phrases.sort(key=lambda p: (p.words[0], -p.df, p.text))
    by_key: dict[str, array] = {}
    for i, phrase in enumerate(phrases):
        for key in {phrase.words[0][:KEY_LETTERS], phrase.lemmas[0][:KEY_LETTERS]}:
            bucket = by_key.get(key)
            if bucket is None:
                bucket = by_key[key] = array("I")
            bucket.append(i)
    vocabulary.phrases = phrases
    vocabulary.firsts = [p.words[0] for p in phrases]
    vocabulary.by_key = by_key
    vocabulary.popular = _popular(phrases, vocabulary.firsts)


def _popular(phrases: list[Phrase], firsts: list[str]) -> dict[str, array]:
    """The most frequent phrases of each prefix that starts more than :data:`SCANNED`."""
    popular: dict[str, array] = {}
    length = MIN_PREFIX
    while True:
        big = False
        for prefix, run in groupby(range(len(firsts)), key=lambda i: firsts[i][:length]):
            indices = list(run)
            if len(prefix) == length and len(indices) > SCANNED:
                top = heapq.nsmallest(POPULAR, indices, key=lambda i: (-phrases[i].df, i))
                popular[prefix] = array("I", sorted(top))
                big = True
        if not big:
            return popular
        length += 1


def _index_titles(
    vocabulary: Vocabulary, ids: PackedStrings, titles: PackedStrings, interned: dict[str, str]
) -> None:
    order = sorted(range(len(titles)), key=lambda i: (fold(titles[i]), ids[i]))
    postings: dict[str, array] = {}
    lemma_of: dict[str, str] = {}
    folded_of: dict[str, str] = {}  # lowercase -> folded: each distinct word analysed once

    def folded(lower: str) -> str:
        key = folded_of.get(lower)
        if key is None:
            key = fold(lower)
            key = folded_of[lower] = interned.setdefault(key, key)
            if key not in lemma_of:
                lemma = fold(best_lemma(lower))
                lemma_of[key] = interned.setdefault(lemma, lemma)
        return key

    texts = PackedStrings()
    for i, title in enumerate(titles[n] for n in order):
        words = [folded(w) for w in QUERY_WORD.findall(title.lower())]
        for key in set(words):
            posting = postings.get(key)
            if posting is None:
                posting = postings[key] = array("I")
            posting.append(i)
        texts.append(" " + " ".join(words))
    vocabulary.title_text = texts
    title_keys: dict[str, list[str]] = {}
    for word, lemma in lemma_of.items():
        for key in {word[:KEY_LETTERS], lemma[:KEY_LETTERS]}:
            title_keys.setdefault(key, []).append(word)
    vocabulary.titles = PackedStrings(titles[n] for n in order)
    vocabulary.title_ids = PackedStrings(ids[n] for n in order)
    vocabulary.postings = postings
    vocabulary.title_vocabulary = sorted(postings)
    vocabulary.title_keys = title_keys
    vocabulary.lemma_of = lemma_of


# -- matching -------------------------------------------------------------------------


def _typed(word: str) -> _Typed:
    lower = word.lower()
    if lower in load_stopwords():  # only itself: "nie" is not "nimi", though its lemma is
        return _Typed(fold(lower), ())
    return _Typed(fold(lower), tuple(dict.fromkeys(fold(lemma) for lemma in lemmas(lower))))


def _keys(typed: _Typed) -> set[str]:
    """The first letters text words matching ``typed`` are indexed by (see :func:`_match`)."""
    return {typed.word[:KEY_LETTERS]} | {lemma[:KEY_LETTERS] for lemma in typed.lemmas}


def _match(typed: _Typed, word: str, lemma: str) -> int | None:
    """How well a text word matches a typed one: 0 the same, 1 the same lemma, 2 the same
    but for a short ending (words Morfeusz does not know), None not at all."""
    if word == typed.word:
        return 0
    if lemma in typed.lemmas:
        return 1
    shared = len(os.path.commonprefix((word, typed.word)))
    if shared >= KEY_LETTERS and shared >= max(len(word), len(typed.word)) - ENDING_LETTERS:
        return 2
    return None


def _terms(
    vocabulary: Vocabulary,
    before: str,
    context: list[re.Match[str]],
    typed: list[_Typed],
    last: str,
) -> list[dict[str, str]]:
    """Phrases continuing the last typed words, each as a whole query.

    Phrases continuing two typed words are offered if any phrase matches them (even
    one typed in full already), else those continuing one, else completions of the
    last word on its own (``before`` is the text typed before it). The typed context
    words are replaced by the phrase as the texts spell it ("budzet ob" -> "budżet
    obywatelski"); words typed before it stay.
    """
    terms: dict[str, dict[str, str]] = {}

    def offer(phrases: Iterable[Phrase], head: str) -> None:
        for phrase in phrases:
            query = head + phrase.text
            terms.setdefault(fold(query), {"term": phrase.text, "query": query})

    for used in range(min(len(typed), MAX_PHRASE_WORDS - 1), 0, -1):
        head = before[: context[len(context) - used].start()]
        phrases, matched = _continuations(vocabulary, typed[-used:], last)
        offer(phrases, head)
        if matched:
            return list(terms.values())[:TERM_LIMIT]
    if last:
        offer(_completions(vocabulary, last), before)
    return list(terms.values())[:TERM_LIMIT]


def _continuations(
    vocabulary: Vocabulary, typed: list[_Typed], last: str
) -> tuple[list[Phrase], bool]:
    """Phrases whose first words match the typed ones and whose next one starts with
    ``last``, and whether any phrase matched (even if typed in full).

    Matches by the same word or lemma go first; matches by a shared stem alone are
    offered only when there are none. A phrase typed in full already is not offered,
    nor are its other forms ("rodziny zastępcze" does not offer "rodzinie zastępczej").
    """
    used = len(typed)
    first = typed[0]
    if first.word in load_stopwords():
        return [], False  # no phrase starts with one
    candidates: set[int] = set()
    for key in _keys(first):
        candidates.update(vocabulary.by_key.get(key, ()))
    found: list[tuple[int, Phrase]] = []
    typed_in_full = set()
    for i in candidates:
        phrase = vocabulary.phrases[i]
        words = phrase.words
        if len(words) <= used or not words[used].startswith(last):
            continue
        worst = 0
        for t, word, lemma in zip(typed, words, phrase.lemmas, strict=False):
            level = _match(t, word, lemma)
            if level is None:
                break
            worst = max(worst, level)
        else:
            if len(words) == used + 1 and words[used] == last:
                typed_in_full.add(phrase.lemmas)
            else:
                found.append((worst, phrase))
    if any(level < 2 for level, _p in found):
        found = [(level, p) for level, p in found if level < 2]
    return _ranked(found, typed_in_full), bool(found or typed_in_full)


def _completions(vocabulary: Vocabulary, prefix: str) -> list[Phrase]:
    """Words and phrases whose first word starts with ``prefix`` (not the word typed in full,
    nor its other forms)."""
    candidates: Iterable[Phrase]
    if prefix in vocabulary.popular:
        candidates = (vocabulary.phrases[i] for i in vocabulary.popular[prefix])
    else:  # at most SCANNED phrases
        firsts = vocabulary.firsts
        start = bisect_left(firsts, prefix)
        end = bisect_left(firsts, prefix + "\U0010ffff", start)
        candidates = vocabulary.phrases[start:end]
    found = []
    typed_in_full = set()
    for phrase in candidates:
        if phrase.words == (prefix,):
            typed_in_full.add(phrase.lemmas)
        else:
            found.append((0, phrase))
    return _ranked(found, typed_in_full)


def _ranked(found: list[tuple[int, Phrase]], left_out: set[tuple[str, ...]]) -> list[Phrase]:
    """One phrase per lemma sequence (its forms are one suggestion), the most frequent
    first, shown in the best-matching form and then the most frequent one."""
    groups: dict[tuple[str, ...], list[Any]] = {}  # lemmas -> [df, best (level, -df, text)]
    for level, phrase in found:
        if phrase.lemmas in left_out:
            continue
        rank = (level, -phrase.df, phrase.text)
        group = groups.get(phrase.lemmas)
        if group is None:
            groups[phrase.lemmas] = [phrase.df, rank, phrase]
        else:
            group[0] += phrase.df  # forms seldom share a practice: the sum stands for the df
            if rank < group[1]:
                group[1], group[2] = rank, phrase
    best = heapq.nsmallest(TERM_LIMIT, groups.values(), key=lambda g: (-g[0], g[1]))
    return [group[2] for group in best]


def _titles(vocabulary: Vocabulary, typed: list[_Typed], last: str) -> list[dict[str, str]]:
    """Titles containing every typed word (the last as a word prefix), in title order."""
    chosen: Iterable[int]
    if typed:
        candidates: set[int] | None = None
        for t in typed:
            having = _titles_with(vocabulary, t)
            candidates = having if candidates is None else candidates & having
            if not candidates:
                return []
        assert candidates is not None
        needle = " " + last
        chosen = (i for i in sorted(candidates) if vocabulary.title_text.contains(i, needle))
    else:
        chosen = _titles_with_prefix(vocabulary, last)
    found = []
    for i in chosen:
        found.append({"id": vocabulary.title_ids[i], "title": vocabulary.titles[i]})
        if len(found) == TITLE_LIMIT:
            break
    return found


def _titles_with(vocabulary: Vocabulary, typed: _Typed) -> set[int]:
    """Titles with a word matching a typed one (the same word, lemma or stem)."""
    words: set[str] = set()
    for key in _keys(typed):
        words.update(vocabulary.title_keys.get(key, ()))
    having: set[int] = set()
    for word in words:
        if _match(typed, word, vocabulary.lemma_of[word]) is not None:
            having.update(vocabulary.postings[word])
    return having


def _titles_with_prefix(vocabulary: Vocabulary, prefix: str) -> Iterator[int]:
    """Titles with a word starting with ``prefix``, in title order, each once."""
    words = vocabulary.title_vocabulary
    start = bisect_left(words, prefix)
    end = bisect_left(words, prefix + "\U0010ffff", start)
    previous = -1
    for i in heapq.merge(*(vocabulary.postings[w] for w in words[start:end])):
        if i != previous:
            yield i
            previous = i
