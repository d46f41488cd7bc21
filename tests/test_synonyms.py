"""The synonym file (data/synonimy.txt) as a thesaurus, and its loading, reloading and scoring."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from pathlib import Path

import pytest
from whoosh.query import Phrase, Term

from analyzers import analyzer_config
from indexer.build import build_index
from indexer.records import Practice
from search_app.engine import synonyms
from search_app.engine.context import QueryContext
from search_app.engine.synonyms import (
    MAX_EXPRESSION_CHARS,
    RELOAD_CHECK_SECONDS,
    SYNONYM_BOOST,
    SYNONYMS_FILE,
    load_synonyms,
    parse_synonyms,
    sequence,
    synonym_queries,
)
from tests.conftest import hammer, open_searcher, run_search

# Where the places begin in the file: everything above is the thesaurus proper.
PLACES_MARKER = "# === MIEJSCA"
# Expressions deliberately in two groups, each with two meanings (as analysed).
DELIBERATELY_SHARED = {("ppp",)}  # partnerstwo publiczno-prywatne; poradnia psych.-ped.


@pytest.fixture(scope="module")
def analyzer():
    return analyzer_config().make()


@pytest.fixture(scope="module")
def groups() -> tuple[tuple[str, ...], ...]:
    return parse_synonyms(SYNONYMS_FILE.read_text(encoding="utf-8"), str(SYNONYMS_FILE))


def group_lines(text: str) -> list[tuple[int, str, str]]:
    """(line number, expressions, comment) of every line that holds a group."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        expressions, _, comment = line.partition("#")
        if expressions.strip():
            found.append((number, expressions, comment))
    return found


# --- The thesaurus itself -----------------------------------------------------------


def test_the_file_has_at_least_150_concept_groups_besides_places():
    text = SYNONYMS_FILE.read_text(encoding="utf-8")
    concepts, marker, places = text.partition(PLACES_MARKER)
    assert marker, "the places section is marked"
    assert len(parse_synonyms(concepts)) >= 150
    assert len(parse_synonyms(places)) >= 16  # every voivodeship, and towns


def test_every_line_of_the_file_is_a_valid_group(groups):
    lines = group_lines(SYNONYMS_FILE.read_text(encoding="utf-8"))
    assert len(groups) == len(lines)  # none skipped as malformed


def test_every_group_cites_its_source():
    for number, expressions, comment in group_lines(SYNONYMS_FILE.read_text(encoding="utf-8")):
        assert comment.strip().startswith("źródło:"), f"wiersz {number}: {expressions}"
        assert len(comment.strip()) > len("źródło:") + 3, f"wiersz {number}: pusty przypis"


def test_every_voivodeship_has_a_group(groups, analyzer):
    voivodeships = (
        "dolnośląskie kujawsko-pomorskie lubelskie lubuskie łódzkie małopolskie mazowieckie "
        "opolskie podkarpackie podlaskie pomorskie śląskie świętokrzyskie warmińsko-mazurskie "
        "wielkopolskie zachodniopomorskie"
    ).split()
    analysed = {sequence(analyzer, e) for group in groups for e in group}
    for name in voivodeships:
        assert sequence(analyzer, name) in analysed, name


def test_every_expression_analyses_to_terms_and_every_group_to_two_variants(groups, analyzer):
    for group in groups:
        variants = {sequence(analyzer, expression) for expression in group}
        assert all(variants), f"an expression of {group} has no searchable word"
        # Expressions all analysing alike (e.g. only inflected forms) expand to nothing.
        assert len(variants) > 1, f"{group} says one thing only"


def test_no_expression_is_in_two_groups(groups, analyzer):
    where: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for number, group in enumerate(groups):
        for expression in group:
            where[sequence(analyzer, expression)].add(number)
    shared = {
        variant: [groups[n][0] for n in sorted(numbers)]
        for variant, numbers in where.items()
        if len(numbers) > 1
    }
    assert set(shared) == DELIBERATELY_SHARED, shared


def test_editors_groups_are_still_there(groups):
    assert any({"ngo", "organizacja pozarządowa"} <= set(group) for group in groups)
    assert any({"śmieci", "odpady komunalne"} <= set(group) for group in groups)
    assert any({"śląsk", "śląskie"} <= set(group) for group in groups)


# --- Reading the file ----------------------------------------------------------------


def test_malformed_lines_are_skipped_with_their_line_numbers(caplog):
    text = "\n".join(
        [
            "# komentarz",
            "a, b  # źródło: test",
            "samotne  # źródło: test",
            f"c, {'x' * (MAX_EXPRESSION_CHARS + 1)}",
            "d, e,  # przecinek na końcu wybaczony",
            "f, f",
        ]
    )
    with caplog.at_level(logging.WARNING, logger=synonyms.__name__):
        groups = parse_synonyms(text, "plik")
    assert groups == (("a", "b"), ("d", "e"))
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert "plik:3:" in warned and "plik:4:" in warned and "plik:6:" in warned
    assert "plik:2:" not in warned and "plik:5:" not in warned


class Clock:
    """A settable stand-in for the reload checks' clock, shared by threads."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self) -> None:
        self.now += RELOAD_CHECK_SECONDS + 0.1


@pytest.fixture()
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(synonyms, "_now", fake)
    return fake


def rewrite(path: Path, text: str | bytes, bump: int) -> None:
    """Write ``path`` and move its modification time ``bump`` seconds on."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_bytes(text)
    moved = before + bump * 1_000_000_000
    os.utime(path, ns=(moved, moved))


def test_changed_file_is_read_again_after_the_check_interval(tmp_path, clock):
    path = tmp_path / "synonimy.txt"
    rewrite(path, "aa, bb\n", 0)
    assert load_synonyms(path) == (("aa", "bb"),)
    rewrite(path, "cc, dd\n", 5)  # the same size: only the modification time tells
    assert load_synonyms(path) == (("aa", "bb"),)  # not looked at again yet
    clock.advance()
    assert load_synonyms(path) == (("cc", "dd"),)


def test_unchanged_file_is_not_parsed_again(tmp_path, clock, monkeypatch):
    path = tmp_path / "synonimy.txt"
    rewrite(path, "aa, bb\n", 0)
    first = load_synonyms(path)
    monkeypatch.setattr(synonyms, "parse_synonyms", lambda *a: pytest.fail("parsed again"))
    clock.advance()
    assert load_synonyms(path) is first


@pytest.mark.parametrize("breakage", ["not utf-8", "deleted"])
def test_broken_file_keeps_the_last_groups(tmp_path, clock, caplog, breakage):
    path = tmp_path / "synonimy.txt"
    rewrite(path, "aa, bb\n", 0)
    assert load_synonyms(path) == (("aa", "bb"),)
    if breakage == "deleted":
        path.unlink()
    else:
        rewrite(path, "zażółć, gęślą\n".encode("cp1250"), 5)
    clock.advance()
    with caplog.at_level(logging.WARNING, logger=synonyms.__name__):
        assert load_synonyms(path) == (("aa", "bb"),)
    assert str(path) in caplog.text
    rewrite(path, "cc, dd\n", 10)  # fixed: read again
    clock.advance()
    assert load_synonyms(path) == (("cc", "dd"),)


def test_unreadable_file_from_the_start_gives_no_groups(tmp_path, clock, caplog):
    with caplog.at_level(logging.WARNING, logger=synonyms.__name__):
        assert load_synonyms(tmp_path / "brak.txt") == ()
    assert "brak.txt" in caplog.text


def test_threads_reading_a_changing_file_see_only_whole_versions(tmp_path, clock):
    path = tmp_path / "synonimy.txt"
    versions = [f"w{i}, x{i}\ny{i}, z{i}\n" for i in range(40)]
    whole = {parse_synonyms(v) for v in versions}
    rewrite(path, versions[0], 0)
    seen: set = {load_synonyms(path)}  # loaded once before the saves begin

    def read() -> None:
        seen.add(load_synonyms(path))

    with hammer(read, threads=2) as hammering:
        for bump, version in enumerate(versions[1:], start=1):
            rewrite(path, version, bump)
            clock.advance()
            read()
    assert not hammering.failures
    assert seen <= whole
    assert load_synonyms(path) == parse_synonyms(versions[-1])


# --- Expansions in queries ------------------------------------------------------------

PRACTICES = [
    # The same text but for one word: their scores differ only by how that word matched.
    Practice(
        id="typed", title="Zbiórka śmieci w gminie", body="Mieszkańcy oddają śmieci co tydzień."
    ),
    Practice(
        id="synonym", title="Zbiórka odpadów w gminie", body="Mieszkańcy oddają odpady co tydzień."
    ),
    Practice(
        id="mgops",
        title="Klub dla dzieci",
        body="Prowadzi go Miejsko-Gminny Ośrodek Pomocy Społecznej.",
    ),
    Practice(id="dolny", title="Praktyka z Wrocławia", voivodeship="dolnośląskie"),
    Practice(id="gorny", title="Praktyka z Katowic", voivodeship="śląskie"),
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("synonyms-index")
    build_index(PRACTICES, index_dir, procs=1)
    yield from open_searcher(index_dir)


def expanded_terms(searcher, text: str) -> set[tuple[str, ...]]:
    """The analysed expressions ``synonym_queries`` adds for ``text``."""
    found = set()
    for query in synonym_queries(QueryContext(searcher), [text]):
        for leaf in query.leaves():
            found.add(tuple(leaf.words) if isinstance(leaf, Phrase) else (leaf.text,))
    return found


def test_a_synonym_ranks_below_the_word_as_typed(searcher):
    response = run_search(searcher, "śmieci")
    scores = {hit.id: hit.score for hit in response.results}
    assert {"typed", "synonym"} <= set(scores)
    assert scores["synonym"] < scores["typed"]


def test_expansions_carry_the_synonym_boost(searcher):
    queries = synonym_queries(QueryContext(searcher), ["pcpr"])
    leaves = [leaf for query in queries for leaf in query.leaves()]
    assert leaves and all(leaf.boost == SYNONYM_BOOST for leaf in leaves)
    assert all(isinstance(leaf, (Term, Phrase)) for leaf in leaves)
    assert 0 < SYNONYM_BOOST < 1


def test_hyphenated_expression_matches_with_its_hyphen(searcher):
    # The analyzer gives "miejsko-gminny" whole and its parts at one position: the
    # phrase must be made of the parts to line up with the indexed text.
    assert [hit.id for hit in run_search(searcher, "MGOPS").results] == ["mgops"]


def test_the_longest_expression_in_the_query_wins(searcher, analyzer):
    dolny = expanded_terms(searcher, "dolny śląsk")
    assert sequence(analyzer, "dolnośląskie") in dolny
    assert sequence(analyzer, "śląskie") not in dolny  # "śląsk" is part of "dolny śląsk"
    assert sequence(analyzer, "śląskie") in expanded_terms(searcher, "śląsk")
    kujawy = expanded_terms(searcher, "kujawsko-pomorskie")
    assert sequence(analyzer, "kujawy") in kujawy
    assert sequence(analyzer, "pomorze") not in kujawy


def test_a_region_finds_its_voivodeship(searcher):
    assert [hit.id for hit in run_search(searcher, "Dolny Śląsk").results][:1] == ["dolny"]
    # "dolnośląskie" is one word, not "śląskie": Śląsk is the voivodeship śląskie.
    assert [hit.id for hit in run_search(searcher, "Śląsk").results] == ["gorny"]


def test_analysed_groups_are_cached_across_searchers():
    # Each searcher unpickles its own analyzer: equal ones must share the cache entry.
    groups = load_synonyms()
    first = synonyms.analysed_groups(analyzer_config().make(), groups)
    assert synonyms.analysed_groups(analyzer_config().make(), groups) is first
    other = synonyms.analysed_groups(analyzer_config().make(), (("aa", "bb"),))
    assert other is not first and other.groups == ((("aa",), ("bb",)),)


def test_no_expansion_without_a_group(searcher):
    assert synonym_queries(QueryContext(searcher), ["astronomia"]) == []
    assert synonym_queries(QueryContext(searcher), []) == []


def test_every_group_in_the_query_expands(searcher, analyzer):
    terms = expanded_terms(searcher, "mops i pcpr")
    assert sequence(analyzer, "miejski ośrodek pomocy społecznej") in terms
    assert sequence(analyzer, "powiatowe centrum pomocy rodzinie") in terms


def test_a_file_emptied_by_a_save_keeps_the_last_groups(tmp_path, clock):
    path = tmp_path / "synonimy.txt"
    rewrite(path, "mops, miejski ośrodek pomocy społecznej\n", 0)
    before = load_synonyms(path)
    assert before
    rewrite(path, "", 1)  # truncated, not yet written
    clock.advance()
    assert load_synonyms(path) == before
    rewrite(path, "ngo, organizacja pozarządowa\n", 2)
    clock.advance()
    assert load_synonyms(path) == parse_synonyms("ngo, organizacja pozarządowa\n")
