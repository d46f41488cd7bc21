"""The pages about the site ("O bazie", the accessibility statement) and dates in Polish."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from analyzers.dates import MONTHS_GENITIVE, polish_date
from search_app.web import create_app
from search_app.web.pages import OPERATOR_DEFAULTS

ABOUT = "/o-bazie"
STATEMENT = "/deklaracja-dostepnosci"
OPERATOR = {
    "OPERATOR_NAME": "Urząd Gminy Testowo",
    "OPERATOR_ADDRESS": "ul. Rynek 1, 00-950 Testowo",
    "ACCESSIBILITY_CONTACT_NAME": "Anna Kowalska",
    "ACCESSIBILITY_EMAIL": "dostepnosc@testowo.example.pl",
    "ACCESSIBILITY_PHONE": "555 123 456",
    "STATEMENT_PUBLISHED": "2024-09-23",
    "STATEMENT_UPDATED": "2026-03-31",
}
# The ids the official template of the statement gives its parts (software finds them so).
STATEMENT_IDS = (
    "a11y-wstep",
    "a11y-podmiot",
    "a11y-url",
    "a11y-data-publikacja",
    "a11y-data-aktualizacja",
    "a11y-status",
    "a11y-data-sporzadzenie",
    "a11y-kontakt",
    "a11y-osoba",
    "a11y-email",
    "a11y-telefon",
    "a11y-procedura",
    "a11y-architektura",
    "a11y-aplikacje",
)


@pytest.fixture()
def app(small_index, tmp_path):
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(small_index),
            "ANALYTICS_DB": str(tmp_path / "analytics.sqlite3"),
            **OPERATOR,
        }
    )


@pytest.fixture()
def demo_client(small_index, tmp_path):
    """The app as it starts with no operator settings: the demo defaults."""
    config = {
        "TESTING": True,
        "INDEX_DIR": str(small_index),
        "ANALYTICS_DB": str(tmp_path / "analytics.sqlite3"),
    }
    return create_app(config).test_client()


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def text(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def element(html: str, id_: str) -> str:
    """The opening tag with ``id_`` and what follows it up to its closing tag (simple cases)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{id_}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, id_
    return match.group(2)


@pytest.mark.parametrize("url", [ABOUT, STATEMENT])
def test_the_pages_render_with_one_heading(client, url):
    html = page(client, url)
    assert html.count("<h1") == 1
    assert '<html lang="pl">' in html


def test_about_names_the_programme_the_operator_and_the_contact(client):
    html = page(client, ABOUT)
    words = text(html)
    assert "Doskonalenie zarządzania usługami publicznymi i rozwojem w jednostkach" in words
    assert OPERATOR["OPERATOR_NAME"] in words
    assert OPERATOR["OPERATOR_ADDRESS"] in words
    assert f'href="mailto:{OPERATOR["ACCESSIBILITY_EMAIL"]}"' in html
    assert 'href="tel:555123456"' in html
    assert "dane przykładowe" in words.lower()
    assert "licencja MIT" in words
    assert "data/README.md" not in html
    assert "Dane przykładowe." not in words  # the demo-settings note: the operator set them


def test_the_statement_has_every_part_of_the_template(client):
    html = page(client, STATEMENT)
    for id_ in STATEMENT_IDS:
        assert html.count(f'id="{id_}"') == 1, id_
    assert element(html, "a11y-podmiot") == OPERATOR["OPERATOR_NAME"]
    assert element(html, "a11y-osoba") == OPERATOR["ACCESSIBILITY_CONTACT_NAME"]
    assert element(html, "a11y-email") == OPERATOR["ACCESSIBILITY_EMAIL"]
    assert element(html, "a11y-telefon") == OPERATOR["ACCESSIBILITY_PHONE"]
    assert element(html, "a11y-data-publikacja") == "2024-09-23"
    assert element(html, "a11y-data-aktualizacja") == "2026-03-31"
    assert element(html, "a11y-data-sporzadzenie") == "2026-03-31"
    assert "23 września 2024" in text(html)
    assert "31 marca 2026" in text(html)
    assert re.search(r'<a id="a11y-url" href="http://localhost/"', html)
    assert "częściowo zgodna" in element(html, "a11y-status")
    assert "Deklaracja dostępności" in text(html)


def test_the_statement_is_honest_about_what_is_not_accessible(client):
    words = text(page(client, STATEMENT))
    for claim in ("Załączniki", "OCR", "Mapa praktyk", "samooceny", "axe-core"):
        assert claim in words, claim
    assert "ustawą z dnia 4 kwietnia 2019 r. o dostępności cyfrowej" in words
    assert "nie udostępnia aplikacji mobilnych" in words


def test_the_statement_describes_the_enforcement_procedure(client):
    words = text(page(client, STATEMENT))
    assert "żądaniem zapewnienia dostępności cyfrowej" in words
    assert "nie później niż w ciągu 7 dni" in words
    assert "nie może być dłuższy niż 2 miesiące" in words
    assert "alternatywny sposób dostępu" in words
    assert "złożyć skargę" in words
    assert "Rzecznika Praw Obywatelskich" in words


@pytest.mark.parametrize("url", [ABOUT, STATEMENT])
def test_demo_defaults_are_marked(demo_client, url):
    html = page(demo_client, url)
    words = text(html)
    assert "Dane przykładowe." in words
    assert "Operator przykładowy — ustaw BDP_OPERATOR_NAME" in words
    for key in OPERATOR_DEFAULTS:
        assert f"BDP_{key}" in words, key


def test_one_setting_left_at_its_default_is_named(small_index, tmp_path):
    config = {**OPERATOR, "ACCESSIBILITY_PHONE": "", "ANALYTICS_DB": str(tmp_path / "a.sqlite3")}
    client = create_app({"TESTING": True, "INDEX_DIR": str(small_index), **config}).test_client()
    note = text(page(client, STATEMENT)).split("Do uzupełnienia w ustawieniach:")[1].split(".")[0]
    assert "BDP_ACCESSIBILITY_PHONE" in note
    assert "BDP_OPERATOR_NAME" not in note


def test_settings_come_from_the_environment(monkeypatch, small_index, tmp_path):
    monkeypatch.setenv("BDP_OPERATOR_NAME", "Starostwo Powiatowe w Przykładowie")
    monkeypatch.setenv("BDP_STATEMENT_UPDATED", "2026-02-28")
    analytics_db = str(tmp_path / "analytics.sqlite3")
    app = create_app({"TESTING": True, "INDEX_DIR": str(small_index), "ANALYTICS_DB": analytics_db})
    assert app.config["OPERATOR_NAME"] == "Starostwo Powiatowe w Przykładowie"
    html = page(app.test_client(), STATEMENT)
    assert element(html, "a11y-podmiot") == "Starostwo Powiatowe w Przykładowie"
    assert "28 lutego 2026" in text(html)


@pytest.mark.parametrize("value", ["2026-02-30", "31.03.2026", "20260331", "wczoraj"])
def test_a_malformed_statement_date_stops_the_start_in_polish(small_index, value):
    with pytest.raises(ValueError, match="BDP_STATEMENT_PUBLISHED musi być datą"):
        create_app({"INDEX_DIR": str(small_index), "STATEMENT_PUBLISHED": value})


def test_the_footer_links_both_pages(client):
    html = page(client, "/")
    footer = html.split('<footer class="site">')[1]
    assert f'href="{ABOUT}"' in footer
    assert f'href="{STATEMENT}">Deklaracja dostępności</a>' in footer
    assert "data/README.md" not in html
    assert "repozytorium" not in footer


# Polish dates


@pytest.mark.parametrize(
    ("month", "name"),
    [
        (1, "stycznia"),
        (2, "lutego"),
        (3, "marca"),
        (4, "kwietnia"),
        (5, "maja"),
        (6, "czerwca"),
        (7, "lipca"),
        (8, "sierpnia"),
        (9, "września"),
        (10, "października"),
        (11, "listopada"),
        (12, "grudnia"),
    ],
)
def test_every_month_in_the_genitive(month, name):
    assert polish_date(f"2012-{month:02d}-04") == f"4 {name} 2012"
    assert polish_date(dt.date(2012, month, 28)) == f"28 {name} 2012"
    assert MONTHS_GENITIVE[month - 1] == name


def test_days_have_no_leading_zero_and_leap_days_exist():
    assert polish_date("2012-06-04") == "4 czerwca 2012"
    assert polish_date("2024-02-29") == "29 lutego 2024"
    assert polish_date("2000-02-29") == "29 lutego 2000"
    assert polish_date("2023-02-29") == ""  # no leap year
    assert polish_date("1900-02-29") == ""
    assert polish_date(dt.datetime(2013, 7, 9, 12, 30)) == "9 lipca 2013"


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "2012-13-01", "2012-06-31", "04.06.2012", "20120604", "2012-6-4", "jutro", 7],
)
def test_no_date_or_an_invalid_one_gives_nothing(value):
    assert polish_date(value) == ""


def test_practice_page_shows_dates_in_polish(client):
    html = page(client, "/praktyka/000_3b014753ec2e4c31")
    card = html.split('id="metryka"')[1].split("</aside>")[0]
    assert '<time datetime="2012-06-04">4 czerwca 2012</time>' in card
    assert '<time datetime="2013-07-09">9 lipca 2013</time>' in card
    assert ">2012-06-04<" not in card


def test_result_cards_show_dates_in_polish(client):
    html = page(client, "/?q=rodzin")
    results = html.split('class="hits"')[1]
    assert "dodano <time" in results
    assert '<time datetime="2012-06-04">4 czerwca 2012</time>' in results
    assert not re.search(r">\d{4}-\d{2}-\d{2}</time>", results)
