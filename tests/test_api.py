"""The JSON API: search, practices, health, one error shape."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from indexer.schema import FACETS
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.store import LiveIndex
from indexer.update import add_practices
from search_app.web import DEFAULT_INDEX_DIR, create_app


def test_search_response_shape(client):
    data = client.get("/api/search?q=rodzina").get_json()
    assert {"query", "total", "page", "per_page", "results", "facets", "suggestion"} <= set(data)
    assert set(data["facets"]) == set(FACETS)
    hit = data["results"][0]
    for key in (
        "id",
        "title",
        "snippet",
        "score",
        "category",
        "subcategory",
        "town",
        "county",
        "voivodeship",
        "unit_type",
        "date_added",
        "date_updated",
    ):
        assert key in hit
    assert {"value", "count", "selected"} <= set(data["facets"]["voivodeship"][0])


def test_repeated_facet_parameters_are_ored(client):
    data = client.get("/api/search?voivodeship=śląskie&voivodeship=łódzkie").get_json()
    assert data["total"] == 3


def test_practice_record(client):
    data = client.get("/api/practices/000_3b014753ec2e4c31").get_json()
    assert data["population"] == 60444
    assert data["county"] == "żorski"
    assert len(data["phones"]) == 2
    assert data["date_added"] == "2012-06-04"
    lodz = client.get("/api/practices/001_8428a99dc5593c9b").get_json()
    assert lodz["county"] is None and len(lodz["websites"]) == 2 and lodz["population"] == 781932


@pytest.mark.parametrize("url", ["/api/practices/nie-ma", "/api/nie-ma"])
def test_errors_share_one_json_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == 404
    assert body["error"]["message"]


@pytest.mark.parametrize(
    "query",
    ['"niedomknięty cudzysłów', "title:(", "AND OR NOT", "*", "((((", "a" * 5000, "\x00\x07"],
)
def test_odd_queries_never_fail(client, query):
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200
    assert "results" in response.get_json()


def test_health(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["documents"] == 6


def test_missing_index_is_503_with_instructions(tmp_path):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()
    for url in ("/healthz", "/api/search?q=x"):
        response = client.get(url)
        assert response.status_code == 503
        assert set(response.get_json()) == {"error"}
        assert "bdp index build" in response.get_json()["error"]["message"]


# --- Configuration from BDP_* variables (create_app) -------------------------------------


@pytest.fixture()
def clean_environment(monkeypatch):
    for name in ("INDEX_DIR", "ADMIN_TOKEN", "SOURCES", "TRUSTED_HOSTS", "PROXY_FIX_X_FOR"):
        monkeypatch.delenv(f"BDP_{name}", raising=False)
    return monkeypatch


def test_configuration_from_the_environment_keeps_its_types(clean_environment, tmp_path):
    env = clean_environment
    env.setenv("BDP_INDEX_DIR", str(tmp_path / "ix"))
    env.setenv("BDP_ADMIN_TOKEN", "token-z-otoczenia")
    env.setenv("BDP_SOURCES", os.pathsep.join(["a.jsonl", "strony/"]))
    env.setenv("BDP_TRUSTED_HOSTS", "bdp.example, .gmina.pl")
    env.setenv("BDP_PROXY_FIX_X_FOR", "2")
    env.setenv("BDP_ADMIN_LOCK_TIMEOUT", "5")
    env.setenv("BDP_ADMIN_RATE_LIMIT", "3,30")
    env.setenv("BDP_DEBUG", "1")  # never from the environment
    app = create_app()
    assert app.config["INDEX_DIR"] == tmp_path / "ix"
    assert app.config["ADMIN_TOKEN"] == "token-z-otoczenia"
    assert "admin" in app.blueprints
    assert app.config["SOURCES"] == [Path("a.jsonl"), Path("strony/")]
    assert app.config["TRUSTED_HOSTS"] == ["bdp.example", ".gmina.pl"]
    assert app.config["PROXY_FIX_X_FOR"] == 2
    assert app.config["ADMIN_LOCK_TIMEOUT"] == 5.0
    assert app.config["ADMIN_RATE_LIMIT"] == (3, 30.0)
    assert app.config["DEBUG"] is False
    # An explicit config wins over the environment.
    assert create_app({"INDEX_DIR": "inny"}).config["INDEX_DIR"] == Path("inny")


def test_defaults_without_the_environment(clean_environment):
    app = create_app()
    assert app.config["INDEX_DIR"] == DEFAULT_INDEX_DIR == Path("index")
    assert app.config["SOURCES"] == [DEFAULT_SOURCES]
    assert app.config["TRUSTED_HOSTS"] is None and app.config["PROXY_FIX_X_FOR"] == 0
    assert "admin" not in app.blueprints


@pytest.mark.parametrize(
    ("name", "raw", "words"),
    [
        ("BDP_ADMIN_LOCK_TIMEOUT", "minuta", "liczbą sekund"),
        ("BDP_ADMIN_AUTH_FAILURES", "10", "liczba,sekundy"),
    ],
)
def test_a_malformed_setting_stops_the_start_in_polish(clean_environment, name, raw, words):
    clean_environment.setenv(name, raw)
    with pytest.raises(ValueError, match=f"{name} musi") as raised:
        create_app()
    assert words in str(raised.value)


def test_a_thread_keeps_its_searcher_until_a_new_generation(index_dir, tmp_path):
    live = LiveIndex(index_dir)
    first = live.shared_searcher()
    assert live.shared_searcher() is first  # the next request of this thread reuses it
    others: list = []
    thread = threading.Thread(target=lambda: others.append(live.shared_searcher()))
    thread.start()
    thread.join()
    assert others[0] is not first  # never shared between threads

    new = tmp_path / "nowa.jsonl"
    new.write_text('{"id": "nowa-praktyka", "title": "Nowa praktyka"}\n', encoding="utf-8")
    add_practices(read_sources([new]), index_dir)
    fresh = live.shared_searcher()
    assert fresh is not first and first.is_closed and not fresh.is_closed
    assert fresh.document(id="nowa-praktyka") is not None


def test_readme_lists_the_search_response_keys(bundled_client):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if "`GET /api/search?" in line)
    listed = re.search(r"`\{([^}]*)\}`", line)
    assert listed is not None
    keys = {key.strip() for key in listed.group(1).split(",")}
    assert keys == set(bundled_client.get("/api/search?q=mops").get_json())
