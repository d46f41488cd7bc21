"""The response cache by generation (issue #16): same bytes, never stale, still logged, bounded."""

from __future__ import annotations

import gc
import json
import re
import sqlite3
from pathlib import Path

import pytest

import search_app.engine.synonyms as synonyms
from indexer.sources import read_sources
from indexer.update import add_practices
from search_app.engine.synonyms import RELOAD_CHECK_SECONDS
from search_app.engine.thesaurus_edit import save_thesaurus
from search_app.web import create_app
from search_app.web.cache import CACHED_ENDPOINTS, Entry, ResponseCache
from search_app.web.openapi import openapi_spec
from tests.test_openapi import validator

TOKEN = "sekret-redakcji-do-testow"
SEARCH = "/api/search?q=rodzina"
# Every kind of cached answer: search (JSON and page), facets, suggestions, a practice
# (page, JSON, similar), the feed and a static page.
CACHED_URLS = [
    SEARCH,
    "/api/search?category=Us%C5%82ugi+spo%C5%82eczne",
    "/",
    "/?q=rodzina&sort=newest",
    "/api/suggest?q=rodz",
    "/praktyka/fx-gops-wies",
    "/api/practices/fx-gops-wies",
    "/api/practices/fx-gops-wies/similar",
    "/feed.atom?q=rodzina",
    "/jak-szukac",
]
# A result link's click token: the search id differs per request, cached or not.
CLICK = re.compile(rb"z=[0-9a-f]{32}\.")


def make_app(index_dir: Path, tmp_path: Path, **config):
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "ANALYTICS_DB": str(tmp_path / "analytics.sqlite3"),
            **config,
        }
    )


@pytest.fixture()
def app(index_dir, tmp_path):
    app = make_app(index_dir, tmp_path)
    yield app
    app.extensions["bdp_analytics"].close()


def without_click_ids(body: bytes) -> bytes:
    return CLICK.sub(b"z=.", body)


@pytest.mark.parametrize("url", CACHED_URLS)
def test_a_cached_answer_is_the_uncached_one_byte_for_byte(app, index_dir, tmp_path, url):
    uncached_app = make_app(index_dir, tmp_path / "off", CACHE=False)
    fresh = uncached_app.test_client().get(url)
    first = app.test_client().get(url)
    cached = app.test_client().get(url)
    assert fresh.status_code == first.status_code == cached.status_code == 200
    assert (first.headers["X-Cache"], cached.headers["X-Cache"]) == ("miss", "hit")
    assert cached.headers["ETag"] == first.headers["ETag"] == fresh.headers["ETag"]
    assert cached.headers["Content-Type"] == fresh.headers["Content-Type"]
    if CLICK.search(fresh.data):
        # A results page: its result links carry each request's own search id.
        assert cached.headers["ETag"].startswith('W/"')
        assert CLICK.findall(cached.data) != CLICK.findall(first.data)
        assert without_click_ids(cached.data) == without_click_ids(fresh.data)
    else:
        assert cached.data == fresh.data
    uncached_app.extensions["bdp_analytics"].close()


@pytest.mark.parametrize("url", [SEARCH, "/?q=rodzina", "/praktyka/fx-gops-wies"])
def test_if_none_match_gives_304_and_an_empty_body(app, url):
    client = app.test_client()
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert app.test_client().get("/healthz").get_json()["cache"]["not_modified"] == 1


def test_a_304_from_a_worker_without_the_answer_is_computed_and_still_right(
    app, index_dir, tmp_path
):
    etag = app.test_client().get(SEARCH).headers["ETag"]
    other = make_app(index_dir, tmp_path / "other")  # another worker: its cache is empty
    answer = other.test_client().get(SEARCH, headers={"If-None-Match": etag})
    assert answer.status_code == 304 and answer.headers["X-Cache"] == "miss"
    other.extensions["bdp_analytics"].close()


def test_a_new_generation_is_never_served_stale(app, index_dir, tmp_path):
    client = app.test_client()
    before = client.get("/api/search?q=hulajnogi")
    assert before.get_json()["total"] == 0
    etag = client.get("/api/search?q=hulajnogi").headers["ETag"]

    new = tmp_path / "nowa.jsonl"
    record = {"id": "nowa-hulajnogi", "title": "Wypożyczalnia hulajnóg miejskich"}
    new.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    add_practices(read_sources([new]), index_dir)

    after = client.get("/api/search?q=hulajnogi", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["X-Cache"] == "miss"
    assert after.headers["ETag"] != etag
    assert [hit["id"] for hit in after.get_json()["results"]] == ["nowa-hulajnogi"]
    assert client.get("/healthz").get_json()["cache"]["cleared"] == 1


def test_a_saved_thesaurus_is_used_by_the_next_cached_request(bundled_index, tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(synonyms, "_now", lambda: clock[0])
    thesaurus = tmp_path / "synonimy.txt"
    thesaurus.write_text("# pusty\n", encoding="utf-8")
    app = make_app(bundled_index, tmp_path, SYNONYMS=str(thesaurus))
    client = app.test_client()
    url = "/api/search?q=jednoślad"  # nothing on the bundled practices; a bicycle if a synonym
    assert client.get(url).get_json()["total"] == 0
    assert client.get(url).headers["X-Cache"] == "hit"
    save_thesaurus(thesaurus, "jednoślad, rower  # źródło: język potoczny (test)\n")
    clock[0] += RELOAD_CHECK_SECONDS + 0.1  # the next look at the file
    after = client.get(url)
    assert after.headers["X-Cache"] == "miss" and after.get_json()["total"] > 0
    app.extensions["bdp_analytics"].close()


def test_cached_and_304_answers_count_in_the_search_log(app, tmp_path):
    client = app.test_client()
    etag = client.get(SEARCH).headers["ETag"]
    assert client.get(SEARCH).headers["X-Cache"] == "hit"
    assert client.get(SEARCH, headers={"If-None-Match": etag}).status_code == 304
    page = client.get("/?q=rodzina")
    cached_page = client.get("/?q=rodzina")
    assert cached_page.headers["X-Cache"] == "hit"
    assert app.extensions["bdp_analytics"].flush(timeout=10)
    with sqlite3.connect(tmp_path / "analytics.sqlite3") as conn:
        searches = conn.execute("SELECT query, search_id FROM searches").fetchall()
    assert [q for q, _id in searches] == ["rodzina"] * 5
    # Each page's result links carry its own search, which its clicks are counted for.
    ids = {i for _q, i in searches}
    for response in (page, cached_page):
        (token,) = set(CLICK.findall(response.data))
        assert token[2:-1].decode() in ids


def test_the_editors_routes_and_healthz_are_never_cached(index_dir, tmp_path):
    app = make_app(index_dir, tmp_path, ADMIN_TOKEN=TOKEN)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for url, headers in [
        ("/api/admin/status", auth),
        ("/redakcja/logowanie", {}),
        ("/healthz", {}),
        ("/api/search.csv?q=rodzina", {}),
    ]:
        for _ in range(2):
            response = client.get(url, headers=headers, buffered=True)
            assert response.status_code == 200, url
            assert "X-Cache" not in response.headers, url
    assert client.get("/healthz").get_json()["cache"]["entries"] == 0
    app.extensions["bdp_analytics"].close()


def test_errors_are_not_cached(app):
    client = app.test_client()
    for _ in range(2):
        missing = client.get("/praktyka/nie-ma-takiej")
        assert missing.status_code == 404 and "X-Cache" not in missing.headers
    assert client.get("/healthz").get_json()["cache"]["entries"] == 0


def test_a_search_cut_short_by_its_budget_is_not_kept(app, monkeypatch):
    from search_app.engine.budget import QueryBudget

    monkeypatch.setattr(QueryBudget, "cut_short", lambda budget: True)
    client = app.test_client()
    assert client.get(SEARCH).headers["X-Cache"] == "miss"
    second = client.get(SEARCH)
    assert second.headers["X-Cache"] == "miss"
    # Nobody keeps it, and OpenAPI says so (schemathesis found it missing there).
    assert second.headers["Cache-Control"] == "no-store" and "ETag" not in second.headers
    search_headers = openapi_spec()["paths"]["/api/search"]["get"]["responses"]["200"]["headers"]
    assert "no-store" in search_headers["Cache-Control"]["schema"]["enum"]


def test_with_the_cache_off_answers_keep_their_etag_and_304(index_dir, tmp_path):
    app = make_app(index_dir, tmp_path, CACHE="0")
    client = app.test_client()
    # A search cut short by its time budget gets no validator (tested above); a full
    # collection of the whole suite's heap landing inside one must not decide this test.
    gc.collect()
    gc.disable()
    try:
        first = client.get(SEARCH)
        second = client.get(SEARCH)
        revalidated = client.get(SEARCH, headers={"If-None-Match": first.headers["ETag"]})
    finally:
        gc.enable()
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "miss"
    assert revalidated.status_code == 304
    assert client.get("/healthz").get_json()["cache"]["entries"] == 0
    app.extensions["bdp_analytics"].close()


def test_public_answers_tell_a_proxy_to_revalidate(app):
    response = app.test_client().get(SEARCH)
    assert response.headers["Cache-Control"] == "public, no-cache"


def entry(size: int) -> Entry:
    return Entry(b"x" * size, (), "e", False, None)


def test_the_cache_is_bounded_by_entries_least_recently_used_out():
    cache = ResponseCache(max_entries=2, max_bytes=10**6)
    for key in ("a", "b"):
        cache.put(("g",), (key,), entry(10))
    assert cache.get(("g",), ("a",)) is not None  # "b" is now the least recently used
    cache.put(("g",), ("c",), entry(10))
    assert cache.get(("g",), ("b",)) is None and cache.get(("g",), ("a",)) is not None
    assert cache.summary()["entries"] == 2 and cache.summary()["evicted"] == 1


def test_the_cache_is_bounded_by_bytes():
    size = entry(1000).size
    cache = ResponseCache(max_entries=100, max_bytes=3 * size)
    for key in range(5):
        cache.put(("g",), (key,), entry(1000))
    summary = cache.summary()
    assert summary["entries"] == 3 and summary["bytes"] == 3 * size
    cache.put(("g",), ("huge",), entry(10 * size))  # larger than the whole cache: not kept
    assert cache.get(("g",), ("huge",)) is None


def test_a_new_stamp_empties_the_cache_at_once():
    cache = ResponseCache(max_entries=10, max_bytes=10**6)
    cache.put(("gen-1", 0), ("a",), entry(10))
    assert cache.get(("gen-2", 0), ("a",)) is None
    assert cache.summary()["entries"] == 0 and cache.summary()["cleared"] == 1


def test_a_malformed_cache_setting_stops_the_start(index_dir, monkeypatch):
    monkeypatch.setenv("BDP_CACHE_MB", "dużo")
    with pytest.raises(ValueError, match="BDP_CACHE_MB"):
        create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})


def cached_operations() -> list[tuple[str, str]]:
    """(operation id, a URL of it) for every operation OpenAPI says is cached."""
    found = []
    for path, item in openapi_spec()["paths"].items():
        operation = item.get("get", {})
        if "X-Cache" in operation.get("responses", {}).get("200", {}).get("headers", {}):
            url = path.replace("{practice_id}", "fx-gops-wies")
            found.append((operation["operationId"], url))
    return found


@pytest.mark.parametrize(("operation", "url"), cached_operations(), ids=lambda v: str(v))
def test_what_openapi_says_of_caching_holds(app, operation, url):
    client = app.test_client()
    first = client.get(url)
    assert first.status_code == 200, operation
    second = client.get(url)
    for response in (first, second):
        assert response.headers["Cache-Control"] == "public, no-cache"
        assert response.headers["X-Cache"] in ("hit", "miss") and response.headers["ETag"]
    assert second.headers["X-Cache"] == "hit"
    again = client.get(url, headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304
    validator("Health").validate(client.get("/healthz").get_json())


def test_openapi_lists_every_cached_endpoint():
    assert len(cached_operations()) == len(CACHED_ENDPOINTS)


def test_the_bounds_and_the_switch_come_from_the_environment(index_dir, monkeypatch):
    monkeypatch.setenv("BDP_CACHE_ENTRIES", "3")
    monkeypatch.setenv("BDP_CACHE_MB", "1")
    monkeypatch.setenv("BDP_CACHE", "nie")
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "ANALYTICS": False})
    figures = app.test_client().get("/healthz").get_json()["cache"]
    assert figures["max_entries"] == 3 and figures["max_bytes"] == 1024 * 1024
    assert figures["enabled"] is False


def test_attachment_downloads_keep_their_own_validator_and_are_not_kept(bundled_index, tmp_path):
    app = make_app(bundled_index, tmp_path)
    client = app.test_client()
    url = "/praktyka/demo-007/zalaczniki/0"
    for _ in range(2):
        download = client.get(url, buffered=True)
        assert download.status_code == 200 and download.headers["ETag"]
        assert "X-Cache" not in download.headers
    assert client.get("/healthz").get_json()["cache"]["entries"] == 0
    app.extensions["bdp_analytics"].close()
