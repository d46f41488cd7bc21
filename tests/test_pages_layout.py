"""The layout of the pages around the results (issue #15, point 2): a page past the
last, the page of no results, the search box of every page, the way back to the
results, and pagination links that stay whole at 1280 px and at 390 px."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest

from search_app.web import create_app
from tests.conftest import app_on_a_copy, live_server, new_page
from tests.test_browser import DESKTOP, PHONE

PRACTICE = "/praktyka/000_3b014753ec2e4c31"
NOTHING = "qwxzy brakujace slowo"


def main_part(html: str) -> str:
    return html.split('<main id="tresc"', 1)[1].split("</main>", 1)[0]


# --- A page past the last ---------------------------------------------------------------


def test_a_page_past_the_last_redirects_to_the_last_with_a_note(bundled_client):
    response = bundled_client.get("/?q=rodzina&page=999")
    assert response.status_code in (302, 303)
    target = urlsplit(response.headers["Location"])
    args = parse_qs(target.query)
    assert args["q"] == ["rodzina"]
    last = int(args["page"][0])
    assert last >= 1

    html = bundled_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Strona 999 nie istnieje — pokazuję ostatnią, {last}." in html
    assert "Nic nie znaleziono" not in html
    assert f"Strona {last} z {last}" in html
    assert "Strona 999 z" not in html
    assert 'class="hit"' in html
    # The note is not carried on: not into the way back, nor into the feed and export.
    assert "poza=" not in html.split('class="notice"')[0]
    assert not re.search(r'href="[^"]*poza=', html)


def test_the_note_is_shown_only_for_a_page_that_really_was_past_the_last(bundled_client):
    html = bundled_client.get("/?q=rodzina&page=1&poza=2").get_data(as_text=True)
    assert "nie istnieje" not in html


def test_a_page_number_past_the_limit_shows_the_last_page_with_both_notes(bundled_client):
    response = bundled_client.get("/?q=rodzina&page=99999999999999999999")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "przyjęto 1000" in html
    assert "Strona 1000 nie istnieje — pokazuję ostatnią," in html
    assert "Nic nie znaleziono" not in html and 'class="hit"' in html


@pytest.mark.parametrize("note", ["²", "abc", "-3", "9" * 50])
def test_a_strange_note_parameter_is_ignored(bundled_client, note):
    response = bundled_client.get("/", query_string={"q": "rodzina", "poza": note})
    assert response.status_code == 200
    assert "nie istnieje" not in response.get_data(as_text=True)


def test_the_api_answers_a_page_past_the_last_as_before(bundled_client):
    response = bundled_client.get("/api/search?q=rodzina&page=999")
    assert response.status_code == 200
    data = response.get_json()
    assert data["page"] == 999 and data["results"] == [] and data["total"] > 0


# --- The page of no results -------------------------------------------------------------


def test_no_results_is_one_message_with_suggestions_and_no_sort_controls(client):
    html = main_part(client.get("/?q=" + NOTHING.replace(" ", "+")).get_data(as_text=True))
    assert html.count("Nic nie znaleziono") == 1
    assert "Brak wyników" not in html
    assert 'class="notice"' not in html
    # No sort or page-size controls, no empty filter box.
    assert 'id="sort"' not in html and 'id="per_page"' not in html
    assert 'class="toolbar"' not in html
    assert 'class="facets"' not in html
    # Popular categories to browse, and the help page.
    popular = html.split('class="popular"')[1].split("</ul>")[0]
    assert len(re.findall(r'href="/\?category=[^"]+"', popular)) >= 1
    assert 'href="/jak-szukac"' in html
    # No filters were chosen: no "without filters" link.
    assert 'class="unfiltered"' not in html


def test_popular_categories_are_counted_once_per_generation(index_dir, tmp_path, monkeypatch):
    """The categories offered by a page of no results come from one search of everything
    per generation; a published update counts its practice at once."""
    from indexer.sources import read_sources
    from indexer.update import add_practices
    from search_app.web import access

    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CACHE": False})
    client = app.test_client()
    searched: list[str] = []
    search = access.search
    monkeypatch.setattr(
        access,
        "search",
        lambda s, request, *a: searched.append(request.q) or search(s, request, *a),
    )

    def popular() -> dict[str, int]:
        html = client.get("/?q=" + NOTHING.replace(" ", "+")).get_data(as_text=True)
        part = html.split('class="popular"')[1].split("</ul>")[0]
        found = re.findall(r'category=([^"&]+)"[^>]*>[^<]*</a> <span class="count">(\d+)', part)
        return {unquote_plus(value): int(count) for value, count in found}

    first = popular()
    assert first and popular() == first
    assert searched.count("") == 1  # the second page searched only for its own query

    category = next(iter(first))
    new = tmp_path / "nowa.jsonl"
    record = {"id": "nowa-kategoria", "title": "Nowa praktyka", "category": category}
    new.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    add_practices(read_sources([new]), index_dir)
    assert popular()[category] == first[category] + 1
    assert searched.count("") == 2


def test_no_results_with_filters_links_to_the_query_without_them(client):
    html = main_part(
        client.get("/?q=" + NOTHING.replace(" ", "+") + "&voivodeship=śląskie").get_data(
            as_text=True
        )
    )
    assert html.count("Nic nie znaleziono") == 1
    link = re.search(r'<a class="unfiltered" href="([^"]+)">([^<]+)</a>', html)
    assert link is not None
    args = parse_qs(urlsplit(link[1].replace("&amp;", "&")).query)
    assert args["q"] == [NOTHING] and "voivodeship" not in args
    assert "bez filtrów" in link[2]
    # The chosen filter can still be removed.
    assert 'aria-label="Usuń filtr Województwo: śląskie"' in html


def test_results_keep_their_sort_controls_and_filters(client):
    html = main_part(client.get("/?q=rodzina").get_data(as_text=True))
    assert 'id="sort"' in html and 'class="facets"' in html
    assert "Nic nie znaleziono" not in html


# --- The search box of every page -------------------------------------------------------


@pytest.mark.parametrize("url", [PRACTICE, "/jak-szukac", "/o-bazie", "/deklaracja-dostepnosci"])
def test_every_page_has_a_labelled_search_box_in_its_header(client, url):
    html = client.get(url).get_data(as_text=True)
    header = html.split('<header class="site">')[1].split("</header>")[0]
    form = re.search(r'<form class="site-search" action="([^"]+)" method="get"[^>]*>', header)
    assert form is not None and form[1] == "/"
    assert 'role="search"' in form[0]
    assert '<label for="site-q"' in header
    assert re.search(r'<input id="site-q" name="q" type="search"', header)
    assert '<button type="submit">Szukaj</button>' in header


def test_error_pages_have_the_search_box_too(client):
    response = client.get("/praktyka/nie-ma-takiej")
    assert response.status_code == 404
    assert 'class="site-search"' in response.get_data(as_text=True)


def test_the_search_page_has_one_search_form(client):
    for url in ("/", "/?q=rodzina", "/?q=" + NOTHING.replace(" ", "+")):
        html = client.get(url).get_data(as_text=True)
        assert 'class="site-search"' not in html
        assert html.count('role="search"') == 1


def test_the_header_search_box_submits_to_the_search(client):
    html = client.get("/jak-szukac").get_data(as_text=True)
    action = re.search(r'<form class="site-search" action="([^"]+)"', html)
    assert action is not None
    response = client.get(action[1], query_string={"q": "rodzina"})
    assert response.status_code == 200
    assert 'value="rodzina"' in response.get_data(as_text=True)


# --- The way back to the results --------------------------------------------------------


def test_a_practice_opened_directly_has_no_way_back_to_results(client):
    html = client.get(PRACTICE).get_data(as_text=True)
    assert "Wróć do wyników" not in html
    assert "powrot=" not in html


@pytest.mark.parametrize("back", ["javascript:alert(1)", "https://example.com/?q=x", "//x.pl/?q"])
def test_a_foreign_way_back_is_not_offered(client, back):
    html = client.get(PRACTICE, query_string={"powrot": back}).get_data(as_text=True)
    assert "Wróć do wyników" not in html


def test_a_practice_opened_from_results_goes_back_to_them(client):
    html = client.get(PRACTICE, query_string={"powrot": "/?q=rodzina"}).get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)">‹ Wróć do wyników wyszukiwania</a>', html)
    assert back is not None and back[1] == "/?q=rodzina"


# --- Pagination in a browser ------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(bundled_index, tmp_path_factory):
    """The app over a copy of the bundled index, as tests/test_a11y.py serves it."""
    app = app_on_a_copy(bundled_index, tmp_path_factory.mktemp("layout"))
    with live_server(app) as address:
        yield address


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_previous_and_next_are_whole_on_one_line(browser, base_url, viewport):
    context, page, _errors = new_page(browser, base_url, viewport)
    try:
        page.goto("/?page=3")
        boxes = {}
        for rel, word in (("prev", "Poprzednia"), ("next", "Następna")):
            link = page.locator(f".pages a[rel='{rel}']")
            assert link.count() == 1
            assert word in link.inner_text() and link.is_visible()
            link.scroll_into_view_if_needed()
            box = link.bounding_box()
            assert box is not None
            width = page.evaluate("() => document.documentElement.clientWidth")
            assert 0 <= box["x"] and box["x"] + box["width"] <= width, (rel, box, width)
            # One line: the text is not wrapped nor cut off by the link's box.
            middles = link.evaluate(
                """el => { const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                           const out = []; const r = document.createRange();
                           while (w.nextNode()) { if (!w.currentNode.data.trim()) continue;
                             r.selectNodeContents(w.currentNode);
                             for (const x of r.getClientRects()) out.push(x.top + x.height / 2); }
                           return out; }"""
            )
            assert middles and max(middles) - min(middles) < 4, (rel, middles)
            assert link.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
            assert link.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
            boxes[rel] = box
        assert abs(boxes["prev"]["y"] - boxes["next"]["y"]) < 1
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    finally:
        context.close()
