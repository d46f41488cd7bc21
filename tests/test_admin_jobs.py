"""Reindex jobs under load and under faults: 20,000 practices, a full disk, a bad record."""

from __future__ import annotations

import errno
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh.filedb.structfile import StructFile

from indexer.jsonl import write_jsonl
from indexer.messages import describe_os_error
from indexer.sources import read_sources
from indexer.store import indexed_hashes
from search_app.web import jobs
from tests.conftest import SMALL_JSONL
from tests.test_admin import TOKEN, admin_client, bearer, finished, poll, start

LARGE = 20_000


def large_source(path: Path, count: int) -> Path:
    """``count`` small practices (the fixture's metadata, short texts) in one JSON Lines file."""
    base = read_sources([SMALL_JSONL]).practices
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl(
            (
                replace(
                    base[i % len(base)],
                    id=f"wygenerowana-{i:05d}",
                    title=f"Praktyka wygenerowana nr {i}",
                    summary="Krótki opis praktyki gminy.",
                    body="Treść praktyki w kilku słowach.",
                )
                for i in range(count)
            ),
            handle,
        )
    return path


def test_a_20000_practice_change_completes_as_a_job_with_progress(tmp_path, index_dir):
    """The issue's acceptance: no request can time out, and progress is visible meanwhile."""
    sources = large_source(tmp_path / "duze.jsonl", LARGE)
    client = admin_client(index_dir, sources)
    began = time.monotonic()
    url = start(client)
    seen: list[tuple[int, int | None]] = []

    def record(job: dict) -> bool:
        seen.append((job["progress"]["written"], job["progress"]["total"]))
        return finished(job)

    job = poll(client, url, record, deadline=300, every=0.2)
    elapsed = time.monotonic() - began
    assert job["status"] == "done", job["message"]
    assert job["summary"]["counts"]["added"] == LARGE
    assert job["progress"] == {"written": LARGE, "total": LARGE}
    between = [written for written, total in seen if total == LARGE and 0 < written < LARGE]
    assert between, f"no progress between 0 and {LARGE} seen in {len(seen)} polls"
    assert between == sorted(between)  # progress only moves forward
    assert len(indexed_hashes(index_dir)) == LARGE + len(read_sources([SMALL_JSONL]).practices)
    print(f"\n{LARGE} practices through the job in {elapsed:.1f} s, {len(between)} progress polls")


def job_file(index_dir: Path, sources: Path) -> Path:
    """A queued job recorded as the endpoint records it, to run in this process."""
    job = jobs._new_job(index_dir, [sources], prune=False, allow_errors=False)
    job["spec"]["lock_timeout"] = 1.0
    jobs.jobs_dir(index_dir).mkdir(exist_ok=True)
    path = jobs.jobs_dir(index_dir) / f"{job['id']}.json"
    jobs._write(path, job)
    return path


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.ENOSPC, "brak miejsca na dysku"),
        (errno.EACCES, "brak uprawnień"),
        (errno.EPERM, "brak uprawnień"),
        (errno.EROFS, "tylko do odczytu"),
    ],
)
def test_a_failing_disk_fails_the_job_in_one_polish_line(
    tmp_path, index_dir, monkeypatch, code, words
):
    sources = large_source(tmp_path / "zrodla.jsonl", 50)
    before = indexed_hashes(index_dir)
    path = job_file(index_dir, sources)

    def write(self, data):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(StructFile, "write", write)
    job = jobs.run_job(path)
    monkeypatch.undo()

    assert job["status"] == "failed"
    assert words in job["message"] and "działający indeks pozostaje bez zmian" in job["message"]
    assert "\n" not in job["message"]
    assert indexed_hashes(index_dir) == before
    assert jobs.read_job(index_dir, job["id"])["message"] == job["message"]


def test_a_record_that_breaks_the_writer_fails_the_job_not_the_server(
    tmp_path, index_dir, monkeypatch
):
    sources = large_source(tmp_path / "zrodla.jsonl", 5)
    before = indexed_hashes(index_dir)
    path = job_file(index_dir, sources)

    def broken(_practice, _files=()):
        raise ValueError("zły rekord")

    monkeypatch.setattr("indexer.documents.practice_to_document", broken)
    job = jobs.run_job(path)
    assert job["status"] == "failed"
    assert "Nieoczekiwany błąd (ValueError)" in job["message"]
    assert "nie została opublikowana" in job["message"]
    assert indexed_hashes(index_dir) == before


def test_a_job_that_cannot_be_recorded_is_a_polish_503(tmp_path, index_dir, monkeypatch):
    sources = large_source(tmp_path / "zrodla.jsonl", 5)

    def no_space(_path, _job):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(jobs, "_write", no_space)
    response = admin_client(index_dir, sources).post("/api/admin/reindex", headers=bearer(TOKEN))
    assert response.status_code == 503
    message = response.get_json()["error"]["message"]
    assert "brak miejsca na dysku" in message and "Nie udało się uruchomić zadania" in message


def test_describe_os_error_names_the_cause_and_keeps_the_index():
    message = describe_os_error(OSError(errno.EROFS, "Read-only file system", "index/gen-1"))
    assert "tylko do odczytu" in message and "index/gen-1" in message
    assert message.endswith("działający indeks pozostaje bez zmian.")
