"""Soak test: sustained mixed load on gunicorn at 127.0.0.1, with an index rebuild in the middle.

    .venv/bin/python bench/soak.py                       # 120 s, 16 clients, 2 workers
    .venv/bin/python bench/soak.py --duration 30 --clients 8

Builds a fresh index from the bundled practices in a temporary directory,
starts ``bdp serve`` on a free port, runs ``--clients`` threads of searches
(plain, phrases, patterns, facets, deep pages, hostile parameters, HTML pages,
practice pages) for ``--duration`` seconds, and at half time rebuilds the index
(``bdp index build``; ``bdp index update`` too when the CLI has it). It samples
the server's RSS every couple of seconds and finally checks that every practice
is still served. Exits 1 if any request failed (a 5xx, a connection error or an
unexpected status) or a practice was lost. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
BDP = [sys.executable, "-m", "bdp"]
RESULTS = ROOT / "bench" / "results"

WORDS = [
    "rodzina", "rodzinach zastępczych", "pogotowie rodzinne", "budżet obywatelski", "szkoła",
    "termomodernizacja", "pomoc społeczna", "seniorzy", "mops", "gmina", "powiat", "Żory",
    "Łódź", "e-urząd", "rewitalizacja", "kanalizacja", "niepełnosprawnych", "biblioteka",
    "zdrowie", "transport", "inwestycje", "turystyka", "ochrona środowiska", "oświata",
]  # fmt: skip
PATTERNS = [
    "rodzin*", "szkol*", "po*", "*a", "[a TO z]", "gmin~", '"pomoc społeczna"',
    "rodzina AND NOT szkoła", "(budżet OR obywatelski) AND gmina", "title:rodzina",
]  # fmt: skip
HOSTILE = [
    {"q": "<script>alert(1)</script>"},
    {"q": "x" * 2000},
    {"q": "((((((((((", "page": "-5"},
    {"page": "999999999999", "per_page": "100000"},
    {"sort": "DROP TABLE", "kolor": "zielony"},
    {"q": "\x00\x1b[31m\u202e"},
]
FACET_VALUES = {
    "voivodeship": ["śląskie", "łódzkie", "mazowieckie", "małopolskie", "pomorskie"],
    "category": ["Usługi społeczne", "Usługi komunalne", "Zarządzanie"],
    "population": ["0-5k", "5k-20k", "20k-100k", "100k-500k", "500k+"],
    "unit_type": ["gmina wiejska", "gmina miejska", "miasto na prawach powiatu"],
}


@dataclass
class Tally:
    """What the clients saw; shared by all threads under one lock."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status: int | None, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.requests += 1
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.append(seconds)
            if problem:
                self.errors.append(problem)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, target: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def random_target(rng: random.Random, ids: list[str]) -> tuple[str, tuple[int, ...]]:
    """A request and the statuses that are a correct answer to it."""
    kind = rng.random()
    if kind < 0.45:
        params: dict = {"q": rng.choice(WORDS)}
        if rng.random() < 0.4:
            facet = rng.choice(list(FACET_VALUES))
            params[facet] = rng.sample(FACET_VALUES[facet], rng.randint(1, 2))
        if rng.random() < 0.3:
            params["page"] = rng.randint(1, 5)
            params["sort"] = rng.choice(["relevance", "newest", "oldest", "population"])
        return "/api/search?" + urlencode(params, doseq=True), (200,)
    if kind < 0.60:
        return "/api/search?" + urlencode({"q": rng.choice(PATTERNS)}), (200,)
    if kind < 0.70:
        return "/api/search?" + urlencode(rng.choice(HOSTILE)), (200,)
    if kind < 0.715:
        return "/api/search?q=%FF%FE%C3%28&%FF=%00", (200,)
    if kind < 0.72:  # a 100 KB URL: refused by gunicorn before the app (request line limit)
        return "/api/search?q=" + "x" * 100_000, (400, 414)
    if kind < 0.85:
        return "/?" + urlencode({"q": rng.choice(WORDS)}), (200,)
    if kind < 0.95:
        return "/praktyka/" + quote(rng.choice(ids)), (200,)
    if kind < 0.98:
        return "/api/practices/nie-ma-takiej", (404,)
    return "/healthz", (200,)


def client(port: int, ids: list[str], tally: Tally, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        target, expected = random_target(rng, ids)
        started = time.perf_counter()
        try:
            status, _body = get(port, target)
            problem = None if status in expected else f"{status} for {target[:120]}"
        except OSError as exc:
            status, problem = None, f"{type(exc).__name__}: {exc} for {target[:120]}"
        tally.record(status, time.perf_counter() - started, problem)


def process_tree_rss_kib(root_pid: int) -> dict[int, int]:
    """RSS in KiB of a process and its descendants (gunicorn master and workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    rss, todo = {}, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[pid] = int(line.split()[1])
        except OSError:
            continue
        todo.extend(children.get(pid, []))
    return rss


def run_cli(index_dir: Path, *args: str) -> tuple[int, float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [*BDP, "--index-dir", str(index_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return done.returncode, time.perf_counter() - started, (done.stdout + done.stderr)[-300:]


def wait_until_healthy(port: int, server: subprocess.Popen, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bdp serve exited with {server.returncode}")
        try:
            status, body = get(port, "/healthz", timeout=2)
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become healthy in time")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def soak(duration: float, clients: int, workers: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from indexer.sources import DEFAULT_SOURCES, read_sources

    ids = [p.id for p in read_sources([DEFAULT_SOURCES]).practices]
    with tempfile.TemporaryDirectory(prefix="bdp-soak-") as tmp:
        index_dir = Path(tmp) / "index"
        code, seconds, output = run_cli(index_dir, "index", "build")
        if code != 0:
            raise SystemExit(f"initial build failed: {output}")
        port = free_port()
        server = subprocess.Popen(
            [*BDP, "--index-dir", str(index_dir), "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers)],  # fmt: skip
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            health_before = wait_until_healthy(port, server)
            return _load(port, server, index_dir, ids, duration, clients, health_before)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            server_log = server.stderr.read() if server.stderr else ""
            server.stderr and server.stderr.close()
            tracebacks = server_log.count("Traceback")
            if tracebacks:
                print(f"server logged {tracebacks} tracebacks:\n{server_log[-3000:]}")


def _load(port, server, index_dir, ids, duration, clients, health_before) -> dict:
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=client, args=(port, ids, tally, stop, seed), daemon=True)
        for seed in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    rss_samples: list[tuple[float, int]] = []
    reindex: list[dict] = []
    has_update = "update" in run_cli(index_dir, "index", "--help")[2]
    while (elapsed := time.monotonic() - started) < duration:
        rss_samples.append((round(elapsed, 1), sum(process_tree_rss_kib(server.pid).values())))
        if not reindex and elapsed >= duration / 2:
            for command in (["index", "build"], ["index", "update"] if has_update else None):
                if command:
                    code, seconds, _output = run_cli(index_dir, *command)
                    reindex.append(
                        {
                            "command": "bdp " + " ".join(command),
                            "exit_code": code,
                            "seconds": round(seconds, 2),
                            "at": round(time.monotonic() - started - seconds, 1),
                        }
                    )
        time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - started

    health_after = json.loads(get(port, "/healthz")[1])
    lost = [pid for pid in ids if get(port, "/api/practices/" + quote(pid))[0] != 200]
    warm = [rss for t, rss in rss_samples if t >= min(10.0, duration / 4)] or [0]
    return {
        "duration_s": round(elapsed, 1),
        "clients": clients,
        "requests": tally.requests,
        "requests_per_s": round(tally.requests / elapsed, 1),
        "errors": len(tally.errors),
        "error_examples": tally.errors[:10],
        "statuses": dict(sorted(tally.statuses.items())),
        "latency_ms": {
            "p50": round(1000 * percentile(tally.latencies, 0.50), 1),
            "p95": round(1000 * percentile(tally.latencies, 0.95), 1),
            "p99": round(1000 * percentile(tally.latencies, 0.99), 1),
            "mean": round(1000 * statistics.fmean(tally.latencies or [0]), 1),
        },
        "reindex": reindex,
        "documents_before": health_before["documents"],
        "documents_after": health_after["documents"],
        "generation_before": health_before["generation"],
        "generation_after": health_after["generation"],
        "practices_checked": len(ids),
        "documents_lost": len(lost),
        "lost_ids": lost[:10],
        "rss_kib": {
            "first_warm": warm[0],
            "last": warm[-1],
            "max": max(warm),
            "last_over_first": round(warm[-1] / warm[0], 3) if warm[0] else None,
            "samples": rss_samples,
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--json", type=Path, default=RESULTS / "soak.json", help="result file")
    args = parser.parse_args()
    result = soak(args.duration, args.clients, args.workers)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    summary = {k: v for k, v in result.items() if k != "rss_kib"}
    summary["rss_kib"] = {k: v for k, v in result["rss_kib"].items() if k != "samples"}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"full result: {args.json}")
    return 0 if result["errors"] == 0 and result["documents_lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
