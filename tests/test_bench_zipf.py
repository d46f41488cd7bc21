"""The benchmark's realistic traffic (bench.zipf): Zipf replay, uniform replay, the request log."""

from __future__ import annotations

import math
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from bench.http_load import Sample, summarise
from bench.queries import TRAFFIC_KINDS, strip_diacritics, typo
from bench.zipf import (
    BROWSE_SHARES,
    HOME,
    hit_rate_bound,
    request_log,
    uniform_sequence,
    zipf_sequence,
    zipf_weights,
)

WORDS = (
    "szkoła pomoc społeczna rodziny zastępcze biblioteka gmina ośrodek kultury żłobek "
    "sport dróg budżet partycypacyjny mieszkańców seniorów wodociągów kanalizacji energii "
    "termomodernizacja oświetlenia organizacji pozarządowych związku porozumienia konsultacji "
    "zdrowia profilaktyki uczniów przedszkole festiwal teatr muzeum boisko basen odpadów"
).split()
IDS = [f"syn-0-{n:06d}" for n in range(1, 501)]


def test_zipf_frequencies_follow_one_over_rank():
    ranked = list(range(200))
    drawn = Counter(zipf_sequence(ranked, 60_000, s=1.0, seed=3))
    harmonic = sum(zipf_weights(200))
    for rank in (1, 2, 3, 5, 10):
        expected = 60_000 / rank / harmonic
        assert abs(drawn[rank - 1] - expected) < 0.1 * expected
    assert 1.8 < drawn[0] / drawn[1] < 2.2
    # The slope of log frequency against log rank over the first 50 ranks is about -s.
    xs = [math.log(r) for r in range(1, 51)]
    ys = [math.log(drawn[r - 1]) for r in range(1, 51)]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    assert -1.1 < slope < -0.9


def test_a_larger_exponent_makes_the_head_heavier():
    ranked = list(range(100))
    flat = Counter(zipf_sequence(ranked, 10_000, s=0.5, seed=1))
    steep = Counter(zipf_sequence(ranked, 10_000, s=1.5, seed=1))
    assert steep[0] > 2 * flat[0]


def test_sequences_are_deterministic_with_a_seed():
    ranked = list(range(1000))
    assert zipf_sequence(ranked, 500, seed=7) == zipf_sequence(ranked, 500, seed=7)
    assert zipf_sequence(ranked, 500, seed=7) != zipf_sequence(ranked, 500, seed=8)
    assert uniform_sequence(ranked, 500, seed=7) == uniform_sequence(ranked, 500, seed=7)
    assert zipf_sequence([], 10) == uniform_sequence([], 10) == []


def test_uniform_asks_each_request_about_once():
    ranked = list(range(300))
    once = uniform_sequence(ranked, 250, seed=2)
    assert len(once) == 250 and len(set(once)) == 250  # a cold cache: nothing repeats
    assert hit_rate_bound(once) == 0
    spread = Counter(uniform_sequence(ranked, 750, seed=2))
    assert set(spread) == set(ranked) and set(spread.values()) <= {2, 3}
    # The Zipf replay of the same requests repeats its head: a warm cache.
    assert hit_rate_bound(zipf_sequence(ranked, 750, seed=2)) > 0.5


def test_request_log_is_deterministic_distinct_and_ranked():
    log = request_log(WORDS, IDS, distinct=600, seed=5)
    assert log == request_log(WORDS, IDS, distinct=600, seed=5)
    assert log != request_log(WORDS, IDS, distinct=600, seed=6)
    assert len(log) == 600 and len({r.path for r in log}) == 600
    assert log[0] == HOME  # the most popular request


def test_request_log_mixes_every_kind():
    log = request_log(WORDS, IDS, distinct=1000, seed=1)
    kinds = Counter(r.kind for r in log)
    assert set(kinds) == {"home", *TRAFFIC_KINDS, *BROWSE_SHARES}
    searches = sum(kinds[k] for k in TRAFFIC_KINDS)
    assert 0.4 < searches / len(log) < 0.7
    paths = {urlsplit(r.path).path for r in log}
    assert {"/", "/api/search", "/api/suggest"} <= paths
    assert any(p.startswith("/praktyka/") for p in paths)
    for request in log:
        path = urlsplit(request.path)
        params = parse_qs(path.query, keep_blank_values=True)
        if request.kind == "practice":
            assert path.path.removeprefix("/praktyka/") in IDS
        elif request.kind == "category":
            assert path.path == "/" and "category" in params and "q" not in params
        elif request.kind == "voivodeship":
            assert path.path == "/" and "voivodeship" in params and "q" not in params
        elif request.kind == "api filtered":
            assert path.path == "/api/search" and params["q"] == [""] and len(params) > 2
        elif request.kind == "suggest":
            assert path.path == "/api/suggest" and len(params["q"][0]) >= 2
        elif request.kind == "no diacritics":
            assert strip_diacritics(params["q"][0]) == params["q"][0]
        elif request.kind == "filtered":
            assert params["q"][0] and set(params) - {"q", "page", "sort"}
        elif request.kind in TRAFFIC_KINDS:
            assert params["q"][0]
    # Every kind comes up in the replay too, with the home page the most frequent.
    replay = Counter(r.kind for r in zipf_sequence(log, 3000, seed=1))
    assert set(replay) == set(kinds)
    assert Counter(zipf_sequence(log, 3000, seed=1)).most_common(1)[0][0] == HOME


def test_typos_and_missing_diacritics():
    import random

    rng = random.Random(0)
    for word in ("zastępcze", "biblioteka", "rodziny"):
        slipped = typo(word, rng)
        assert slipped != word or len(set(word)) < len(word)  # a swap of equal letters
        assert abs(len(slipped) - len(word)) <= 1 and slipped[0] == word[0]
    assert typo("dom", rng) == "dom"
    assert strip_diacritics("Żłobek w Łodzi, gęś") == "Zlobek w Lodzi, ges"


def test_summarise_tells_hits_from_misses():
    samples = [
        Sample("one word", "/?q=a", 200, "hit", 0.002),
        Sample("one word", "/?q=b", 200, "miss", 0.050),
        Sample("practice", "/praktyka/x", 200, "", 0.030),  # no header: a miss
        Sample("suggest", "/api/suggest?q=ab", 500, "", 0.010, "HTTP 500"),
    ]
    result = summarise(samples, 1.0)
    assert result["requests"] == 4 and result["errors"] == 1
    assert result["error_kinds"] == ["HTTP 500"]
    assert result["cache"] == {"hits": 1, "misses": 1, "no_header": 2, "hit_rate": 0.25}
    assert result["hit"]["n"] == 1 and result["hit"]["p95_ms"] == 2.0
    assert result["miss"]["n"] == 3 and result["miss"]["p95_ms"] > 30
    assert result["by_kind"]["one word"]["hit_rate"] == 0.5
    assert set(result["by_endpoint"]) == {"/", "/praktyka", "/api/suggest"}
