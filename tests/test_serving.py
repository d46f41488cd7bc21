"""``bdp serve`` (gunicorn, two workers) serves an update without a restart, failing no request."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from dataclasses import replace

import pytest

from indexer.build import build_index
from indexer.sources import SourceReport, read_sources
from indexer.update import update_index
from tests.conftest import ROOT, SMALL_JSONL

LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


@pytest.fixture()
def practices():
    return read_sources([SMALL_JSONL]).practices


@pytest.fixture()
def served(tmp_path, practices):
    """A gunicorn server on a free local port over a fresh index: (base URL, index dir)."""
    index_dir = tmp_path / "ix"
    build_index(practices, index_dir)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bdp",
            "--index-dir",
            str(index_dir),
            "serve",
            "--port",
            "0",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    drain = threading.Thread(
        target=lambda: [lines.put(line) for line in server.stderr], daemon=True
    )
    drain.start()
    try:
        while True:
            found = LISTENING.search(lines.get(timeout=60))
            if found:
                break
        yield found.group(1), index_dir
    finally:
        server.terminate()
        server.wait(timeout=60)
        drain.join(timeout=10)
        server.stderr.close()


def total(base_url: str, query: str) -> int:
    url = f"{base_url}/api/search?{urllib.parse.urlencode({'q': query})}"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return json.load(response)["total"]


def test_gunicorn_workers_serve_updates_while_answering(served, practices):
    base_url, index_dir = served
    assert total(base_url, "pszczelarstwo") == 0

    stop = threading.Event()
    failures: list[BaseException] = []
    answered = [0]

    def searcher():
        while not stop.is_set():
            try:
                total(base_url, "pomoc społeczna")
                answered[0] += 1
            except BaseException as exc:  # every failure counts, whatever it is
                failures.append(exc)

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for number in range(4):
            changed = [replace(p, summary=f"{p.summary} Wersja {number}.") for p in practices]
            update_index(SourceReport(practices=changed), index_dir)
        beekeeping = [replace(practices[0], title="Pszczelarstwo w gminie"), *practices[1:]]
        update_index(SourceReport(practices=beekeeping), index_dir)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert failures == []
    assert answered[0] > 0
    # Whichever worker answers, it serves the newest generation.
    assert [total(base_url, "pszczelarstwo") for _ in range(10)] == [1] * 10
