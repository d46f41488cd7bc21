"""The Polish search page and the practice page."""

from __future__ import annotations


def test_search_page_lists_results_and_facets(client):
    html = client.get("/?q=rodzinach+zastępczych").get_data(as_text=True)
    assert '<html lang="pl">' in html
    assert "Program Rozwoju Rodzicielstwa" in html
    assert "<mark" in html
    assert "Województwo" in html


def test_facet_link_filters_and_chip_removes(client):
    html = client.get("/?voivodeship=śląskie").get_data(as_text=True)
    assert "Wybrane filtry" in html
    assert "Bo ważny jest dom" in html
    assert "Program Rozwoju Rodzicielstwa" not in html.split("class=\"results\"")[1]


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
