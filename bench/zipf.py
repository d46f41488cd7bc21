"""Realistic traffic for the HTTP benchmark: a ranked list of distinct requests, replayed.

Real visitors ask for a few things very often (the home page, a popular query,
a big category) and for a long tail once each. :func:`request_log` makes a few
thousand distinct requests that mix what the site answers — searches of every
query kind of :data:`bench.queries.TRAFFIC_KINDS`, on the search page and in
the API, the home page, a category, a voivodeship picked on the map, filtered
browsing in the API, practice pages and search-as-you-type — ranked by
popularity. :func:`zipf_sequence` replays them with frequencies 1/rank^s (a
warm cache: the head repeats), :func:`uniform_sequence` each about once (a cold
cache). The same seed always gives the same requests in the same order.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from bench.queries import TRAFFIC_KINDS, random_filters, traffic_query
from bench.synthetic import CATEGORIES, GAZETTEER

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """One GET: its path with the query string, and what kind of visit it is."""

    path: str
    kind: str


# Shares of the distinct requests by kind; the query kinds share SEARCH_SHARE as
# TRAFFIC_KINDS says. Kinds with few possible requests (the home page, categories,
# voivodeships) take what exists and leave the rest to searches.
SEARCH_SHARE = 0.50
BROWSE_SHARES: dict[str, float] = {
    "category": 0.03,
    "voivodeship": 0.03,
    "api filtered": 0.07,
    "practice": 0.22,
    "suggest": 0.15,
}
# Share of searches sent to the search page ("/?q=") rather than to /api/search.
SEARCH_PAGE_SHARE = 0.5
HOME = Request("/", "home")


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    """Weights 1/rank^s of ranks 1..n.

    >>> zipf_weights(3)
    [1.0, 0.5, 0.3333333333333333]
    """
    return [1.0 / rank**s for rank in range(1, n + 1)]


def zipf_sequence(distinct: Sequence[T], count: int, s: float = 1.0, seed: int = 0) -> list[T]:
    """``count`` items drawn from ``distinct`` (most popular first) with weights 1/rank^s."""
    if not distinct:
        return []
    rng = random.Random(seed)
    cumulative = list(itertools.accumulate(zipf_weights(len(distinct), s)))
    return rng.choices(distinct, cum_weights=cumulative, k=count)


def uniform_sequence(distinct: Sequence[T], count: int, seed: int = 0) -> list[T]:
    """``count`` items, each of ``distinct`` about ``count / len(distinct)`` times, shuffled.

    With ``count <= len(distinct)`` every item comes at most once: nothing repeats.
    """
    if not distinct:
        return []
    rng = random.Random(seed)
    out: list[T] = []
    while len(out) < count:
        batch = list(distinct)
        rng.shuffle(batch)
        out.extend(batch[: count - len(out)])
    return out


def hit_rate_bound(sequence: Sequence[object]) -> float:
    """The share of repeats in ``sequence``: the hit rate of an unbounded shared cache.

    >>> hit_rate_bound(["a", "b", "a", "a"])
    0.5
    """
    return 1 - len(set(sequence)) / len(sequence) if sequence else 0.0


def request_log(
    words: Sequence[str],
    practice_ids: Sequence[str],
    distinct: int = 3000,
    seed: int = 0,
) -> list[Request]:
    """``distinct`` different requests, most popular first (the home page leads).

    ``words`` is what people type (queries and suggest prefixes are made of it),
    ``practice_ids`` the practices that exist (for their pages).
    """
    rng = random.Random(seed)
    word_list = list(words)
    makers: dict[str, Callable[[], Request]] = {
        kind: _search_maker(rng, word_list, kind) for kind in TRAFFIC_KINDS
    }
    makers |= {
        "category": lambda: _page(
            "category",
            [("category", rng.choice(CATEGORIES)[0])]
            + (
                [("voivodeship", rng.choice(sorted(GAZETTEER)))]
                if rng.random() < 0.5
                else _maybe_page(rng)  # a later page only of a whole category: it exists
            ),
        ),
        "voivodeship": lambda: _page(
            "voivodeship", [("voivodeship", rng.choice(sorted(GAZETTEER)))] + _maybe_page(rng)
        ),
        "api filtered": lambda: Request(
            "/api/search?"
            + urlencode(
                [("q", ""), ("sort", "newest")]
                + [(name, v) for name, values in random_filters(rng).items() for v in values]
                + _maybe_page(rng)
            ),
            "api filtered",
        ),
        "practice": lambda: Request(f"/praktyka/{rng.choice(practice_ids)}", "practice"),
        "suggest": lambda: Request(
            "/api/suggest?" + urlencode({"q": _prefix(rng, word_list)}), "suggest"
        ),
    }
    shares = {kind: SEARCH_SHARE * share for kind, share in TRAFFIC_KINDS.items()}
    shares |= BROWSE_SHARES
    if not practice_ids:
        shares.pop("practice")
    seen = {HOME.path}
    chosen = [HOME]
    for kind, share in shares.items():
        target, tries = round(share * distinct), 0
        taken = 0
        while taken < target and tries < 20 * target:
            tries += 1
            request = makers[kind]()
            if request.path not in seen:
                seen.add(request.path)
                chosen.append(request)
                taken += 1
    search_kinds = list(TRAFFIC_KINDS)
    search_weights = list(TRAFFIC_KINDS.values())
    tries = 0
    while len(chosen) < distinct and tries < 50 * distinct:  # the few kinds ran out: searches
        tries += 1
        request = makers[rng.choices(search_kinds, weights=search_weights)[0]]()
        if request.path not in seen:
            seen.add(request.path)
            chosen.append(request)
    rest = chosen[1:distinct]
    rng.shuffle(rest)
    return [HOME, *rest][:distinct]


def _search_maker(rng: random.Random, words: list[str], kind: str) -> Callable[[], Request]:
    def make() -> Request:
        query = traffic_query(rng, words, kind)
        if rng.random() < SEARCH_PAGE_SHARE:
            params = [("q", query.q)]
            params += [(name, v) for name, values in query.filters.items() for v in values]
            return Request("/?" + urlencode(params), kind)
        return Request("/api/search?" + urlencode(query.params()), kind)

    return make


def _page(kind: str, params: list[tuple[str, str]]) -> Request:
    return Request("/?" + urlencode(params), kind)


def _maybe_page(rng: random.Random) -> list[tuple[str, str]]:
    return [("page", str(rng.randint(2, 3)))] if rng.random() < 0.25 else []


def _prefix(rng: random.Random, words: list[str]) -> str:
    """What someone has typed so far: 2–6 letters of a word, sometimes after a whole word."""
    word = rng.choice(words)
    typed = word[: rng.randint(2, max(2, min(6, len(word))))]
    if rng.random() < 0.3:
        typed = f"{rng.choice(words)} {typed}"
    return typed


def endpoint(path: str) -> str:
    """The endpoint a path asks: "/", "/api/search", "/praktyka", "/api/suggest", ….

    >>> endpoint("/praktyka/syn-0-000001"), endpoint("/?q=szkoła"), endpoint("/healthz")
    ('/praktyka', '/', '/healthz')
    """
    bare = path.split("?", 1)[0]
    if bare.startswith("/praktyka/"):
        return "/praktyka"
    return bare
