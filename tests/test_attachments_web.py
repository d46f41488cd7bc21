"""Attachments on the web: found by their words, named with file and page, downloaded safely."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import quote

import jsonschema_rs
import pytest

from indexer.build import build_index
from indexer.sources import DEFAULT_SOURCES, read_sources
from search_app.web import create_app
from search_app.web.openapi import openapi_spec
from search_app.web.views import file_size

DEMO = DEFAULT_SOURCES / "demo"
TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "txt": "text/plain",
}
SENTENCE = "koszt koszenia jednego hektara poboczy"
RESOLUTION = "Uchwała w sprawie konsultacji społecznych.pdf"


def validator(name: str):
    spec = {"$schema": "https://json-schema.org/draft/2020-12/schema", **openapi_spec()}
    return jsonschema_rs.validator_for({**spec, "$ref": f"#/components/schemas/{name}"})


def hits(client, q: str, **params) -> list[dict]:
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200
    validator("SearchResponse").validate(response.get_json())
    return response.get_json()["results"]


def download(client, url: str, **kwargs):
    """GET a download, its file closed as a server closes it (not left to the collector)."""
    return client.get(url, buffered=True, **kwargs)


def assert_html_404(response) -> str:
    """The HTML side of the one error shape: the error page, in Polish, with its status."""
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<h1>Błąd 404</h1>" in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return html


# --- Found by attachment text, and the hit says where --------------------------------


def test_a_sentence_only_in_a_pdf_finds_its_practice_naming_file_and_page(bundled_client):
    results = hits(bundled_client, SENTENCE)
    top = [hit["id"] for hit in results[:3]]
    assert "demo-007" in top
    hit = results[top.index("demo-007")]
    title = "Sprawozdanie z budżetu zadaniowego 2009.pdf"
    assert hit["snippet_source"] == {"attachment": title, "n": 0, "page": 3}
    assert "<mark>hektara</mark> <mark>poboczy</mark>" in hit["snippet"]
    assert hit["attachments"] == [
        {
            "n": 0,
            "title": title,
            "kind": "pdf",
            "size": 36320,
            "pages": 5,
            "ocr": False,
            "url": "/praktyka/demo-007/zalaczniki/0",
        }
    ]


def test_the_search_page_names_the_attachment_and_its_page(bundled_client):
    html = bundled_client.get("/", query_string={"q": SENTENCE}).get_data(as_text=True)
    items = re.findall(r'<li class="hit">.*?</li>', html, flags=re.S)
    position = next(i for i, item in enumerate(items) if "/praktyka/demo-007?" in item)
    assert position < 3
    source = re.search(r'<p class="snippet-source">(.*?)</p>', items[position], flags=re.S)
    assert source is not None
    assert unescape(re.sub(r"<[^>]+>", "", source[1])) == (
        "w załączniku „Sprawozdanie z budżetu zadaniowego 2009.pdf”, s.\xa03"
    )
    assert 'href="/praktyka/demo-007/zalaczniki/0"' in source[1]


def test_a_quoted_phrase_from_a_pdf_names_its_page(bundled_client):
    (hit,) = hits(bundled_client, f'"{SENTENCE}"')
    assert hit["id"] == "demo-007"
    assert hit["snippet_source"]["page"] == 3


@pytest.mark.parametrize(
    ("q", "practice_id", "kind", "page"),
    [
        ("heliotermiczne", "demo-030", "pdf", 1),  # a scan, read by OCR
        ("Parasole, hulajnogi i mokre okrycia wierzchnie", "demo-001", "pdf", 2),
        ("sylwetkę żubra", "demo-032", "rtf", None),
        ("rakiety wodne", "demo-047", "docx", None),
        ("beczkowozy", "demo-061", "txt", None),
        ("oscypki", "demo-004", "odt", None),
    ],
)
def test_words_of_each_format_find_their_practice(bundled_client, q, practice_id, kind, page):
    results = hits(bundled_client, q)
    assert results[0]["id"] == practice_id
    source = results[0]["snippet_source"]
    assert source["page"] == page
    (item,) = [a for a in results[0]["attachments"] if a["n"] == source["n"]]
    assert item["kind"] == kind and item["title"] == source["attachment"]
    assert item["ocr"] is (practice_id == "demo-030")
    assert "<mark>" in results[0]["snippet"]


def test_a_snippet_from_the_practice_text_has_no_attachment_source(bundled_client):
    results = hits(bundled_client, "budżet zadaniowy")
    assert results[0]["id"] == "demo-007"
    assert results[0]["snippet_source"] is None  # the summary has both words
    assert results[0]["attachments"][0]["n"] == 0
    browse = hits(bundled_client, "", has_attachments="z załącznikami", per_page=50)
    assert len(browse) == 12
    assert all(hit["attachments"] and hit["snippet_source"] is None for hit in browse)


def test_the_attachments_facet_is_listed_with_its_polish_label(bundled_client):
    html = bundled_client.get("/").get_data(as_text=True)
    facet = html.split('aria-labelledby="facet-has_attachments"')[1].split("</section>")[0]
    assert '<h3 id="facet-has_attachments">Załączniki</h3>' in facet
    assert "z załącznikami" in facet


# --- Downloads ------------------------------------------------------------------------


def test_every_attachment_downloads_as_indexed(bundled_client):
    files = [
        (hit["id"], item)
        for hit in hits(bundled_client, "", has_attachments="z załącznikami", per_page=50)
        for item in bundled_client.get(f"/api/practices/{hit['id']}").get_json()["files"]
    ]
    assert len(files) == 13
    for practice_id, item in files:
        response = download(bundled_client, item["url"])
        assert response.status_code == 200, (practice_id, item)
        assert hashlib.sha256(response.data).hexdigest() == item["sha256"]
        assert len(response.data) == item["size"] == response.content_length
        assert response.headers["Content-Type"] == TYPES[item["kind"]]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        if not item["title"].isascii():
            assert f"filename*=UTF-8''{quote(item['title'], safe='')}" in disposition
        assert response.headers["ETag"] == f'"{item["sha256"]}"'


def test_a_polish_file_name_is_sent_by_rfc_5987(bundled_client):
    response = download(bundled_client, "/praktyka/demo-011/zalaczniki/0")
    assert response.status_code == 200
    assert response.data == (DEMO / "practices-1" / "demo-011" / RESOLUTION).read_bytes()
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Uchwaa w sprawie konsultacji spoecznych.pdf"; '
        "filename*=UTF-8''Uchwa%C5%82a%20w%20sprawie%20konsultacji%20spo%C5%82ecznych.pdf"
    )
    assert response.headers["Content-Type"] == "application/pdf"


def test_downloads_answer_ranges_and_conditional_requests(bundled_client):
    url = "/praktyka/demo-007/zalaczniki/0"
    whole = download(bundled_client, url)
    part = download(bundled_client, url, headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.data == whole.data[:8] == b"%PDF-1.4"
    assert part.headers["Content-Range"] == f"bytes 0-7/{len(whole.data)}"
    again = download(bundled_client, url, headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    outside = download(bundled_client, url, headers={"Range": f"bytes={len(whole.data) + 10}-"})
    assert outside.status_code == 416
    assert "Błąd 416" in outside.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/praktyka/demo-001/zalaczniki/1",  # n past the last attachment
        "/praktyka/demo-001/zalaczniki/-1",
        "/praktyka/demo-001/zalaczniki/1000000000000000000000",
        "/praktyka/demo-001/zalaczniki/0x0",
        "/praktyka/demo-001/zalaczniki/..%2F..%2Fetc%2Fpasswd",
        "/praktyka/demo-001/zalaczniki/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/praktyka/demo-001/zalaczniki/../../../etc/passwd",
        "/praktyka/../zalaczniki/0",
        "/praktyka/..%2F..%2Fetc/zalaczniki/0",
        "/praktyka/nie-ma/zalaczniki/0",
        "/praktyka/000_3b014753ec2e4c31/zalaczniki/0",  # a practice without attachments
    ],
)
def test_unknown_attachments_and_traversal_are_404(bundled_client, url):
    response = bundled_client.get(url)
    html = assert_html_404(response)
    assert "root:" not in html


def test_the_api_never_shows_where_files_are_on_disk(bundled_client):
    answers = [
        bundled_client.get("/api/search", query_string={"q": SENTENCE}).get_data(as_text=True),
        bundled_client.get("/api/practices/demo-053").get_data(as_text=True),
        bundled_client.get("/praktyka/demo-053").get_data(as_text=True),
        bundled_client.get("/", query_string={"q": SENTENCE}).get_data(as_text=True),
    ]
    for text in answers:
        assert str(DEMO) not in text and '"location"' not in text


# --- The practice: API and page -------------------------------------------------------


def test_the_practice_api_adds_the_indexed_files_after_the_record_attachments(bundled_client):
    body = bundled_client.get("/api/practices/demo-053").get_json()
    validator("PracticeDetail").validate(body)
    keys = list(body)
    assert keys[keys.index("attachments") + 1] == "files"
    assert [a["title"] for a in body["attachments"]] == [f["title"] for f in body["files"]]
    pdf, docx = body["files"]
    assert pdf["kind"] == "pdf" and pdf["pages"] == 2 and pdf["text_indexed"] is True
    assert docx == {
        "n": 1,
        "title": "Formularz oferty.docx",
        "kind": "docx",
        "size": docx["size"],
        "pages": None,
        "ocr": False,
        "sha256": docx["sha256"],
        "text_indexed": True,
        "problem": None,
        "url": "/praktyka/demo-053/zalaczniki/1",
    }
    plain = bundled_client.get("/api/practices/000_3b014753ec2e4c31").get_json()
    assert plain["attachments"] == [] and plain["files"] == []
    record = {k: v for k, v in plain.items() if k != "files"}
    validator("Practice").validate(record)  # the rest is the canonical record


def test_the_practice_page_has_its_sections_and_lists_the_attachments(bundled_client):
    html = bundled_client.get("/praktyka/demo-053").get_data(as_text=True)
    assert '<h2 id="skrot">Skrót</h2>' in html
    assert '<h2 id="pelna-prezentacja">Pełna prezentacja</h2>' in html
    assert html.index('id="skrot"') < html.index('id="pelna-prezentacja"')
    section = html.split('aria-labelledby="zalaczniki"')[1].split("</section>")[0]
    assert '<h2 id="zalaczniki">Załączniki</h2>' in section
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', section, flags=re.S)
    shown = [(href, re.sub(r"<[^>]+>", "", text)) for href, text in links]
    assert shown == [
        ("/praktyka/demo-053/zalaczniki/0", "Regulamin małych grantów.pdf (PDF, 28 kB, 2 s.)"),
        ("/praktyka/demo-053/zalaczniki/1", "Formularz oferty.docx (DOCX, 36 kB)"),
    ]
    assert section.count("<li>") == 2 and '<ul class="files">' in section


def test_a_scan_is_marked_as_read_by_ocr(bundled_client):
    html = bundled_client.get("/praktyka/demo-030").get_data(as_text=True)
    section = html.split('aria-labelledby="zalaczniki"')[1].split("</section>")[0]
    assert "(PDF, 31 kB, 1 s.)" in section
    assert "(skan, tekst rozpoznany OCR)" in section


def test_file_sizes_read_as_polish():
    assert [file_size(n) for n in (0, 999, 48_000, 1_200_000, 12_345_678, 3 * 10**9)] == [
        "0 B",
        "999 B",
        "48 kB",
        "1,2 MB",
        "12 MB",
        "3 GB",
    ]


# --- An index of our own: files missing, unreadable, changed after indexing -----------


@pytest.fixture()
def own(tmp_path) -> tuple[Path, object]:
    """A practice with a text file, a PDF, an unreadable "PDF" and a missing file."""
    folder = tmp_path / "zrodla" / "pliki"
    folder.mkdir(parents=True)
    (folder / "ogloszenie.txt").write_text(
        "Zbiórka elektrośmieci odbędzie się w sobotę na parkingu przy targowisku.\n",
        encoding="utf-8",
    )
    shutil.copy(DEMO / "practices-1" / "demo-011" / RESOLUTION, folder / RESOLUTION)
    (folder / "zepsuty.pdf").write_bytes(b"to nie jest PDF")
    record = {
        "id": "wlasna",
        "title": "Zbiórka odpadów w gminie",
        "summary": "Gmina organizuje zbiórki odpadów wielkogabarytowych.",
        "attachments": [
            {"path": "pliki/ogloszenie.txt", "title": "Ogłoszenie o zbiórce"},
            {"path": f"pliki/{RESOLUTION}", "title": RESOLUTION},
            {"path": "pliki/zepsuty.pdf", "title": "Zepsuty.pdf"},
            {"path": "pliki/brak.pdf", "title": "Brak.pdf"},
        ],
    }
    source = tmp_path / "zrodla" / "praktyki.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    report = read_sources([source])
    assert not report.errors, report.errors
    build_index(report.practices, tmp_path / "index")
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    return folder, client


def test_files_not_read_are_listed_with_why_and_never_served(own):
    folder, client = own
    files = client.get("/api/practices/wlasna").get_json()["files"]
    text, pdf, broken, missing = files
    assert text["kind"] == "txt" and text["text_indexed"] and text["problem"] is None
    assert broken["kind"] is None and broken["text_indexed"] is False and broken["problem"]
    assert missing["url"] is None and missing["sha256"] is None and missing["problem"]
    assert_html_404(client.get("/praktyka/wlasna/zalaczniki/3"))
    # An unreadable file is still the practice's file: served, typed by its suffix.
    response = download(client, broken["url"])
    assert response.status_code == 200 and response.data == b"to nie jest PDF"
    assert response.headers["Content-Type"] == "application/pdf"
    # A title without the file's suffix gets it in the download name.
    named = download(client, text["url"]).headers["Content-Disposition"]
    assert (
        named.endswith(".txt")
        and "filename*=UTF-8''Og%C5%82oszenie%20o%20zbi%C3%B3rce.txt" in named
    )
    html = client.get("/praktyka/wlasna").get_data(as_text=True)
    section = html.split('aria-labelledby="zalaczniki"')[1].split("</section>")[0]
    assert section.count("<li>") == 4
    assert "Tekst tego pliku nie jest przeszukiwany:" in section
    assert '<span class="file-title">Brak.pdf</span>' in section  # no link to a missing file
    assert 'href="/praktyka/wlasna/zalaczniki/3"' not in section


def test_words_of_a_text_attachment_name_it_without_a_page(own):
    _folder, client = own
    (hit,) = client.get("/api/search?q=elektrośmieci").get_json()["results"]
    assert hit["snippet_source"] == {"attachment": "Ogłoszenie o zbiórce", "n": 0, "page": None}
    html = client.get("/?q=elektrośmieci").get_data(as_text=True)
    assert "w załączniku „<a" in html and "Ogłoszenie o zbiórce</a>”</p>" in html


@pytest.mark.parametrize("change", ["same size", "longer", "deleted", "replaced by a link"])
def test_a_file_changed_after_indexing_is_not_served(own, change):
    folder, client = own
    url = "/praktyka/wlasna/zalaczniki/0"
    assert download(client, url).status_code == 200  # served (and its digest remembered) first
    path = folder / "ogloszenie.txt"
    original = path.read_bytes()
    if change == "same size":
        path.write_bytes(original.replace(b"sobot", b"niedz"))
        assert len(path.read_bytes()) == len(original) and path.read_bytes() != original
    elif change == "longer":
        path.write_bytes(original + b"Dopisek.\n")
    elif change == "deleted":
        path.unlink()
    else:
        other = folder / "inny.txt"
        other.write_bytes(original)
        path.unlink()
        path.symlink_to(other)  # even with the very same bytes, a link is not followed
    html = assert_html_404(download(client, url))
    assert "Ogłoszenie o zbiórce" in html
    assert str(folder) not in html
    if change == "same size":  # put back as indexed: served again
        path.write_bytes(original)
        assert download(client, url).status_code == 200


def test_the_download_is_described_in_openapi():
    spec = openapi_spec()
    operation = spec["paths"]["/praktyka/{practice_id}/zalaczniki/{n}"]["get"]
    assert {"200", "206", "304", "404", "416"} <= set(operation["responses"])
    assert "application/pdf" in operation["responses"]["200"]["content"]
    schemas = spec["components"]["schemas"]
    assert "url" in schemas["ResultAttachment"]["required"]
    assert "location" not in json.dumps(schemas)
    assert schemas["PracticeDetail"]["required"][7] == "files"
