"""The editors' panel in a real browser: Playwright driving Debian's Chromium.

The app is served on 127.0.0.1 (a free port, in a thread) with an editors' token, over
a copy of the bundled index, a copy of the thesaurus and a search log of its own, all
in a temporary folder. Screenshots go to the git-ignored ``screenshots/`` folder.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from search_app.engine.synonyms import SYNONYMS_FILE
from tests.conftest import app_on_a_copy, live_server, new_page
from tests.test_browser import DESKTOP, PHONE, SCREENSHOTS

sync_api = pytest.importorskip("playwright.sync_api")

TOKEN = "token-redakcji-przegladarka-" + "y" * 16
QUERY = "jednoślad"  # nothing on the bundled practices, until it is a synonym of "rower"
NEW_GROUP = "jednoślad, rower  # źródło: język potoczny (test)"
ZERO = "qwxzy brakujace slowo"
JOB_DEADLINE = 120_000  # ms: an update of every bundled practice, process start included


@pytest.fixture(scope="module")
def served(bundled_index, tmp_path_factory):
    """The app and its address; everything it writes is in a temporary folder."""
    app = app_on_a_copy(bundled_index, tmp_path_factory.mktemp("panel-browser"), ADMIN_TOKEN=TOKEN)
    with live_server(app) as address:
        yield app, address
    assert SYNONYMS_FILE.read_bytes() != b""  # the repository's file was never the one edited


@pytest.fixture()
def page(browser, served):
    _app, base_url = served
    context, page, errors = new_page(browser, base_url, DESKTOP, timeout_ms=15_000)
    yield page
    context.close()
    assert not errors, errors


def log_in(page) -> None:
    page.goto("/redakcja")
    page.wait_for_url("**/redakcja/logowanie")
    page.get_by_label("Token redakcji").fill(TOKEN)
    page.get_by_role("button", name="Zaloguj").click()
    page.wait_for_url("**/redakcja")


def focused(page) -> str:
    """The focused element: its id, else its text."""
    return page.evaluate(
        "() => document.activeElement.id || document.activeElement.textContent.trim()"
    )


def test_the_login_form_is_labelled_and_works_from_the_keyboard(page):
    page.goto("/redakcja")
    page.wait_for_url("**/redakcja/logowanie")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_label("Token redakcji").get_attribute("type") == "password"
    # Tab order: the skip link, the site's name, the token, the button.
    page.keyboard.press("Tab")
    assert focused(page) == "Przejdź do treści"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == "token"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.type("zly-token")
    page.keyboard.press("Tab")
    assert focused(page) == "Zaloguj"
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "Nieprawidłowy token redakcji."
    assert page.get_by_label("Token redakcji").get_attribute("aria-invalid") == "true"
    page.get_by_label("Token redakcji").fill(TOKEN)
    page.keyboard.press("Enter")
    page.wait_for_url("**/redakcja")
    assert page.get_by_role("heading", level=1).inner_text() == "Stan indeksu"


def test_status_then_an_update_followed_to_its_end(page):
    log_in(page)
    practices = int(page.locator("#liczba-praktyk").inner_text())
    assert practices > 10
    assert page.get_by_label("Odśwież indeks").is_checked()
    page.get_by_role("button", name="Uruchom").click()
    page.wait_for_url(re.compile(r".*/redakcja/zadania/[\w-]+$"))
    assert page.locator("progress#postep").count() == 1
    SCREENSHOTS.mkdir(exist_ok=True)
    # The page reloads itself (meta refresh) until the job has ended.
    page.locator("#stan-zadania[data-status='done']").wait_for(timeout=JOB_DEADLINE)
    assert page.locator("meta[http-equiv='refresh']").count() == 0
    assert f"bez zmian {practices}" in page.locator("#komunikat").inner_text()
    assert page.get_by_role("heading", name="Podsumowanie").is_visible()
    page.screenshot(path=SCREENSHOTS / "panel-job-1280.png", full_page=True)
    page.get_by_role("link", name="‹ Stan indeksu").click()
    page.wait_for_url("**/redakcja")
    assert page.get_by_role("heading", name="Ostatnie zadanie").is_visible()
    assert (
        "Odświeżenie indeksu" in page.locator("section", has_text="Ostatnie zadanie").inner_text()
    )


def test_public_searches_show_on_the_analytics_page(page, served):
    app, _base_url = served
    for q in ("rodzina zastępcza", ZERO, ZERO):
        page.goto(f"/?q={q}")
    assert app.extensions["bdp_analytics"].flush()
    log_in(page)
    page.get_by_role("link", name="Statystyki wyszukiwań").click()
    page.get_by_role("link", name="ostatnie 7 dni").click()
    page.wait_for_url("**dni=7")
    assert page.get_by_role("link", name="ostatnie 7 dni").get_attribute("aria-current") == "page"
    zero = page.locator("#bez-wynikow-tabela")
    row = zero.locator("tr", has_text=ZERO)
    assert row.locator("td").nth(1).inner_text() == "2"
    chart = page.get_by_role("img", name=re.compile("Wyszukiwania dzień po dniu"))
    assert chart.count() == 1
    page.get_by_text("Tabela: wyszukiwania dzień po dniu").click()
    assert page.locator("#tabela-dzienna tbody tr").count() >= 7
    row.get_by_role("link").click()
    page.wait_for_url("**/?q=*")
    assert parse_qs(urlparse(page.url).query)["q"] == [ZERO]


def test_a_synonym_previewed_then_saved_changes_the_public_search(page):
    page.goto(f"/?q={QUERY}")
    assert page.locator(".hit").count() == 0
    log_in(page)
    page.get_by_role("link", name="Synonimy").click()
    area = page.get_by_label("Treść słownika")
    area.fill(area.input_value().rstrip("\n") + "\n" + NEW_GROUP + "\n")
    page.get_by_label("Zapytanie do porównania wyników").fill(QUERY)
    # Enter in the query field previews (the form's first button), it never saves.
    page.get_by_label("Zapytanie do porównania wyników").press("Enter")
    page.wait_for_url("**/redakcja/synonimy/podglad")
    preview = page.locator("section.preview")
    preview.wait_for()
    assert preview.locator("#podglad-obecny .preview-total").inner_text() == "0"
    proposed = int(preview.locator("#podglad-proponowany .preview-total").inner_text())
    assert proposed > 0
    assert preview.locator("#podglad-proponowany ~ ol li.only").count() > 0
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "panel-preview-1280.png")
    assert NEW_GROUP in page.get_by_label("Treść słownika").input_value()  # kept, not saved
    public = page.context.new_page()  # another tab: the panel's page keeps its form
    public.goto(f"/?q={QUERY}")
    assert public.locator(".hit").count() == 0  # a preview changes nothing
    page.get_by_role("button", name="Sprawdź i zapisz słownik").click()
    page.wait_for_url("**/redakcja/synonimy")
    assert "Zapisano słownik" in page.get_by_role("status").first.inner_text()
    public.reload()
    assert public.locator(".hit").count() == min(proposed, 10)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_panel_screenshots_fit_the_screen(browser, served, viewport):
    _app, base_url = served
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=viewport, locale="pl-PL", base_url=base_url)
    page = context.new_page()
    width = viewport["width"]
    page.goto("/redakcja/logowanie")
    page.screenshot(path=SCREENSHOTS / f"panel-login-{width}.png", full_page=True)
    log_in(page)
    for name, path in {
        "panel-status": "/redakcja",
        "panel-analytics": "/redakcja/statystyki?dni=30",
        "panel-synonyms": "/redakcja/synonimy",
    }.items():
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px"
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    context.close()
