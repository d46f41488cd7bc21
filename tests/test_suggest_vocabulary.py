"""A new generation's suggestion vocabulary is built beside the requests, never holding one long."""

from __future__ import annotations

import json
import threading

import pytest

from indexer.sources import read_sources
from indexer.update import add_practices
from search_app.engine.suggest import build_vocabulary
from search_app.web import create_app, vocabulary

NEW = {"id": "nowa-hulajnogi", "title": "Wypożyczalnia hulajnóg miejskich"}


class SlowBuild:
    """build_vocabulary, held until ``release`` (the test decides when it ends)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.released = threading.Event()
        self.calls = 0

    def __call__(self, searcher):
        self.calls += 1
        self.started.set()
        assert self.released.wait(60), "the test never released the build"
        return build_vocabulary(searcher)


@pytest.fixture()
def slow(monkeypatch) -> SlowBuild:
    build = SlowBuild()
    monkeypatch.setattr(vocabulary, "build_vocabulary", build)
    return build


def make_app(index_dir, tmp_path, wait: float):
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "ANALYTICS_DB": str(tmp_path / "analytics.sqlite3"),
            "SUGGEST_WAIT": wait,
        }
    )


def built(app) -> None:
    """Wait (bounded) for the build running now, as a later suggestion would."""
    vocabularies = app.extensions["bdp_vocabularies"]
    vocabularies.wait = 60
    _vocabulary, live = vocabularies.current()
    assert live


def test_the_first_suggestion_does_not_wait_for_a_slow_build(index_dir, tmp_path, slow):
    app = make_app(index_dir, tmp_path, wait=0.01)
    client = app.test_client()
    first = client.get("/api/suggest?q=rodz")
    assert first.status_code == 200
    assert first.get_json()["terms"] == [] and first.get_json()["titles"] == []
    again = client.get("/api/suggest?q=rodz")
    assert again.headers["X-Cache"] == "miss"  # not kept
    assert again.headers["Cache-Control"] == "no-store" and "ETag" not in again.headers
    assert slow.calls == 1  # one build, however many suggestions arrive meanwhile
    slow.released.set()
    built(app)
    after = client.get("/api/suggest?q=rodz").get_json()
    assert after["terms"] or after["titles"]


def test_after_a_publish_the_previous_vocabulary_answers_until_the_new_one_is_built(
    index_dir, tmp_path, monkeypatch
):
    app = make_app(index_dir, tmp_path, wait=60)
    client = app.test_client()
    assert client.get("/api/suggest?q=rodz").get_json()["terms"]  # waited for the first build
    app.extensions["bdp_vocabularies"].wait = 0.01
    slow = SlowBuild()
    monkeypatch.setattr(vocabulary, "build_vocabulary", slow)
    new = tmp_path / "nowa.jsonl"
    new.write_text(json.dumps(NEW, ensure_ascii=False) + "\n", encoding="utf-8")
    add_practices(read_sources([new]), index_dir)

    during = client.get("/api/suggest?q=wypożyczalnia hul")
    assert during.status_code == 200 and during.get_json()["titles"] == []
    assert client.get("/api/suggest?q=rodz").get_json()["terms"]  # the previous vocabulary
    assert client.get("/api/suggest?q=wypożyczalnia hul").headers["X-Cache"] == "miss"
    slow.released.set()
    built(app)
    titles = client.get("/api/suggest?q=wypożyczalnia hul").get_json()["titles"]
    assert [t["id"] for t in titles] == ["nowa-hulajnogi"]


def test_a_failed_build_is_logged_and_the_next_suggestion_tries_again(
    index_dir, tmp_path, monkeypatch, caplog
):
    def broken(searcher):
        raise OSError("dysk niedostępny")

    monkeypatch.setattr(vocabulary, "build_vocabulary", broken)
    app = make_app(index_dir, tmp_path, wait=60)
    client = app.test_client()
    answer = client.get("/api/suggest?q=rodz")
    assert answer.status_code == 200 and answer.get_json()["terms"] == []
    assert "dysk niedostępny" in caplog.text
    monkeypatch.setattr(vocabulary, "build_vocabulary", build_vocabulary)
    assert client.get("/api/suggest?q=rodz").get_json()["terms"]


def test_the_wait_comes_from_bdp_suggest_wait(small_index, monkeypatch):
    monkeypatch.setenv("BDP_SUGGEST_WAIT", "0.5")
    assert create_app({"INDEX_DIR": str(small_index)}).extensions["bdp_vocabularies"].wait == 0.5
    monkeypatch.setenv("BDP_SUGGEST_WAIT", "dużo")
    with pytest.raises(ValueError, match="BDP_SUGGEST_WAIT musi być liczbą sekund"):
        create_app({"INDEX_DIR": str(small_index)})
