"""The matching strategy on the bundled practices: which query words a result must contain.

Every content word is required (through any of its variants), function words never
are; match=auto requires fewer words only when too few practices contain them all,
and says which; match=any requires one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from indexer.fields import METADATA_FIELDS
from search_app.engine.search import clean_request, search
from tests.conftest import run_search

ZORY = "000_3b014753ec2e4c31"
LODZ = "001_8428a99dc5593c9b"
FOSTER_CARE = {ZORY, LODZ}  # the two real pages: foster families in Żory and Łódź
HEALTH = "Ochrona zdrowia"  # the subcategory of the health practices

# Content words of the bundled practices, for queries of a few words.
VOCABULARY = [
    "gmina",
    "powiat",
    "szkoła",
    "seniorzy",
    "dzieci",
    "sport",
    "biblioteka",
    "teleopieka",
    "kanalizacja",
    "orlik",
    "wolontariat",
    "kolektory",
    "budżet",
    "konsultacje",
    "szpital",
    "energia",
    "młodzież",
    "mops",
]

Found = Callable[..., frozenset]


@pytest.fixture(scope="module")
def S(bundled_searcher) -> Found:
    """S(q): the ids of every practice ``q`` finds (match=all unless told)."""
    cache: dict[tuple, frozenset] = {}

    def found(q: str, match: str = "all") -> frozenset:
        if (q, match) not in cache:
            cache[(q, match)] = frozenset(
                hit.id for hit in everything_found(bundled_searcher, q, match).results
            )
        return cache[(q, match)]

    return found


def everything_found(searcher, q: str, match: str = "auto"):
    """The response with every result on one page (the collection has 68 practices)."""
    request, _notes = clean_request(q, per_page=100, match=match)
    response = search(searcher, dataclasses.replace(request, snippets=False))
    assert response.total == len(response.results), q
    return response


@pytest.fixture(scope="module")
def texts(bundled_searcher) -> dict[str, str]:
    """Each practice's searched text: title, summary, body and the metadata values."""
    found = {}
    for doc in bundled_searcher.documents():
        record = doc["record"]
        values = [record.get(name) for name in ("title", "summary", "body", *METADATA_FIELDS)]
        found[doc["id"]] = " ".join(
            " ".join(v) if isinstance(v, list) else str(v) for v in values if v
        )
    return found


@pytest.fixture(scope="module")
def records(bundled_searcher) -> dict[str, dict]:
    return {doc["id"]: doc["record"] for doc in bundled_searcher.documents()}


def words_in(q: str) -> list[str]:
    return [w.lstrip("+") for w in q.split()]


# --- Every content word (or its synonym) is required ---------------------------------


def test_budzet_obywatelski_finds_participatory_budgets_only(bundled_searcher, S, texts, records):
    page = run_search(bundled_searcher, "budżet obywatelski")
    assert page.results and page.relaxed == []
    for hit in page.results:  # the first page, as people see it
        assert hit.id not in FOSTER_CARE
        assert records[hit.id].get("subcategory") != HEALTH, hit.title
    found = S("budżet obywatelski", match="auto")
    assert {"demo-022", "demo-044", "demo-055"} <= found  # one says "obywatelski", two
    for practice in found:  # "partycypacyjny" only (a synonym)
        text = texts[practice]
        both = re.search(r"(?i)\bbudże", text) and re.search(r"(?i)\bobywatel", text)
        assert both or re.search(r"(?i)\bbudże\w* partycypac", text), practice


def test_seniors_in_a_small_gmina_finds_few_practices_all_about_seniors(bundled_searcher, S, texts):
    q = "program dla seniorów w małej gminie"
    exact = S(q, match="all")
    assert 1 <= len(exact) <= 10  # not the 68 practices that say "gmina" or "program"
    for practice in exact:
        assert re.search(r"(?i)senior|osob\w* starsz|podeszły\w* wiek", texts[practice]), practice
    # Fewer than a page have every word: auto adds those with at least 2 of the 4;
    # those with all of them rank high (a bonus per word matched).
    relaxed = everything_found(bundled_searcher, q, "auto")
    assert relaxed.total <= 20 and relaxed.relaxed
    assert relaxed.results[0].id in exact
    assert exact <= {hit.id for hit in relaxed.results[:10]}


def test_hyphenated_word_is_not_matched_by_a_lone_letter(S, texts):
    # "e-urząd" must not find practices by an "e" of "e-learning" or "e-mail" plus "urząd".
    found = S("e-urząd", match="auto")
    assert "demo-018" in found  # „E-urząd w Brzegu …”
    e_words = re.compile(
        r"(?i)\be-urz[ąę]d|elektroniczn\w* urz[ąę]d|wirtualn\w* urz[ąę]d|urz[ąę]d\w* online"
    )
    for practice in found:
        assert e_words.search(texts[practice]), practice


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("jakie programy dla seniorów", "programy dla seniorów"),
        ("gdzie szukać programów dla seniorów", "programy dla seniorów"),
        ("jak mogę znaleźć rodzinę zastępczą", "rodzina zastępcza"),
        ("czy nasza gmina może mieć budżet obywatelski", "gmina budżet obywatelski"),
    ],
)
def test_function_words_are_not_required(S, question, words):
    assert S(words, match="auto")
    assert S(question, match="auto") == S(words, match="auto")
    assert S(question, match="all") == S(words, match="all")


def test_how_to_become_a_foster_family(S):
    assert FOSTER_CARE <= S("jak zostać rodziną zastępczą", match="auto")


@pytest.mark.parametrize(
    "q", ["lotnisko regionalne", "kopalnia węgla kamiennego", "stok narciarski"]
)
def test_topics_absent_from_the_collection_find_almost_nothing(S, q):
    assert len(S(q, match="auto")) <= 3


# --- match=any, all, auto -------------------------------------------------------------

queries = st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=4, unique=True).map(" ".join)


@settings(max_examples=40)
@given(q=queries)
def test_auto_lies_between_all_and_any(S, q):
    every, auto, any_ = S(q, "all"), S(q, "auto"), S(q, "any")
    assert every <= auto <= any_
    assert any_ == frozenset().union(*(S(w) for w in words_in(q)))
    assert every == frozenset.intersection(*(S(w) for w in words_in(q)))


@settings(max_examples=40)
@given(q=queries)
def test_relaxing_names_the_words_it_does_not_require(bundled_searcher, S, q):
    assert everything_found(bundled_searcher, q, "all").relaxed == []  # all means all
    response = everything_found(bundled_searcher, q, "auto")
    found = frozenset(hit.id for hit in response.results)
    if not response.relaxed:
        assert found == S(q, "all")
        assert not any("z co najmniej" in m for m in response.messages)
        return
    typed = words_in(q)
    assert len(typed) >= 3  # two words are never relaxed
    assert set(response.relaxed) <= set(typed)
    note = next(m for m in response.messages if "z co najmniej" in m)
    assert all(f"„{word}”" in note for word in response.relaxed)
    for word in set(typed) - set(response.relaxed):  # the rest stays required
        assert found <= S(word)


def test_nothing_is_relaxed_when_practices_contain_every_word(bundled_searcher, S):
    q = "gmina szkoła dzieci"
    assert len(S(q)) >= 5
    response = everything_found(bundled_searcher, q, "auto")
    assert response.relaxed == []
    assert {hit.id for hit in response.results} == S(q)


def test_relaxing_says_so_in_polish(bundled_searcher, S):
    q = "biblioteka seniorzy kanalizacja"  # no practice has all three
    assert S(q) == frozenset()
    response = everything_found(bundled_searcher, q, "auto")
    assert response.total > 0 and response.relaxed
    note = next(m for m in response.messages if "wszystkich słów" in m)
    assert all(f"„{word}”" in note for word in response.relaxed)


@pytest.mark.parametrize(
    "q", ["biblioteka seniorzy kanalizacja", "gmina powiat biblioteka oczyszczalnia"]
)
def test_relaxed_results_contain_at_least_two_of_the_words(S, q):
    words = words_in(q)
    found = S(q, "auto")
    assert found
    for practice in found:
        assert sum(practice in S(w) for w in words) >= 2, practice


@settings(max_examples=40)
@given(
    q=st.lists(st.sampled_from(VOCABULARY), min_size=3, max_size=4, unique=True),
    plus=st.integers(0, 3),
)
def test_plus_word_is_never_relaxed(bundled_searcher, S, q, plus):
    required = q[plus % len(q)]
    typed = " ".join(f"+{w}" if w == required else w for w in q)
    response = everything_found(bundled_searcher, typed, "auto")
    assert required not in response.relaxed
    assert {hit.id for hit in response.results} <= S(required)


def test_plus_word_stays_while_others_are_relaxed(bundled_searcher, S):
    response = everything_found(bundled_searcher, "gmina biblioteka +teleopieka", "auto")
    assert response.relaxed and "teleopieka" not in response.relaxed
    assert {hit.id for hit in response.results} <= S("teleopieka")


# --- The API and the search page ------------------------------------------------------


def api_ids(client, **params) -> tuple[dict, set[str]]:
    response = client.get("/api/search", query_string={"per_page": 100, **params})
    assert response.status_code == 200
    body = response.get_json()
    return body, {hit["id"] for hit in body["results"]}


def test_api_match_modes(bundled_client, S):
    q = "budżet obywatelski"
    found = {m: api_ids(bundled_client, q=q, match=m)[1] for m in ("any", "all", "auto")}
    assert found["all"] == S(q, "all") and found["any"] == S(q, "any")
    assert found["all"] <= found["auto"] <= found["any"]
    assert found["all"] < found["any"]


def test_api_unknown_match_is_auto_with_a_note(bundled_client):
    body, found = api_ids(bundled_client, q="budżet obywatelski", match="najlepiej")
    assert found == api_ids(bundled_client, q="budżet obywatelski", match="auto")[1]
    assert any("najlepiej" in m and "auto" in m for m in body["messages"])


def test_api_correct_0_searches_as_typed_and_still_suggests(bundled_client):
    typed = "rodzinach zastepczyh"
    as_typed, found = api_ids(bundled_client, q=typed, correct="0")
    assert as_typed["corrected"] is False
    assert as_typed["suggestion"] == "rodzinach zastępczych"
    assert found == set()  # no practice says "zastepczyh"
    corrected, found = api_ids(bundled_client, q=typed)
    assert corrected["corrected"] is True and corrected["suggestion"] == "rodzinach zastępczych"
    assert FOSTER_CARE <= found


def suggestion_links(html: str) -> list[dict[str, list[str]]]:
    """The query strings of the links in the page's suggestion line."""
    line = re.search(r'<p class="suggestion".*?</p>', html, re.S)
    assert line, "no suggestion on the page"
    hrefs = re.findall(r'href="([^"]*)"', line.group())
    return [parse_qs(urlsplit(Markup(h).unescape()).query) for h in hrefs]


KEPT = {"voivodeship": ["śląskie"], "sort": ["newest"], "per_page": ["20"]}
PAGE = "/?q=rodzinach+zastepczyh&voivodeship=śląskie&sort=newest&per_page=20"


def test_suggestion_links_keep_filters_sort_and_page_size(bundled_client):
    html = bundled_client.get(PAGE).get_data(as_text=True)
    corrected, as_typed = suggestion_links(html)
    assert corrected == {"q": ["rodzinach zastępczych"], **KEPT}
    assert as_typed == {"q": ["rodzinach zastepczyh"], **KEPT, "correct": ["0"]}


def test_suggestion_link_searched_as_typed_keeps_filters(bundled_client):
    html = bundled_client.get(PAGE + "&correct=0").get_data(as_text=True)
    (corrected,) = suggestion_links(html)
    assert corrected == {"q": ["rodzinach zastępczych"], **KEPT}


def test_relaxing_with_a_few_complete_matches_says_they_exist(bundled_searcher):
    response = everything_found(bundled_searcher, "program dla seniorów w małej gminie", "auto")
    assert response.relaxed
    assert any("mniej niż 10 praktyk" in m and "też" in m for m in response.messages)


def test_a_place_with_too_few_practices_on_the_topic_shows_the_topic_elsewhere_below(
    bundled_searcher,
):
    """„biblioteka w Kłodzku”: Kłodzko's library first, then libraries elsewhere, said so."""
    response = run_search(bundled_searcher, "biblioteka w Kłodzku", per_page=50)
    ids = [hit.id for hit in response.results]
    assert ids[0] == "demo-001"  # the library in Kłodzko
    assert {"demo-023", "demo-056"} <= set(ids)  # libraries in Chełmno and Kwidzyn
    assert response.relaxed == ["Kłodzku"]
    assert any("spoza: „Kłodzku”" in message for message in response.messages)
    # Every result is about the topic: the topic word stays required.
    assert all(re.search(r"(?i)bibliote", hit.title + hit.snippet) for hit in response.results), ids


def test_a_topic_the_collection_lacks_finds_nothing_anywhere_whatever_the_place(
    bundled_searcher,
):
    response = run_search(bundled_searcher, "lotnisko w Gdańsku")
    assert response.total == 0 and response.relaxed == []


def test_match_all_keeps_the_place_required(bundled_searcher):
    response = run_search(bundled_searcher, "biblioteka w Kłodzku", match="all")
    assert [hit.id for hit in response.results] == ["demo-001"]
    assert response.relaxed == []
