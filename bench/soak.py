"""Soak test: sustained mixed load on gunicorn at 127.0.0.1, with faults injected meanwhile.

    .venv/bin/python -m bench.soak                       # 120 s, 16 clients, 2 workers, faults
    .venv/bin/python -m bench.soak --duration 60 --clients 8
    .venv/bin/python -m bench.soak --no-faults           # the plain soak: load and one rebuild

Starts ``bdp serve`` on a free port over a temporary index and runs ``--clients``
threads of searches (plain, phrases, patterns, facets, deep pages, hostile
parameters, HTML pages, practice pages) for ``--duration`` seconds, sampling the
server's RSS every couple of seconds; finally checks that every practice served
before is still served.

Plain mode (``--no-faults``): the index holds the bundled practices, and at half
time it is rebuilt (``bdp index build``, then ``bdp index update``). Exits 1 if any
request failed (a 5xx, a connection error or an unexpected status) or a practice
was lost.

Fault mode (the default) serves the bundled practices plus ``--practices`` copies
(ids ``soak-00001`` …, so that builds take the multiprocessing path) from an index
directory on a tmpfs of its own, and meanwhile:

1. kills -9 one gunicorn worker every ``--kill-every`` seconds (gunicorn starts
   another); connection errors of requests in flight at a kill are counted as
   caused by it;
2. at 10 % of the run starts a parallel ``bdp index build --verbose`` into the
   served directory, kills -9 its parent once it printed a third of the ids,
   checks that none of its processes is alive 2 s later, and that the next
   ``build --wait 0`` and ``update --wait 0`` succeed (the writer lock is free);
3. at half time fills the tmpfs for ``--disk-seconds`` seconds: ``build`` and
   ``update`` must fail with exit status 1 and a one-line Polish message (no
   traceback), the live generation must keep serving with no errors, and once the
   filler is removed an ``update`` adding one practice must succeed (skipped, with a
   line in the report, when the tmpfs cannot be mounted);
4. ``--hostile-share`` of the clients send hostile searches only: 600 characters of
   unknown words, 500-letter words, dozens of wildcards, hundreds of facet values.

Errors are reported by cause (worker kill, full disk, hostile, other), latency of
normal and hostile requests apart. Exits 1 if any error has no explanation, a
practice was lost, or a fault's check failed. Linux, as root (for the tmpfs).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from bench import faults
from bench.http import free_port, get

ROOT = Path(__file__).resolve().parent.parent

BDP = [sys.executable, "-m", "bdp"]
RESULTS = ROOT / "bench" / "results"
CLI_ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}

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
# Every value of every facet (and some that match nothing), for the hostile clients.
ALL_FACET_VALUES = {
    "voivodeship": [
        "dolnośląskie", "kujawsko-pomorskie", "lubelskie", "lubuskie", "mazowieckie",
        "małopolskie", "opolskie", "podkarpackie", "podlaskie", "pomorskie",
        "warmińsko-mazurskie", "wielkopolskie", "zachodniopomorskie", "łódzkie", "śląskie",
        "świętokrzyskie",
    ],
    "category": [
        "Dialog społeczny", "Efektywność energetyczna", "Rozwój instytucjonalny",
        "Usługi społeczne", "Usługi techniczne", "Współpraca JST-NGO", "Współpraca między JST",
    ],
    "subcategory": [
        "Kultura", "Ochrona zdrowia", "Oświata", "Pomoc społeczna", "Sport i rekreacja",
    ],
    "unit_type": [
        "gmina miejska", "gmina miejsko-wiejska", "gmina wiejska", "miasto na prawach powiatu",
        "powiat", "województwo",
    ],
    "county": [
        "augustowski", "brzeski", "bydgoski", "kłodzki", "m. Kielce", "m. Opole", "pilski",
        "poznański", "nowotarski", "myślenicki", "legionowski", "kartuski",
    ],
    "year": [str(year) for year in range(2005, 2026)],
    "population": ["0-5k", "5k-20k", "20k-100k", "100k-500k", "500k+"],
}  # fmt: skip
LETTERS = "abcdefghijklmnopqrstuvwxyząćęłńóśźż"
# gunicorn refuses request lines over 8190 bytes; hostile requests stay below on purpose.
HOSTILE_URL_BYTES = 7_500
# A connection error of a request in flight at a worker kill, seen this long after it at
# most, is counted as caused by the kill.
KILL_WINDOW_S = 3.0
# Errors seen this long after the filler was removed still count as the full disk's.
DISK_GRACE_S = 1.0
# Errors that a worker dying under a request produces (a status is never the kill's fault).
CONNECTION_ERRORS = (ConnectionError, http.client.IncompleteRead, http.client.BadStatusLine)


@dataclass
class Tally:
    """What the clients saw; shared by all threads under one lock."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    # Fault mode: latencies by kind ("normal", "hostile:<what>") and every error with its
    # times (time.monotonic()), for attributing it to a fault afterwards.
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses_by_kind: dict[str, dict[int, int]] = field(default_factory=dict)
    error_events: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self,
        status: int | None,
        seconds: float,
        problem: str | None,
        *,
        kind: str = "normal",
        started: float = 0.0,
        connection_error: bool = False,
    ) -> None:
        with self.lock:
            self.requests += 1
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                per_kind = self.statuses_by_kind.setdefault(kind, {})
                per_kind[status] = per_kind.get(status, 0) + 1
            self.latencies.append(seconds)
            self.by_kind.setdefault(kind, []).append(seconds)
            if problem:
                self.errors.append(problem)
                self.error_events.append(
                    {
                        "kind": kind,
                        "started": started,
                        "ended": started + seconds,
                        "connection_error": connection_error,
                        "problem": problem,
                    }
                )


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


def _gibberish(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(length))


def hostile_target(rng: random.Random) -> tuple[str, tuple[int, ...], str]:
    """A hostile search (API or HTML page), the correct statuses, and what kind it is."""
    what = rng.choice(["unknown_words", "long_words", "wildcards", "facets"])
    params: list[tuple[str, str]] = []
    if what == "unknown_words":  # 600 characters of words no dictionary knows
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < 600:
            words.append(_gibberish(rng, rng.randint(3, 14)))
        params.append(("q", " ".join(words)[:600]))
    elif what == "long_words":  # one or two words of 500 letters, maybe among normal ones
        longs = [_gibberish(rng, 500) for _ in range(rng.randint(1, 2))]
        params.append(("q", " ".join([*longs, rng.choice(WORDS)])))
    elif what == "wildcards":  # dozens of patterns, many with no literal prefix
        makers = [
            lambda: _gibberish(rng, rng.randint(1, 3)) + "*",
            lambda: "*" + _gibberish(rng, rng.randint(1, 3)),
            lambda: _gibberish(rng, 1) + "?" + _gibberish(rng, 1) + "*",
            lambda: _gibberish(rng, rng.randint(3, 8)) + "~2",
            lambda: f"[{_gibberish(rng, 1)} TO {_gibberish(rng, 1)}]",
            lambda: rng.choice(["*", "?*", "*?*", "po*", "rodzin*", "*a*"]),
        ]
        params.append(("q", " ".join(rng.choice(makers)() for _ in range(rng.randint(30, 60)))))
    else:  # every value of every facet, unknown facets, values that match nothing
        params.append(("q", rng.choice(WORDS)))
        for facet, values in ALL_FACET_VALUES.items():
            params.extend((facet, value) for value in values)
            params.extend((facet, _gibberish(rng, 12)) for _ in range(5))
        params.extend((_gibberish(rng, 8), _gibberish(rng, 8)) for _ in range(20))
        params.append(("sort", rng.choice(["newest", "population", "relevance"])))
    path = "/api/search?" if rng.random() < 0.8 else "/?"
    query = urlencode(params)
    while len(path) + len(query) > HOSTILE_URL_BYTES:
        params.pop()
        query = urlencode(params)
    return path + query, (200,), what


def client(
    port: int,
    ids: list[str],
    tally: Tally,
    stop: threading.Event,
    seed: int,
    hostile: bool = False,
) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        if hostile:
            target, expected, what = hostile_target(rng)
            kind = "hostile:" + what
        else:
            (target, expected), kind = random_target(rng, ids), "normal"
        started = time.monotonic()
        connection_error = False
        try:
            status, _body = get(port, target)
            problem = None if status in expected else f"{status} for {target[:120]}"
        except (OSError, http.client.HTTPException) as exc:
            connection_error = isinstance(exc, CONNECTION_ERRORS)
            status, problem = None, f"{type(exc).__name__}: {exc} for {target[:120]}"
        tally.record(
            status,
            time.monotonic() - started,
            problem,
            kind=kind,
            started=started,
            connection_error=connection_error,
        )


def process_tree_rss_kib(root_pid: int) -> dict[int, int]:
    """RSS in KiB of a process and its descendants (gunicorn master and workers)."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _state) in faults.process_table().items():
        children.setdefault(parent, []).append(pid)
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


def run_cli(
    index_dir: Path, *args: str, tail: int = 300, timeout: float = 600
) -> tuple[int, float, str]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [*BDP, "--index-dir", str(index_dir), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=CLI_ENV,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"") + (exc.stderr or b"")
        text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
        return -1, time.perf_counter() - started, f"timed out after {timeout} s: {text[-tail:]}"
    return done.returncode, time.perf_counter() - started, (done.stdout + done.stderr)[-tail:]


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


def latency_ms(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50": round(1000 * percentile(values, 0.50), 1),
        "p95": round(1000 * percentile(values, 0.95), 1),
        "p99": round(1000 * percentile(values, 0.99), 1),
        "max": round(1000 * max(values or [0]), 1),
    }


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    health_before: dict
    log: Path
    tracebacks: int = 0


@contextlib.contextmanager
def serving(index_dir: Path, workers: int, log: Path) -> Iterator[Server]:
    """``bdp serve`` on a free port until the block ends; its log (stderr) goes to ``log``."""
    port = free_port()
    with open(log, "w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [
                *BDP,
                "--index-dir",
                str(index_dir),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],  # fmt: skip
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            text=True,
        )
    server = Server(process, port, {}, log)
    try:
        server.health_before = wait_until_healthy(port, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        server_log = log.read_text(encoding="utf-8", errors="replace")
        server.tracebacks = server_log.count("Traceback")
        if server.tracebacks:
            print(f"server logged {server.tracebacks} tracebacks:\n{server_log[-3000:]}")


def unserved(port: int, ids: list[str], threads: int = 4) -> list[str]:
    """The ids among ``ids`` that ``/api/practices/<id>`` does not answer with 200.

    Uses keep-alive connections; a connection error is retried (a worker may be
    restarting), a status other than 200 is not.
    """
    missing: list[str] = []

    def check(chunk: list[str]) -> None:
        connection = None
        for practice_id in chunk:
            status = None
            for _attempt in range(5):
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    connection.request("GET", "/api/practices/" + quote(practice_id))
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                    if response.will_close:
                        connection.close()
                        connection = None
                    break
                except (OSError, http.client.HTTPException):
                    if connection is not None:
                        connection.close()
                    connection = None
                    time.sleep(0.5)
            if status != 200:
                missing.append(practice_id)
        if connection is not None:
            connection.close()

    workers = [
        threading.Thread(target=check, args=(ids[n::threads],), daemon=True) for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(missing)


# --- the plain soak ------------------------------------------------------------------------


def soak(duration: float, clients: int, workers: int) -> dict:
    from indexer.sources import DEFAULT_SOURCES, read_sources

    ids = [p.id for p in read_sources([DEFAULT_SOURCES]).practices]
    with tempfile.TemporaryDirectory(prefix="bdp-soak-") as tmp:
        index_dir = Path(tmp) / "index"
        code, seconds, output = run_cli(index_dir, "index", "build")
        if code != 0:
            raise SystemExit(f"initial build failed: {output}")
        with serving(index_dir, workers, Path(tmp) / "server.log") as server:
            return _load(
                server.port, server.process, index_dir, ids, duration, clients, server.health_before
            )


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
    lost = unserved(port, ids)
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


# --- the soak with faults --------------------------------------------------------------------


@dataclass
class FaultOptions:
    duration: float
    clients: int
    workers: int
    practices: int = 3000
    hostile_share: float = 0.25
    kill_every: float = 10.0
    disk_seconds: float = 10.0
    tmpfs_mib: int = 256


def generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*") if p.is_dir())


def live_generation(index_dir: Path) -> str | None:
    try:
        return (index_dir / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def soak_with_faults(options: FaultOptions) -> dict:
    from indexer.jsonl import write_jsonl
    from indexer.sources import DEFAULT_SOURCES, read_sources

    bundled = read_sources([DEFAULT_SOURCES]).practices
    copies = [
        dataclasses.replace(bundled[n % len(bundled)], id=f"soak-{n + 1:05d}")
        for n in range(options.practices)
    ]
    # The practice the update after the full disk adds (and must be served at the end).
    added = dataclasses.replace(
        bundled[0], id="soak-disk-00001", title=bundled[0].title + " (po zapełnieniu dysku)"
    )
    with tempfile.TemporaryDirectory(prefix="bdp-soak-") as tmp_name:
        tmp = Path(tmp_name)
        many, extra = tmp / "many.jsonl", tmp / "added.jsonl"
        with open(many, "w", encoding="utf-8") as handle:
            write_jsonl(copies, handle)
        with open(extra, "w", encoding="utf-8") as handle:
            write_jsonl([added], handle)
        sources = [str(DEFAULT_SOURCES), str(many)]
        with faults.tmpfs(tmp / "disk", options.tmpfs_mib) as mount_problem:
            index_dir = (tmp / "disk" if mount_problem is None else tmp) / "index"
            code, seconds, output = run_cli(index_dir, "index", "build", *sources)
            if code != 0:
                raise SystemExit(f"initial build failed: {output}")
            initial_build_s = round(seconds, 1)
            with serving(index_dir, options.workers, tmp / "server.log") as server:
                result = _fault_load(
                    options,
                    server,
                    index_dir,
                    sources,
                    extra,
                    ids=[p.id for p in bundled] + [p.id for p in copies],
                    added_id=added.id,
                    mount_problem=mount_problem,
                )
            result["initial_build_s"] = initial_build_s
            result["server_tracebacks"] = server.tracebacks
    result["checks"]["no server tracebacks"] = server.tracebacks == 0
    return result


def _fault_load(
    options: FaultOptions,
    server: Server,
    index_dir: Path,
    sources: list[str],
    extra: Path,
    *,
    ids: list[str],
    added_id: str,
    mount_problem: str | None,
) -> dict:
    port = server.port
    served_before = sorted(set(ids) - set(unserved(port, ids)))
    tally, stop = Tally(), threading.Event()
    hostile = round(options.clients * options.hostile_share)
    threads = [
        threading.Thread(
            target=client,
            args=(port, ids, tally, stop, seed, seed >= options.clients - hostile),
            daemon=True,
        )
        for seed in range(options.clients)
    ]
    started = time.monotonic()
    killer = faults.WorkerKiller(server.process.pid, every=options.kill_every, started=started)
    rss_samples: list[tuple[float, int, int]] = []

    def sample_rss() -> None:
        while not stop.is_set():
            rss = process_tree_rss_kib(server.process.pid)
            elapsed = round(time.monotonic() - started, 1)
            rss_samples.append((elapsed, sum(rss.values()), max(rss.values() or [0])))
            stop.wait(2)

    for thread in threads:
        thread.start()
    killer.start()
    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()

    def wait_for(share: float) -> None:
        while time.monotonic() - started < share * options.duration:
            time.sleep(0.2)

    wait_for(0.1)
    killed_build = _killed_build(index_dir, sources, len(ids) // 3, started)
    wait_for(0.5)
    if mount_problem is None:
        full_disk = _full_disk(index_dir, sources, extra, port, added_id, options, started)
    else:
        full_disk = {"skipped": f"full-disk fault skipped: {mount_problem}"}
    wait_for(1.0)
    stop.set()
    killer.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    sampler.join(timeout=10)
    elapsed = time.monotonic() - started

    health_after = json.loads(get(port, "/healthz")[1])
    expected = served_before + ([added_id] if full_disk.get("added_served") else [])
    lost = unserved(port, expected)
    causes = _attribute(tally.error_events, killer.kill_times(), full_disk.get("window"))
    warm = [s for s in rss_samples if s[0] >= min(10.0, options.duration / 4)] or [(0, 0, 0)]
    hostile_kinds = sorted(kind for kind in tally.by_kind if kind.startswith("hostile:"))
    kills = [{k: v for k, v in kill.items() if k != "t"} for kill in killer.kills]
    result = {
        "mode": "faults",
        "duration_s": round(elapsed, 1),
        "clients": options.clients,
        "hostile_clients": hostile,
        "workers": options.workers,
        "requests": tally.requests,
        "requests_per_s": round(tally.requests / elapsed, 1),
        "errors": len(tally.errors),
        "errors_by_cause": {cause: len(events) for cause, events in causes.items()},
        "error_examples_by_cause": {
            cause: [e["problem"] for e in events[:5]] for cause, events in causes.items() if events
        },
        "statuses": {
            kind: dict(sorted(statuses.items()))
            for kind, statuses in sorted(tally.statuses_by_kind.items())
        },
        "latency_ms": {
            "normal": latency_ms(tally.by_kind.get("normal", [])),
            "hostile": latency_ms([s for k in hostile_kinds for s in tally.by_kind[k]]),
            **{kind: latency_ms(tally.by_kind[kind]) for kind in hostile_kinds},
        },
        "worker_kills": kills,
        "killed_build": killed_build,
        "full_disk": {k: v for k, v in full_disk.items() if k != "window"},
        "documents_before": server.health_before["documents"],
        "documents_after": health_after["documents"],
        "generation_before": server.health_before["generation"],
        "generation_after": health_after["generation"],
        "practices_checked": len(expected),
        "documents_lost": len(lost),
        "lost_ids": lost[:10],
        "rss_kib": {
            "first_warm": warm[0][1],
            "last": warm[-1][1],
            "max": max(s[1] for s in warm),
            "max_one_process": max(s[2] for s in warm),
            "last_over_first": round(warm[-1][1] / warm[0][1], 3) if warm[0][1] else None,
            "samples": rss_samples,
        },
    }
    respawned = [kill for kill in kills if kill.get("pid")]
    checks = {
        "no unexplained errors": not causes["other"],
        "no lost documents": not lost and len(served_before) == len(ids),
        "workers killed and respawned": bool(respawned)
        and all("replaced_after_s" in kill for kill in respawned),
        **killed_build.pop("checks"),
        **full_disk.pop("checks", {}),
    }
    result["checks"] = checks
    return result


def _attribute(
    events: list[dict], kills: list[float], disk: tuple[float, float] | None
) -> dict[str, list[dict]]:
    """Errors by cause: a worker kill, the full disk, a hostile request, or nothing known.

    A kill explains a connection error of a request that was in flight when the
    worker was killed and failed at most KILL_WINDOW_S later; the full disk any
    error of a normal request overlapping the time the disk was full.
    """
    causes: dict[str, list[dict]] = {"worker_kill": [], "full_disk": [], "hostile": [], "other": []}
    for event in events:
        if event["connection_error"] and any(
            event["started"] <= kill <= event["ended"] <= kill + KILL_WINDOW_S for kill in kills
        ):
            cause = "worker_kill"
        elif event["kind"] != "normal":
            cause = "hostile"
        elif disk and event["started"] <= disk[1] + DISK_GRACE_S and event["ended"] >= disk[0]:
            cause = "full_disk"
        else:
            cause = "other"
        causes[cause].append(event)
    return causes


def _killed_build(index_dir: Path, sources: list[str], ids_before_kill: int, t0: float) -> dict:
    """Fault 2: a parallel build killed by SIGKILL midway, then the next writers."""
    live_before, generations_before = live_generation(index_dir), generations(index_dir)
    at = round(time.monotonic() - t0, 1)
    report = faults.kill_build_midway(
        [*BDP, "--index-dir", str(index_dir), "index", "build", *sources, "--verbose"],
        cwd=ROOT,
        env=CLI_ENV,
        ids_before_kill=ids_before_kill,
    )
    report["at"] = at
    report["live_generation_unchanged"] = live_generation(index_dir) == live_before
    leftovers = sorted(set(generations(index_dir)) - set(generations_before))
    report["generations"] = {"before": generations_before, "left_by_killed_build": leftovers}
    next_writes = []
    for command in (
        ["index", "build", *sources, "--wait", "0"],
        ["index", "update", *sources, "--wait", "0"],
    ):
        code, seconds, output = run_cli(index_dir, *command)
        next_writes.append(
            {
                "command": "bdp "
                + " ".join(c if c not in sources else Path(c).name for c in command),
                "exit_code": code,
                "seconds": round(seconds, 2),
                "at": round(time.monotonic() - t0 - seconds, 1),
                "output_tail": output.strip().splitlines()[-2:],
            }
        )
    report["next_writes"] = next_writes
    report["generations"]["after_next_writes"] = generations(index_dir)
    report["generations"]["live_after_next_writes"] = live_generation(index_dir)
    report["leftovers_removed_by_next_writer"] = not set(leftovers) & set(generations(index_dir))
    killed = "problem" not in report
    report["checks"] = {
        "killed build: killed midway": killed,
        "killed build: no process alive 2 s after the kill": killed
        and report["all_gone_after_s"] is not None,
        "killed build: live generation unchanged": report["live_generation_unchanged"],
        "killed build: next build and update with --wait 0 succeed": all(
            w["exit_code"] == 0 for w in next_writes
        ),
        "killed build: its unpublished generation removed": report[
            "leftovers_removed_by_next_writer"
        ],
    }
    return report


def _full_disk(
    index_dir: Path,
    sources: list[str],
    extra: Path,
    port: int,
    added_id: str,
    options: FaultOptions,
    t0: float,
) -> dict:
    """Fault 3: the index's file system full for a while; writes fail cleanly, reads go on."""
    filler = index_dir.parent / "filler"
    live_before, generations_before = live_generation(index_dir), generations(index_dir)
    live_bytes = sum(f.stat().st_size for f in (index_dir / live_before).iterdir())
    free_before = faults.free_bytes(index_dir)
    # First less room than a build needs (it fails midway, in its workers), then none
    # at all (even an update of one practice fails).
    leave = max(1 << 20, live_bytes // 10)
    filled_at = time.monotonic()
    attempts = []
    for room, command in (
        (leave, ["index", "build", *sources, "--wait", "5"]),
        (0, ["index", "update", *sources, str(extra), "--wait", "5"]),
    ):
        faults.fill_disk(filler, leave=room)
        free = faults.free_bytes(index_dir)
        code, seconds, output = run_cli(index_dir, *command, tail=4000)
        lines = [line for line in output.splitlines() if line.strip()]
        attempts.append(
            {
                "command": "bdp " + " ".join(Path(c).name if "/" in c else c for c in command),
                "free_bytes": free,
                "exit_code": code,
                "seconds": round(seconds, 2),
                "traceback": "Traceback" in output,
                "lines": [line for line in lines if line.strip() != "Indeksowanie"][-5:],
                "polish_enospc": "brak miejsca na dysku" in output,
                "free_bytes_after": faults.free_bytes(index_dir),
            }
        )
    filler_bytes = filler.stat().st_size
    healthz_status, healthz_body = get(port, "/healthz")
    live_while_full = live_generation(index_dir)
    while time.monotonic() - filled_at < options.disk_seconds:
        time.sleep(0.1)
    filler.unlink()
    freed_at = time.monotonic()
    code, seconds, output = run_cli(
        index_dir, "index", "update", *sources, str(extra), "--wait", "30"
    )
    added_served = code == 0 and get(port, "/api/practices/" + quote(added_id))[0] == 200
    leftovers = sorted(set(generations(index_dir)) - set(generations_before))
    report = {
        "at": round(filled_at - t0, 1),
        "seconds_full": round(freed_at - filled_at, 1),
        "free_bytes_before": free_before,
        "live_generation_bytes": live_bytes,
        "filler_bytes": filler_bytes,
        "failed_writes": attempts,
        "healthz_while_full": [healthz_status, json.loads(healthz_body).get("documents")],
        "live_generation_unchanged_while_full": live_while_full == live_before,
        "recovery_update": {
            "exit_code": code,
            "seconds": round(seconds, 2),
            "output_tail": output.strip().splitlines()[-2:],
        },
        "added_served": added_served,
        "generations_after": len(generations(index_dir)),
        "new_generations_after": len(leftovers),
        "window": (filled_at, freed_at),
    }
    report["checks"] = {
        "full disk: writes fail with exit 1, one Polish line, no traceback": all(
            a["exit_code"] == 1 and not a["traceback"] and a["polish_enospc"] for a in attempts
        ),
        "full disk: a failed write frees what it wrote": all(
            a["free_bytes_after"] >= a["free_bytes"] for a in attempts
        ),
        "full disk: live generation unchanged and served": live_while_full == live_before
        and healthz_status == 200,
        "full disk: next update succeeds and is served": added_served,
    }
    return report


def print_table(result: dict) -> None:
    """A short summary of a fault run."""
    latency = result["latency_ms"]
    causes = result["errors_by_cause"]
    rows = [
        ("duration, clients (hostile)", f"{result['duration_s']} s, {result['clients']} "
         f"({result['hostile_clients']}), {result['workers']} workers"),
        ("requests", f"{result['requests']} ({result['requests_per_s']}/s)"),
        ("normal latency p50/p95/max", f"{latency['normal']['p50']} / {latency['normal']['p95']}"
         f" / {latency['normal']['max']} ms ({latency['normal']['count']} requests)"),
        ("hostile latency p50/p95/max", f"{latency['hostile']['p50']} / "
         f"{latency['hostile']['p95']} / {latency['hostile']['max']} ms "
         f"({latency['hostile']['count']} requests)"),
        ("errors by cause", ", ".join(f"{cause} {n}" for cause, n in causes.items())),
        ("worker kills (replaced after s)", f"{len(result['worker_kills'])} ("
         + ", ".join(str(k.get("replaced_after_s", "-")) for k in result["worker_kills"]) + ")"),
    ]  # fmt: skip
    build = result["killed_build"]
    rows.append(
        (
            "killed build",
            f"{build.get('ids_printed_before_kill')} ids printed, "
            f"{build.get('workers_seen')} workers, all gone after "
            f"{build.get('all_gone_after_s')} s, next writes exit "
            + "/".join(str(w["exit_code"]) for w in build.get("next_writes", [])),
        )
    )
    disk = result["full_disk"]
    if "skipped" in disk:
        rows.append(("full disk", disk["skipped"]))
    else:
        rows.append(
            (
                "full disk",
                f"{disk['seconds_full']} s full; writes exit "
                + "/".join(str(a["exit_code"]) for a in disk["failed_writes"])
                + f"; recovery update exit {disk['recovery_update']['exit_code']}",
            )
        )
        for attempt in disk["failed_writes"]:
            rows.append(("  " + attempt["command"][:40], " | ".join(attempt["lines"])[:160]))
    rows.append(
        ("documents", f"{result['documents_before']} -> {result['documents_after']}, "
         f"lost {result['documents_lost']} of {result['practices_checked']}")
    )  # fmt: skip
    rss = result["rss_kib"]
    rows.append(
        ("RSS KiB (server tree)", f"first {rss['first_warm']}, last {rss['last']}, "
         f"max {rss['max']}, one process max {rss['max_one_process']}")
    )  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for name, passed in result["checks"].items():
        print(f"{'ok  ' if passed else 'FAIL'}  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--faults",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="inject faults (worker kills, a killed build, a full disk, hostile clients)",
    )
    parser.add_argument(
        "--practices", type=int, default=3000, help="fault mode: copies indexed besides the bundle"
    )
    parser.add_argument(
        "--hostile-share", type=float, default=0.25, help="fault mode: share of hostile clients"
    )
    parser.add_argument(
        "--kill-every", type=float, default=10, help="fault mode: seconds between worker kills"
    )
    parser.add_argument(
        "--disk-seconds", type=float, default=10, help="fault mode: seconds the disk is full"
    )
    parser.add_argument("--tmpfs-mib", type=int, default=256, help="fault mode: tmpfs size")
    parser.add_argument("--json", type=Path, help="result file (bench/results/soak[-faults].json)")
    args = parser.parse_args()
    if args.faults:
        options = FaultOptions(
            args.duration,
            args.clients,
            args.workers,
            practices=args.practices,
            hostile_share=args.hostile_share,
            kill_every=args.kill_every,
            disk_seconds=args.disk_seconds,
            tmpfs_mib=args.tmpfs_mib,
        )
        result = soak_with_faults(options)
        passed = all(result["checks"].values())
    else:
        result = soak(args.duration, args.clients, args.workers)
        passed = result["errors"] == 0 and result["documents_lost"] == 0
    path = args.json or RESULTS / ("soak-faults.json" if args.faults else "soak.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.faults:
        print_table(result)
    else:
        summary = {k: v for k, v in result.items() if k != "rss_kib"}
        summary["rss_kib"] = {k: v for k, v in result["rss_kib"].items() if k != "samples"}
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"full result: {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
