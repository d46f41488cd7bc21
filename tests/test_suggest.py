"""Search-as-you-type: phrases completing the last word in the context of the ones before
it, titles only when they contain every typed word, and bounded cost."""

from __future__ import annotations

import re
from collections.abc import Iterator

import jsonschema_rs
import pytest

from analyzers import fold
from bench.synthetic import generate_practices
from search_app.engine import suggest as suggest_module
from search_app.engine.suggest import Vocabulary, build_vocabulary, suggest
from search_app.web.openapi import openapi_spec

WORD = re.compile(r"\w+(?:-\w+)*")


@pytest.fixture(scope="module")
def vocabulary(bundled_searcher) -> Vocabulary:
    return build_vocabulary(bundled_searcher)


@pytest.fixture(scope="module")
def text_words(bundled_searcher) -> set[str]:
    """Every word of the bundled titles, summaries and bodies, lowercase."""
    words: set[str] = set()
    for stored in bundled_searcher.all_stored_fields():
        record = stored["record"]
        for name in ("title", "summary", "body"):
            words.update(w.lower() for w in WORD.findall(record.get(name) or ""))
    return words


def queries(vocabulary: Vocabulary, text: str) -> list[str]:
    return [term["query"] for term in suggest(vocabulary, text)["terms"]]


def titles(vocabulary: Vocabulary, text: str) -> list[str]:
    return [title["title"] for title in suggest(vocabulary, text)["titles"]]


# -- phrases ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["budżet ob", "budzet ob", "Budżet Ob", "budżetu ob"])
def test_budzet_ob_completes_to_budzet_obywatelski(vocabulary, typed):
    """The phrase, not any word starting with "ob" (obsługi, obieg, obiektów)."""
    found = queries(vocabulary, typed)
    assert found[0] == "budżet obywatelski"
    assert not any(q.split()[-1].startswith(("obsług", "obieg", "obiekt")) for q in found)


@pytest.mark.parametrize(
    "typed", ["rodzina zast", "rodziny zast", "rodziny zastep", "RODZINY ZAST"]
)
def test_previous_word_matches_in_any_form(vocabulary, typed):
    found = queries(vocabulary, typed)
    assert found and "zastępcz" in found[0]
    # Shown in a form that the texts use, the one typed when they use it.
    assert fold(found[0]).startswith(fold(typed.split()[0]))


def test_more_typed_words_give_more_context(vocabulary):
    assert queries(vocabulary, "ośrodek po")[0].lower() == "ośrodek pomocy społecznej"
    assert queries(vocabulary, "osrodek pomocy sp")[0].lower() == "ośrodek pomocy społecznej"
    # Words typed before the phrase stay as typed.
    assert queries(vocabulary, "program budżet ob")[0] == "program budżet obywatelski"


def test_a_single_prefix_offers_words_and_phrases_starting_with_it(vocabulary):
    found = queries(vocabulary, "zast")
    assert found and all(fold(q).startswith("zast") for q in found)
    assert any(q.startswith("zastępcz") for q in found)
    assert any(" " in q for q in found)  # phrases too, not only words


def test_a_trailing_space_asks_for_the_next_word(vocabulary):
    found = queries(vocabulary, "budżet ")
    assert "budżet partycypacyjny" in found
    assert all(fold(q).startswith("budzet") for q in found)


def test_what_is_typed_in_full_is_not_offered_again(vocabulary):
    assert "budżet obywatelski" not in queries(vocabulary, "budżet obywatelski")
    # Nor another form of it.
    assert not any(q.startswith("rodzin") for q in queries(vocabulary, "rodziny zastępcze"))


def test_without_a_phrase_the_last_word_is_completed_alone(vocabulary):
    found = queries(vocabulary, "energia termo")
    assert found and all(q.startswith("energia termo") for q in found)
    assert "energia termomodernizacja" in found


@pytest.mark.parametrize(
    "typed",
    ["budzet ob", "rodziny zast", "zast", "termo", "szkol", "osrodek po", "budżet ", "mops"],
)
def test_suggestions_are_words_of_the_texts_never_stems(vocabulary, text_words, typed):
    terms = suggest(vocabulary, typed)["terms"]
    assert terms
    for term in terms:
        assert set(w.lower() for w in WORD.findall(term["term"])) <= text_words, term
        assert term["query"].endswith(term["term"])


def test_two_letters_are_needed(vocabulary):
    assert suggest(vocabulary, "r") == {"query": "r", "titles": [], "terms": []}
    assert suggest(vocabulary, "budżet o")["terms"] == []
    assert suggest(vocabulary, "  ") == {"query": "  ", "titles": [], "terms": []}


# -- titles -----------------------------------------------------------------------------


def contains_every_word(title: str, typed: str) -> bool:
    """Each typed word's first letters (a crude stem) in the title, the last as a prefix."""
    words = [fold(w) for w in WORD.findall(title)]
    *before, last = [fold(w) for w in WORD.findall(typed)]
    stems = [w[: max(3, len(w) - 2)] for w in before]
    return all(any(w.startswith(s) for w in words) for s in [*stems, last])


@pytest.mark.parametrize(
    "typed",
    ["budżet ob", "kolektory sł", "konsultacje sp", "organizacji po", "zdrowa ko", "zastep"],
)
def test_titles_contain_every_typed_word(vocabulary, typed):
    found = titles(vocabulary, typed)
    assert found
    assert all(contains_every_word(title, typed) for title in found), found


def test_an_unrelated_title_is_never_offered(vocabulary):
    # "Biuro Obsługi Mieszkańców i elektroniczny obieg dokumentów" has "ob" words, no budżet.
    assert titles(vocabulary, "budżet ob") == [
        "Międzyrzecki budżet obywatelski – mieszkańcy miasta i sołectw decydują o części "
        "wydatków gminy"
    ]
    # Titles on foster parenthood ("rodzicielstwa zastępczego") have no "rodzina".
    assert titles(vocabulary, "rodziny zastep") == []
    assert len(titles(vocabulary, "zastep")) == 2


def test_titles_ignore_diacritics_and_inflection(vocabulary):
    assert titles(vocabulary, "budzet obyw") == titles(vocabulary, "budżet obyw")
    # "Młodzieżowej Rady Miejskiej" in a title matches "młodzieżowa rada".
    assert any("Młodzieżowej Rady" in t for t in titles(vocabulary, "młodzieżowa rada mi"))


# -- the API ----------------------------------------------------------------------------


def suggestions_validator():
    spec = {"$schema": "https://json-schema.org/draft/2020-12/schema", **openapi_spec()}
    return jsonschema_rs.validator_for({**spec, "$ref": "#/components/schemas/Suggestions"})


def test_api_answers_in_the_described_shape(bundled_client):
    validator = suggestions_validator()
    for q in ("budzet ob", "rodziny zastep", "zast", "budżet ", "r", ""):
        data = bundled_client.get("/api/suggest", query_string={"q": q}).get_json()
        validator.validate(data)
        assert data["query"] == q
    data = bundled_client.get("/api/suggest?q=budzet ob").get_json()
    assert data["terms"][0] == {"term": "budżet obywatelski", "query": "budżet obywatelski"}
    assert all(t["url"].startswith("/praktyka/") for t in data["titles"])


def test_suggest_completes_words_and_titles_ignoring_diacritics(bundled_client):
    """Moved from test_api_browse.py: titles now need every typed word."""
    data = bundled_client.get("/api/suggest?q=rodziny zastep").get_json()
    assert data["query"] == "rodziny zastep"
    assert data["terms"] and all(t["query"].startswith("rodziny zastęp") for t in data["terms"])
    data = bundled_client.get("/api/suggest?q=zastep").get_json()
    assert any("Zastępczego" in t["title"] for t in data["titles"])
    assert all(t["url"].startswith("/praktyka/") for t in data["titles"])


def test_suggest_needs_two_letters(bundled_client):
    data = bundled_client.get("/api/suggest?q=r").get_json()
    assert data["terms"] == [] and data["titles"] == []


# -- cost -------------------------------------------------------------------------------


class Stored:
    """Stands in for a searcher: what build_vocabulary reads of it."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records

    def doc_count(self) -> int:
        return len(self.records)

    def all_stored_fields(self) -> Iterator[dict]:
        return ({"record": record} for record in self.records)


@pytest.fixture(scope="module")
def synthetic() -> Stored:
    return Stored([p.to_dict() for p in generate_practices(300, seed=7)])


@pytest.fixture()
def small_caps(monkeypatch):
    """Caps small enough for 300 synthetic practices to exceed every one of them."""
    caps = {
        "COUNT_CAP": 3_000,
        "VOCABULARY_CAP": 800,
        "COUNTED_PRACTICES": 100,
        "SCANNED": 25,
        "POPULAR": 10,
    }
    for name, value in caps.items():
        monkeypatch.setattr(suggest_module, name, value)
    return caps


def test_counting_stays_within_its_cap_and_keeps_what_is_frequent(small_caps, synthetic):
    counter = suggest_module._PhraseCounter(frozenset({"i", "w"}))
    sizes = []
    for n, record in enumerate(synthetic.records):
        counter.add((f"Budżet obywatelski w gminie {n}", record["summary"], record["body"]))
        sizes.append(len(counter.df))
    # Pruned at the cap: never past it by more than one practice's phrases.
    assert max(sizes) > small_caps["COUNT_CAP"] // 2
    assert max(sizes) <= small_caps["COUNT_CAP"]
    # The phrase in every practice is counted exactly despite the pruning.
    assert counter.df["budżet obywatelski"] == len(synthetic.records)
    assert counter.shown("budżet obywatelski") == "budżet obywatelski"


def test_vocabulary_size_is_bounded_on_a_synthetic_collection(small_caps, synthetic):
    vocabulary = build_vocabulary(synthetic)
    assert vocabulary.documents == small_caps["COUNTED_PRACTICES"]  # an even sample
    assert len(vocabulary.titles) == len(synthetic.records)  # but every title
    assert 0 < len(vocabulary.phrases) <= small_caps["VOCABULARY_CAP"]
    assert vocabulary.popular  # some prefix starts too many phrases to rank them all
    assert all(len(top) <= small_caps["POPULAR"] for top in vocabulary.popular.values())
    # Any other prefix starts few enough phrases to rank them on each keystroke.
    firsts = vocabulary.firsts
    for prefix in {w[:length] for w in firsts for length in range(2, len(w) + 1)}:
        if prefix not in vocabulary.popular:
            starting = sum(w.startswith(prefix) for w in firsts)
            assert starting <= small_caps["SCANNED"], prefix


def test_a_keystroke_ranks_a_bounded_number_of_phrases(small_caps, synthetic, monkeypatch):
    vocabulary = build_vocabulary(synthetic)
    ranked = []
    real_ranked = suggest_module._ranked
    monkeypatch.setattr(
        suggest_module,
        "_ranked",
        lambda found, out: ranked.append(len(found)) or real_ranked(found, out),
    )
    for prefix in {w[:2] for w in vocabulary.firsts if w[:2].isalpha()}:
        ranked.clear()
        assert suggest(vocabulary, prefix)["query"] == prefix
        assert ranked and max(ranked) <= max(small_caps["SCANNED"], small_caps["POPULAR"])
