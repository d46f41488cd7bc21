"""Where a practice comes from: demonstration data is marked, real pages link their source.

``sample`` marks a practice written for the demo (its people, phones and addresses are
invented); ``source_url`` is the address of the practice's original page, never guessed.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from indexer.bdp_page import parse_html_page
from indexer.build import build_index
from indexer.jsonl import read_jsonl, write_jsonl
from indexer.records import Practice
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.store import stored_records
from search_app.web import create_app
from tests.conftest import ZORY, run_search

SOURCE_URL = "https://www.bdp.example.pl/praktyka/123"
ZORY_ID = ZORY.stem


def _read(tmp_path: Path, *records: dict) -> list:
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return list(read_jsonl(path))


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- JSON Lines -----------------------------------------------------------------------


def test_sample_and_source_url_are_read(tmp_path):
    sample, real, unset = _read(
        tmp_path,
        {"id": "a", "title": "A", "sample": True},
        {"id": "b", "title": "B", "sample": False, "source_url": SOURCE_URL},
        {"id": "c", "title": "C", "sample": None, "source_url": None},
    )
    assert (sample.sample, sample.source_url) == (True, None)
    assert (real.sample, real.source_url) == (False, SOURCE_URL)
    assert (unset.sample, unset.source_url) == (False, None)


@pytest.mark.parametrize("value", ["tak", "true", 1, 0, [], {}])
def test_a_sample_that_is_not_a_boolean_names_file_line_and_field(tmp_path, value):
    good = {"id": "a", "title": "A"}
    _, error = _read(tmp_path, good, {"id": "b", "title": "B", "sample": value})
    assert (error.line, error.field) == (2, "sample")
    assert "p.jsonl:2" in str(error) and "sample" in str(error)
    assert "true albo false" in str(error)


@pytest.mark.parametrize(
    "value",
    [
        "www.zory.pl",
        "/praktyka/123",
        "ftp://bdp.example.pl/p",
        "javascript:alert(1)",
        "https://",
        "https://bdp.example.pl/a b",
        "http://bdp.example.pl:99999/",
        42,
    ],
)
def test_a_source_url_that_is_not_an_absolute_web_address_names_file_line_and_field(
    tmp_path, value
):
    (error,) = _read(tmp_path, {"id": "a", "title": "A", "source_url": value})
    assert (error.line, error.field) == (1, "source_url")
    assert "p.jsonl:1" in str(error) and "source_url" in str(error)


def test_a_source_url_is_trimmed(tmp_path):
    (practice,) = _read(tmp_path, {"id": "a", "title": "A", "source_url": f" {SOURCE_URL}\t"})
    assert practice.source_url == SOURCE_URL


def test_export_writes_both_fields_before_extra_and_reads_them_back(tmp_path):
    items = [
        Practice(id="a", title="A", sample=True),
        Practice(id="b", title="B", source_url=SOURCE_URL),
        Practice(id="c", title="C"),
    ]
    out = io.StringIO()
    write_jsonl(items, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [list(line)[-4:] for line in lines] == [["source", "source_url", "sample", "extra"]] * 3
    assert [line["sample"] for line in lines] == [True, False, False]  # false is written too
    path = tmp_path / "eksport.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert list(read_jsonl(path)) == items
    build_index(items, tmp_path / "index")
    assert stored_records(tmp_path / "index") == [p.to_dict() for p in items]


# --- The bundled collection -----------------------------------------------------------


def test_every_demo_practice_is_a_sample_and_the_real_pages_are_not():
    demo = read_sources([DEFAULT_SOURCES / "demo"])
    real = read_sources([DEFAULT_SOURCES / "bdp"])
    assert not demo.errors and not real.errors
    assert len(demo.practices) == 66
    assert all(p.sample for p in demo.practices)
    assert [p.sample for p in real.practices] == [False, False]
    # The saved text pages name no address, and none is made up for them.
    assert [p.source_url for p in real.practices] == [None, None]


def test_sample_comes_from_the_data_not_from_the_id(tmp_path):
    (practice,) = _read(tmp_path, {"id": "demo-001", "title": "Prawdziwa praktyka"})
    assert practice.sample is False


# --- Saved HTML pages -----------------------------------------------------------------


def _html_page(tmp_path: Path, head: str) -> Path:
    """The Żory text page wrapped in HTML (as <pre>), with ``head`` in its <head>."""
    text = ZORY.read_text(encoding="utf-8")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    path = tmp_path / f"{ZORY_ID}.html"
    path.write_text(
        f'<html><head><meta charset="utf-8">{head}</head><body><pre>{escaped}</pre></body></html>',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (f'<link rel="canonical" href="{SOURCE_URL}">', SOURCE_URL),
        (f'<meta property="og:url" content="{SOURCE_URL}">', SOURCE_URL),
        (
            f'<meta property="og:url" content="https://inny.example.pl/">'
            f'<link rel="Canonical" href="{SOURCE_URL}">',
            SOURCE_URL,
        ),
        ('<link rel="canonical" href="/praktyka/123">', None),
        ('<link rel="canonical" href="javascript:alert(1)">', None),
        ("", None),
    ],
)
def test_a_saved_html_page_takes_the_address_it_names(tmp_path, head, expected):
    practice = parse_html_page(_html_page(tmp_path, head))
    assert practice.source_url == expected
    assert practice.sample is False
    assert practice.title == read_sources([ZORY]).practices[0].title


# --- Search results -------------------------------------------------------------------


def test_hits_carry_the_sample_mark(bundled_searcher):
    response = run_search(bundled_searcher, "rodzina")
    assert response.results
    marks = {hit.id: hit.sample for hit in response.results}
    assert marks == {id: id.startswith("demo-") for id in marks}
    assert False in marks.values() and True in marks.values()


def test_the_api_returns_the_sample_mark(bundled_client):
    results = bundled_client.get("/api/search", query_string={"q": "rodzina"}).get_json()
    marks = {hit["id"]: hit["sample"] for hit in results["results"]}
    assert marks and marks == {id: id.startswith("demo-") for id in marks}
    record = bundled_client.get(f"/api/practices/{ZORY_ID}").get_json()
    assert record["sample"] is False and record["source_url"] is None


# --- The practice page ----------------------------------------------------------------

NOTICE = "Dane przykładowe"


def test_a_sample_practice_says_so_and_links_no_contact(bundled_client):
    html = _page(bundled_client, "/praktyka/demo-001")
    assert NOTICE in html and "osoby, telefony i adresy są fikcyjne" in html
    assert html.index(NOTICE) < html.index('id="metryka"')  # near the top
    assert "555 120 341" in html  # shown, as text only
    assert "tel:" not in html and "mailto:" not in html
    card = html.split('id="metryka"')[1].split("</aside>")[0]
    assert not re.search(r'<a href="https?://[^"]*klodzko', card)
    assert "Zobacz oryginalną stronę praktyki" not in html


def test_a_real_practice_has_no_notice_and_keeps_its_links(bundled_client):
    html = _page(bundled_client, f"/praktyka/{ZORY_ID}")
    assert NOTICE not in html
    assert 'href="tel:' in html


def test_a_practice_with_its_source_address_links_it(tmp_path):
    records = [
        {"id": "z-adresem", "title": "Budżet obywatelski", "source_url": SOURCE_URL},
        {"id": "bez-adresu", "title": "Budżet obywatelski w mieście"},
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    build_index(read_sources([path]).practices, tmp_path / "index")
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    html = _page(client, "/praktyka/z-adresem")
    link = re.search(r'<a href="([^"]*)" rel="noopener">Zobacz oryginalną stronę praktyki', html)
    assert link and link[1] == SOURCE_URL
    assert "(strona zewnętrzna)" in html
    assert NOTICE not in html
    assert "Zobacz oryginalną stronę praktyki" not in _page(client, "/praktyka/bez-adresu")


def test_the_api_description_types_both_fields(bundled_client):
    schemas = bundled_client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Practice"]["properties"]["sample"]["type"] == "boolean"
    assert schemas["Practice"]["properties"]["source_url"]["type"] == ["string", "null"]
    assert schemas["Result"]["properties"]["sample"]["type"] == "boolean"
