"""The Polish search page and the practice page."""

from __future__ import annotations

import re

from indexer.build import build_index
from indexer.records import Practice
from search_app.web import create_app


def test_search_page_lists_results_and_facets(client):
    html = client.get("/?q=rodzinach+zastępczych").get_data(as_text=True)
    assert '<html lang="pl">' in html
    # Matched words of titles are marked too ("rodzicielstwo zastępcze" is a synonym).
    assert "Program Rozwoju Rodzicielstwa" in re.sub(r"</?mark>", "", html)
    assert "<mark" in html
    assert "Województwo" in html


def test_facet_link_filters_and_chip_removes(client):
    html = client.get("/?voivodeship=śląskie").get_data(as_text=True)
    assert "Wybrane filtry" in html
    assert "Bo ważny jest dom" in html
    assert "Program Rozwoju Rodzicielstwa" not in html.split('class="results"')[1]


def test_practice_page_has_metric_card_and_links(client):
    html = client.get("/praktyka/000_3b014753ec2e4c31").get_data(as_text=True)
    assert "Metryka praktyki" in html
    assert 'href="mailto:mops@mops.zory.pl"' in html
    assert 'href="tel:324342412"' in html
    assert 'href="http://www.mops.zory.pl"' in html
    assert "60 444" in html


def test_unknown_practice_is_a_polish_404(client):
    response = client.get("/praktyka/nie-ma")
    assert response.status_code == 404
    assert "Nie ma praktyki" in response.get_data(as_text=True)


def test_query_is_escaped(client):
    html = client.get("/?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_home_page_has_a_map_linking_each_voivodeship(bundled_client):
    html = bundled_client.get("/").get_data(as_text=True)
    assert 'class="poland"' in html
    assert html.count('class="region ') == 16
    assert 'href="/?voivodeship=ma%C5%82opolskie"' in html
    assert 'aria-label="Województwo małopolskie: 4 praktyki"' in html


def test_map_is_only_on_the_unfiltered_home_page(client):
    assert 'class="poland"' not in client.get("/?q=rodzina").get_data(as_text=True)
    assert 'class="poland"' not in client.get("/?category=Dialog+społeczny").get_data(as_text=True)


def test_pages_need_no_inline_script_or_style(client):
    """A strict Content-Security-Policy (no 'unsafe-inline') must not break the pages."""
    for url in ("/", "/?q=rodzina&voivodeship=śląskie", "/praktyka/000_3b014753ec2e4c31"):
        html = client.get(url).get_data(as_text=True)
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert not re.search(r"\s(on[a-z]+|style)=", html)
        assert "http://" not in html.split("<main")[0]  # no external assets in <head>


def test_per_page_choice_and_numbered_pages(bundled_client):
    html = bundled_client.get("/?per_page=20&page=2").get_data(as_text=True)
    assert '<option value="20" selected>' in html
    assert 'aria-current="page">2<' in html
    assert "Strona 2 z 4" in html


def test_practice_page_shows_similar_practices_keeping_the_way_back(client):
    html = client.get("/praktyka/000_3b014753ec2e4c31?powrot=/%3Fq%3Drodzina").get_data(
        as_text=True
    )
    similar = html.split("Podobne praktyki")[1]
    assert re.search(r'href="/praktyka/[^"?]+\?powrot=/\?q%3Drodzina"', similar)
    assert 'href="/?q=rodzina"' in html


def test_a_chosen_value_matching_nothing_can_still_be_removed(client):
    html = client.get("/?county=nieistniejący").get_data(as_text=True)
    assert "Nic nie znaleziono" in html
    assert 'aria-label="Usuń filtr Powiat: nieistniejący"' in html


def test_subcategories_nest_under_a_chosen_category(client):
    html = client.get("/?category=Usługi+społeczne").get_data(as_text=True)
    nested = html.split('class="children"')[1].split("</ul>")[0]
    assert "Pomoc społeczna" in nested
    assert 'name="subcategory" value="Pomoc społeczna"' in nested


def test_mailto_links_carry_only_the_address(tmp_path):
    emails = (
        "mops@mops.zory.pl?subject=Zapytanie o praktykę",
        "mailto:sekretariat@gmina.pl?cc=inny@gmina.pl&body=x",
        "Jan Kowalski <jan.kowalski@powiat.pl>",
        "brak adresu",
        "javascript:alert(1)//@x",
    )
    build_index([Practice(id="maile", title="Kontakt", emails=emails)], tmp_path)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()
    html = client.get("/praktyka/maile").get_data(as_text=True)
    assert re.findall(r'href="mailto:([^"]*)"', html) == [
        "mops@mops.zory.pl",
        "sekretariat@gmina.pl",
        "jan.kowalski@powiat.pl",
    ]
    # What the editor wrote is still shown, as text.
    assert "brak adresu" in html and "javascript:alert(1)//@x" in html
    assert 'href="javascript' not in html
