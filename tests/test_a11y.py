"""Accessibility (WCAG 2.1 AA): axe-core run inside Chromium on every page type, plus
keyboard-only journeys.

axe-core is vendored as ``tests/vendor/axe-core/axe.min.js`` (MPL-2.0, its licence
header kept, the licence next to it), so the tests need no network and no npm. Every
rule of the WCAG 2.0/2.1 A and AA tags and of the best practices must pass, at 1280 px
and at 390 px.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import app_on_a_copy, live_server, new_page
from tests.test_browser import DESKTOP, PHONE

sync_api = pytest.importorskip("playwright.sync_api")

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
TOKEN = "token-redakcji-dostepnosc-" + "z" * 16
ZERO = "qwxzy brakujace slowo"

# Every page type, by the path that shows it; the practice page is found from a result.
PAGES = {
    "wyszukiwarka": "/",
    "wyniki": "/?q=pomoc",
    "wyniki-z-filtrami": "/?q=pomoc&voivodeship=śląskie&category=Usługi+społeczne",
    "wojewodztwo-z-mapy": "/?voivodeship=mazowieckie",
    "zero-wynikow": "/?q=" + ZERO.replace(" ", "+"),
    "praktyka": None,
    "jak-szukac": "/jak-szukac",
    "o-bazie": "/o-bazie",
    "deklaracja-dostepnosci": "/deklaracja-dostepnosci",
    "blad-404": "/praktyka/nie-ma-takiej-praktyki",
    "logowanie-redakcji": "/redakcja/logowanie",
}


@pytest.fixture(scope="module")
def base_url(bundled_index, tmp_path_factory):
    """The app with an editors' token (so the panel's login page exists), over a copy
    of the bundled index; everything it writes is in a temporary folder."""
    app = app_on_a_copy(bundled_index, tmp_path_factory.mktemp("a11y"), ADMIN_TOKEN=TOKEN)
    with live_server(app) as address:
        yield address


@pytest.fixture()
def page(browser, base_url):
    context, page, errors = new_page(browser, base_url, DESKTOP)
    yield page
    context.close()
    assert not errors, errors


def practice_path(page) -> str:
    page.goto("/?q=pomoc")
    href = page.locator(".hit h3 a").first.get_attribute("href")
    assert href
    return href


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as shown, every listed tag run."""
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate(
        "async (options) => (await axe.run(document, options)).violations", options
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']!r}"[:400])
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations(browser, base_url, name, viewport):
    # bypass_csp: the app's Content-Security-Policy (rightly) refuses the injected axe
    context, page, errors = new_page(browser, base_url, viewport, bypass_csp=True)
    try:
        path = PAGES[name] or practice_path(page)
        response = page.goto(path)
        assert response is not None
        assert response.status == (404 if name == "blad-404" else 200)
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        assert not violations, f"{name} @ {viewport['width']}px:\n" + describe(violations)
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("name", [n for n in PAGES if n != "logowanie-redakcji"])
def test_one_h1_per_page(page, name):
    page.goto(PAGES[name] or practice_path(page))
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
@pytest.mark.parametrize("name", ["wyszukiwarka", "wyniki-z-filtrami"])
def test_axe_with_every_fold_open_and_the_focus_on_the_map(browser, base_url, name, viewport):
    """What folds hide (more values, the map's table, the filters on a phone) and the
    name a focused region shows pass too."""
    context, page, errors = new_page(browser, base_url, viewport, bypass_csp=True)
    try:
        page.goto(PAGES[name])
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        if page.locator("svg.poland").count():
            page.locator("svg.poland a").first.focus()
            assert page.locator("svg.poland a").first.locator("text.tip").is_visible()
        violations = axe_violations(page)
        assert not violations, f"{name} @ {viewport['width']}px:\n" + describe(violations)
        assert not errors, errors
    finally:
        context.close()


def focus_summary(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, text: (el.textContent || '').trim(),
                    href: el.getAttribute('href') || '', cls: el.className || '',
                    id: el.id || '', name: el.name || '', value: el.value || ''};
        }"""
    )


def test_the_first_tab_stops_are_the_skip_links(page):
    page.goto("/?q=pomoc")
    page.keyboard.press("Tab")
    first = focus_summary(page)
    page.keyboard.press("Tab")
    second = focus_summary(page)
    texts = {first["text"], second["text"]}
    assert texts == {"Przejdź do treści", "Przejdź do wyników"}
    # a focused skip link is on screen
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().left >= 0")


def tab_until(page, key: str, value: str, most: int) -> int:
    """Press Tab until the focused element's ``key`` ("text", "id") is ``value``; the
    presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if focus_summary(page)[key] == value:
            return presses
    pytest.fail(f"{value!r} not reached in {most} Tab presses: focus on {focus_summary(page)}")


def tab_to(page, text: str, most: int) -> int:
    """Press Tab until the focused element's text is ``text``; the presses it took."""
    return tab_until(page, "text", text, most)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_keyboard_reaches_the_first_result_through_the_skip_link(browser, base_url, viewport):
    context, page, errors = new_page(browser, base_url, viewport)
    try:
        page.goto("/?q=pomoc")
        first_title = page.locator(".hit h3 a").first.inner_text()
        assert tab_to(page, "Przejdź do wyników", 2) <= 2
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "lista-wynikow"
        assert tab_to(page, first_title, 1) == 1
        page.keyboard.press("Enter")
        page.wait_for_url("**/praktyka/**")
        assert page.locator("h1").inner_text() == first_title
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
@pytest.mark.parametrize(
    "path", ["/", "/?q=pomoc", "/?q=pomoc&voivodeship=śląskie&category=Usługi+społeczne"]
)
def test_the_first_result_is_five_tab_stops_from_the_search_box(browser, base_url, path, viewport):
    """Past the chosen filters, the filter form and the map by the skip link after the box."""
    context, page, errors = new_page(browser, base_url, viewport)
    try:
        page.goto(path)
        first_title = page.locator(".hit h3 a").first.inner_text()
        page.focus("#q")
        presses = tab_to(page, "Pomiń filtry i przejdź do wyników", 5)
        skip = page.locator(".skip-inline")
        box = skip.bounding_box()
        assert box and box["x"] >= 0 and box["width"] > 0  # on screen when focused
        page.keyboard.press("Enter")
        presses += tab_to(page, first_title, 5 - presses)
        assert presses <= 5
        assert not errors, errors
    finally:
        context.close()


def test_the_skip_link_on_zero_results_lands_on_the_message(page):
    page.goto(PAGES["zero-wynikow"])
    tab_to(page, "Przejdź do wyników", 2)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "lista-wynikow"
    assert "Nic nie znaleziono" in page.evaluate("() => document.activeElement.textContent")


def tab_to_box(page, box_id: str, most: int) -> int:
    """Press Tab until the checkbox ``box_id`` has the focus; the presses it took."""
    return tab_until(page, "id", box_id, most)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_facet_is_chosen_from_the_keyboard(browser, base_url, viewport, javascript):
    """Tab to a checkbox, Space; with JavaScript it applies at once and the focus comes
    back to it, without it "Zastosuj filtry" applies the form."""
    context, page, errors = new_page(browser, base_url, viewport, java_script_enabled=javascript)
    try:
        page.goto("/?q=pomoc")
        before = int(page.locator("#wyniki strong").inner_text())
        box = page.locator("details.facets-box")
        if not box.evaluate("el => el.open"):  # collapsed on a phone: opened with Enter
            tab_to(page, page.locator("details.facets-box > summary").inner_text(), 12)
            page.keyboard.press("Enter")
            assert box.evaluate("el => el.open")
        group = page.locator("fieldset.facet[aria-labelledby='facet-voivodeship']")
        target = group.locator("input[type=checkbox]").first
        box_id, value = target.get_attribute("id"), target.get_attribute("value")
        assert box_id and value
        label = page.locator(f"label[for='{box_id}'] .facet-label").inner_text()
        tab_to_box(page, box_id, 40)
        page.keyboard.press("Space")
        if not javascript:
            assert target.is_checked() and "voivodeship" not in page.url
            tab_to(page, "Zastosuj filtry", 80)
            page.keyboard.press("Enter")
        page.wait_for_url("**voivodeship=*")
        assert page.locator(".chips a", has_text=label).count() == 1
        assert 0 < int(page.locator("#wyniki strong").inner_text()) <= before
        if javascript:  # the focus is back on the box, ticked
            focused = focus_summary(page)
            assert (focused["name"], focused["value"]) == ("voivodeship", value)
            assert page.evaluate("() => document.activeElement.checked")
        assert not errors, errors
    finally:
        context.close()


def test_folded_values_are_out_of_the_tab_order_until_shown(page):
    page.goto("/")
    group = page.locator("fieldset.facet[aria-labelledby='facet-voivodeship']")
    shown = group.locator(":scope > ul input[type=checkbox]")
    ids = [box.get_attribute("id") for box in shown.all()]
    page.focus(f"#{ids[0]}")
    reached = [ids[0]]
    for _ in range(len(ids) + 5):
        page.keyboard.press("Tab")
        focused = focus_summary(page)
        if focused["tag"] == "SUMMARY":
            break
        reached.append(focused["id"])
    assert reached == ids and focused["text"].startswith("Pokaż więcej")
    page.keyboard.press("Enter")  # shows the rest, which join the tab order
    page.keyboard.press("Tab")
    first_folded = group.locator("details.more input[type=checkbox]").first
    assert focus_summary(page)["id"] == first_folded.get_attribute("id")


def test_the_result_count_is_announced_politely(page):
    page.goto("/?q=pomoc")
    live = page.evaluate(
        "() => document.querySelector('#wyniki strong').closest('[aria-live]')"
        "?.getAttribute('aria-live')"
    )
    assert live == "polite"


def test_the_focus_ring_contrasts_with_white_and_the_page_background(page):
    """The focused control's outline is dark (≥ 3:1 on white and on the page grey)
    with a light ring next to it, so it stays visible on dark fills too."""
    page.goto("/?q=pomoc")
    page.keyboard.press("Tab")
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {color: s.outlineColor, width: s.outlineWidth, style: s.outlineStyle,
                           shadow: s.boxShadow}; }"""
    )
    assert style["style"] == "solid" and float(style["width"].rstrip("px")) >= 2
    rgb = [int(x) for x in style["color"][style["color"].index("(") + 1 : -1].split(",")[:3]]
    assert contrast(rgb, [255, 255, 255]) >= 3 and contrast(rgb, [0xF4, 0xF6, 0xF9]) >= 3
    assert "255, 255, 255" in style["shadow"]


def luminance(rgb: list[int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[int], b: list[int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_reduced_motion_turns_transitions_off(browser, base_url):
    context, page, errors = new_page(browser, base_url, DESKTOP, reduced_motion="reduce")
    try:
        page.goto("/")
        durations = page.evaluate(
            """() => [...document.querySelectorAll('*')].flatMap(el => {
                const s = getComputedStyle(el);
                return [s.transitionDuration, s.animationDuration];
            }).filter(d => d.split(',').some(x => parseFloat(x) > 0.01))"""
        )
        assert durations == []
        assert not errors, errors
    finally:
        context.close()


def test_axe_is_vendored_with_its_licence():
    head = AXE.read_text(encoding="utf-8")[:600]
    assert "Mozilla Public" in head and "axe v4" in head
    assert (AXE.parent / "LICENSE").exists()
    json.dumps(AXE_TAGS)
