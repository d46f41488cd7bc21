"""Queries as people type them: no diacritics, typos, abbreviations (bundled practices)."""

from __future__ import annotations

import pytest

from bdp.cli import main
from indexer.store import open_index
from search_app.engine.search import clean_request, search
from search_app.engine.synonyms import load_synonyms
from tests.conftest import run_search

ZORY = "000_3b014753ec2e4c31"
LODZ = "001_8428a99dc5593c9b"


@pytest.fixture(scope="module")
def searcher(bundled_searcher):
    return bundled_searcher


run = run_search


def ids(response, n=5):
    return [hit["id"] for hit in response.results[:n]]


@pytest.mark.parametrize("q", ["rodzinach zastępczych", "rodzina zastępcza"])
def test_both_seed_pages_for_any_inflection(searcher, q):
    assert {ZORY, LODZ} <= set(ids(run(searcher, q)))


@pytest.mark.parametrize("q", ["rodzina zastępcza w Żorach", "rodzina zastepcza w zorach", "zory"])
def test_zory_with_or_without_diacritics(searcher, q):
    assert ids(run(searcher, q))[0] == ZORY


@pytest.mark.parametrize("q", ["rodzina zastępcza w Łodzi", "lodz", "lodzi", "rodzinach lodz"])
def test_lodz_with_or_without_diacritics(searcher, q):
    assert ids(run(searcher, q))[0] == LODZ


def test_folded_query_finds_what_the_correct_one_finds(searcher):
    assert ids(run(searcher, "samorzadow"))[0] == ids(run(searcher, "samorządów"))[0]
    assert ids(run(searcher, "szkol zawodowych"))[0] == ids(run(searcher, "szkół zawodowych"))[0]


def test_genitive_plural_finds_schools(searcher):
    titles = [hit["title"].lower() for hit in run(searcher, "szkół").results[:5]]
    assert any("szkoł" in title or "szkół" in title for title in titles)


@pytest.mark.parametrize(
    ("abbreviation", "practice"),
    [
        ("PCPR", "demo-037"),  # only "Powiatowe Centrum Pomocy Rodzinie" written out
        ("GOPS", "demo-013"),  # only "Gminny Ośrodek Pomocy Społecznej"
        ("MOPS", "demo-016"),  # only "Miejskim Ośrodkiem Pomocy Społecznej"
        ("OZE", "demo-008"),  # only "odnawialnych źródeł energii"
        ("JST", "demo-054"),  # only "jednostek samorządu terytorialnego"
        ("NGO", "demo-064"),  # only "organizacjami pozarządowymi"
    ],
)
def test_abbreviations_find_the_written_out_names(searcher, abbreviation, practice):
    assert practice in ids(run(searcher, abbreviation, per_page=50), 50)


def test_written_out_name_finds_the_abbreviation(searcher):
    found = ids(run(searcher, "powiatowe centrum pomocy rodzinie", per_page=50), 50)
    assert "demo-042" in found  # says "PCPR" twice


def test_synonym_file_is_editable_text():
    groups = load_synonyms()
    assert any({"ngo", "organizacja pozarządowa"} <= set(group) for group in groups)


def test_typo_is_corrected_and_suggested(searcher):
    response = run(searcher, "rodziny zastępczyh")
    assert response.suggestion == "rodziny zastępczych"
    assert {ZORY, LODZ} <= set(ids(response))


def test_long_word_with_two_typos_is_corrected(searcher):
    response = run(searcher, "termomodernizaja szkuł")
    assert response.suggestion == "termomodernizacja szkół"
    assert response.results[0]["id"] in {"demo-019", "demo-063"}


def test_correct_query_gets_no_suggestion(searcher):
    assert run(searcher, "rodzinach zastępczych").suggestion is None
    assert run(searcher, "zory").suggestion is None  # known without diacritics


def test_real_word_missing_from_the_index_is_not_corrected(searcher):
    assert run(searcher, "astronomia").suggestion is None


def test_suggestion_in_api_and_page(bundled_client):
    data = bundled_client.get("/api/search?q=bibloteka").get_json()
    assert data["suggestion"] == "biblioteka"
    assert data["total"] > 0
    assert data["corrected"] is True
    page = bundled_client.get("/?q=bibloteka").get_data(as_text=True)
    assert "Pokazuję wyniki dla:" in page and "szukaj zamiast tego:" in page
    typed = bundled_client.get("/api/search?q=bibloteka&correct=0").get_json()
    assert typed["suggestion"] == "biblioteka" and typed["corrected"] is False
    assert typed["total"] == 0
    page = bundled_client.get("/?q=bibloteka&correct=0").get_data(as_text=True)
    assert "Czy chodziło Ci o" in page


def test_cli_shows_the_suggestion(runner, bundled_index):
    result = runner.invoke(main, ["--index-dir", str(bundled_index), "search", "bibloteka"])
    assert result.exit_code == 0
    assert "Czy chodziło Ci o: biblioteka?" in result.output


def test_question_mark_is_punctuation_not_a_wildcard(searcher):
    assert (
        ids(run(searcher, "Jak wspierać rodziny zastępcze?"))[:2]
        == ids(run(searcher, "Jak wspierać rodziny zastępcze"))[:2]
    )
    assert {ZORY, LODZ} <= set(ids(run(searcher, "zastępcze?")))


def test_query_typed_without_polish_letters_is_respelt(searcher):
    folded = run(searcher, "szkol zawodowych z pracodawcami")
    correct = run(searcher, "szkół zawodowych z pracodawcami")
    assert ids(folded) == ids(correct)


def test_wildcard_patterns_are_neither_respelt_nor_corrected(bundled_index):

    ix = open_index(bundled_index)
    with ix.searcher() as searcher:
        prefix = search(searcher, clean_request("rodz*")[0])
        word = search(searcher, clean_request("rodzina")[0])
    ix.close()
    assert prefix.suggestion is None
    assert prefix.total >= word.total > 1


def _understood_words(searcher, q):
    """The words query understanding saw, typed and as searched, from the parse tree."""
    from search_app.engine.context import QueryContext
    from search_app.engine.understanding import UnderstandingPlugin, parser_for

    context = QueryContext(searcher)
    parser = parser_for(context)
    plugin = UnderstandingPlugin(context, q)
    parser.add_plugin(plugin)
    parser.process(q)
    return [(word.typed, word.final) for word in plugin.words]


def test_only_words_of_the_text_fields_are_rewritten(searcher):
    """Field names, operators, phrases and patterns are never respelt nor corrected."""
    words = _understood_words(
        searcher, 'szkol AND NOT "szkol" szkol* title:bibliotke population_count:szkol'
    )
    assert words == [("szkol", "szkół"), ("bibliotke", "bibliotekę")]


def test_question_marks_end_words_on_the_parse_tree(searcher):
    words = _understood_words(searcher, "Gdzie szkol? szk?ła?? rodz*?")
    assert words == [("Gdzie", "Gdzie"), ("szkol", "szkół")]
    response = run(searcher, "zastepcze??")
    assert {ZORY, LODZ} <= set(ids(response))


def test_suggestion_keeps_the_rest_of_the_query_as_typed(searcher):
    response = run(searcher, '(bibliotke OR "szkol") title:szkoła?')
    assert response.suggestion == '(bibliotekę OR "szkol") title:szkoła?'
