"""Bounded cost per search request (issue #10): budgets, caps, relative timing, concurrency.

Timings are relative to a normal query measured in the same run (the machine is shared),
except the issue's own acceptance figures, which are absolute bounds and kept generous.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.automata import lev
from whoosh.collectors import TimeLimitCollector
from whoosh.filedb.filestore import RamStorage
from whoosh.searching import TimeLimit

import search_app.engine.budget as budget_module
import search_app.engine.search as search_module
import search_app.engine.spelling as spelling
from analyzers.lemmas import best_lemma, is_dictionary_word, lemmas
from analyzers.polish import MAX_CACHED_WORD, cached_per_word, stem_word
from indexer.documents import practice_to_document
from indexer.records import Practice
from indexer.schema import FACETS, FOLDED_FIELD, TEXT_FIELDS, build_schema
from search_app.engine.budget import (
    MAX_WORD_LENGTH,
    NOTE_BUSY,
    NOTE_RANKING,
    NOTE_UNDERSTANDING,
    QueryBudget,
)
from search_app.engine.search import (
    MAX_QUERY_WORDS,
    QUERY_WORD,
    SearchRequest,
    clean_request,
    search,
)
from search_app.web import create_app

ROOT = Path(__file__).resolve().parent.parent
LETTERS = "abcdefghijklmnoprstuwyząćęłńóśźż"
NORMAL_QUERY = "rodziny zastępcze"
TYPO_QUERY = "rodzinach zastepczyh"
NORMAL_QUERIES = [NORMAL_QUERY, "budżet obywatelski", "pomoc społeczna", "Żory"]


def unknown_words(rng: random.Random, length: int = 600) -> str:
    """Random letter strings of 5–14 letters, ``length`` characters in all."""
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append("".join(rng.choice(LETTERS) for _ in range(rng.randint(5, 14))))
    return " ".join(words)[:length]


@pytest.fixture(scope="module")
def searcher(bundled_searcher):
    return bundled_searcher


def _timed(searcher, q: str, **params) -> tuple[float, object]:
    """The time of one search, without a collection of the test process's whole heap.

    A full garbage collection in a suite of a thousand tests costs as much as a hostile
    query and is not the query's cost, so it runs before the clock starts.
    """
    request, _messages = clean_request(q, **params)
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        response = search(searcher, request)
        return time.perf_counter() - started, response
    finally:
        gc.enable()


@pytest.fixture(scope="module")
def normal_seconds(searcher) -> float:
    """The median time of a normal query, once the process has loaded what it caches."""
    _timed(searcher, TYPO_QUERY)  # loads Morfeusz and the vocabularies
    _timed(searcher, unknown_words(random.Random(0)))
    return statistics.median(_timed(searcher, NORMAL_QUERY)[0] for _ in range(7))


# Hostile pieces: unknown words, words of hundreds of letters, words whose every letter
# may stand for a Polish one (the most spellings to try), wildcards, query syntax.
UNKNOWN = st.text(alphabet=LETTERS, min_size=5, max_size=16)
LONG = st.text(alphabet=LETTERS, min_size=500, max_size=700)
RESPELLABLE = st.text(alphabet="acelnosz", min_size=8, max_size=14)
WILDCARD = st.builds(
    lambda a, b, c: f"{a}{c}{b}", UNKNOWN, UNKNOWN, st.sampled_from(["*", "?", "*?", "?*"])
)
PIECE = st.one_of(UNKNOWN, RESPELLABLE, WILDCARD, st.sampled_from(["AND", "OR", "NOT", '"']))
HOSTILE = st.one_of(
    st.lists(UNKNOWN, min_size=40, max_size=80).map(" ".join),
    LONG,
    st.lists(LONG, min_size=1, max_size=3).map(" ".join),
    st.lists(RESPELLABLE, min_size=32, max_size=40).map(" ".join),
    st.lists(WILDCARD, min_size=20, max_size=40).map(" ".join),
    st.lists(PIECE, min_size=20, max_size=80).map(" ".join),
)
MANY_FILTERS = st.dictionaries(
    st.sampled_from(list(FACETS)), st.lists(UNKNOWN, min_size=1, max_size=25), max_size=6
)


@settings(max_examples=30)
@given(q=HOSTILE, filters=MANY_FILTERS, sort=st.sampled_from(["relevance", "population"]))
def test_any_query_costs_at_most_20_normal_ones(searcher, normal_seconds, q, filters, sort):
    seconds, response = _timed(searcher, q, filters=filters, sort=sort)
    assert response.total >= len(response.results)
    assert seconds <= 20 * normal_seconds, (seconds, normal_seconds, q[:80])


def test_600_characters_of_unknown_words_are_searched_with_a_note(searcher, normal_seconds):
    q = unknown_words(random.Random(1))
    _request, messages = clean_request(q)
    assert messages == ["Zapytanie skrócono do 500 znaków.", "Zapytanie skrócono do 32 słów."]
    seconds, response = _timed(searcher, q)
    assert seconds <= 20 * normal_seconds
    assert NOTE_UNDERSTANDING in response.messages and response.suggestion is None


def test_an_exhausted_budget_leaves_words_as_typed_with_a_note(searcher):
    corrected = search(searcher, clean_request(TYPO_QUERY)[0])
    assert corrected.suggestion == "rodzinach zastępczych"
    assert NOTE_UNDERSTANDING not in corrected.messages

    cut = search(searcher, clean_request(TYPO_QUERY)[0], QueryBudget(max_corrections=0))
    assert cut.suggestion is None
    assert NOTE_UNDERSTANDING in cut.messages
    assert cut.total > 0 and cut.results  # "rodzinach" is still searched


def test_a_budget_says_whether_it_cut_anything(searcher):
    """What the response cache asks before keeping an answer."""
    cut = QueryBudget(max_corrections=0)
    search(searcher, clean_request(TYPO_QUERY)[0], cut)
    whole = QueryBudget()
    search(searcher, clean_request(NORMAL_QUERY)[0], whole)
    assert cut.cut_short() and not whole.cut_short()


def test_a_passed_deadline_skips_understanding_but_still_answers(searcher):
    times = iter([0.0])  # the budget starts at 0; every later look at the clock is at 100 s

    def clock() -> float:
        return next(times, 100.0)

    budget = QueryBudget(clock=clock, understanding_seconds=1.0, ranking_seconds=1e6)
    response = search(searcher, clean_request("rodziny zastepcze")[0], budget)
    assert NOTE_UNDERSTANDING in response.messages
    assert NOTE_RANKING not in response.messages
    assert response.results  # "rodziny" needs no respelling


def test_too_little_lookups_for_respelling_leave_it_typed(searcher):
    spelt = search(searcher, clean_request("zastepcze")[0])
    starved = search(searcher, clean_request("zastepcze")[0], QueryBudget(max_lookups=3))
    assert NOTE_UNDERSTANDING in starved.messages
    assert NOTE_UNDERSTANDING not in spelt.messages
    # Left as typed, the word still finds what its word family does (a subset).
    assert {h.id for h in starved.results} <= {h.id for h in spelt.results}


class _ExpiresAfterTwo(TimeLimitCollector):
    """Whoosh's time limit run out after two collected documents (no clocks, no timers).

    The loop is TimeLimitCollector's own, with the timer's flag set by a count.
    """

    def collect_matches(self) -> None:
        for sub_docnum in self.child.matches():
            self.child.collect(sub_docnum)
            self.collected = getattr(self, "collected", 0) + 1
            if self.collected >= 2:
                raise TimeLimit


@pytest.mark.parametrize(
    "params",
    [{"sort": "newest"}, {"sort": "population", "filters": {"category": ["Usługi społeczne"]}}],
)
def test_sorting_past_its_time_limit_answers_with_what_it_found(searcher, monkeypatch, params):
    # A sort walks the matches in Whoosh's collector, under the deadline.
    monkeypatch.setattr(search_module, "TimeLimitCollector", _ExpiresAfterTwo)
    request, _messages = clean_request("gmina", **params)
    response = search(searcher, request)
    assert NOTE_RANKING in response.messages
    assert len(response.results) == 2


def test_ranking_past_its_time_limit_answers_with_what_it_found(searcher, monkeypatch):
    """The evaluation of the query stops reading postings at the deadline."""
    whole = search(searcher, clean_request("gmina rodzina")[0])
    calls = []

    def evaluate_until_late(searcher, query, deadline, clock):
        calls.append(deadline)
        return real_evaluate(searcher, query, deadline=deadline, clock=lambda: deadline + 1)

    real_evaluate = search_module.evaluate
    monkeypatch.setattr(search_module, "evaluate", evaluate_until_late)
    cut = search(searcher, clean_request("gmina rodzina")[0])
    assert calls and NOTE_RANKING in cut.messages and NOTE_RANKING not in whole.messages
    assert cut.total < whole.total


def test_very_long_words_are_searched_as_typed_with_a_note(searcher):
    response = search(searcher, clean_request("rodziny " + "x" * (MAX_WORD_LENGTH + 1))[0])
    assert any(f"powyżej {MAX_WORD_LENGTH} znaków" in m for m in response.messages)
    assert response.results


def test_queries_are_cut_after_32_words_with_a_note():
    words = [f"słowo{i}" for i in range(MAX_QUERY_WORDS + 8)]
    request, messages = clean_request(" ".join(words))
    assert request.q == " ".join(words[:MAX_QUERY_WORDS])
    assert messages == [f"Zapytanie skrócono do {MAX_QUERY_WORDS} słów."]
    # Words joined by punctuation count too.
    request, messages = clean_request(",".join(words))
    assert len(QUERY_WORD.findall(request.q)) == MAX_QUERY_WORDS and messages

    exact, messages = clean_request(" ".join(words[:MAX_QUERY_WORDS]))
    assert len(QUERY_WORD.findall(exact.q)) == MAX_QUERY_WORDS and messages == []


@pytest.fixture()
def long_query_rate(monkeypatch):
    """A fresh rate of long queries (one at once, none more until the fake clock moves)."""
    now = [0.0]
    bucket = budget_module._TokenBucket(rate=1.0, burst=1, clock=lambda: now[0])
    monkeypatch.setattr(budget_module, "_long_queries", bucket)
    return now


def test_the_api_answers_a_hostile_query_with_200_and_notes(bundled_client):
    q = unknown_words(random.Random(2)) + " " + "ż" * 600
    response = bundled_client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    messages = response.get_json()["messages"]
    assert any("skrócono" in m for m in messages) and NOTE_UNDERSTANDING in messages


def test_long_queries_past_their_rate_are_shed_with_a_note(bundled_index, long_query_rate):
    config = {"TESTING": True, "INDEX_DIR": str(bundled_index), "LONG_QUERY_RATE_LIMIT": True}
    bundled_client = create_app(config).test_client()
    answered = " ".join(["rodziny zastępcze"] * 10)  # 20 words
    long_query = " ".join(["pomoc społeczna"] * 10)
    first = bundled_client.get("/api/search", query_string={"q": answered}).get_json()
    assert first["total"] > 0 and NOTE_BUSY not in first["messages"]

    shed = bundled_client.get("/api/search", query_string={"q": long_query})
    assert shed.status_code == 200
    assert shed.get_json()["messages"] == [NOTE_BUSY] and shed.get_json()["results"] == []
    page = bundled_client.get("/", query_string={"q": long_query})
    assert page.status_code == 200 and "zbyt wiele długich zapytań" in page.get_data(as_text=True)
    # A long query this worker has answered is answered again from its cache, not shed.
    cached = bundled_client.get("/api/search", query_string={"q": answered})
    assert cached.headers["X-Cache"] == "hit" and cached.get_json() == first

    short = bundled_client.get("/api/search", query_string={"q": NORMAL_QUERY}).get_json()
    assert short["total"] > 0 and short["messages"] == []  # short queries are never shed
    long_query_rate[0] += 1.0  # a second later one more long query is searched
    again = bundled_client.get("/api/search", query_string={"q": long_query}).get_json()
    assert again["total"] > 0


def test_the_rate_of_long_queries_refills_with_time():
    now = [0.0]
    bucket = budget_module._TokenBucket(rate=10.0, burst=2, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    now[0] += 0.1
    assert [bucket.take() for _ in range(2)] == [True, False]
    now[0] += 60
    assert [bucket.take() for _ in range(3)] == [True, True, False]  # never above the burst


def test_searches_outside_a_request_are_never_shed(searcher, long_query_rate):
    long_query = " ".join(["rodziny zastępcze"] * 10)
    for _ in range(3):  # the CLI, bdp eval, benchmarks: back to back on purpose
        assert NOTE_BUSY not in search(searcher, clean_request(long_query)[0]).messages


# The vocabulary held in memory for corrections.


@pytest.mark.parametrize("bytes_allowed", [spelling.MAX_VOCABULARY_BYTES, 1000])
@pytest.mark.parametrize("word", ["zastepczyh", "rodzna", "pomocy", "kdjfhgkdjfhg", "gmina"])
def test_words_within_reach_are_those_whoosh_finds(searcher, monkeypatch, bytes_allowed, word):
    """The in-memory walk finds what Whoosh's on-disk one does (also past the byte limit)."""
    monkeypatch.setattr(spelling, "MAX_VOCABULARY_BYTES", bytes_allowed)
    spelling.clear()
    reader = searcher.reader()
    for name in (FOLDED_FIELD, *TEXT_FIELDS):
        for distance in (1, 2):
            dfa = lev.levenshtein_automaton(word, distance).to_dfa()
            expected = set(reader.terms_within(name, word, distance))
            assert spelling.terms_within(reader, name, word, distance, dfa) == expected
    spelling.clear()


# Caches bounded in bytes.


def test_a_per_word_cache_stays_within_its_bytes_and_keeps_recent_words():
    computed: list[str] = []

    @cached_per_word(max_bytes=20_000)
    def shout(word: str) -> tuple[str, str]:
        computed.append(word)
        return (word, word.upper())

    for i in range(2_000):
        shout(f"słowo{i}")
    info = shout.cache_info()
    assert info.bytes <= 20_000 and 10 < info.entries < 2_000
    computed.clear()
    shout("słowo1999")  # recent: cached
    shout("słowo0")  # the oldest: dropped
    assert computed == ["słowo0"]

    shout("x" * (MAX_CACHED_WORD + 1))
    shout("x" * (MAX_CACHED_WORD + 1))
    assert computed[-2:] == ["x" * (MAX_CACHED_WORD + 1)] * 2  # never cached
    shout.cache_clear()
    assert shout.cache_info().entries == 0


def test_never_seen_long_tokens_do_not_grow_the_analyzer_caches():
    rng = random.Random(3)
    before = lemmas.cache_info().entries, best_lemma.cache_info().entries
    analyzer = build_schema()["title"].analyzer
    for _ in range(200):
        list(analyzer("".join(rng.choice(LETTERS) for _ in range(300)), mode="query"))
    assert (lemmas.cache_info().entries, best_lemma.cache_info().entries) == before
    for cached in (lemmas, best_lemma, stem_word, is_dictionary_word):
        info = cached.cache_info()
        assert info.bytes <= info.max_bytes <= 16 * 1024 * 1024


# Sorting by population.


@pytest.fixture(scope="module")
def populations():
    """Four practices, two of them without a population."""
    practices = [
        Practice(id="mala", title="Gmina mała", summary="Pomoc społeczna.", population=1_000),
        Practice(id="brak1", title="Gmina bez danych", summary="Pomoc społeczna."),
        Practice(id="duza", title="Miasto duże", summary="Pomoc społeczna.", population=50_000),
        Practice(id="brak2", title="Powiat bez danych", summary="Pomoc społeczna."),
    ]
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        for practice in practices:
            writer.add_document(**practice_to_document(practice))
    with ix.searcher() as searcher:
        yield searcher


@pytest.mark.parametrize("q", ["", "pomoc", "gmina"])
def test_sort_by_population_puts_practices_without_one_last(populations, q):
    response = search(populations, SearchRequest(q=q, sort="population"))
    ids = [hit["id"] for hit in response.results]
    known = [i for i in ids if not i.startswith("brak")]
    assert known == [i for i in ("duza", "mala") if i in known]
    assert ids[: len(known)] == known  # every practice with a population comes first


# The real service under concurrent hostile load (gunicorn on loopback).

LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


@pytest.fixture(scope="module")
def served(bundled_index):
    """``bdp serve`` on a free loopback port over the bundled practices: its base URL.

    Without the response cache: these tests time searches, which a repeated query
    would skip (the normal client asks the same four queries again and again).
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "bdp", "--index-dir", str(bundled_index), "serve", "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "BDP_CACHE": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    drain = threading.Thread(
        target=lambda: [lines.put(line) for line in server.stderr], daemon=True
    )
    drain.start()
    try:
        while True:
            found = LISTENING.search(lines.get(timeout=60))
            if found:
                break
        base_url = found.group(1)
        # Let both workers load what they cache (Morfeusz, vocabularies, facet columns).
        for q in (unknown_words(random.Random(4)), TYPO_QUERY, *NORMAL_QUERIES * 2):
            for _ in range(2 if len(q) > 100 else 4):  # few long queries: they are rate-limited
                _get(base_url, q)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=60)
        drain.join(timeout=10)
        server.stderr.close()


def _answer(base_url: str, q: str) -> tuple[float, dict]:
    """Seconds to get a 200 from ``/api/search?q=…`` (anything else fails the test), and it."""
    started = time.perf_counter()
    url = f"{base_url}/api/search?{urllib.parse.urlencode({'q': q})}"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        payload = json.load(response)
    return time.perf_counter() - started, payload


def _get(base_url: str, q: str) -> float:
    return _answer(base_url, q)[0]


def _p95(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=20)[-1]


def _normal_client(base_url: str, count: int) -> list[float]:
    return [_get(base_url, NORMAL_QUERIES[i % len(NORMAL_QUERIES)]) for i in range(count)]


def test_acceptance_four_600_character_queries_and_a_normal_one_meanwhile(served):
    """Issue #10: each of 4 parallel hostile requests answers within 2 s, a normal one in 1 s.

    Absolute bounds (the issue's), generous on a loaded machine: measured ~0.02 s. The
    hostile queries are searched, within their budget, not shed (see the rate of long
    queries): this test runs before the hostile clients' one drains it.
    """
    rng = random.Random(5)
    with ThreadPoolExecutor(max_workers=5) as pool:
        hostile = [pool.submit(_answer, served, unknown_words(rng)) for _ in range(4)]
        normal = pool.submit(_answer, served, NORMAL_QUERY)
        answers = [future.result() for future in hostile]
    assert max(seconds for seconds, _payload in answers) < 2.0, answers
    assert all(NOTE_UNDERSTANDING in payload["messages"] for _seconds, payload in answers)
    assert normal.result()[0] < 1.0 and normal.result()[1]["total"] > 0


# Eight hostile clients in a process of their own, so that the normal client's timings are
# not also waiting for the test process's interpreter lock, and at the lowest priority:
# real attackers' processors are not the server's. Commands on stdin: "go" (send queries
# of 600 characters of random unknown words back to back), "pause" (answered "paused" once
# no request is in flight), end of input (stop, then print the answers' statuses and any
# failures as JSON). Each client sends at most 400 queries, made before "ready".
HOSTILE_CLIENTS = """
import json, os, random, sys, threading, urllib.parse, urllib.request
os.nice(19)
base_url, letters = sys.argv[1], sys.argv[2]
running, stop, idle = threading.Event(), threading.Event(), threading.Condition()
busy = [0]
answered, failures = [], []

prepared = threading.Barrier(9)

def words(rng):
    out = []
    while sum(len(w) + 1 for w in out) < 600:
        out.append("".join(rng.choice(letters) for _ in range(rng.randint(5, 14))))
    return " ".join(out)[:600]

def client(seed):
    rng = random.Random(seed)
    queries = [words(rng) for _ in range(400)]
    prepared.wait()
    for q in queries:
        running.wait()
        if stop.is_set():
            return
        with idle:
            busy[0] += 1
        url = base_url + "/api/search?" + urllib.parse.urlencode({"q": q})
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                json.load(response)
                answered.append(response.status)
        except Exception as exc:
            failures.append(repr(exc))
        finally:
            with idle:
                busy[0] -= 1
                idle.notify_all()

threads = [threading.Thread(target=client, args=(seed,)) for seed in range(8)]
for thread in threads:
    thread.start()
prepared.wait()
print("ready", flush=True)
for command in sys.stdin:
    if command.strip() == "go":
        running.set()
    else:
        running.clear()
        with idle:
            idle.wait_for(lambda: busy[0] == 0)
    print(command.strip() == "go" and "going" or "paused", flush=True)
stop.set()
running.set()
for thread in threads:
    thread.join()
print(json.dumps({"answered": answered, "failures": failures}), flush=True)
"""
ROUNDS = 3


def test_normal_searches_stay_fast_beside_eight_hostile_clients(served):
    """The normal client's p95 beside 8 hostile clients stays under 5x its quiet p95.

    The machine is shared with other work, which can slow either phase: quiet and
    loaded phases alternate for three rounds, and the median round must meet the
    bound (measured: 2.4-3.4x). Without the budgets every round fails by far (600
    characters of unknown words took 5 s a query); with the budgets but without the
    rate of long queries, by 8-10x (the normal query waits behind the hostile ones).
    """
    hostile = subprocess.Popen(
        [sys.executable, "-c", HOSTILE_CLIENTS, served, LETTERS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def command(word: str) -> None:
        hostile.stdin.write(word + "\n")
        hostile.stdin.flush()
        assert hostile.stdout.readline().strip() in ("going", "paused")

    ratios: list[float] = []
    try:
        assert hostile.stdout.readline() == "ready\n"  # its queries are made
        for _round in range(ROUNDS):
            quiet = _p95(_normal_client(served, 40))
            command("go")
            loaded = _p95(_normal_client(served, 40))
            command("pause")
            ratios.append(loaded / quiet)
    finally:
        report, _errors = hostile.communicate("", timeout=120)
    outcome = json.loads(report.splitlines()[-1])
    assert outcome["failures"] == []
    assert len(outcome["answered"]) >= 8 * ROUNDS and set(outcome["answered"]) == {200}
    assert statistics.median(ratios) < 5, ratios
