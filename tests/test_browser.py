"""The search page in a real browser: Playwright driving Debian's Chromium.

The app is served on 127.0.0.1 (a free port, in a thread) over the bundled practices.
Screenshots at 1280 px and 390 px go to the git-ignored ``screenshots/`` folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from search_app.web import create_app
from tests.conftest import CHROMIUM, live_server, new_page

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("/usr/bin/chromium is missing: scripts/test.sh installs it with apt")
    pytest.skip("Chromium is missing (bash scripts/test.sh installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index)})
    with live_server(app) as address:
        yield address


@pytest.fixture()
def page(browser, base_url):
    context, page, errors = new_page(browser, base_url, DESKTOP)
    yield page
    context.close()
    assert not errors, errors


def query_args(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def hit_titles(page) -> list[str]:
    return page.locator(".hit h3").all_inner_texts()


def facet(page, name: str, value: str):
    """The label of one facet value's checkbox in the filter form (clicking it ticks it)."""
    group = page.locator(f"fieldset.facet[aria-labelledby='facet-{name}']")
    return group.locator("label", has=page.locator(".facet-label", has_text=value)).first


def checkbox(page, name: str, value: str):
    return page.locator(f"form[data-facets] input[name='{name}'][value='{value}']")


def total(page) -> int:
    return int(page.locator("#wyniki strong").inner_text())


def test_type_a_query_and_see_highlighted_results(page):
    page.goto("/")
    page.fill("#q", "rodzinach zastępczych")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=*")
    titles = hit_titles(page)
    assert any("Rodzicielstwa Zastępczego" in t for t in titles[:3])
    assert page.locator(".hit mark").count() > 0
    assert query_args(page)["q"] == ["rodzinach zastępczych"]


def test_click_a_facet_and_remove_it_with_its_chip(page):
    page.goto("/?q=pomoc")
    everything = total(page)
    facet(page, "voivodeship", "śląskie").click()  # applies on change (JavaScript)
    page.wait_for_url("**voivodeship=*")
    assert query_args(page)["voivodeship"] == ["śląskie"]
    assert query_args(page)["q"] == ["pomoc"]
    assert 0 < total(page) < everything
    # After the reload the focus is back on the box just ticked, which is ticked.
    box = checkbox(page, "voivodeship", "śląskie")
    assert box.is_checked()
    assert box.evaluate("el => el === document.activeElement")
    chip = page.locator(".chips a", has_text="śląskie")
    chip.click()
    page.wait_for_url(lambda url: "voivodeship" not in url)
    assert total(page) == everything
    assert page.locator(".chips").count() == 0


def test_two_values_of_one_facet_are_ored_and_stay_choosable(page):
    page.goto("/")
    facet(page, "voivodeship", "opolskie").click()
    page.wait_for_url("**voivodeship=*")
    opolskie = total(page)
    # Disjunctive counts: the other voivodeships keep their counts and stay clickable.
    facet(page, "voivodeship", "lubuskie").click()
    page.wait_for_function("new URL(location).searchParams.getAll('voivodeship').length == 2")
    assert sorted(query_args(page)["voivodeship"]) == ["lubuskie", "opolskie"]
    assert total(page) > opolskie
    assert page.locator(".chips a", has_text="Województwo").count() == 2
    wheres = page.locator(".hit .where").all_inner_texts()
    assert wheres and all("opolskie" in w or "lubuskie" in w for w in wheres)


def test_hierarchical_facet_shows_subcategories_under_a_chosen_category(page):
    page.goto("/")
    assert page.locator("fieldset.facet[aria-labelledby='facet-category'] .children").count() == 0
    facet(page, "category", "Usługi społeczne").click()
    page.wait_for_url("**category=*")
    children = page.locator("fieldset.facet[aria-labelledby='facet-category'] .children")
    children.locator("label", has_text="Kultura").click()
    page.wait_for_url("**subcategory=*")
    assert query_args(page)["subcategory"] == ["Kultura"]
    crumbs = page.locator(".hit .crumbs").all_text_contents()
    assert crumbs and all("Kultura" in c for c in crumbs)
    # Clearing the category clears its subcategory too.
    facet(page, "category", "Usługi społeczne").click()
    page.wait_for_url(lambda url: "category" not in url)
    assert page.locator(".chips").count() == 0


def test_paginate_and_choose_page_size(page):
    page.goto("/")
    first = hit_titles(page)
    assert len(first) == 10
    page.locator("nav.pages a[rel=next]").click()
    page.wait_for_url("**page=2*")
    second = hit_titles(page)
    assert second and not set(first) & set(second)
    assert page.locator("nav.pages [aria-current=page]").inner_text() == "2"
    page.select_option("#per_page", "20")  # applies on change (JavaScript)
    page.wait_for_url("**per_page=20*")
    assert len(hit_titles(page)) == 20
    page.go_back()
    page.wait_for_url(lambda url: "per_page=20" not in url)
    assert hit_titles(page) == second


def test_sort_by_oldest_and_population(page):
    page.goto("/?q=program")
    page.select_option("#sort", "oldest")
    page.wait_for_url("**sort=oldest*")
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert len(dates) > 1 and dates == sorted(dates)
    page.select_option("#sort", "population")
    page.wait_for_url("**sort=population*")
    assert query_args(page)["q"] == ["program"]
    chosen = page.locator("#sort option:checked").inner_text()
    assert chosen == "liczba mieszkańców: od największej"


def test_open_a_practice_and_go_back_to_the_same_results(page):
    page.goto("/?q=seniorzy&unit_type=gmina+miejska")
    results_url = page.url
    title = page.locator(".hit h3 a").first.inner_text()
    page.locator(".hit h3 a").first.click()
    page.wait_for_url("**/praktyka/**")
    assert page.locator("h1").inner_text() == title
    # Demonstration data: its invented e-mail address is shown, but not linked.
    assert "@example.pl" in page.locator(".card").inner_text()
    assert page.locator(".card a[href^='mailto:']").count() == 0
    assert page.locator(".similar li a").count() >= 1
    page.locator(".back a").click()
    page.wait_for_url(results_url)
    assert page.locator(".chips a", has_text="gmina miejska").count() == 1
    page.locator(".hit h3 a").first.click()
    page.wait_for_url("**/praktyka/**")
    page.go_back()
    page.wait_for_url(results_url)


def test_query_without_polish_letters(page):
    # Only words without Polish letters for now: folding diacritics (so that "zastepcze"
    # finds "zastępcze") is being added to the analyzer separately.
    page.goto("/")
    page.fill("#q", "termomodernizacja szkoly")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=*")
    assert any("ermomodernizacja" in t for t in hit_titles(page)[:3])


def test_autocomplete_suggests_titles_and_opens_a_practice(page):
    page.goto("/")
    page.locator("#q").press_sequentially("zastep", delay=30)
    listbox = page.locator("#podpowiedzi")
    listbox.wait_for(state="visible")
    assert page.get_attribute("#q", "aria-expanded") == "true"
    terms = listbox.locator(".suggest-term").all_inner_texts()
    assert any(t.startswith("zastępcz") for t in terms)
    title = listbox.locator(".suggest-title").first
    expected = title.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#q", "aria-activedescendant") == "podpowiedz-0"
    title.click()
    page.wait_for_url("**/praktyka/**")
    assert page.locator("h1").inner_text() == expected


def test_map_link_applies_the_voivodeship_filter(page):
    page.goto("/")
    region = page.locator("svg.poland a[aria-label^='Województwo małopolskie']")
    count = int(str(region.get_attribute("aria-label")).rsplit(": ", 1)[1].split()[0])
    region.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**voivodeship=*")
    assert query_args(page)["voivodeship"] == ["małopolskie"]
    assert total(page) == count
    assert page.locator("#wyniki").inner_text().startswith("Praktyki w województwie małopolskim")
    assert page.locator("svg.poland").count() == 0


def test_page_works_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/?q=budżet")
    page.select_option("#sort", "newest")
    page.locator(".toolbar button[type=submit]").click()
    page.wait_for_url("**sort=newest*")
    assert query_args(page)["q"] == ["budżet"]
    assert hit_titles(page)
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_filters_apply_with_their_button_without_javascript(browser, base_url, viewport, tmp_path):
    context = browser.new_context(java_script_enabled=False, base_url=base_url, viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/?q=pomoc&per_page=20&page=2")
    everything = total(page)
    button = page.locator("form[data-facets] button[type=submit]")
    assert button.is_visible() and button.inner_text() == "Zastosuj filtry"
    # Ticking a box changes nothing until the form is applied.
    facet(page, "voivodeship", "śląskie").click()
    facet(page, "category", "Usługi społeczne").click()
    assert "voivodeship" not in page.url
    button.click()
    page.wait_for_url("**voivodeship=*")
    args = query_args(page)
    assert args["voivodeship"] == ["śląskie"] and args["category"] == ["Usługi społeczne"]
    assert args["q"] == ["pomoc"] and args["per_page"] == ["20"] and "page" not in args
    assert 0 < total(page) < everything
    assert checkbox(page, "voivodeship", "śląskie").is_checked()
    # "Pokaż więcej" opens without JavaScript too.
    more = page.locator("fieldset.facet[aria-labelledby='facet-voivodeship'] details.more")
    if more.count():
        more.locator("summary").click()
        assert more.locator("input").first.is_visible()
    shot = tmp_path / f"filters-no-js-{viewport['width']}.png"
    page.screenshot(path=shot, full_page=True)
    assert shot.exists() and shot.stat().st_size > 0
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_screenshots(browser, base_url, viewport):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=viewport, locale="pl-PL", base_url=base_url)
    page = context.new_page()
    width = viewport["width"]
    shots = {
        "home": "/",
        "results": "/?q=rodziny+zastępcze&category=Usługi+społeczne",
        "practice": "/praktyka/000_3b014753ec2e4c31?powrot=/?q=rodziny",
    }
    for name, path in shots.items():
        page.goto(path)
        # Nothing may be wider than the screen (responsive down to 360 px).
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px"
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    page.goto("/")
    page.locator("#q").press_sequentially("rodz", delay=20)
    page.locator("#podpowiedzi").wait_for(state="visible")
    page.screenshot(path=SCREENSHOTS / f"autocomplete-{width}.png")
    context.close()
