"""``bdp serve`` (gunicorn, two workers) serves an update without a restart, failing no request.

Also what gunicorn itself answers: its refusals in the API's JSON shape, its
own control socket per server, and the editors' jobs followed from any worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.jsonl import write_jsonl
from indexer.sources import SourceReport, read_sources
from indexer.update import update_index
from tests.conftest import ROOT, SMALL_JSONL, hammer

LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
CONTROL = re.compile(r"Control socket listening at (\S+)")
TOKEN = "token-redakcji-dla-serwera-testowego"


@pytest.fixture()
def practices():
    return read_sources([SMALL_JSONL]).practices


@pytest.fixture()
def served(tmp_path, practices):
    """A gunicorn server on a free local port over a fresh index: (base URL, index dir)."""
    with serve(tmp_path, practices) as (base_url, index_dir, _log):
        yield base_url, index_dir


@contextlib.contextmanager
def serve(tmp_path: Path, practices, name: str = "ix"):
    """Run ``bdp serve``; yields (base URL, index dir, the log lines read so far)."""
    index_dir = tmp_path / name
    build_index(practices, index_dir)
    sources = tmp_path / f"{name}-zrodla.jsonl"
    sources.write_text(SMALL_JSONL.read_text(encoding="utf-8"), encoding="utf-8")
    environment = {**os.environ, "BDP_ADMIN_TOKEN": TOKEN, "BDP_SOURCES": str(sources)}
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
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    drain = threading.Thread(
        target=lambda: [lines.put(line) for line in server.stderr], daemon=True
    )
    drain.start()
    try:
        # Started when it listens and its control socket is up (logged in either order).
        while not (any(map(LISTENING.search, log)) and any(map(CONTROL.search, log))):
            log.append(lines.get(timeout=60))
        [found] = [m for m in map(LISTENING.search, log) if m]
        yield found.group(1), index_dir, log
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

    def search_once() -> None:
        total(base_url, "pomoc społeczna")

    with hammer(search_once) as seen:
        for number in range(4):
            changed = [replace(p, summary=f"{p.summary} Wersja {number}.") for p in practices]
            update_index(SourceReport(practices=changed), index_dir)
        beekeeping = [replace(practices[0], title="Pszczelarstwo w gminie"), *practices[1:]]
        update_index(SourceReport(practices=beekeeping), index_dir)

    assert seen.failures == []
    assert seen.calls > 0
    # Whichever worker answers, it serves the newest generation.
    assert [total(base_url, "pszczelarstwo") for _ in range(10)] == [1] * 10


def raw_request(base_url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes gunicorn may refuse before the app sees them; (status, headers, body)."""
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


TOO_LONG = b"GET /api/search?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
HUGE_HEADER = b"GET /api/search HTTP/1.1\r\nHost: x\r\nX-Duzy: " + b"b" * 9000 + b"\r\n\r\n"
BAD_HEADER = b"GET /api/search HTTP/1.1\r\nHost: x\r\nZly Naglowek: 1\r\n\r\n"


def test_gunicorn_refusals_are_json_with_polish_messages(tmp_path, practices):
    with serve(tmp_path, practices) as (base_url, _index_dir, _log):
        for request, expected in ((TOO_LONG, 414), (HUGE_HEADER, 431), (BAD_HEADER, 400)):
            status, headers, body = raw_request(base_url, request)
            assert status == expected
            assert headers["content-type"] == "application/json"
            error = json.loads(body)["error"]
            assert error["status"] == expected and error["message"].endswith(".")
        # Up to 8 KiB the app sees the request itself, and repairs the long query.
        query = urllib.parse.urlencode({"q": "a" * 6000})
        with urllib.request.urlopen(f"{base_url}/api/search?{query}", timeout=30) as response:
            assert response.status == 200 and json.load(response)["messages"]


def test_each_server_has_its_own_control_socket(tmp_path, practices):
    with serve(tmp_path, practices, "a") as (_url, _ix, log_a):
        with serve(tmp_path, practices, "b") as (_url, _ix, log_b):
            [socket_a] = [m.group(1) for line in log_a if (m := CONTROL.search(line))]
            [socket_b] = [m.group(1) for line in log_b if (m := CONTROL.search(line))]
            assert socket_a != socket_b
            assert Path(socket_a).is_socket() and Path(socket_b).is_socket()
            assert Path(socket_a).parent.stat().st_mode & 0o077 == 0  # a private directory
    assert not Path(socket_a).parent.exists() and not Path(socket_b).parent.exists()


def test_a_reindex_job_is_followed_from_any_worker(tmp_path, practices):
    with serve(tmp_path, practices) as (base_url, _index_dir, _log):
        changed = [replace(p, title=f"{p.title} — nowa wersja") for p in practices]
        with (tmp_path / "ix-zrodla.jsonl").open("w", encoding="utf-8") as handle:
            write_jsonl(changed, handle)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        post = urllib.request.Request(f"{base_url}/api/admin/reindex", method="POST", headers=auth)
        with urllib.request.urlopen(post, timeout=30) as response:
            assert response.status == 202
            location = response.headers["Location"]
        assert location.startswith("/api/admin/jobs/")
        deadline = time.monotonic() + 120
        while True:
            # A new connection each time: any of the two workers may answer.
            request = urllib.request.Request(base_url + location, headers=auth)
            with urllib.request.urlopen(request, timeout=30) as response:
                job = json.load(response)["job"]
            if job["status"] not in ("queued", "running"):
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.05)  # polling a condition, not timing
        assert job["status"] == "done", job
        assert job["summary"]["counts"]["updated"] == len(practices)
        assert total(base_url, "nowa wersja") == len(practices)
