"""A bounded HTTP load generator for 127.0.0.1: N concurrent clients, a fixed request count."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from bench.http import free_port, get
from bench.measure import percentiles, process_memory_mb


class Server:
    """``bdp serve`` on 127.0.0.1 in a child process, stopped on exit."""

    def __init__(self, index_dir: Path, workers: int = 2) -> None:
        self.port = free_port()
        bdp = Path(sys.executable).with_name("bdp")
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
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = get(self.port, "/healthz")
                if status == 200 and len(self.worker_pids()) > 0:
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


def load(port: int, paths: Sequence[str], clients: int = 8) -> dict:
    """Send every path once, from ``clients`` threads; latency per request, errors counted."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    cursor = iter(enumerate(paths))

    def client() -> None:
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                return
            start = time.perf_counter()
            try:
                status, _body = get(port, item[1])
                problem = None if status == 200 else f"HTTP {status}"
            except OSError as exc:
                problem = type(exc).__name__
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(latencies) / seconds, 1),
        **percentiles(latencies),
    }


def search_paths(queries, repeat_to: int) -> list[str]:
    """``/api/search`` URLs for the query set, cycled to ``repeat_to`` requests."""
    paths = [f"/api/search?{urlencode(q.params())}" for q in queries]
    return [paths[i % len(paths)] for i in range(repeat_to)]


def cpu_count() -> int:
    return os.cpu_count() or 1
