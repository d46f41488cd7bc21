"""A reproducible mixed query set: 1–5 words, phrases, filters, browsing, several pages."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.synthetic import CATEGORIES, GAZETTEER, TOPIC_WORDS, UNIT_TYPES, polish_vocabulary
from indexer.records import Practice


@dataclass(frozen=True)
class BenchQuery:
    """One request as the API receives it."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    sort: str = "relevance"
    kind: str = "words"

    def params(self) -> list[tuple[str, str]]:
        """The query string parameters of ``/api/search``."""
        items = [("q", self.q), ("page", str(self.page)), ("sort", self.sort)]
        for name, values in self.filters.items():
            items.extend((name, value) for value in values)
        return items


def query_set(practices: Iterable[Practice], count: int = 300, seed: int = 1) -> list[BenchQuery]:
    """``count`` queries; phrases are word pairs taken from the given practices' summaries."""
    rng = random.Random(seed)
    searchable = search_words()
    phrases = []
    for practice in practices:
        tokens = practice.summary.split()
        if len(tokens) > 3:
            i = rng.randrange(len(tokens) - 2)
            phrases.append(" ".join(t.strip(".").lower() for t in tokens[i : i + 2]))
        if len(phrases) >= count:
            break

    def words_query() -> str:
        return " ".join(rng.sample(searchable, rng.randint(1, 5)))

    def some_filters() -> dict[str, list[str]]:
        return random_filters(rng)

    queries = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.40:
            query = BenchQuery(q=words_query(), kind="words")
        elif roll < 0.55:
            query = BenchQuery(q=f'"{rng.choice(phrases)}"', kind="phrase")
        elif roll < 0.75:
            query = BenchQuery(q=words_query(), filters=some_filters(), kind="words+filters")
        elif roll < 0.85:
            query = BenchQuery(filters=some_filters(), sort="newest", kind="browse")
        else:
            query = BenchQuery(q=words_query(), page=rng.randint(2, 5), kind="page 2-5")
        queries.append(query)
    return queries


def search_words() -> list[str]:
    """What people type: common Polish word forms (the 50 most common skipped) and topic words."""
    words, _ = polish_vocabulary()
    return list(words[50:5000]) + [w for t in TOPIC_WORDS.values() for w in t.split()]


def random_filters(rng: random.Random) -> dict[str, list[str]]:
    """One to four facet filters, as a visitor combines them (never none)."""
    chosen: dict[str, list[str]] = {}
    if rng.random() < 0.6:
        chosen["voivodeship"] = rng.sample(sorted(GAZETTEER), rng.choice((1, 1, 2)))
    if rng.random() < 0.5:
        chosen["category"] = [rng.choice(CATEGORIES)[0]]
    if rng.random() < 0.3:
        chosen["unit_type"] = [rng.choice(list(UNIT_TYPES))]
    if rng.random() < 0.3:
        chosen["year"] = [str(rng.randint(2008, 2013))]
    return chosen or {"population": ["5k-20k"]}


# The kinds of query of real traffic (bench.zipf mixes them with browsing) and their shares.
TRAFFIC_KINDS: dict[str, float] = {
    "one word": 0.30,
    "multi-word": 0.25,
    "typo": 0.15,
    "no diacritics": 0.15,
    "filtered": 0.15,
}
DIACRITICS = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def strip_diacritics(text: str) -> str:
    """``text`` typed without Polish letters.

    >>> strip_diacritics("Pomoc społeczna w Łodzi")
    'Pomoc spoleczna w Lodzi'
    """
    return text.translate(DIACRITICS)


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one slip of the finger: two letters swapped, one dropped, doubled or
    replaced. Words under four letters are left alone (nobody searches by their typos)."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)  # the first letter is usually right
    slip = rng.randrange(4)
    if slip == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if slip == 1:
        return word[:i] + word[i + 1 :]
    if slip == 2:
        return word[:i] + word[i] + word[i:]
    letter = rng.choice([c for c in "aeiouyrstnklmpwz" if c != word[i]])
    return word[:i] + letter + word[i + 1 :]


def traffic_query(rng: random.Random, words: list[str], kind: str) -> BenchQuery:
    """One query of ``kind`` (a key of :data:`TRAFFIC_KINDS`) made of ``words``."""
    if kind == "one word":
        return BenchQuery(q=rng.choice(words), kind=kind)
    if kind == "multi-word":
        return BenchQuery(q=" ".join(rng.sample(words, rng.randint(2, 4))), kind=kind)
    if kind == "typo":
        chosen = rng.sample(words, rng.randint(1, 3))
        long = [i for i, w in enumerate(chosen) if len(w) >= 5] or [0]
        i = rng.choice(long)
        chosen[i] = typo(chosen[i], rng)
        return BenchQuery(q=" ".join(chosen), kind=kind)
    if kind == "no diacritics":
        polish = [w for w in words if strip_diacritics(w) != w] or words
        chosen = [rng.choice(polish), *rng.sample(words, rng.randint(0, 2))]
        rng.shuffle(chosen)
        return BenchQuery(q=strip_diacritics(" ".join(chosen)), kind=kind)
    if kind == "filtered":
        q = " ".join(rng.sample(words, rng.randint(1, 3)))
        return BenchQuery(q=q, filters=random_filters(rng), kind=kind)
    raise ValueError(f"unknown query kind {kind!r}")
