"""The editors' panel at /redakcja (Flask's test client): sign-in, sessions, CSRF, the pages.

Every test points the app at its own copies: the index (``index_dir`` or the bundled
one, read only), the search log and the thesaurus in tmp_path — never the repository's
data/synonimy.txt or index/.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from html import unescape
from pathlib import Path

import pytest

from indexer.generations import current_generation
from indexer.jsonl import read_jsonl
from search_app.engine.synonyms import SYNONYMS_FILE
from search_app.engine.thesaurus_edit import read_thesaurus, versions_dir
from search_app.web import create_app, jobs
from search_app.web.panel import daily_chart
from search_app.web.panel_sessions import COOKIE_NAME, SESSIONS_DIR
from tests.conftest import SMALL_JSONL
from tests.test_security import audit

TOKEN = "token-redakcji-do-panelu-" + "x" * 16
ORIGINAL_THESAURUS = SYNONYMS_FILE.read_bytes()
# On the bundled practices "jednoślad" finds nothing; as a synonym of "rower" it finds
# the cycling practices (as in tests/test_synonyms_admin.py).
QUERY = "jednoślad"
NEW_GROUP = "jednoślad, rower  # źródło: język potoczny (test)\n"
XSS = "<script>alert(1)</script>"
DEADLINE = 60.0


@pytest.fixture(autouse=True)
def repository_thesaurus_untouched():
    yield
    assert SYNONYMS_FILE.read_bytes() == ORIGINAL_THESAURUS
    assert not versions_dir(SYNONYMS_FILE).exists()


@pytest.fixture()
def thesaurus(tmp_path) -> Path:
    path = tmp_path / "slownik" / "synonimy.txt"
    path.parent.mkdir()
    path.write_bytes(ORIGINAL_THESAURUS)
    return path


@pytest.fixture()
def sources(tmp_path) -> Path:
    path = tmp_path / "zrodla" / "praktyki.jsonl"
    path.parent.mkdir()
    path.write_text(SMALL_JSONL.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def make_app(index_dir: Path, tmp_path: Path, **config):
    settings = {
        "TESTING": True,
        "INDEX_DIR": str(index_dir),
        "ADMIN_TOKEN": TOKEN,
        "ANALYTICS_DB": str(tmp_path / "analytics.sqlite3"),
        "SYNONYMS": str(tmp_path / "slownik" / "synonimy.txt"),
        "SOURCES": [],
        "ADMIN_LOCK_TIMEOUT": 0.1,
    }
    return create_app({**settings, **config})


@pytest.fixture()
def app(index_dir, tmp_path, thesaurus, sources):
    return make_app(index_dir, tmp_path, SOURCES=[sources])


@pytest.fixture()
def client(app):
    return app.test_client()


def csrf_token(client, url: str = "/redakcja/logowanie") -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, "no CSRF token on the page"
    return found.group(1)


def log_in(client, token: str = TOKEN):
    return client.post(
        "/redakcja/logowanie", data={"token": token, "csrf_token": csrf_token(client)}
    )


def signed_in(client) -> bool:
    response = client.get("/redakcja")
    if response.status_code == 303:
        assert response.headers["Location"] == "/redakcja/logowanie"
        return False
    assert response.status_code == 200
    return True


def session_cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE_NAME, path="/redakcja")
    return cookie.value if cookie else None


def session_data(app, client) -> dict:
    value = session_cookie(client)
    if value is None:
        return {}
    return dict(app.session_interface.get_signing_serializer(app).loads(value))


def text_of(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def html_error(response, status: int) -> str:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f"Błąd {status}" in body
    return body


# --- Off without a token ---------------------------------------------------------------


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/redakcja"),
        ("get", "/redakcja/logowanie"),
        ("post", "/redakcja/logowanie"),
        ("get", "/redakcja/statystyki"),
        ("get", "/redakcja/synonimy"),
        ("post", "/redakcja/zadania"),
    ],
)
def test_without_a_token_the_panel_does_not_exist(small_index, tmp_path, method, url):
    client = make_app(small_index, tmp_path, ADMIN_TOKEN="").test_client()
    assert getattr(client, method)(url).status_code == 404


# --- Signing in ------------------------------------------------------------------------


def test_every_page_sends_a_visitor_without_a_session_to_the_login_form(client):
    for url in ("/redakcja", "/redakcja/statystyki", "/redakcja/synonimy", "/redakcja/zadania/x"):
        response = client.get(url)
        assert response.status_code == 303, url
        assert response.headers["Location"] == "/redakcja/logowanie"
    # A POST without a session does nothing, whatever it carries.
    response = client.post("/redakcja/zadania", data={"mode": "rebuild"})
    assert response.status_code == 303
    assert not jobs.jobs_dir(client.application.config["INDEX_DIR"]).exists()


def test_a_wrong_token_starts_no_session(client, app):
    response = log_in(client, "zly-token")
    assert response.status_code == 403
    assert "Nieprawidłowy token redakcji." in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert "sid" not in session_data(app, client)
    assert not signed_in(client)
    assert not (Path(app.config["INDEX_DIR"]) / SESSIONS_DIR).exists()


def test_login_attempts_are_rate_limited(index_dir, tmp_path, thesaurus):
    app = make_app(index_dir, tmp_path, ADMIN_AUTH_FAILURES=(3, 60.0))
    client = app.test_client()
    for _ in range(3):
        assert log_in(client, "zgadywany-token").status_code == 403
    refused = log_in(client, "kolejny-zgadywany")
    body = html_error(refused, 429)
    assert "Zbyt wiele prób logowania" in body
    assert int(refused.headers["Retry-After"]) >= 1
    # Past the limit no token is checked at all, the right one neither (until the window ends).
    assert log_in(client).status_code == 429
    assert not signed_in(client)


def test_every_login_attempt_counts_against_the_limit(index_dir, tmp_path, thesaurus):
    client = make_app(index_dir, tmp_path, ADMIN_AUTH_FAILURES=(2, 60.0)).test_client()
    assert log_in(client).status_code == 303
    again = {"token": TOKEN, "csrf_token": csrf_token(client, "/redakcja")}
    assert client.post("/redakcja/logowanie", data=again).status_code == 303
    third = {"token": TOKEN, "csrf_token": csrf_token(client, "/redakcja")}
    html_error(client.post("/redakcja/logowanie", data=third), 429)


def test_a_login_form_older_than_a_session_is_refused(client, monkeypatch):
    token = csrf_token(client)
    later = time.time() + 8 * 3600 + 1
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.post("/redakcja/logowanie", data={"token": TOKEN, "csrf_token": token})
    assert "Formularz wygasł" in html_error(response, 400)


def test_the_right_token_signs_in_with_a_hardened_cookie(client, app):
    response = log_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/redakcja"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/redakcja" in cookie
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    assert "Expires" not in cookie and "Max-Age" not in cookie  # ends with the browser
    assert signed_in(client)
    records = list((Path(app.config["INDEX_DIR"]) / SESSIONS_DIR).glob("*.json"))
    assert len(records) == 1 and records[0].stat().st_mode & 0o777 == 0o600
    page = client.get("/redakcja")
    assert page.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_cookie_is_secure_over_https_also_behind_a_trusted_proxy(
    index_dir, tmp_path, thesaurus
):
    direct = make_app(index_dir, tmp_path).test_client()
    token = csrf_token(direct, "https://localhost/redakcja/logowanie")
    login = "https://localhost/redakcja/logowanie"
    # Over HTTPS the form must also come from this site (Referer, as Flask-WTF checks).
    refused = direct.post(login, data={"token": TOKEN, "csrf_token": token})
    assert "token CSRF" in html_error(refused, 400)
    foreign = {"Referer": "https://evil.example/redakcja/logowanie"}
    refused = direct.post(login, data={"token": TOKEN, "csrf_token": token}, headers=foreign)
    assert "token CSRF" in html_error(refused, 400)
    response = direct.post(
        login, data={"token": TOKEN, "csrf_token": token}, headers={"Referer": login}
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]

    proxied = make_app(index_dir, tmp_path, PROXY_FIX_X_FOR=1).test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    page = proxied.get("/redakcja/logowanie", headers=https)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token and "Secure" in page.headers["Set-Cookie"]
    response = proxied.post(
        "/redakcja/logowanie",
        data={"token": TOKEN, "csrf_token": token.group(1)},
        headers={**https, "Referer": "https://localhost/redakcja/logowanie"},
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_secret_key_too_short_stops_the_start(index_dir, tmp_path):
    with pytest.raises(ValueError, match="BDP_SECRET_KEY musi mieć co najmniej 32 znaki"):
        make_app(index_dir, tmp_path, SECRET_KEY="krotki")


def test_the_session_key_is_the_same_in_every_worker_and_follows_the_token(
    index_dir, tmp_path, thesaurus
):
    first, second = make_app(index_dir, tmp_path), make_app(index_dir, tmp_path)
    assert first.secret_key == second.secret_key and TOKEN not in str(first.secret_key)
    other = make_app(index_dir, tmp_path, ADMIN_TOKEN=TOKEN + "-nowy")
    assert other.secret_key != first.secret_key
    # A cookie of one worker signs in at another (they share the session records).
    client = first.test_client()
    assert log_in(client).status_code == 303
    elsewhere = second.test_client()
    elsewhere.set_cookie(COOKIE_NAME, session_cookie(client), path="/redakcja")
    assert signed_in(elsewhere)
    # After the token changes, the old cookie signs no one in.
    changed = other.test_client()
    changed.set_cookie(COOKIE_NAME, session_cookie(client), path="/redakcja")
    assert not signed_in(changed)
    explicit = make_app(index_dir, tmp_path, SECRET_KEY="k" * 40)
    assert explicit.secret_key == "k" * 40


# --- CSRF ------------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_a_400_html_page(client, app):
    anonymous = client.post("/redakcja/logowanie", data={"token": TOKEN})
    assert "token CSRF" in html_error(anonymous, 400)
    assert not signed_in(client)

    assert log_in(client).status_code == 303
    index_dir = Path(app.config["INDEX_DIR"])
    posts = [
        ("/redakcja/zadania", {"mode": "update"}),
        ("/redakcja/synonimy", {"text": "a, b  # źródło: test\n", "etag": "*"}),
        ("/redakcja/synonimy/podglad", {"text": "", "q": QUERY}),
        ("/redakcja/wylogowanie", {}),
    ]
    for url, data in posts:
        missing = client.post(url, data=data)
        assert "token CSRF" in html_error(missing, 400), url
        wrong = client.post(url, data={**data, "csrf_token": "podrobiony"})
        assert "token CSRF" in html_error(wrong, 400), url
    # Nothing happened: no job, the thesaurus as it was, still signed in.
    assert not jobs.jobs_dir(index_dir).exists()
    assert Path(app.config["SYNONYMS"]).read_bytes() == ORIGINAL_THESAURUS
    assert signed_in(client)


def test_a_csrf_token_of_another_session_is_refused(client, app):
    other = app.test_client()
    foreign = csrf_token(other)
    response = client.post("/redakcja/logowanie", data={"token": TOKEN, "csrf_token": foreign})
    html_error(response, 400)
    assert not signed_in(client)


# --- Session fixation and logout -------------------------------------------------------


def test_a_cookie_from_before_the_login_is_not_signed_in_after_it(client, app):
    csrf_token(client)
    before = session_cookie(client)
    anonymous = session_data(app, client)
    assert before and "sid" not in anonymous and "csrf_token" in anonymous
    assert log_in(client).status_code == 303
    after = session_data(app, client)
    assert after["sid"] and after.get("csrf_token") != anonymous["csrf_token"]
    assert session_cookie(client) != before
    # Someone holding the cookie the visitor had before signing in gains nothing.
    planted = app.test_client()
    planted.set_cookie(COOKIE_NAME, before, path="/redakcja")
    assert not signed_in(planted)
    assert signed_in(client)


def test_each_login_issues_a_fresh_session_id_and_retires_the_old_one(client, app):
    assert log_in(client).status_code == 303
    first_cookie, first = session_cookie(client), session_data(app, client)["sid"]
    # Signed in again from the same browser (with the CSRF token of a panel page).
    again = {"token": TOKEN, "csrf_token": csrf_token(client, "/redakcja")}
    assert client.post("/redakcja/logowanie", data=again).status_code == 303
    second = session_data(app, client)["sid"]
    assert second != first
    replay = app.test_client()
    replay.set_cookie(COOKIE_NAME, first_cookie, path="/redakcja")
    assert not signed_in(replay)
    assert len(list((Path(app.config["INDEX_DIR"]) / SESSIONS_DIR).glob("*.json"))) == 1


def test_a_cookie_replayed_after_logout_goes_to_the_login_form(client, app):
    assert log_in(client).status_code == 303
    stolen = session_cookie(client)
    token = csrf_token(client, "/redakcja")
    response = client.post("/redakcja/wylogowanie", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/redakcja/logowanie"
    assert "Wylogowano." in text_of(client.get("/redakcja/logowanie"))
    assert not signed_in(client)
    replay = app.test_client()
    replay.set_cookie(COOKIE_NAME, stolen, path="/redakcja")
    for url in ("/redakcja", "/redakcja/statystyki", "/redakcja/synonimy"):
        response = replay.get(url)
        assert response.status_code == 303 and response.headers["Location"] == "/redakcja/logowanie"
    assert list((Path(app.config["INDEX_DIR"]) / SESSIONS_DIR).glob("*.json")) == []


def test_an_expired_session_signs_no_one_in(client, app, monkeypatch):
    assert log_in(client).status_code == 303
    later = time.time() + 8 * 3600 + 1
    monkeypatch.setattr("search_app.web.panel_sessions.time.time", lambda: later)
    assert not signed_in(client)
    # The next login removes the expired record.
    assert log_in(client).status_code == 303
    assert len(list((Path(app.config["INDEX_DIR"]) / SESSIONS_DIR).glob("*.json"))) == 1


# --- The status page and jobs ----------------------------------------------------------


def job_page_status(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'data-status="(\w+)"', page.get_data(as_text=True)).group(1)


def start_from_panel(client, **form) -> str:
    token = csrf_token(client, "/redakcja")
    response = client.post("/redakcja/zadania", data={"csrf_token": token, **form})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].startswith("/redakcja/zadania/")
    return response.headers["Location"]


def wait_for_job(client, url: str) -> str:
    end = time.monotonic() + DEADLINE
    while (status := job_page_status(client, url)) in jobs.ACTIVE:
        assert time.monotonic() < end
        time.sleep(0.1)
    return status


def test_the_status_page_shows_the_index_and_failed_sources_with_file_and_line(
    client, app, sources
):
    practices = sum(1 for _ in read_jsonl(SMALL_JSONL))
    with sources.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "zly-1", "title": 5}\n')
    assert log_in(client).status_code == 303
    page = text_of(client.get("/redakcja"))
    assert current_generation(app.config["INDEX_DIR"]) in page
    assert re.search(rf"Liczba praktyk\s+{practices}\b", page)

    url = start_from_panel(client, mode="update")
    assert wait_for_job(client, url) == "failed"
    page = client.get("/redakcja")
    table = page.get_data(as_text=True).split("<caption>Błędne źródła (1)</caption>")[1]
    row = text_of_html(table.split("</tr>")[1])
    assert str(sources) in row and str(practices + 1) in row and "title" in row
    assert "nic nie opublikowano" in text_of(page)


def text_of_html(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def running_job(index_dir: Path, **fields) -> str:
    """A job file as the job process writes it, running in this (alive) process."""
    job = jobs._new_job(index_dir, [], prune=False, allow_errors=False)
    job.update(status="running", pid=os.getpid(), started=job["created"], **fields)
    jobs.jobs_dir(index_dir).mkdir(exist_ok=True)
    jobs._write(jobs.jobs_dir(index_dir) / f"{job['id']}.json", job)
    return job["id"]


def test_the_job_page_refreshes_while_running_and_stops_when_finished(client, app):
    index_dir = Path(app.config["INDEX_DIR"])
    job_id = running_job(index_dir, progress={"written": 3, "total": 12})
    assert log_in(client).status_code == 303
    page = client.get(f"/redakcja/zadania/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="postep" max="12" value="3">25%</progress>' in page
    assert "Zapisano 3 z 12 praktyk (25%)" in page
    quiet = client.get(f"/redakcja/zadania/{job_id}?odswiezanie=0").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in quiet and "Włącz automatyczne odświeżanie" in quiet

    path = jobs.jobs_dir(index_dir) / f"{job_id}.json"
    job = json.loads(path.read_text(encoding="utf-8"))
    job.update(status="done", finished=job["created"], progress={"written": 12, "total": 12})
    job["summary"] = {
        "counts": {"added": 2, "updated": 10, "unchanged": 0, "removed": 0, "failed": 0},
        "failed": [],
        "attachment_problems": [
            {"path": "/zrodla/skan.pdf", "line": None, "field": None, "message": "Brak tekstu."}
        ],
        "not_in_sources": [],
        "prune_skipped": False,
        "documents": 14,
        "published": True,
    }
    job["message"] = "Gotowe: dodano 2, zmieniono 10, usunięto 0, bez zmian 0."
    jobs._write(path, job)
    finished = client.get(f"/redakcja/zadania/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in finished
    assert "Gotowe: dodano 2, zmieniono 10" in finished and "Podsumowanie" in finished
    status = text_of(client.get("/redakcja"))
    assert "Pominięte załączniki" in status and "/zrodla/skan.pdf" in status
    assert client.get("/redakcja/zadania/20260101T000000000000-00000000").status_code == 404


def test_a_second_start_while_a_job_runs_is_refused_naming_it(client, app):
    job_id = running_job(Path(app.config["INDEX_DIR"]), mode="rebuild")
    assert log_in(client).status_code == 303
    token = csrf_token(client, "/redakcja")
    assert f"/redakcja/zadania/{job_id}" in client.get("/redakcja").get_data(as_text=True)
    response = client.post("/redakcja/zadania", data={"csrf_token": token, "mode": "update"})
    assert response.status_code == 409
    page = text_of(response)
    assert "inne zadanie już trwa" in page and job_id in page and "przebudowa indeksu" in page
    assert len(list(jobs.jobs_dir(app.config["INDEX_DIR"]).glob("*.json"))) == 1


def test_an_unknown_job_mode_is_a_400(client):
    assert log_in(client).status_code == 303
    token = csrf_token(client, "/redakcja")
    response = client.post("/redakcja/zadania", data={"csrf_token": token, "mode": "drop"})
    assert "Nieznany rodzaj zadania" in html_error(response, 400)


def test_an_update_and_a_full_rebuild_run_from_the_panel(client, app, sources):
    index_dir = Path(app.config["INDEX_DIR"])
    practices = sum(1 for _ in read_jsonl(SMALL_JSONL))
    assert log_in(client).status_code == 303
    url = start_from_panel(client, mode="update")
    assert wait_for_job(client, url) == "done"
    assert "bez zmian " + str(practices) in text_of(client.get(url))

    before = current_generation(index_dir)
    url = start_from_panel(client, mode="rebuild")
    assert wait_for_job(client, url) == "done"
    job = jobs.read_job(index_dir, url.rsplit("/", 1)[1])
    assert job["mode"] == "rebuild" and job["progress"] == {
        "written": practices,
        "total": practices,
    }
    assert job["summary"]["documents"] == practices and job["summary"]["published"]
    assert current_generation(index_dir) != before
    page = text_of(client.get(url))
    assert "Przebudowa indeksu" in page and "indeks zbudowano od nowa" in page


# --- Analytics -------------------------------------------------------------------------


def test_logged_queries_are_escaped_on_the_analytics_page(client, app):
    for q in (XSS, XSS, "rodzina", "zzzyyyxxx brakujace"):
        assert client.get("/", query_string={"q": q}).status_code == 200
    assert app.extensions["bdp_analytics"].flush()
    assert log_in(client).status_code == 303
    response = client.get("/redakcja/statystyki?dni=7")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert XSS not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert audit(body) == []
    page = text_of(response)
    assert re.search(r"Wyszukiwań\s+4\b", page)
    assert 'href="/?q=%3Cscript%3Ealert(1)%3C/script%3E"' in body  # links to the search
    assert 'role="img"' in body and '<title id="wykres-tytul">' in body
    assert '<desc id="wykres-opis">' in body and 'id="tabela-dzienna"' in body
    assert 'aria-current="page">ostatnie 7 dni' in body


@pytest.mark.parametrize(
    "days", ["7;DROP TABLE searches", "7 OR 1=1", "0", "-7", "99999", "7.5", "siedem", ""]
)
def test_the_days_parameter_accepts_whole_days_only(client, app, days):
    assert client.get("/", query_string={"q": "rodzina"}).status_code == 200
    assert app.extensions["bdp_analytics"].flush()
    assert log_in(client).status_code == 303
    response = client.get("/redakcja/statystyki", query_string={"dni": days})
    assert "Okres „dni”" in html_error(response, 400)
    # The log is intact.
    with sqlite3.connect(app.config["ANALYTICS_DB"]) as conn:
        assert conn.execute("SELECT count(*) FROM searches").fetchone() == (1,)
    assert re.search(r"Wyszukiwań\s+1\b", text_of(client.get("/redakcja/statystyki?dni=90")))


def test_the_daily_chart_scales_to_round_steps():
    days = [
        {"date": f"2026-01-{n:02d}", "searches": n * 3, "zero_results": 0} for n in range(1, 31)
    ]
    chart = daily_chart(days)
    assert chart["top"] == 100 and [t["value"] for t in chart["ticks"]] == list(range(0, 101, 20))
    assert len([bar for bar in chart["bars"] if bar["label"]]) <= 8
    tallest = max(chart["bars"], key=lambda bar: bar["height"])
    assert tallest["date"] == "2026-01-30" and tallest["y"] >= 0
    assert daily_chart([])["bars"] == [] and daily_chart([])["busiest"] is None


# --- Synonyms --------------------------------------------------------------------------


@pytest.fixture()
def bundled_panel(bundled_index, tmp_path, thesaurus):
    """The bundled practices (where the test query behaves as described), signed in."""
    app = make_app(bundled_index, tmp_path, ADMIN_RATE_LIMIT=(1000, 60.0))
    client = app.test_client()
    assert log_in(client).status_code == 303
    yield app, client
    # The bundled index is shared: leave no session record in it.
    client.post("/redakcja/wylogowanie", data={"csrf_token": csrf_token(client, "/redakcja")})


def synonyms_form(client) -> dict:
    body = client.get("/redakcja/synonimy").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    etag = re.search(r'name="etag" value="([0-9a-f]+)"', body).group(1)
    text = unescape(re.search(r"<textarea[^>]*>\n(.*?)</textarea>", body, re.S).group(1))
    return {"csrf_token": token, "etag": etag, "text": text}


def public_total(client, q: str = QUERY) -> int:
    return client.get("/api/search", query_string={"q": q}).get_json()["total"]


def test_the_text_area_holds_the_file_exactly(bundled_panel, thesaurus):
    _app, client = bundled_panel
    form = synonyms_form(client)
    assert form["text"] == ORIGINAL_THESAURUS.decode("utf-8")
    assert form["etag"] == read_thesaurus(thesaurus).etag


def test_an_invalid_thesaurus_lists_its_lines_and_is_not_saved(bundled_panel, thesaurus):
    _app, client = bundled_panel
    form = synonyms_form(client)
    lines = form["text"].rstrip("\n").split("\n")
    bad = [*lines, "samotne  # źródło: test", "aa, bb"]
    response = client.post("/redakcja/synonimy", data={**form, "text": "\r\n".join(bad)})
    assert response.status_code == 422
    page = text_of(response)
    assert "Słownik ma błędy (2) — nic nie zapisano" in page
    assert f"Wiersz {len(lines) + 1}:" in page and f"Wiersz {len(lines) + 2}:" in page
    assert "Brak przypisu ze źródłem" in page and "samotne" in page
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert thesaurus.read_bytes() == ORIGINAL_THESAURUS
    assert not versions_dir(thesaurus).exists()


def test_a_stale_etag_is_refused_in_polish(bundled_panel, thesaurus):
    _app, client = bundled_panel
    form = synonyms_form(client)
    changed_elsewhere = (
        ORIGINAL_THESAURUS + b"rowerzysta, cyklista  # \xc5\xbar\xc3\xb3d\xc5\x82o: t\n"
    )
    thesaurus.write_bytes(changed_elsewhere)
    mine = form["text"] + NEW_GROUP
    response = client.post("/redakcja/synonimy", data={**form, "text": mine})
    assert response.status_code == 409
    page = text_of(response)
    assert "Ktoś inny zmienił słownik" in page and "nic nie zapisano" in page
    assert "Wczytaj aktualną wersję słownika" in page
    assert NEW_GROUP.strip() in page  # the editor's text is kept in the form
    assert thesaurus.read_bytes() == changed_elsewhere


def test_preview_shows_the_change_and_saving_changes_the_public_search(bundled_panel, thesaurus):
    app, client = bundled_panel
    public = app.test_client()
    assert public_total(public) == 0
    form = synonyms_form(client)
    proposed = {**form, "text": form["text"] + NEW_GROUP, "q": QUERY}

    preview = client.post("/redakcja/synonimy/podglad", data=proposed)
    assert preview.status_code == 200
    page = text_of(preview)
    assert re.search(r"Obecny słownik:\s+0\s+wyników", page)
    found = re.search(r"Proponowany słownik:\s+(\d+)\s+wyników", page)
    assert found and int(found.group(1)) > 0
    assert "tylko tutaj" in page
    assert thesaurus.read_bytes() == ORIGINAL_THESAURUS  # a preview saves nothing
    assert public_total(public) == 0

    saved = client.post("/redakcja/synonimy", data=proposed)
    assert saved.status_code == 303 and saved.headers["Location"] == "/redakcja/synonimy"
    assert "Zapisano słownik" in text_of(client.get("/redakcja/synonimy"))
    assert thesaurus.read_text(encoding="utf-8") == proposed["text"]
    assert len(list(versions_dir(thesaurus).iterdir())) == 1
    assert public_total(public) == int(found.group(1))  # no restart needed


def test_saving_the_same_text_writes_nothing(bundled_panel, thesaurus):
    _app, client = bundled_panel
    saved = client.post("/redakcja/synonimy", data=synonyms_form(client))
    assert saved.status_code == 303
    assert "Tekst się nie zmienił — nic nie zapisano." in text_of(client.get("/redakcja/synonimy"))
    assert not versions_dir(thesaurus).exists()


def test_saves_count_against_the_editors_limit(index_dir, tmp_path, thesaurus):
    client = make_app(index_dir, tmp_path, ADMIN_RATE_LIMIT=(1, 60.0)).test_client()
    assert log_in(client).status_code == 303
    form = synonyms_form(client)
    assert client.post("/redakcja/synonimy", data={**form, "text": "x"}).status_code == 422
    refused = client.post("/redakcja/synonimy", data=form)
    assert refused.status_code == 429 and "Zbyt wiele zapisów" in text_of(refused)
    start = client.post("/redakcja/zadania", data={"csrf_token": form["csrf_token"]})
    assert "Zbyt wiele uruchomień" in html_error(start, 429)
    assert not jobs.jobs_dir(index_dir).exists()


def test_a_preview_without_a_query_asks_for_one(bundled_panel):
    _app, client = bundled_panel
    form = synonyms_form(client)
    response = client.post("/redakcja/synonimy/podglad", data={**form, "q": "  "})
    assert response.status_code == 422
    assert "Wpisz zapytanie" in text_of(response)


# --- The templates ---------------------------------------------------------------------


def test_panel_templates_have_no_inline_scripts_or_styles():
    from search_app.web import __file__ as package

    templates = sorted((Path(package).parent / "templates" / "panel").glob("*.html"))
    assert len(templates) >= 6
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert audit(text) == [], template.name
        assert "<style" not in text and "|safe" not in text, template.name


def test_every_panel_page_has_the_accessible_frame(client, app):
    assert log_in(client).status_code == 303
    job_id = running_job(Path(app.config["INDEX_DIR"]))
    for url in (
        "/redakcja",
        "/redakcja/statystyki",
        "/redakcja/synonimy",
        f"/redakcja/zadania/{job_id}",
    ):
        body = client.get(url).get_data(as_text=True)
        assert '<html lang="pl">' in body, url
        assert '<a class="skip" href="#tresc">' in body and '<main id="tresc"' in body, url
        assert body.count("<h1") == 1, url
        for field in re.findall(r'<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"', body):
            assert f'for="{field}"' in body, (url, field)


# --- Rebuild jobs (also through the API) ------------------------------------------------


def rebuild_job_file(index_dir: Path, sources: Path, allow_errors: bool = False) -> Path:
    """A queued rebuild recorded as start_job records it, to run in this process."""
    job = jobs._new_job(index_dir, [sources], prune=False, allow_errors=allow_errors)
    job["mode"] = "rebuild"
    job["spec"]["lock_timeout"] = 1.0
    jobs.jobs_dir(index_dir).mkdir(exist_ok=True)
    path = jobs.jobs_dir(index_dir) / f"{job['id']}.json"
    jobs._write(path, job)
    return path


def test_a_rebuild_with_bad_sources_publishes_nothing_unless_allowed(index_dir, sources):
    practices = sum(1 for _ in read_jsonl(SMALL_JSONL))
    with sources.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "zly-1", "title": 5}\n')
    before = current_generation(index_dir)
    job = jobs.run_job(rebuild_job_file(index_dir, sources))
    assert job["status"] == "failed" and "nie została opublikowana" in job["message"]
    assert job["summary"]["published"] is False and job["summary"]["documents"] == practices
    [failed] = job["summary"]["failed"]
    assert (failed["line"], failed["field"]) == (practices + 1, "title")
    assert current_generation(index_dir) == before

    job = jobs.run_job(rebuild_job_file(index_dir, sources, allow_errors=True))
    assert job["status"] == "done" and "indeks zbudowano od nowa" in job["message"]
    assert job["summary"]["counts"]["failed"] == 1 and job["summary"]["published"]
    assert current_generation(index_dir) != before


def test_a_rebuild_without_a_single_practice_fails_in_polish(index_dir, tmp_path):
    empty = tmp_path / "pusty.jsonl"
    empty.write_text("", encoding="utf-8")
    before = current_generation(index_dir)
    job = jobs.run_job(rebuild_job_file(index_dir, empty))
    assert job["status"] == "failed"
    assert job["message"] == (
        "W źródłach nie ma żadnej poprawnej praktyki. Działający indeks pozostaje bez zmian."
    )
    assert current_generation(index_dir) == before


def test_the_api_starts_a_rebuild_with_mode_rebuild(app, client):
    from tests.test_openapi import validator

    auth = {"Authorization": f"Bearer {TOKEN}"}
    refused = client.post("/api/admin/reindex?mode=drop", headers=auth)
    assert (
        refused.status_code == 400
        and "update albo rebuild" in refused.get_json()["error"]["message"]
    )
    started = client.post("/api/admin/reindex?mode=rebuild", headers=auth)
    assert started.status_code == 202
    assert started.get_json()["job"]["mode"] == "rebuild"
    end = time.monotonic() + DEADLINE
    while True:
        job = client.get(started.headers["Location"], headers=auth).get_json()["job"]
        if job["status"] not in jobs.ACTIVE:
            break
        assert time.monotonic() < end
        time.sleep(0.1)
    assert job["status"] == "done", job["message"]
    validator("Job").validate(job)
    assert job["summary"]["counts"]["updated"] == job["summary"]["documents"]
