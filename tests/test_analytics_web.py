"""The search log in the web app (issue #14): searches of the page and the API, result
clicks, the editors' status and report endpoints, and what is never stored."""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bdp.cli import main
from indexer.generations import current_generation
from indexer.jsonl import read_jsonl
from search_app.analytics import SearchLog
from search_app.web import admin, create_app, jobs
from tests.conftest import SMALL_JSONL, live_server, run_search
from tests.test_error_shape import assert_error_shape
from tests.test_openapi import validator

TOKEN = "sekretny-token-redakcji"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLIENT_ADDRESS = "203.0.113.77"
USER_AGENT = "Przegladarka-Testowa/9.9 (agent-7f3c2e)"
COOKIE_VALUE = "ciasteczko-5d41402a"
REFERRER = "https://odsylacz.example/strona-9b2e"
HIT_LINK = re.compile(r'<h3><a href="([^"]+)"')
DEADLINE = 60.0  # seconds a small reindex job may take on a loaded machine

# 20 searches, 5 of them without results; the page and the API alike. A query typed
# differently ("XQZVBN  ") is the same query once normalized.
SEARCHES: list[tuple[str, dict[str, str]]] = [
    ("/", {"q": "xqzvbn"}),
    ("/api/search", {"q": "XQZVBN  "}),
    ("/", {"q": "hulajnoga elektryczna"}),
    ("/api/search", {"q": "kwiatki na rondzie"}),
    ("/api/search", {"q": "zzyzx qwrt"}),
    ("/", {"q": "rodzina"}),
    ("/api/search", {"q": "rodzina"}),
    ("/", {"q": "pogotowie rodzinne"}),
    ("/api/search", {"q": "Żory"}),
    ("/", {"q": "budżet"}),
    ("/", {"q": "rodzny zastępcze"}),
    ("/api/search", {"q": "gmina"}),
    ("/", {"q": "gmina", "page": "2", "per_page": "2"}),
    ("/", {"q": "szkoła"}),
    ("/api/search", {"q": "mieszkańcy"}),
    ("/", {"q": "Łódź"}),
    ("/api/search", {"q": "edukacja"}),
    ("/", {"q": "współpraca"}),
    ("/api/search", {"q": "dzieci"}),
    ("/", {"voivodeship": "śląskie"}),  # browsing by a filter is a search too
]
ZERO_RESULT_QUERIES = [
    {"query": "xqzvbn", "count": 2},
    {"query": "hulajnoga elektryczna", "count": 1},
    {"query": "kwiatki na rondzie", "count": 1},
    {"query": "zzyzx qwrt", "count": 1},
]


@dataclass
class Logged:
    """An app logging searches into ``db`` (named by ``BDP_ANALYTICS_DB``), and its client."""

    app: Flask
    client: FlaskClient
    db: Path

    @property
    def log(self) -> SearchLog:
        return self.app.extensions["bdp_analytics"]

    def flush(self) -> None:
        assert self.log.flush(timeout=10)


def logging_app(index_dir: Path, **config) -> Flask:
    return create_app(
        {"TESTING": True, "INDEX_DIR": str(index_dir), "ADMIN_TOKEN": TOKEN, **config}
    )


@pytest.fixture()
def logged(small_index, tmp_path, monkeypatch):
    db = tmp_path / "dziennik" / "analytics.sqlite3"
    db.parent.mkdir()
    monkeypatch.setenv("BDP_ANALYTICS_DB", str(db))
    app = logging_app(small_index)
    yield Logged(app, app.test_client(), db)
    app.extensions["bdp_analytics"].close()


def url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}"


def hit_links(response) -> list[str]:
    """The result links of a search page, as a browser follows them."""
    return [html.unescape(link) for link in HIT_LINK.findall(response.get_data(as_text=True))]


def click_of(link: str) -> str | None:
    return parse_qs(urlsplit(link).query).get("z", [None])[0]


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def report(client, **params) -> dict:
    response = client.get(url("/api/admin/analytics", params), headers=AUTH)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert validator("AnalyticsReport").is_valid(body)
    return body


# --- Every search is logged; the report and `bdp analytics` agree -----------------------


def test_twenty_searches_give_the_five_without_results(logged, small_searcher, runner):
    for path, params in SEARCHES:
        expected = run_search(small_searcher, **{"q": "", **params_for_engine(params)}).total
        assert (expected == 0) == (params.get("q", "").strip().lower() in zero_queries()), params
        assert logged.client.get(url(path, params)).status_code == 200
    assert logged.client.get("/").status_code == 200  # the bare home page is a visit
    logged.flush()

    body = report(logged.client)
    assert body["days"] == 30  # by default, as `bdp analytics`
    assert body["searches"] == 20
    assert body["zero_result_searches"] == 5
    assert body["zero_result_queries"] == [{**q, "correction": None} for q in ZERO_RESULT_QUERIES]
    assert {"query": "rodzny zastępcze", "correction": "rodziny zastępcze", "count": 1} in body[
        "corrected_queries"
    ]
    words = {w["word"]: w["count"] for w in body["unknown_words"]}
    assert words["xqzvbn"] == 2 and words["hulajnoga"] == 1 and "gmina" not in words

    cli = runner.invoke(main, ["--index-dir", "nieistotny", "analytics", "--json"])
    assert cli.exit_code == 0, cli.output
    printed = json.loads(cli.stdout)
    assert printed["zero_result_queries"] == body["zero_result_queries"]
    assert printed["searches"] == 20


def params_for_engine(params: dict[str, str]) -> dict:
    out: dict = {k: v for k, v in params.items() if k in ("q", "page", "per_page")}
    if "voivodeship" in params:
        out["filters"] = {"voivodeship": [params["voivodeship"]]}
    return out


def zero_queries() -> set[str]:
    return {q["query"] for q in ZERO_RESULT_QUERIES}


def test_what_a_search_records(logged):
    response = logged.client.get("/api/search?q=xqzvbn+gmina&voivodeship=śląskie&sort=newest")
    assert response.get_json()["unknown"] == ["xqzvbn"]
    logged.client.get("/?q=rodzny+zastępcze&per_page=2")
    logged.flush()
    recorded = rows(
        logged.db,
        "SELECT query, corrected, filters, sort, page, total, latency_ms, unknown_words "
        "FROM searches ORDER BY id",
    )
    first, second = recorded
    assert first[:6] == ("xqzvbn gmina", None, '{"voivodeship":["śląskie"]}', "newest", 1, 0)
    assert first[6] > 0 and json.loads(first[7]) == ["xqzvbn"]
    assert second[:2] == ("rodzny zastępcze", "rodziny zastępcze")
    assert second[5] == 2


def test_the_api_hits_carry_nothing_for_the_log(logged):
    body = logged.client.get("/api/search?q=gmina").get_json()
    assert body["results"]
    assert validator("SearchResponse").is_valid(body)
    assert "z=" not in json.dumps(body)


# --- Nothing about the person ------------------------------------------------------------


def test_the_log_holds_no_address_user_agent_cookie_or_referrer(logged):
    client = logged.client
    client.set_cookie("sesja", COOKIE_VALUE)
    environ = {"REMOTE_ADDR": CLIENT_ADDRESS, "HTTP_USER_AGENT": USER_AGENT}
    headers = {"Referer": REFERRER}
    answers = [
        client.get(url(path, params), environ_base=environ, headers=headers)
        for path, params in SEARCHES[:8]
    ]
    page = client.get("/?q=gmina", environ_base=environ, headers=headers)
    answers += [page, client.get(hit_links(page)[0], environ_base=environ, headers=headers)]
    assert not [a for a in answers if "Set-Cookie" in a.headers]  # the site sets none
    logged.flush()

    files = sorted(logged.db.parent.glob(logged.db.name + "*"))
    assert logged.db in files
    stored = b"".join(path.read_bytes() for path in files)  # the WAL and its index too
    assert rows(logged.db, "SELECT count(*) FROM clicks") == [(1,)]
    for secret in (CLIENT_ADDRESS, "203.0.113", USER_AGENT, "agent-7f3c2e", COOKIE_VALUE, REFERRER):
        for form in (secret, secret.lower()):
            assert form.encode("utf-8") not in stored, secret
    columns = {
        name
        for table in ("searches", "clicks")
        for (_cid, name, *_rest) in rows(logged.db, f"PRAGMA table_info({table})")
    }
    assert not {c for c in columns if re.search(r"ip|addr|agent|cookie|refer", c)}


# --- Clicks --------------------------------------------------------------------------------


def test_a_click_through_a_result_link_is_recorded_and_lands_on_the_plain_url(logged):
    client = logged.client
    page = client.get("/?q=gmina&page=2&per_page=2")
    links = hit_links(page)
    assert len(links) == 2
    link = links[1]
    practice_id = urlsplit(link).path.rsplit("/", 1)[1]
    search_id, position = click_of(link).split(".")
    assert position == "4"  # the 4th result: page 2 of two per page

    redirect = client.get(link)
    assert redirect.status_code == 303
    assert redirect.headers["Cache-Control"] == "no-store"
    plain = redirect.headers["Location"]
    assert urlsplit(plain).path == f"/praktyka/{practice_id}"
    assert "z" not in parse_qs(urlsplit(plain).query)
    assert parse_qs(urlsplit(plain).query)["powrot"] == ["/?q=gmina&page=2&per_page=2"]

    landed = client.get(link, follow_redirects=True)
    assert landed.status_code == 200
    assert landed.request.path == f"/praktyka/{practice_id}"
    assert b"z=" not in landed.request.query_string
    assert client.get(plain).status_code == 200  # a reload of the plain address: no click
    logged.flush()

    assert rows(logged.db, "SELECT search_id, position, practice_id FROM clicks") == [
        (search_id, 4, practice_id),
        (search_id, 4, practice_id),  # followed twice above: once plainly, once redirected
    ]
    assert rows(logged.db, "SELECT query, page FROM searches WHERE search_id = ?", search_id) == [
        ("gmina", 2)
    ]
    body = report(logged.client)
    assert body["clicks"] == 2 and body["searches_with_clicks"] == 1


def test_a_shared_result_link_works_for_anyone_and_counts_as_a_click(logged, small_index):
    link = hit_links(logged.client.get("/?q=rodzina"))[0]
    someone_else = logging_app(small_index).test_client()
    opened = someone_else.get(link, follow_redirects=True)
    assert opened.status_code == 200
    logged.flush()
    someone_else.application.extensions["bdp_analytics"].flush()
    assert len(rows(logged.db, "SELECT id FROM clicks")) == 1


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "1;DROP TABLE clicks", "203.0.113.77", "0" * 32 + ".0", "0" * 32 + ".99999999"],
)
def test_a_bad_click_is_not_recorded_and_the_page_still_answers(logged, token):
    practice_id = "000_3b014753ec2e4c31"
    response = logged.client.get(f"/praktyka/{practice_id}?{urlencode({'z': token})}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/praktyka/{practice_id}"
    assert logged.client.get(response.headers["Location"]).status_code == 200
    assert logged.client.get("/api/search?q=gmina").status_code == 200  # makes the file
    logged.flush()
    assert rows(logged.db, "SELECT count(*) FROM clicks") == [(0,)]
    assert {name for (name,) in rows(logged.db, "SELECT name FROM sqlite_master")} >= {
        "searches",
        "clicks",
    }


def test_a_click_on_an_unknown_practice_is_a_404(logged):
    response = logged.client.get(f"/praktyka/nie-ma-takiej?z={'0' * 32}.1")
    assert response.status_code == 404
    logged.client.get("/api/search?q=gmina")
    logged.flush()
    assert rows(logged.db, "SELECT count(*) FROM clicks") == [(0,)]


# --- A log that cannot be written never fails a search -----------------------------------


def test_searches_answer_while_another_connection_holds_the_database(logged):
    client = logged.client
    assert client.get("/api/search?q=gmina").status_code == 200
    logged.flush()  # the file and its schema exist
    holder = sqlite3.connect(logged.db, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        for path, params in SEARCHES:
            assert client.get(url(path, params)).status_code == 200
        page = client.get("/?q=rodzina")
        assert page.status_code == 200
        assert client.get(hit_links(page)[0], follow_redirects=True).status_code == 200
        assert time.monotonic() - started < 60
        logged.log.flush(timeout=10)
        assert logged.log.stats()["dropped"] > 0  # the lock did hold the writer off
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.get("/api/search?q=budżet").status_code == 200
    logged.flush()
    assert rows(logged.db, "SELECT query FROM searches ORDER BY id") == [("gmina",), ("budżet",)]


def test_searches_answer_over_a_damaged_log_and_the_report_says_so(logged):
    logged.db.write_bytes(b"to nie jest baza danych " * 200)
    for path, params in SEARCHES[:6]:
        assert logged.client.get(url(path, params)).status_code == 200
    page = logged.client.get("/?q=rodzina")
    assert logged.client.get(hit_links(page)[0], follow_redirects=True).status_code == 200
    logged.flush()
    assert logged.log.stats()["written"] == 0
    response = logged.client.get("/api/admin/analytics", headers=AUTH)
    error = assert_error_shape(response, 503)
    assert "uszkodzony" in error["message"]


def test_with_logging_off_nothing_is_written_and_links_are_plain(small_index, tmp_path):
    db = tmp_path / "analytics.sqlite3"
    for off in ({"ANALYTICS": False}, {"ANALYTICS": "0"}, {"ANALYTICS": "nie"}):
        app = logging_app(small_index, ANALYTICS_DB=str(db), **off)
        client = app.test_client()
        assert app.extensions["bdp_analytics"] is None
        assert client.get("/api/search?q=gmina").status_code == 200
        links = hit_links(client.get("/?q=gmina"))
        assert links and all(click_of(link) is None for link in links)
        assert client.get(links[0]).status_code == 200
        assert not db.exists()


def test_logging_is_turned_off_from_the_environment(small_index, tmp_path, monkeypatch):
    monkeypatch.setenv("BDP_ANALYTICS", "0")
    monkeypatch.setenv("BDP_ANALYTICS_DB", str(tmp_path / "a.sqlite3"))
    app = create_app({"TESTING": True, "INDEX_DIR": str(small_index)})
    assert app.config["ANALYTICS"] is False and app.extensions["bdp_analytics"] is None
    assert app.config["ANALYTICS_DB"] == tmp_path / "a.sqlite3"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("BDP_ANALYTICS", "może", "BDP_ANALYTICS musi"),
        ("BDP_ANALYTICS_RETENTION_DAYS", "0", "BDP_ANALYTICS_RETENTION_DAYS"),
    ],
)
def test_a_malformed_setting_stops_the_start(small_index, monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=words):
        create_app({"TESTING": True, "INDEX_DIR": str(small_index)})


def test_by_default_the_log_is_in_the_index_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("BDP_ANALYTICS_DB", raising=False)
    monkeypatch.setenv("BDP_ANALYTICS_RETENTION_DAYS", "30")
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")})
    assert app.config["ANALYTICS_DB"] == tmp_path / "ix" / "analytics.sqlite3"
    assert app.extensions["bdp_analytics"].retention_days == 30


# --- GET /api/admin/status -----------------------------------------------------------------


def test_status_reports_the_index_and_the_last_update_with_its_failed_sources(index_dir, tmp_path):
    sources = tmp_path / "praktyki.jsonl"
    good = SMALL_JSONL.read_text(encoding="utf-8")
    sources.write_text(good + '{"id": "zly-1", "title": 5}\n', encoding="utf-8")
    client = logging_app(index_dir, SOURCES=[sources], ADMIN_LOCK_TIMEOUT=0.1).test_client()

    before = client.get("/api/admin/status", headers=AUTH)
    assert before.status_code == 200
    body = before.get_json()
    assert validator("AdminStatus").is_valid(body)
    practices = sum(1 for _ in read_jsonl(SMALL_JSONL))
    assert body["index"]["generation"] == current_generation(index_dir)
    assert body["index"]["documents"] == practices and body["index"]["problem"] is None
    published = datetime.fromisoformat(body["index"]["published"])
    assert abs(published.timestamp() - (index_dir / "CURRENT").stat().st_mtime) < 1
    assert (body["last_update"], body["failed_sources"], body["running"]) == (None, None, None)

    started = client.post("/api/admin/reindex", headers=AUTH)
    assert started.status_code == 202
    job = wait_for(client, started.headers["Location"])
    assert job["status"] == "failed"

    body = client.get("/api/admin/status", headers=AUTH).get_json()
    assert validator("AdminStatus").is_valid(body)
    assert body["last_update"]["id"] == job["id"]
    assert body["last_update"]["summary"] == job["summary"]
    assert body["running"] is None
    (failed,) = body["failed_sources"]
    assert Path(failed["path"]).name == "praktyki.jsonl"
    assert (failed["line"], failed["field"]) == (practices + 1, "title")
    assert body["index"]["documents"] == practices  # nothing was published


def wait_for(client, location: str) -> dict:
    end = time.monotonic() + DEADLINE
    while True:
        job = client.get(location, headers=AUTH).get_json()["job"]
        if job["status"] not in jobs.ACTIVE:
            return job
        assert time.monotonic() < end, job
        time.sleep(0.05)


def test_status_names_the_running_job(index_dir):
    job_id = "20260101T000000000000-abcdef01"
    directory = jobs.jobs_dir(index_dir)
    directory.mkdir()
    running = {
        "id": job_id,
        "status": "running",
        "created": "2026-01-01T00:00:00+00:00",
        "started": "2026-01-01T00:00:01+00:00",
        "finished": None,
        "pid": os.getpid(),  # alive: this process
        "prune": False,
        "allow_errors": False,
        "progress": {"written": 3, "total": 10},
        "summary": None,
        "message": None,
    }
    (directory / f"{job_id}.json").write_text(json.dumps(running), encoding="utf-8")
    status = admin.admin_status(index_dir)  # the function the editors' panel calls
    assert status["running"] is not None
    assert status["running"]["id"] == job_id
    assert status["running"]["progress"] == {"written": 3, "total": 10}
    assert status["last_update"] is None
    body = logging_app(index_dir).test_client().get("/api/admin/status", headers=AUTH)
    assert body.get_json()["running"]["id"] == job_id
    assert validator("AdminStatus").is_valid(body.get_json())


def test_status_without_an_index_says_what_is_wrong(tmp_path):
    body = logging_app(tmp_path / "brak").test_client().get("/api/admin/status", headers=AUTH)
    assert body.status_code == 200
    index = body.get_json()["index"]
    assert index["generation"] is None and index["documents"] is None
    assert "bdp index build" in index["problem"]


@pytest.mark.parametrize("path", ["/api/admin/status", "/api/admin/analytics"])
def test_the_editors_endpoints_need_the_token(small_index, path):
    client = logging_app(small_index).test_client()
    assert_error_shape(client.get(path), 401)
    assert_error_shape(client.get(path, headers={"Authorization": "Bearer zły-token"}), 401)
    without = create_app({"TESTING": True, "INDEX_DIR": str(small_index)}).test_client()
    assert_error_shape(without.get(path, headers=AUTH), 404)


def test_valid_reads_are_rate_limited_apart(small_index):
    app = logging_app(small_index, ADMIN_READ_RATE_LIMIT=(2, 60.0))
    client = app.test_client()
    assert client.get("/api/admin/status", headers=AUTH).status_code == 200
    assert client.get("/api/admin/analytics", headers=AUTH).status_code == 200
    limited = client.get("/api/admin/status", headers=AUTH)
    assert_error_shape(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert app.extensions["bdp_admin_limit"].retry_after("127.0.0.1") == 0  # updates' own


# --- GET /api/admin/analytics parameters ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "days=abc",
        "days=0",
        "days=99999",
        "days=3651",
        "days=-7",
        "days=7.5",
        "days=",
        "days=1;DROP TABLE searches",
        "days=1' OR '1'='1",
        "limit=0",
        "limit=1001",
        "limit=abc",
        "limit=5;DELETE FROM searches",
    ],
)
def test_bad_report_parameters_are_a_400_and_leave_the_log_alone(logged, query):
    logged.client.get("/api/search?q=gmina")
    logged.flush()
    name, _, value = query.partition("=")
    response = logged.client.get(url("/api/admin/analytics", {name: value}), headers=AUTH)
    error = assert_error_shape(response, 400)
    assert "musi być liczbą całkowitą" in error["message"]
    logged.client.get("/api/search?q=rodzina")
    logged.flush()
    assert rows(logged.db, "SELECT query FROM searches ORDER BY id") == [("gmina",), ("rodzina",)]


@pytest.mark.parametrize("days", [1, 7, 30, 90, 3650])
def test_report_periods(logged, days):
    for q in ("gmina", "gmina", "rodzina", "xqzvbn"):
        logged.client.get(url("/api/search", {"q": q}))
    logged.flush()
    body = report(logged.client, days=str(days), limit="1")
    assert body["days"] == days and body["searches"] == 4
    assert body["top_queries"] == [{"query": "gmina", "count": 2}]  # limit=1
    assert len(body["daily"]) in (days, days + 1)


def test_a_report_lists_twenty_rows_by_default(logged):
    for n in range(21):
        logged.client.get(url("/api/search", {"q": f"gmina {n}"}))
    logged.flush()
    body = report(logged.client)
    assert body["distinct_queries"] == 21 and len(body["top_queries"]) == 20


def test_the_read_limit_defaults_and_comes_from_the_environment(small_index, monkeypatch):
    assert logging_app(small_index).config["ADMIN_READ_RATE_LIMIT"] == (60, 60.0)
    monkeypatch.setenv("BDP_ADMIN_READ_RATE_LIMIT", "5,30")
    assert logging_app(small_index).config["ADMIN_READ_RATE_LIMIT"] == (5, 30.0)


def test_a_report_before_any_search_is_empty(logged):
    body = report(logged.client)
    assert body["exists"] is False and body["searches"] == 0
    assert not logged.db.exists()  # reading never creates the file


# --- In a real browser, without JavaScript -------------------------------------------------


def test_in_a_browser_without_javascript_the_click_counts_and_back_returns(logged, browser):
    with live_server(logged.app) as base:
        context = browser.new_context(java_script_enabled=False, base_url=base)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto("/?q=gmina")
        results = page.url
        title = page.locator(".hit h3 a").first.inner_text()
        page.locator(".hit h3 a").first.click()
        page.wait_for_load_state()
        landed = urlsplit(page.url)
        assert landed.path.startswith("/praktyka/")
        assert "z" not in parse_qs(landed.query)  # the address bar shows the plain URL
        assert page.locator("h1").first.inner_text() == title
        page.go_back()
        assert page.url == results  # one step back: the results, not the redirect
        context.close()
    logged.flush()
    practice_id = landed.path.rsplit("/", 1)[1]
    assert rows(logged.db, "SELECT position, practice_id FROM clicks") == [(1, practice_id)]
