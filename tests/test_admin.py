"""POST /api/admin/reindex and GET /api/admin/jobs/<id>: the editors' update, run as a job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bdp.cli import main
from indexer.build import build_index
from indexer.jsonl import read_jsonl, write_jsonl
from indexer.lock import WriterLock
from indexer.sources import read_sources
from indexer.store import indexed_hashes
from search_app.web import create_app, jobs
from tests.conftest import SMALL_JSONL

TOKEN = "sekretny-token-redakcji"
DEADLINE = 60.0  # seconds a small job may take on a loaded machine, process start included


@pytest.fixture()
def sources(tmp_path) -> Path:
    path = tmp_path / "praktyki.jsonl"
    path.write_text(SMALL_JSONL.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def build(path: Path, sources: Path) -> Path:
    build_index(read_sources([sources]).practices, path)
    return path


def admin_client(index_dir: Path, sources: Path, token: str = TOKEN, lock_timeout: float = 0.1):
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "ADMIN_TOKEN": token,
            "SOURCES": [sources],
            "ADMIN_LOCK_TIMEOUT": lock_timeout,
        }
    )
    return app.test_client()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def change_title(sources: Path, practice_id: str, title: str) -> None:
    practices = [replace(p, title=title) if p.id == practice_id else p for p in read_jsonl(sources)]
    with sources.open("w", encoding="utf-8") as handle:
        write_jsonl(practices, handle)


def start(client, query: str = "") -> str:
    """POST a reindex; the address of its job (checked: 202, Location, queued job)."""
    response = client.post(f"/api/admin/reindex{query}", headers=bearer(TOKEN))
    assert response.status_code == 202, response.get_json()
    job = response.get_json()["job"]
    assert job["status"] in jobs.ACTIVE
    assert response.headers["Location"] == f"/api/admin/jobs/{job['id']}"
    return response.headers["Location"]


def poll(client, url: str, until, deadline: float = DEADLINE, every: float = 0.02) -> dict:
    """GET the job until ``until(job)`` holds; fails past the deadline."""
    end = time.monotonic() + deadline
    while True:
        response = client.get(url, headers=bearer(TOKEN))
        assert response.status_code == 200, response.get_json()
        job = response.get_json()["job"]
        if until(job):
            return job
        assert time.monotonic() < end, f"job still {job['status']}: {job}"
        time.sleep(every)  # polling a condition, not timing


def finished(job: dict) -> bool:
    return job["status"] not in jobs.ACTIVE


def run(client, query: str = "") -> dict:
    return poll(client, start(client, query), finished)


def test_endpoints_do_not_exist_without_a_token(tmp_path, sources, monkeypatch):
    monkeypatch.delenv("BDP_ADMIN_TOKEN", raising=False)
    index_dir = build(tmp_path / "ix", sources)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    response = client.post("/api/admin/reindex", headers=bearer(""))
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
    assert client.get("/api/admin/jobs/x", headers=bearer("")).status_code == 404


@pytest.mark.parametrize(
    "headers", [{}, bearer("zly-token"), {"Authorization": TOKEN}, bearer(TOKEN + "x")]
)
def test_wrong_or_missing_token_is_refused(tmp_path, sources, headers):
    index_dir = build(tmp_path / "ix", sources)
    change_title(sources, "fx-gops-wies", "Zmiana, która nie powinna wejść")
    before = indexed_hashes(index_dir)
    client = admin_client(index_dir, sources)
    for response in (
        client.post("/api/admin/reindex", headers=headers),
        client.get("/api/admin/jobs/20250101T000000000000-00000000", headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"]["status"] == 401
    assert indexed_hashes(index_dir) == before
    assert not jobs.jobs_dir(index_dir).exists()  # no job was even recorded


def test_job_summary_is_what_the_cli_prints(tmp_path, sources, runner):
    by_http, by_cli = build(tmp_path / "a", sources), build(tmp_path / "b", sources)
    change_title(sources, "fx-gops-wies", "Gminny ośrodek z nowym tytułem")
    client = admin_client(by_http, sources)

    job = run(client)
    cli = runner.invoke(
        main, ["--index-dir", str(by_cli), "index", "update", str(sources), "--json"]
    )
    assert job["status"] == "done", job
    assert job["progress"] == {"written": 1, "total": 1}
    assert job["started"] and job["finished"] and "zmieniono 1" in job["message"]
    from_http, from_cli = job["summary"], json.loads(cli.output)
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
    plain = run(client)
    assert plain["prune"] is False
    assert plain["summary"]["not_in_sources"] == ["fx-gops-wies"]
    assert plain["summary"]["removed"] == []
    pruned = run(client, "?prune=1")
    assert pruned["prune"] is True and pruned["summary"]["removed"] == ["fx-gops-wies"]


def test_bad_sources_publish_nothing_unless_allowed(tmp_path, sources):
    index_dir = build(tmp_path / "ix", sources)
    change_title(sources, "fx-gops-wies", "Tytuł, który czeka na poprawę źródeł")
    with sources.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "zepsuta", "title": 5}\n')
    bad_line = len(sources.read_text(encoding="utf-8").splitlines())
    before = indexed_hashes(index_dir)
    client = admin_client(index_dir, sources)

    refused = run(client)
    assert refused["status"] == "failed"
    assert refused["summary"]["published"] is False
    assert "Błędne źródła: 1" in refused["message"] and "allow_errors=1" in refused["message"]
    [error] = refused["summary"]["failed"]
    assert error["path"] == str(sources) and error["line"] == bad_line
    assert indexed_hashes(index_dir) == before

    allowed = run(client, "?allow_errors=1")
    assert allowed["status"] == "done" and allowed["allow_errors"] is True
    assert allowed["summary"]["published"] is True
    assert allowed["summary"]["updated"] == ["fx-gops-wies"]
    assert "Pominięto błędne źródła: 1" in allowed["message"]


def test_a_second_request_while_a_job_runs_is_a_conflict_naming_it(tmp_path, sources):
    index_dir = build(tmp_path / "ix", sources)
    change_title(sources, "fx-gops-wies", "Tytuł po zwolnieniu blokady")
    client = admin_client(index_dir, sources, lock_timeout=DEADLINE)
    with WriterLock(index_dir):  # another writer (the CLI, say) keeps the first job waiting
        url = start(client)
        waiting = poll(client, url, lambda job: job["message"] and "Czeka" in job["message"])
        assert waiting["status"] == "running"
        second = client.post("/api/admin/reindex?prune=1", headers=bearer(TOKEN))
        assert second.status_code == 409
        assert second.headers["Location"] == url
        assert waiting["id"] in second.get_json()["error"]["message"]
    done = poll(client, url, finished)
    assert done["status"] == "done" and done["summary"]["updated"] == ["fx-gops-wies"]
    assert run(client)["status"] == "done"  # once finished, the next request starts a job


def test_a_writer_holding_the_index_too_long_fails_the_job(tmp_path, sources):
    index_dir = build(tmp_path / "ix", sources)
    change_title(sources, "fx-gops-wies", "Zmiana, która nie powinna wejść")
    before = indexed_hashes(index_dir)
    with WriterLock(index_dir):
        job = run(admin_client(index_dir, sources))
    assert job["status"] == "failed"
    assert "inny proces" in job["message"] and "pozostaje bez zmian" in job["message"]
    assert indexed_hashes(index_dir) == before


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_job_whose_process_is_killed_is_reported_interrupted(tmp_path, sources, signum):
    index_dir = build(tmp_path / "ix", sources)
    change_title(sources, "fx-gops-wies", "Zmiana, która nie powinna wejść")
    before = indexed_hashes(index_dir)
    client = admin_client(index_dir, sources, lock_timeout=DEADLINE)
    with WriterLock(index_dir):
        url = start(client)
        waiting = poll(client, url, lambda job: job["message"] and "Czeka" in job["message"])
        os.kill(waiting["pid"], signum)
        job = poll(client, url, finished)
    assert job["status"] == "interrupted"
    assert signal.Signals(signum).name in job["message"]
    assert indexed_hashes(index_dir) == before


def test_a_job_left_running_by_a_dead_process_is_interrupted(tmp_path, sources):
    index_dir = build(tmp_path / "ix", sources)
    process = subprocess.Popen(["true"])
    process.wait()
    dead = process.pid
    job = jobs._new_job(index_dir, [sources], prune=False, allow_errors=False)
    job.update(status="running", pid=dead)
    jobs.jobs_dir(index_dir).mkdir()
    jobs._write(jobs.jobs_dir(index_dir) / f"{job['id']}.json", job)

    client = admin_client(index_dir, sources)
    shown = client.get(jobs.job_url(job["id"]), headers=bearer(TOKEN)).get_json()["job"]
    assert shown["status"] == "interrupted" and "przerwane" in shown["message"]
    assert run(client)["status"] == "done"  # a dead job does not block the next one


@pytest.mark.parametrize("job_id", ["nie-ma-takiego", "20250101T000000000000-00000000", "%2E%2E"])
def test_unknown_jobs_are_404_in_the_json_shape(tmp_path, sources, job_id):
    index_dir = build(tmp_path / "ix", sources)
    response = admin_client(index_dir, sources).get(
        f"/api/admin/jobs/{job_id}", headers=bearer(TOKEN)
    )
    assert response.status_code == 404
    assert "zadania" in response.get_json()["error"]["message"]


def test_only_the_newest_jobs_are_kept(tmp_path, sources):
    index_dir = build(tmp_path / "ix", sources)
    directory = jobs.jobs_dir(index_dir)
    directory.mkdir()
    for number in range(jobs.KEEP_JOBS + 5):
        job = jobs._new_job(index_dir, [sources], prune=False, allow_errors=False)
        job.update(id=f"20200101T0000{number:08d}-00000000", status="done")
        jobs._write(directory / f"{job['id']}.json", job)
    newest = run(admin_client(index_dir, sources))
    kept = sorted(path.stem for path in directory.glob("*.json"))
    assert len(kept) == jobs.KEEP_JOBS and kept[-1] == newest["id"]
    assert kept[0] == "20200101T000000000006-00000000"
