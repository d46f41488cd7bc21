"""Small measuring helpers shared by the benchmark tasks."""

from __future__ import annotations

import re
import resource
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from indexer.jsonl import read_jsonl
from indexer.records import Practice

WORD = re.compile(r"\w+")


def load_practices(path: Path | str) -> list[Practice]:
    """Every practice of a generated JSON Lines file (they are all valid)."""
    practices = []
    for item in read_jsonl(path):
        if not isinstance(item, Practice):
            raise SystemExit(f"invalid benchmark data: {item}")
        practices.append(item)
    return practices


def word_count(practices: Iterable[Practice]) -> int:
    """Source words of the searchable text: one common yardstick for every builder."""
    return sum(
        len(WORD.findall(" ".join((p.title, p.summary, p.body, p.town or "")))) for p in practices
    )


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (and mean) of latencies in seconds, reported in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "n": len(samples),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
    }


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of the largest child it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(own, 1), "children_mb": round(children, 1)}


def process_memory_mb(pid: int) -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a running process."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_mb": fields.get("VmHWM", 0.0)}


ID_PREFIX = re.compile(r'^\{"id":\s*"((?:[^"\\]|\\.)*)"')


def practice_ids(path: Path | str) -> list[str]:
    """The ``id`` of every practice of a JSON Lines file, without parsing whole records."""
    import json

    ids = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            match = ID_PREFIX.match(line)
            ids.append(json.loads(f'"{match.group(1)}"') if match else json.loads(line)["id"])
    return ids
