"""Editing the thesaurus: check, preview, save (engine and /api/admin/synonyms).

Every test works on a copy of data/synonimy.txt in tmp_path; an autouse fixture
checks that the repository's file is never touched.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema_rs
import pytest

from search_app.engine import synonyms
from search_app.engine.search import clean_request
from search_app.engine.synonyms import (
    MAX_EXPRESSION_CHARS,
    RELOAD_CHECK_SECONDS,
    SYNONYMS_FILE,
    Thesaurus,
    load_synonyms,
    parse_synonyms,
    thesaurus_in_use,
)
from search_app.engine.thesaurus_edit import (
    KEEP_VERSIONS,
    InvalidThesaurusError,
    StaleThesaurusError,
    check_thesaurus,
    etag,
    kept_versions,
    preview_thesaurus,
    read_thesaurus,
    save_thesaurus,
    versions_dir,
)
from search_app.web import create_app
from search_app.web.openapi import openapi_spec
from tests.conftest import ROOT, run_search

TOKEN = "sekretny-token-redakcji-synonimow"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORIGINAL = SYNONYMS_FILE.read_bytes()
BASE = ORIGINAL.decode("utf-8")
# On the bundled practices "jednoślad" finds nothing; as a synonym of "rower" it finds
# the cycling practices.
QUERY = "jednoślad"
NEW_GROUP = "jednoślad, rower  # źródło: język potoczny (test)\n"
WITH_NEW_GROUP = BASE.rstrip("\n") + "\n" + NEW_GROUP
SPEC = openapi_spec()


@pytest.fixture(autouse=True)
def repository_file_untouched():
    yield
    assert SYNONYMS_FILE.read_bytes() == ORIGINAL
    assert not versions_dir(SYNONYMS_FILE).exists()


@pytest.fixture()
def frozen_clock(monkeypatch) -> None:
    """The reload checks' clock stands still: only a save can make a process re-read."""
    monkeypatch.setattr(synonyms, "_now", lambda: 1000.0)


@pytest.fixture()
def thesaurus(tmp_path) -> Path:
    path = tmp_path / "slownik" / "synonimy.txt"
    path.parent.mkdir()
    path.write_bytes(ORIGINAL)
    return path


def make_app(index_dir: Path, thesaurus: Path, **config):
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "ADMIN_TOKEN": TOKEN,
            "SYNONYMS": str(thesaurus),
            "ADMIN_RATE_LIMIT": (1000, 60.0),
            **config,
        }
    )


@pytest.fixture()
def client(bundled_index, thesaurus):
    return make_app(bundled_index, thesaurus).test_client()


def search_total(client, q: str = QUERY) -> int:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()["total"]


def matches(schema_name: str, body: dict) -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **SPEC}
    validator = jsonschema_rs.validator_for(
        {**schema, "$ref": f"#/components/schemas/{schema_name}"}
    )
    errors = [error.message for error in validator.iter_errors(body)]
    assert errors == []


# --- Checking a text -------------------------------------------------------------------


def test_the_bundled_thesaurus_has_no_problems():
    assert check_thesaurus(BASE) == []


def test_problems_of_every_kind_name_their_lines():
    text = "\n".join(
        [
            "# komentarz",  # 1
            "aa, bb  # źródło: test",  # 2
            "samotne  # źródło: test",  # 3: one expression
            f"cc, {'x' * (MAX_EXPRESSION_CHARS + 1)}  # źródło: test",  # 4: too long
            " , ,  # źródło: test",  # 5: commas only
            "dd, ee",  # 6: no source
            "ff, gg  # uwaga",  # 7: a comment, not a source
            "hh, aa  # źródło: test",  # 8: "aa" is in the group of line 2
            "ośrodek, ośrodka  # źródło: test",  # 9: one word, inflected
            "ii, w  # źródło: test",  # 10: "w" is not searched for
            "jj\x01, kk  # źródło: test",  # 11: a control character
            "ppp, partnerstwo publiczno-prywatne  # źródło: test",  # 12
            "ppp, poradnia psychologiczno-pedagogiczna  # źródło: test",  # 13: ppp on purpose
        ]
    )
    problems = check_thesaurus(text)
    lines = [problem.line for problem in problems]
    assert lines == sorted(lines)
    by_line = {problem.line: problem.message for problem in problems}
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "jedno wyrażenie „samotne”" in by_line[3]
    assert f"dłuższe niż {MAX_EXPRESSION_CHARS} znaków" in by_line[4]
    assert "same przecinki" in by_line[5].lower()
    assert "źródło" in by_line[6] and "źródło" in by_line[7]
    assert "„aa” jest już w grupie z wiersza 2" in by_line[8]
    assert "czyta tak samo" in by_line[9]
    assert "„w”" in by_line[10]
    assert "U+0001" in by_line[11]
    assert all(problem.message[0].isupper() for problem in problems)


def test_an_empty_thesaurus_is_a_problem_of_the_whole_text():
    problems = check_thesaurus("# same komentarze\n\n")
    assert [problem.line for problem in problems] == [None]
    assert "żadnej grupy" in problems[0].message


def test_the_check_reads_lines_as_the_loader_does(caplog):
    text = "a, b  # źródło: t\nsamotne\nc, " + "y" * 90 + "\n,,\nd, e,  # źródło: t\nf, f\n"
    with caplog.at_level(logging.WARNING, logger=synonyms.__name__):
        loaded = parse_synonyms(text, "plik")
    skipped_by_loader = {
        int(record.getMessage().split(":")[1]) for record in caplog.records
    }  # "plik:<line>: …"
    skipped_by_check = {
        problem.line for problem in check_thesaurus(text) if "byłby pominięty" in problem.message
    }
    assert skipped_by_loader == skipped_by_check == {2, 3, 4, 6}
    assert loaded == Thesaurus.from_text(text).groups() == (("a", "b"), ("d", "e"))


# --- Preview ---------------------------------------------------------------------------


def test_preview_shows_how_a_new_group_changes_results_and_saves_nothing(client, thesaurus):
    response = client.post(
        "/api/admin/synonyms/preview", json={"text": WITH_NEW_GROUP, "q": QUERY}, headers=AUTH
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    matches("ThesaurusPreview", body)
    assert body["query"] == QUERY
    assert body["current"] == {"total": 0, "results": []}
    assert body["proposed"]["total"] >= 2
    titles = " ".join(hit["title"] for hit in body["proposed"]["results"]).lower()
    assert "rower" in titles
    assert body["problems"] == []
    one = client.post(
        "/api/admin/synonyms/preview",
        json={"text": WITH_NEW_GROUP, "q": QUERY, "per_page": 1},
        headers=AUTH,
    ).get_json()
    assert one["proposed"]["total"] == body["proposed"]["total"]
    assert one["proposed"]["results"] == body["proposed"]["results"][:1]
    # Nothing saved, nothing installed.
    assert thesaurus.read_bytes() == ORIGINAL
    assert not versions_dir(thesaurus).exists()
    assert search_total(client) == 0


def test_preview_with_filters_and_problems(client):
    text = WITH_NEW_GROUP + "samotne  # źródło: test\n"
    response = client.post(
        "/api/admin/synonyms/preview",
        json={"text": text, "q": QUERY, "filters": {"voivodeship": "nie-ma-takiego"}},
        headers=AUTH,
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["proposed"]["total"] == 0  # the filter leaves nothing
    assert [problem["line"] for problem in body["problems"]] == [len(text.splitlines())]


def test_preview_in_the_engine_leaves_the_thesaurus_in_use(bundled_searcher):
    assert run_search(bundled_searcher, QUERY).total == 0
    request, _notes = clean_request(QUERY)
    preview = preview_thesaurus(bundled_searcher, request, WITH_NEW_GROUP)
    assert preview.current.total == 0 and preview.proposed.total >= 2
    assert run_search(bundled_searcher, QUERY).total == 0
    assert thesaurus_in_use().path == SYNONYMS_FILE


# --- Saving ----------------------------------------------------------------------------


def test_save_keeps_the_previous_version_and_the_next_search_uses_the_new_one(
    client, thesaurus, frozen_clock
):
    assert search_total(client) == 0  # loaded now; the frozen clock never looks again
    got = client.get("/api/admin/synonyms", headers=AUTH)
    assert got.status_code == 200
    matches("Thesaurus", got.get_json())
    assert got.get_json()["text"] == BASE
    assert got.get_json()["etag"] == etag(ORIGINAL) == got.headers["ETag"].strip('"')
    groups_before = got.get_json()["groups"]

    saved = client.put(
        "/api/admin/synonyms",
        json={"text": WITH_NEW_GROUP},
        headers={**AUTH, "If-Match": got.headers["ETag"]},
    )
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    matches("ThesaurusSaved", body)
    assert body["groups"] == groups_before + 1
    assert body["changed"] is True
    assert body["etag"] == etag(WITH_NEW_GROUP.encode("utf-8")) == saved.headers["ETag"].strip('"')
    kept = thesaurus.parent / body["previous"]
    assert kept.parent == versions_dir(thesaurus) and kept.name.startswith("synonimy-")
    assert kept.read_bytes() == ORIGINAL  # byte for byte what was there
    assert thesaurus.read_bytes() == WITH_NEW_GROUP.encode("utf-8")
    assert [p.name for p in thesaurus.parent.iterdir() if p.name.startswith(".")] == []

    assert search_total(client) >= 2  # the same app, no restart, no wait
    again = client.get("/api/admin/synonyms", headers=AUTH).get_json()
    assert again["text"] == WITH_NEW_GROUP and again["etag"] == body["etag"]


def test_saving_the_same_text_writes_nothing(client, thesaurus):
    saved = client.put(
        "/api/admin/synonyms", json={"text": BASE}, headers={**AUTH, "If-Match": "*"}
    )
    assert saved.status_code == 200
    assert saved.get_json() == {
        "groups": len(parse_synonyms(BASE)),
        "etag": etag(ORIGINAL),
        "previous": None,
        "changed": False,
    }
    assert not versions_dir(thesaurus).exists()


def test_another_process_picks_up_a_save_at_its_next_check(bundled_index, thesaurus, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(synonyms, "_now", lambda: clock[0])
    client = make_app(bundled_index, thesaurus).test_client()
    assert search_total(client) == 0
    script = (
        "import sys; from pathlib import Path\n"
        "from search_app.engine.thesaurus_edit import save_thesaurus\n"
        "save_thesaurus(Path(sys.argv[1]), sys.stdin.read())\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(thesaurus)],
        input=WITH_NEW_GROUP,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert search_total(client) == 0  # not looked at again yet
    clock[0] += RELOAD_CHECK_SECONDS + 0.1
    assert search_total(client) >= 2


def test_a_stale_if_match_is_refused_with_412(client, thesaurus):
    first = client.put(
        "/api/admin/synonyms",
        json={"text": WITH_NEW_GROUP},
        headers={**AUTH, "If-Match": f'"{etag(ORIGINAL)}"'},
    )
    assert first.status_code == 200
    # Another editor, still on the original version:
    stale = client.put(
        "/api/admin/synonyms",
        json={"text": BASE + "kolejna, grupa  # źródło: test\n"},
        headers={**AUTH, "If-Match": f'"{etag(ORIGINAL)}"'},
    )
    assert stale.status_code == 412
    assert set(stale.get_json()["error"]) == {"status", "message"}
    assert "ponownie" in stale.get_json()["error"]["message"]
    assert thesaurus.read_bytes() == WITH_NEW_GROUP.encode("utf-8")
    missing = client.put("/api/admin/synonyms", json={"text": BASE}, headers=AUTH)
    assert missing.status_code == 428
    assert "If-Match" in missing.get_json()["error"]["message"]


def test_an_invalid_text_is_refused_with_its_problems_and_nothing_changes(client, thesaurus):
    text = WITH_NEW_GROUP + "samotne  # źródło: test\nrybka, akwarium\n"
    response = client.put(
        "/api/admin/synonyms", json={"text": text}, headers={**AUTH, "If-Match": "*"}
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    matches("Error", response.get_json())
    assert error["status"] == 422 and "nic nie zapisano" in error["message"]
    last = len(text.splitlines())
    assert [problem["line"] for problem in error["problems"]] == [last - 1, last]
    assert thesaurus.read_bytes() == ORIGINAL
    assert not versions_dir(thesaurus).exists()
    assert search_total(client) == 0


def test_the_engine_refuses_the_same_way(thesaurus):
    with pytest.raises(InvalidThesaurusError) as refused:
        save_thesaurus(thesaurus, "samotne  # źródło: test\n")
    assert [problem.line for problem in refused.value.problems] == [1, None]
    with pytest.raises(StaleThesaurusError):
        save_thesaurus(thesaurus, WITH_NEW_GROUP, if_match="0" * 64)
    assert thesaurus.read_bytes() == ORIGINAL


def test_only_the_last_versions_are_kept(tmp_path):
    path = tmp_path / "synonimy.txt"
    texts = [f"aa{n}, bb{n}  # źródło: test\n" for n in range(6)]
    path.write_text(texts[0], encoding="utf-8")
    for text in texts[1:]:
        save_thesaurus(path, text, keep=3)
    kept = kept_versions(path)
    assert [p.read_text(encoding="utf-8") for p in kept] == texts[2:5]
    assert read_thesaurus(path).text == texts[5]
    for text in texts * 2:  # by default the last KEEP_VERSIONS (10)
        save_thesaurus(path, text)
    assert len(kept_versions(path)) == KEEP_VERSIONS == 10


def test_concurrent_saves_never_interleave(tmp_path):
    path = tmp_path / "synonimy.txt"
    original = "zz, yy  # źródło: test\n"
    path.write_text(original, encoding="utf-8")
    versions = [
        "".join(f"a{n}x{i}, b{n}x{i}  # źródło: test\n" for i in range(200)) for n in range(8)
    ]
    allowed = {original.encode("utf-8")} | {v.encode("utf-8") for v in versions}
    seen: list[bytes] = []
    failures: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(path.read_bytes())

    def save(text: str) -> None:
        try:
            save_thesaurus(path, text)
        except BaseException as exc:  # every failure counts
            failures.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    savers = [threading.Thread(target=save, args=(v,)) for v in versions]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join(timeout=60)
    done.set()
    reader.join(timeout=60)
    assert failures == []
    assert seen and set(seen) <= allowed
    final = path.read_bytes()
    assert final in allowed - {original.encode("utf-8")}
    assert check_thesaurus(final.decode("utf-8")) == []
    kept = [p.read_bytes() for p in kept_versions(path)]
    assert len(kept) == len(versions)  # the original and every version but the last
    assert set(kept) | {final} == allowed


def test_concurrent_saves_from_one_version_let_exactly_one_through(client, thesaurus):
    start = f'"{etag(ORIGINAL)}"'
    texts = [BASE + f"nowe{n}, grupa{n}  # źródło: test\n" for n in range(6)]
    statuses: list[int] = []

    def put(text: str) -> None:
        response = client.put(
            "/api/admin/synonyms", json={"text": text}, headers={**AUTH, "If-Match": start}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=put, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] + [412] * (len(texts) - 1)
    assert thesaurus.read_text(encoding="utf-8") in texts
    assert [p.read_bytes() for p in kept_versions(thesaurus)] == [ORIGINAL]


# --- Access, limits, bodies ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/admin/synonyms"),
        ("put", "/api/admin/synonyms"),
        ("post", "/api/admin/synonyms/preview"),
    ],
)
def test_without_a_token_401_and_without_the_setting_404(bundled_index, thesaurus, method, url):
    client = make_app(bundled_index, thesaurus).test_client()
    response = getattr(client, method)(url, json={"text": WITH_NEW_GROUP, "q": QUERY})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = getattr(client, method)(url, headers={"Authorization": "Bearer zly-token"})
    assert wrong.status_code == 401
    off = make_app(bundled_index, thesaurus, ADMIN_TOKEN="").test_client()
    response = getattr(off, method)(url, json={"text": WITH_NEW_GROUP, "q": QUERY}, headers=AUTH)
    assert response.status_code == 404
    assert thesaurus.read_bytes() == ORIGINAL


def test_saves_are_rate_limited(bundled_index, thesaurus):
    client = make_app(bundled_index, thesaurus, ADMIN_RATE_LIMIT=(1, 60.0)).test_client()
    headers = {**AUTH, "If-Match": "*"}
    assert client.put("/api/admin/synonyms", json={"text": BASE}, headers=headers).status_code == (
        200
    )
    limited = client.put("/api/admin/synonyms", json={"text": WITH_NEW_GROUP}, headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert "słownika" in limited.get_json()["error"]["message"]
    assert thesaurus.read_bytes() == ORIGINAL
    # A preview is a POST: it counts against the same limit.
    preview = {"text": WITH_NEW_GROUP, "q": QUERY}
    client = make_app(bundled_index, thesaurus, ADMIN_RATE_LIMIT=(1, 60.0)).test_client()
    assert client.post("/api/admin/synonyms/preview", json=preview, headers=AUTH).status_code == (
        200
    )
    again = client.post("/api/admin/synonyms/preview", json=preview, headers=AUTH)
    assert again.status_code == 429


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ("to nie JSON", {"Content-Type": "text/plain"}, 400),
        ('["lista"]', {"Content-Type": "application/json"}, 400),
        ('{"text": 5}', {"Content-Type": "application/json"}, 400),
        ('{"text": "a, b", "inne": 1}', {"Content-Type": "application/json"}, 400),
        ('{"text": "' + "a" * (1024 * 1024) + '"}', {"Content-Type": "application/json"}, 413),
    ],
)
def test_bodies_are_json_objects_of_limited_size(client, thesaurus, body, headers, status):
    response = client.put(
        "/api/admin/synonyms", data=body, headers={**AUTH, "If-Match": "*", **headers}
    )
    assert response.status_code == status
    assert set(response.get_json()["error"]) == {"status", "message"}
    assert thesaurus.read_bytes() == ORIGINAL


def test_preview_needs_a_query_and_known_filters(client):
    for body in (
        {"text": BASE},
        {"text": BASE, "q": "  "},
        {"text": BASE, "q": QUERY, "filters": {"nieznany": ["x"]}},
        {"text": BASE, "q": QUERY, "filters": {"voivodeship": [1]}},
    ):
        response = client.post("/api/admin/synonyms/preview", json=body, headers=AUTH)
        assert response.status_code == 400, body


# --- Configuration ---------------------------------------------------------------------


def test_bdp_synonyms_names_the_file_searches_use(bundled_index, tmp_path, monkeypatch):
    path = tmp_path / "inny.txt"
    path.write_text(WITH_NEW_GROUP, encoding="utf-8")
    monkeypatch.setenv("BDP_SYNONYMS", str(path))
    app = create_app({"TESTING": True, "INDEX_DIR": str(bundled_index)})
    assert app.config["SYNONYMS"] == path
    assert search_total(app.test_client()) >= 2
    # The request's thesaurus stays with the request.
    assert thesaurus_in_use().path == SYNONYMS_FILE
    assert load_synonyms() == parse_synonyms(BASE)
