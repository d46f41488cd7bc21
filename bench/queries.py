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
    words, _ = polish_vocabulary()
    searchable = list(words[50:5000]) + [w for t in TOPIC_WORDS.values() for w in t.split()]
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
