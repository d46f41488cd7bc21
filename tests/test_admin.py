"""POST /api/admin/reindex: the editors' update, protected by a token."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bdp.cli import main
from indexer.build import build_index
from indexer.jsonl import read_jsonl, write_jsonl
from indexer.lock import WriterLock
from indexer.sources import read_sources
from indexer.store import indexed_hashes
from search_app import create_app
from tests.conftest import SMALL_JSONL

TOKEN = "sekretny-token-redakcji"


@pytest.fixture()
def sources(tmp_path) -> Path:
    path = tmp_path / "praktyki.jsonl"
    path.write_text(SMALL_JSONL.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def build(path: Path, sources: Path) -> Path:
    build_index(read_sources([sources]).practices, path)
    return path


def admin_client(index_dir: Path, sources: Path, token: str = TOKEN):
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "ADMIN_TOKEN": token,
            "SOURCES": [sources],
            "ADMIN_LOCK_TIMEOUT": 0.1,
        }
    )
    return app.test_client()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def change_title(sources: Path, practice_id: str, title: str) -> None:
    practices = [replace(p, title=title) if p.id == practice_id else p for p in read_jsonl(sources)]
    with sources.open("w", encoding="utf-8") as handle:
        write_jsonl(practices, handle)


def test_endpoint_does_not_exist_without_a_token(tmp_path, sources, monkeypatch):
    monkeypatch.delenv("BDP_ADMIN_TOKEN", raising=False)
    index_dir = build(tmp_path / "ix", sources)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    response = client.post("/api/admin/reindex", headers=bearer(""))
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "headers", [{}, bearer("zly-token"), {"Authorization": TOKEN}, bearer(TOKEN + "x")]
)
def test_wrong_or_missing_token_is_refused(tmp_path, sources, headers):
    index_dir = build(tmp_path / "ix", sources)
    change_title(sources, "fx-gops-wies", "Zmiana, która nie powinna wejść")
    before = indexed_hashes(index_dir)
    response = admin_client(index_dir, sources).post("/api/admin/reindex", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["status"] == 401
    assert indexed_hashes(index_dir) == before


def test_reindex_answers_what_the_cli_prints(tmp_path, sources, runner):
    by_http, by_cli = build(tmp_path / "a", sources), build(tmp_path / "b", sources)
    change_title(sources, "fx-gops-wies", "Gminny ośrodek z nowym tytułem")
    client = admin_client(by_http, sources)

    response = client.post("/api/admin/reindex", headers=bearer(TOKEN))
    cli = runner.invoke(
        main, ["--index-dir", str(by_cli), "index", "update", str(sources), "--json"]
    )
    assert response.status_code == 200
    from_http, from_cli = response.get_json(), json.loads(cli.output)
    assert from_http["updated"] == ["fx-gops-wies"]
    del from_http["generation"], from_cli["generation"]
    assert from_http == from_cli

    found = client.get("/api/search", query_string={"q": "nowym tytułem"}).get_json()
    assert found["results"][0]["id"] == "fx-gops-wies"


def test_reindex_prunes_only_when_asked(tmp_path, sources):
    index_dir = build(tmp_path / "ix", sources)
    kept = [p for p in read_jsonl(sources) if p.id != "fx-gops-wies"]
    with sources.open("w", encoding="utf-8") as handle:
        write_jsonl(kept, handle)
    client = admin_client(index_dir, sources)
    plain = client.post("/api/admin/reindex", headers=bearer(TOKEN)).get_json()
    assert plain["not_in_sources"] == ["fx-gops-wies"] and plain["removed"] == []
    pruned = client.post("/api/admin/reindex?prune=1", headers=bearer(TOKEN)).get_json()
    assert pruned["removed"] == ["fx-gops-wies"]


def test_reindex_while_another_writer_works_is_a_conflict(tmp_path, sources):
    index_dir = build(tmp_path / "ix", sources)
    with WriterLock(index_dir):
        response = admin_client(index_dir, sources).post(
            "/api/admin/reindex", headers=bearer(TOKEN)
        )
    assert response.status_code == 409
    assert "inny proces" in response.get_json()["error"]["message"]
