"""The search function: ranking, OR grouping, filters, disjunctive facets, sorting, snippets."""

from __future__ import annotations

import pytest

from indexer.store import open_index
from tests.conftest import run_search


@pytest.fixture(scope="module")
def searcher(small_searcher):
    return small_searcher


run = run_search


def ids(response):
    return [hit["id"] for hit in response.results]


def test_inflected_query_finds_both_seed_pages(searcher):
    found = ids(run(searcher, "rodzinach zastępczych"))
    assert {"000_3b014753ec2e4c31", "001_8428a99dc5593c9b"} <= set(found[:5])


def test_with_match_any_no_word_is_required_but_more_matches_rank_higher(searcher):
    response = run(searcher, "seniorzy termomodernizacja", match="any")
    assert {"fx-krakow-seniorzy", "fx-termomodernizacja"} <= set(ids(response))
    both = run(searcher, "klub seniora Kraków", match="any")
    assert ids(both)[0] == "fx-krakow-seniorzy"


def test_by_default_every_content_word_is_required(searcher):
    assert run(searcher, "seniorzy termomodernizacja").total == 0
    assert ids(run(searcher, "klub seniora Kraków")) == ["fx-krakow-seniorzy"]


def test_title_outranks_body(searcher):
    assert ids(run(searcher, "budżet obywatelski"))[0] == "fx-budzet-obywatelski"


def test_filter_values_within_a_facet_are_ored(searcher):
    response = run(searcher, filters={"voivodeship": ["śląskie", "łódzkie"]})
    assert set(ids(response)) == {"000_3b014753ec2e4c31", "fx-gops-wies", "001_8428a99dc5593c9b"}


def test_different_facets_are_anded(searcher):
    response = run(searcher, filters={"voivodeship": ["śląskie"], "unit_type": ["gmina wiejska"]})
    assert ids(response) == ["fx-gops-wies"]


def test_a_chosen_county_narrows_only_its_own_voivodeship(searcher):
    filters = {"voivodeship": ["śląskie", "małopolskie"], "county": ["częstochowski"]}
    response = run(searcher, filters=filters)
    assert set(ids(response)) == {"fx-gops-wies", "fx-krakow-seniorzy"}
    # Voivodeships are counted without the county choice, counties within the voivodeships.
    voivodeships = {v.value: v.count for v in response.facets["voivodeship"]}
    assert voivodeships["śląskie"] == 2 and voivodeships["małopolskie"] == 1
    counties = {v.value: (v.count, v.parent) for v in response.facets["county"]}
    assert counties["żorski"] == (1, "śląskie") and counties["m. Kraków"] == (1, "małopolskie")
    assert "kłodzki" not in counties


def test_subcategories_carry_their_category(searcher):
    response = run(searcher, filters={"category": ["Usługi społeczne"]})
    subcategories = {v.value: v.parent for v in response.facets["subcategory"]}
    assert subcategories == {"Pomoc społeczna": "Usługi społeczne"}


def test_facet_counts_ignore_their_own_selection(searcher):
    response = run(searcher, filters={"voivodeship": ["śląskie"]})
    voivodeships = {v.value: (v.count, v.selected) for v in response.facets["voivodeship"]}
    # Other voivodeships stay visible with the counts they would add.
    assert voivodeships["śląskie"] == (2, True)
    assert voivodeships["łódzkie"] == (1, False)
    assert voivodeships["małopolskie"] == (1, False)
    # Other facets are counted within the selection.
    units = {v.value: v.count for v in response.facets["unit_type"]}
    assert units == {"gmina miejska": 1, "gmina wiejska": 1}


def test_category_counts_sum_to_total(searcher):
    response = run(searcher)
    assert sum(v.count for v in response.facets["category"]) == response.total == 6


def test_empty_query_lists_newest_first(searcher):
    dates = [hit["date_added"] for hit in run(searcher).results]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("sort", "key", "reverse"), [("newest", "date_added", True), ("oldest", "date_added", False)]
)
def test_sort_by_date(searcher, sort, key, reverse):
    values = [hit[key] for hit in run(searcher, "pomocy", sort=sort).results]
    assert len(values) > 1 and values == sorted(values, reverse=reverse)


def test_sort_by_population(searcher):
    found = ids(run(searcher, sort="population"))
    assert found[:2] == ["001_8428a99dc5593c9b", "fx-krakow-seniorzy"]


def test_pagination(searcher):
    first = run(searcher, per_page=4)
    second = run(searcher, per_page=4, page=2)
    assert first.total == second.total == 6 and first.pages == 2
    assert len(ids(first)) == 4 and len(ids(second)) == 2
    assert not set(ids(first)) & set(ids(second))


def test_snippet_marks_stemmed_matches_and_escapes(searcher):
    hit = run(searcher, "rodzinach zastępczych").results[0]
    assert "<mark" in hit["snippet"]
    assert "<mark" in hit["title_html"]


def test_malformed_syntax_falls_back_to_plain_words(searcher):
    response = run(searcher, 'title:( "rodziny zastępcze')
    assert "Nie rozpoznano składni zapytania — szukam podanych słów." in response.messages
    # The plain words, not the field name: both seed pages are about foster families.
    assert {"000_3b014753ec2e4c31", "001_8428a99dc5593c9b"} <= set(ids(response))


def test_only_stopwords_says_so(searcher):
    response = run(searcher, "w na i")
    assert response.total == 0
    assert response.messages


def test_bad_parameters_are_clamped_with_messages(searcher):
    response = run(
        searcher,
        "rodzina",
        page="-3",
        per_page="100000",
        sort="losowo",
        filters={"kolor": ["zielony"]},
    )
    assert response.page == 1 and response.per_page == 100
    assert response.sort == "relevance"
    assert any("losowo" in m for m in response.messages)
    assert any("kolor" in m for m in response.messages)


def test_total_counts_only_filtered_matches_of_a_query(bundled_index):
    ix = open_index(bundled_index)
    with ix.searcher() as bundled:
        response = run(bundled, "pomoc", filters={"voivodeship": ["opolskie"]})
        unfiltered = run(bundled, "pomoc")
    ix.close()
    assert 0 < response.total == len(response.results) < unfiltered.total
    assert {hit["voivodeship"] for hit in response.results} == {"opolskie"}


def test_ranked_one_pass_agrees_with_the_sorted_path(searcher):
    """Unfiltered ranked searches collect matches while ranking; sorted ones count apart."""
    for q in ("pomocy społecznej", "rodzina", "budżet obywatelski kraków"):
        ranked = run(searcher, q, per_page=100)
        dated = run(searcher, q, per_page=100, sort="newest")
        assert ranked.total == dated.total == len(ranked.results)
        assert set(ids(ranked)) == set(ids(dated))
        assert ranked.facets == dated.facets
        scores = [hit["score"] for hit in ranked.results]
        assert scores == sorted(scores, reverse=True)
