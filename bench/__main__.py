"""Run every benchmark in one go: ``python -m bench`` (``--quick`` for a smoke run).

Each figure is printed next to a baseline measured in the same run, and the
whole report is written to ``bench/results/`` as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.http_load import Server, load, search_paths
from bench.measure import load_practices
from bench.queries import query_set
from bench.synthetic import write_collection

RESULTS = Path(__file__).resolve().parent / "results"
BUDGETS = {
    "build_speedup_min": 2.0,
    "query_p95_ms_small": 50.0,
    "query_p95_ms_large": 150.0,
    "http_p95_ms": 100.0,
    "worker_rss_mb_large": 400.0,
    "cold_start_s": 1.5,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k/5k practices, few queries")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--build-pairs", type=int, default=3, help="plain/ours build pairs at the small size"
    )
    parser.add_argument(
        "--rebuild-large",
        action="store_true",
        help="rebuild the large index even if analyzers/ and indexer/ did not change",
    )
    args = parser.parse_args()
    small, large = (1_000, 5_000) if args.quick else (10_000, 100_000)
    n_queries, n_requests = (60, 160) if args.quick else (300, 800)
    started = time.perf_counter()
    work = RESULTS / "work"
    report: dict = {"machine": machine(), "sizes": [small, large], "budgets": BUDGETS}

    data = {n: dataset(n, args.seed) for n in (small, large)}
    index = {n: work / f"index-{n}" for n in (small, large)}

    report["build"] = paired_builds(data[small], work / "plain", index[small], args.build_pairs)
    step("build at", large)
    report["build_large"] = large_build(data[large], index[large], args.rebuild_large)

    for n, key in ((small, "queries_small"), (large, "queries_large")):
        step("queries at", n)
        report[key] = task(
            "queries", data=str(data[n]), index_dir=str(index[n]), count=n_queries, warmup=30
        )
    step("tantivy at", small)
    report["tantivy"] = task("tantivy", data=str(data[small]), count=n_queries, warmup=30)

    queries = query_set(load_practices(data[small])[:2000], n_queries)
    for n, key, requests in ((small, "http_small", n_requests), (large, "http_large", 200)):
        step("HTTP at", n)
        report[key] = http_benchmark(index[n], queries, requests)
    step("cold start at", small)
    report["cold_start"] = cold_start(index[small])
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["verdicts"] = verdicts(report)

    print_report(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\nJSON: {RESULTS / f'bench-{stamp}.json'} ({report['seconds']} s in all)")


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def dataset(count: int, seed: int) -> Path:
    """The generated collection, written once and reused by later runs."""
    path = RESULTS / "data" / f"synthetic-{count}-{seed}.jsonl"
    if not path.exists():
        step("generating", count)
        write_collection(path.with_suffix(".tmp"), count, seed).rename(path)
    return path


def task(name: str, **args) -> dict:
    """Run one task of bench.tasks in a fresh process and return its JSON result."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.tasks", name, json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"benchmark task {name} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def paired_builds(data: Path, plain_dir: Path, ours_dir: Path, pairs: int) -> dict:
    """Plain and our build, alternated ``pairs`` times; the pair with the median ratio.

    Alternating keeps both builders exposed to the same background load; the
    median pair is reported whole, so its figures stay consistent with each other.
    """
    runs = []
    for number in range(1, pairs + 1):
        step(f"build pair {number}/{pairs} at", count_lines(data))
        plain = task("build-plain", data=str(data), index_dir=str(plain_dir))
        ours = task("build-ours", data=str(data), index_dir=str(ours_dir))
        runs.append((ours["docs_per_s"] / plain["docs_per_s"], plain, ours))
    runs.sort(key=lambda run: run[0])
    _ratio, plain, ours = runs[len(runs) // 2]
    return {
        "plain_whoosh": plain,
        "ours": ours,
        "ratios": [round(run[0], 2) for run in runs],
    }


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def large_build(data: Path, index_dir: Path, rebuild: bool) -> dict:
    """Build the large index, or reuse the last one built from the same data and code.

    The build budget is checked at the small size in every run; the large
    build only provides the index for the query, HTTP and memory figures.
    """
    stamp = index_dir / "bench-build.json"
    key = {"data": str(data), "code": code_fingerprint()}
    if not rebuild and stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved["key"] == key:
            return saved["result"] | {"reused_from": saved["built_at"]}
    result = task("build-ours", data=str(data), index_dir=str(index_dir))
    built_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    stamp.write_text(json.dumps({"key": key, "result": result, "built_at": built_at}))
    return result


def code_fingerprint() -> str:
    """A digest of the code that decides what an index contains."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("analyzers/*"), *root.glob("indexer/*.py")]):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def http_benchmark(index_dir: Path, queries, requests: int) -> dict:
    """/api/search under gunicorn with 8 clients, against /healthz under the same load."""
    with Server(index_dir) as server:
        warm = search_paths(queries, 40)
        load(server.port, warm)
        health = load(server.port, ["/healthz"] * requests)
        searches = load(server.port, search_paths(queries, requests))
        memory = server.worker_memory()
    return {"healthz": health, "search": searches, "workers": memory}


def cold_start(index_dir: Path, runs: int = 5) -> dict:
    """Wall time of ``bdp search`` in a new process, against a bare ``python -c pass``."""
    bdp = str(Path(sys.executable).with_name("bdp"))
    search = [bdp, "--index-dir", str(index_dir), "search", "rodziny zastępcze"]

    def wall(command: list[str]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times.append(time.perf_counter() - start)
        return round(statistics.median(times), 3)

    return {"bdp_search_s": wall(search), "python_pass_s": wall([sys.executable, "-c", "pass"])}


def verdicts(r: dict) -> dict[str, dict]:
    """Each budget: the measured value, the limit, and whether it holds."""
    speedup = r["build"]["ours"]["docs_per_s"] / r["build"]["plain_whoosh"]["docs_per_s"]
    worker_rss = max(w["peak_mb"] for w in r["http_large"]["workers"])
    http = r["http_small"]["search"]
    checks = {
        "build ≥ 2× plain Whoosh": (round(speedup, 2), BUDGETS["build_speedup_min"], ">="),
        "query p95 small (ms)": (
            r["queries_small"]["ours"]["p95_ms"],
            BUDGETS["query_p95_ms_small"],
            "<=",
        ),
        "query p95 large (ms)": (
            r["queries_large"]["ours"]["p95_ms"],
            BUDGETS["query_p95_ms_large"],
            "<=",
        ),
        "HTTP p95 small (ms)": (http["p95_ms"], BUDGETS["http_p95_ms"], "<="),
        "HTTP errors": (http["errors"] + r["http_large"]["search"]["errors"], 0, "<="),
        "worker peak RSS large (MB)": (worker_rss, BUDGETS["worker_rss_mb_large"], "<="),
        "cold start (s)": (r["cold_start"]["bdp_search_s"], BUDGETS["cold_start_s"], "<="),
    }
    return {
        name: {
            "value": value,
            "limit": limit,
            "ok": value >= limit if op == ">=" else value <= limit,
        }
        for name, (value, limit, op) in checks.items()
    }


def step(what: str, n: int) -> None:
    print(f"[bench] {what} {n:,} …", file=sys.stderr, flush=True)


def table(title: str, header: list[str], rows: list[list]) -> None:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for i, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.rjust(w) if j else c.ljust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def print_report(r: dict) -> None:
    small, large = r["sizes"]
    m = r["machine"]
    print(
        f"\nMachine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, "
        f"Python {m['python']}, load average at start {m['load_average_at_start']}"
    )
    b, t = r["build"], r["tantivy"]
    base = b["plain_whoosh"]["docs_per_s"]
    table(
        f"Build, {small:,} practices",
        ["builder", "s", "docs/s", "words/s", "peak RSS MB", "× plain"],
        [
            [
                "plain Whoosh (baseline)",
                b["plain_whoosh"]["seconds"],
                base,
                b["plain_whoosh"]["words_per_s"],
                _rss(b["plain_whoosh"]),
                "1.00",
            ],
            [
                "ours (bdp index build)",
                b["ours"]["seconds"],
                b["ours"]["docs_per_s"],
                b["ours"]["words_per_s"],
                _rss(b["ours"]),
                _x(b["ours"]["docs_per_s"], base),
            ],
            [
                "tantivy, tokens given",
                t["index_seconds"],
                t["docs_per_s"],
                t["words_per_s"],
                _rss(t),
                _x(t["docs_per_s"], base),
            ],
            [
                f"ours at {large:,}",
                r["build_large"]["seconds"],
                r["build_large"]["docs_per_s"],
                r["build_large"]["words_per_s"],
                _rss(r["build_large"]),
                "—",
            ],
        ],
    )
    print(
        f"  (tantivy's input was analysed by our analyzer first: {t['analysis_seconds']} s, "
        "not counted above)"
    )
    if "ratios" in b:
        print(
            f"  (ours ÷ plain in each of the alternated pairs: {b['ratios']}; the median is shown)"
        )
    rows = []
    for key, n in (("queries_small", small), ("queries_large", large)):
        q = r[key]
        for name, label in (
            ("bare_whoosh", "bare Whoosh top-10 (baseline)"),
            ("ours", "ours: search() with facets"),
        ):
            rows.append(
                [
                    f"{n:,}",
                    label,
                    q[name]["p50_ms"],
                    q[name]["p95_ms"],
                    q[name]["p99_ms"],
                    _x(q[name]["p95_ms"], q["bare_whoosh"]["p95_ms"]),
                ]
            )
    tq = t["queries"]
    rows.append(
        [
            f"{small:,}",
            "tantivy, same terms + facet aggregations",
            tq["p50_ms"],
            tq["p95_ms"],
            tq["p99_ms"],
            _x(tq["p95_ms"], r["queries_small"]["bare_whoosh"]["p95_ms"]),
        ]
    )
    table(
        "Query latency (ms), mixed query set",
        ["docs", "engine", "p50", "p95", "p99", "p95 × baseline"],
        rows,
    )
    rows = []
    for key, n in (("http_small", small), ("http_large", large)):
        h = r[key]
        for name in ("healthz", "search"):
            x = h[name]
            label = "/healthz (baseline)" if name == "healthz" else "/api/search"
            rows.append(
                [
                    f"{n:,}",
                    label,
                    x["requests"],
                    x["errors"],
                    x["requests_per_s"],
                    x["p50_ms"],
                    x["p95_ms"],
                ]
            )
        rows.append(
            [
                f"{n:,}",
                "worker peak RSS MB",
                " / ".join(str(w["peak_mb"]) for w in h["workers"]),
                "",
                "",
                "",
                "",
            ]
        )
    table(
        "HTTP, gunicorn (2 workers), 8 concurrent clients",
        ["docs", "endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms"],
        rows,
    )
    c = r["cold_start"]
    table(
        "Cold start (median of 5)",
        ["command", "s", "× baseline"],
        [
            ["python -c pass (baseline)", c["python_pass_s"], "1.00"],
            ["bdp search", c["bdp_search_s"], _x(c["bdp_search_s"], c["python_pass_s"])],
        ],
    )
    table(
        "Budgets",
        ["budget", "measured", "limit", "holds"],
        [
            [name, v["value"], v["limit"], "yes" if v["ok"] else "NO"]
            for name, v in r["verdicts"].items()
        ],
    )


def _x(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "—"


def _rss(result: dict) -> str:
    rss = result["peak_rss"]
    return str(max(rss["self_mb"], rss["children_mb"]))


if __name__ == "__main__":
    main()
