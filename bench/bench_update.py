"""Benchmark: the cost of updating one practice in a large index, as a share of a full build.

Generates a synthetic collection deterministically (seeded) from the bundled
practices, writes it as one JSON Lines file, then measures, end to end as the
CLI runs them (reading the sources included):

- ``build``:   a full build of the collection (the baseline);
- ``update``:  ``bdp index update`` after one practice changed in the source;
- ``noop``:    the same update run again (nothing changed);
- ``add``:     ``bdp index add`` of one changed practice;
- ``delete``:  ``bdp index delete`` of one practice.

Each publish flushes the new generation to disk (every file, its directory,
then ``CURRENT``: ``indexer.generations.sync_generation``); the time spent in that
flush is measured apart and reported as its share of the build and update.

Every cost is reported as a ratio to the full build measured in the same run.
The issue's budget: ``update`` < 5 % of ``build`` at 10,000 practices.

    .venv/bin/python -m bench.bench_update [--practices 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import indexer.generations
from analyzers import polish_analyzer
from indexer.build import build_index
from indexer.jsonl import write_jsonl
from indexer.records import Practice
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.update import add_practices, delete_practices, update_index

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results" / "update.json"
BUDGET = 0.05


def synthetic_practices(count: int, seed: int = 4) -> list[Practice]:
    """``count`` distinct practices mixing the sentences and places of the bundled ones."""
    rng = random.Random(seed)
    base = read_sources([DEFAULT_SOURCES]).practices
    sentences = [s.strip() + "." for p in base for s in p.body.split(".") if s.strip()]
    practices = []
    for number in range(count):
        model, place = rng.choice(base), rng.choice(base)
        body = " ".join(rng.sample(sentences, k=min(12, len(sentences))))
        practices.append(
            replace(
                model,
                id=f"syn-{number:05d}",
                title=f"{model.title} ({place.town or 'gmina'} {number})",
                body=body,
                town=place.town,
                county=place.county,
                voivodeship=place.voivodeship,
                population=place.population,
                # The demo practices' files are not beside the temporary source: none.
                attachments=(),
            )
        )
    return practices


def write_source(practices: list[Practice], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        write_jsonl(practices, handle)


def timed(action: Callable[..., object], *args) -> float:
    start = time.perf_counter()
    action(*args)
    return time.perf_counter() - start


def update_from(source: Path, index_dir: Path) -> None:
    update_index(read_sources([source]), index_dir)


def add_from(source: Path, index_dir: Path) -> None:
    add_practices(read_sources([source]), index_dir)


class FsyncTimer:
    """Wraps ``indexer.generations.sync_generation`` to add up the seconds spent flushing."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = indexer.generations.sync_generation
        indexer.generations.sync_generation = self._timed

    def _timed(self, path: Path) -> None:
        start = time.perf_counter()
        self._original(path)
        self.seconds += time.perf_counter() - start

    def take(self) -> float:
        """The seconds flushed since the last call."""
        seconds, self.seconds = self.seconds, 0.0
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    polish_analyzer()("rozgrzewka stemmera")  # load the stemmer table before any timing
    practices = synthetic_practices(args.practices)
    with tempfile.TemporaryDirectory(prefix="bdp-bench-") as tmp:
        tmp_dir = Path(tmp)
        source, single = tmp_dir / "praktyki.jsonl", tmp_dir / "jedna.jsonl"
        index_dir = tmp_dir / "ix"
        write_source(practices, source)

        fsync = FsyncTimer()
        build = timed(lambda: build_index(read_sources([source]).practices, index_dir))
        build_fsync = fsync.take()
        costs: dict[str, list[float]] = {"update": [], "noop": [], "add": [], "delete": []}
        update_fsync: list[float] = []
        for round_number in range(args.rounds):
            target = practices[(round_number * 997) % len(practices)]
            changed = replace(target, summary=f"{target.summary} Zmiana {round_number}.")
            practices[practices.index(target)] = changed
            write_source(practices, source)
            fsync.take()
            costs["update"].append(timed(update_from, source, index_dir))
            update_fsync.append(fsync.take())
            costs["noop"].append(timed(update_from, source, index_dir))

            write_source([replace(changed, title=f"{changed.title} *")], single)
            costs["add"].append(timed(add_from, single, index_dir))
            victim = practices[(round_number * 991 + 7) % len(practices)].id
            costs["delete"].append(timed(delete_practices, [victim], index_dir))

    report = {
        "practices": args.practices,
        "rounds": args.rounds,
        "build_seconds": round(build, 3),
        "median_seconds": {k: round(statistics.median(v), 4) for k, v in costs.items()},
        "ratio_to_build": {k: round(statistics.median(v) / build, 4) for k, v in costs.items()},
        "fsync_seconds": {
            "build": round(build_fsync, 4),
            "update": round(statistics.median(update_fsync), 4),
        },
        "fsync_share": {
            "build": round(build_fsync / build, 4),
            "update": round(
                statistics.median(update_fsync) / statistics.median(costs["update"]), 4
            ),
        },
    }
    report["update_within_budget"] = report["ratio_to_build"]["update"] < BUDGET
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"full build of {args.practices} practices: {build:.2f} s (baseline = 1.0)")
    for name in costs:
        print(
            f"{name:>7}: {report['median_seconds'][name]:.3f} s  "
            f"ratio {report['ratio_to_build'][name]:.4f}"
        )
    print(
        f"  fsync: {report['fsync_seconds']['build']:.3f} s of the build "
        f"({report['fsync_share']['build']:.1%}), {report['fsync_seconds']['update']:.3f} s "
        f"of an update ({report['fsync_share']['update']:.1%})"
    )
    verdict = "OK" if report["update_within_budget"] else "OVER BUDGET"
    print(
        f"update of one practice vs full build: {report['ratio_to_build']['update']:.2%} "
        f"(budget {BUDGET:.0%}): {verdict}"
    )


if __name__ == "__main__":
    main()
