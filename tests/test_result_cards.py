"""Result cards (issue #15): the population in Polish number format, the "dane
przykładowe" badge, and sort options that say which way they order."""

from __future__ import annotations

import re
from types import SimpleNamespace

import lxml.html
import pytest

from indexer.build import build_index
from indexer.records import Practice
from search_app.engine.search import SORTS
from search_app.web import create_app
from search_app.web.views import SORT_LABELS, is_sample, polish_number

NBSP = "\N{NO-BREAK SPACE}"


@pytest.fixture()
def cards_client(tmp_path):
    practices = [
        Practice(id="duza", title="Duże miasto", population=1_234_567, sample=True),
        Practice(id="mala", title="Mała gmina", population=812),
        Practice(id="bez", title="Bez liczby mieszkańców"),
    ]
    build_index(practices, tmp_path)
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()


def cards(client, url: str) -> dict[str, lxml.html.HtmlElement]:
    doc = lxml.html.fromstring(client.get(url).get_data(as_text=True))
    return {card.xpath(".//h3")[0].text_content(): card for card in doc.xpath("//li[@class='hit']")}


def test_the_population_is_on_the_card_with_a_non_breaking_thousands_space(bundled_client):
    html = bundled_client.get("/?q=Bo+ważny+jest+dom").get_data(as_text=True)
    assert f"Liczba mieszkańców: 60{NBSP}444" in html


def test_a_card_without_a_population_does_not_mention_it(cards_client):
    found = cards(cards_client, "/")
    meta = {
        title: card.xpath(".//p[@class='meta']")[0].text_content() for title, card in found.items()
    }
    assert f"Liczba mieszkańców: 1{NBSP}234{NBSP}567" in meta["Duże miasto"]
    assert "Liczba mieszkańców: 812" in meta["Mała gmina"]
    assert "Liczba mieszkańców" not in meta["Bez liczby mieszkańców"]


def test_sample_data_carries_a_badge(cards_client):
    found = cards(cards_client, "/")
    badges = {title: card.xpath(".//*[@class='badge-sample']") for title, card in found.items()}
    assert [b.text_content() for b in badges["Duże miasto"]] == ["dane przykładowe"]
    assert badges["Mała gmina"] == [] and badges["Bez liczby mieszkańców"] == []


def test_is_sample_reads_a_missing_field_as_not_sample():
    assert is_sample(SimpleNamespace(sample=True))
    assert not is_sample(SimpleNamespace(sample=False))
    assert not is_sample(SimpleNamespace(sample=None))
    assert not is_sample(SimpleNamespace(title="bez pola sample"))


@pytest.mark.parametrize(
    ("number", "text"),
    [(0, "0"), (812, "812"), (8215, f"8{NBSP}215"), (60444, f"60{NBSP}444")],
)
def test_numbers_are_grouped_by_thousands_with_a_non_breaking_space(number, text):
    assert polish_number(number) == text


def test_every_sort_option_says_which_way_it_orders(bundled_client):
    html = bundled_client.get("/?q=pomoc").get_data(as_text=True)
    select = html.split('<select id="sort"')[1].split("</select>")[0]
    options = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', select))
    assert list(options) == list(SORTS)
    assert options["population"] == "liczba mieszkańców: od największej"
    assert options["newest"] == "data dodania: od najnowszych"
    assert options["oldest"] == "data dodania: od najstarszych"
    assert SORT_LABELS["relevance"] == options["relevance"] == "trafność"


def test_the_population_sort_is_really_from_the_largest(cards_client):
    titles = list(cards(cards_client, "/?sort=population"))
    assert titles == ["Duże miasto", "Mała gmina", "Bez liczby mieszkańców"]
