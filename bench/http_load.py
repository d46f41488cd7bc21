"""A bounded HTTP load generator for 127.0.0.1: N concurrent clients, a fixed request count.

Each request's status, ``X-Cache`` header (``hit``/``miss``, absent where the
server has no cache) and latency are recorded, and summed up overall, for
cached and uncached answers apart, by kind of request and by endpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.http import fetch, free_port, get
from bench.measure import percentiles, process_memory_mb
from bench.zipf import Request, endpoint

# Answers that are not errors: 304 is a cache's "not modified".
OK_STATUSES = (200, 304)


class Server:
    """``bdp serve`` on 127.0.0.1 in a child process, stopped on exit.

    ``env`` is added to this process's environment (``BDP_CACHE``, ``BDP_THREADS``, …);
    a value of ``None`` removes the variable.
    """

    def __init__(
        self, index_dir: Path, workers: int = 2, env: Mapping[str, str | None] | None = None
    ) -> None:
        self.port = free_port()
        self.workers = workers
        bdp = Path(sys.executable).with_name("bdp")
        environment = dict(os.environ)
        for name, value in (env or {}).items():
            if value is None:
                environment.pop(name, None)
            else:
                environment[name] = value
        self.process = subprocess.Popen(
            [
                str(bdp),
                "--index-dir",
                str(index_dir),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = get(self.port, "/healthz")
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.process.terminate()
        raise RuntimeError("bdp serve did not start within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def worker_memory(self) -> list[dict[str, float]]:
        return [process_memory_mb(pid) for pid in self.worker_pids()]

    def worker_threads(self) -> list[int]:
        """Threads of each worker process (gthread: its pool, its main loop, …)."""
        return [len(os.listdir(f"/proc/{pid}/task")) for pid in self.worker_pids()]

    def cache_stats(self, asks: int = 12) -> list[dict[str, Any]]:
        """The ``cache`` figures of ``/healthz`` from as many workers as ``asks`` reach.

        Each answer comes from whichever worker took the connection; answers are
        told apart by ``pid`` when ``/healthz`` gives one, else by their figures.
        Empty when the server reports no cache.
        """
        seen: dict[str, dict[str, Any]] = {}
        for _ in range(asks):
            try:
                status, body = get(self.port, "/healthz")
            except OSError:
                continue
            if status != 200:
                continue
            health = json.loads(body)
            cache = health.get("cache")
            if not isinstance(cache, dict):
                continue
            pid = health.get("pid", cache.get("pid"))
            key = str(pid) if pid is not None else json.dumps(cache, sort_keys=True)
            seen[key] = cache | ({"pid": pid} if pid is not None else {})
        return list(seen.values())


def wait_for_suggestions(port: int, seconds: float = 180.0, in_a_row: int = 12) -> bool:
    """Ask for suggestions until ``in_a_row`` answers in a row have some, or ``seconds``.

    Each worker builds its suggestion vocabulary in a thread of its own after it starts
    (search_app/web/vocabulary.py); measuring while one builds would measure the build.
    Answers go to whichever worker accepts, so a run of them means every worker is done.
    """
    deadline = time.monotonic() + seconds
    streak = 0
    while streak < in_a_row and time.monotonic() < deadline:
        status, _headers, body = fetch(port, "/api/suggest?q=rodzin")
        if status == 200 and json.loads(body)["terms"]:
            streak += 1
        else:
            streak = 0
            time.sleep(0.2)
    return streak >= in_a_row


@dataclass(frozen=True)
class Sample:
    """One request as the load generator saw it."""

    kind: str
    path: str
    status: int  # 0: no answer (the connection failed)
    cache: str  # "hit", "miss", or "" without an X-Cache header
    seconds: float
    problem: str | None = None
    size: int = 0  # bytes of the body


def load(port: int, requests: Sequence[str | Request], clients: int = 8) -> dict[str, Any]:
    """Send every request once, from ``clients`` threads, each on a fresh connection.

    Returns :func:`summarise`'s figures, and every request's :class:`Sample`
    under ``"samples"`` (drop it before writing the figures as JSON).
    """
    items = [r if isinstance(r, Request) else Request(r, endpoint(r)) for r in requests]
    samples: list[Sample] = []
    lock = threading.Lock()
    cursor = iter(items)

    def client() -> None:
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                return
            status, cache, problem, size = 0, "", None, 0
            start = time.perf_counter()
            try:
                status, headers, body = fetch(port, item.path)
                size = len(body)
                cache = headers.get("x-cache", "").strip().lower()
                problem = None if status in OK_STATUSES else f"HTTP {status}"
            except OSError as exc:
                problem = type(exc).__name__
            elapsed = time.perf_counter() - start
            sample = Sample(item.kind, item.path, status, cache, elapsed, problem, size)
            with lock:
                samples.append(sample)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return summarise(samples, seconds) | {"clients": clients, "samples": samples}


def summarise(samples: Sequence[Sample], seconds: float) -> dict[str, Any]:
    """Counts, errors, latency percentiles; hits and misses (``X-Cache``) apart; by kind.

    A request without an ``X-Cache`` header counts as a miss (computed).
    """
    errors = [s.problem for s in samples if s.problem is not None]
    hits = [s for s in samples if s.cache == "hit"]
    misses = [s for s in samples if s.cache != "hit"]
    return {
        "requests": len(samples),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
        **latency(samples),
        "cache": {
            "hits": len(hits),
            "misses": sum(1 for s in samples if s.cache == "miss"),
            "no_header": sum(1 for s in samples if s.cache not in ("hit", "miss")),
            "hit_rate": round(len(hits) / len(samples), 3) if samples else 0.0,
        },
        "hit": latency(hits),
        "miss": latency(misses),
        "by_kind": _grouped(samples, lambda s: s.kind),
        "by_endpoint": _grouped(samples, lambda s: endpoint(s.path)),
    }


def latency(samples: Sequence[Sample]) -> dict[str, float]:
    """p50/p95/p99 and mean in ms (``n`` 0 and no figures without samples)."""
    times = [s.seconds for s in samples]
    if len(times) >= 2:
        return percentiles(times)
    if times:
        ms = round(times[0] * 1000, 2)
        return {"n": 1, "mean_ms": ms, "p50_ms": ms, "p95_ms": ms, "p99_ms": ms}
    return {"n": 0}


def _grouped(samples: Sequence[Sample], key) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Sample]] = {}
    for sample in samples:
        groups.setdefault(key(sample), []).append(sample)
    return {
        name: {
            "n": len(group),
            "p50_ms": latency(group).get("p50_ms"),
            "p95_ms": latency(group).get("p95_ms"),
            "hit_rate": round(sum(1 for s in group if s.cache == "hit") / len(group), 3),
            "errors": sum(1 for s in group if s.problem),
            "mean_kb": round(sum(s.size for s in group) / len(group) / 1024, 1),
        }
        for name, group in sorted(groups.items())
    }
