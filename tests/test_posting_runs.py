"""A segment written through temporary runs holds exactly the postings of one sorted in memory."""

from __future__ import annotations

import pytest

from indexer import runs
from indexer.build import build_index
from indexer.sources import read_sources
from indexer.store import open_index
from tests.conftest import SMALL_JSONL


def every_posting(index_dir) -> dict:
    with open_index(index_dir).searcher() as searcher:
        reader = searcher.reader()
        return {
            (field, text): list(reader.postings(field, text).all_items())
            for field, text in reader.all_terms()
        }


def test_postings_written_through_runs_equal_those_sorted_in_memory(tmp_path, monkeypatch):
    practices = list(read_sources([SMALL_JSONL]).practices)
    build_index(practices, tmp_path / "memory", procs=1)

    written: list[int] = []
    create, write = runs.ChunkedPostingPool.__init__, runs.ChunkedPostingPool._write_run

    def small_pool(self, *args, **kwargs) -> None:
        create(self, *args, **kwargs)
        self.limit = 20_000  # bytes of postings: a run every few practices

    def counted_write(self, f, items) -> None:
        written.append(1)
        write(self, f, items)

    monkeypatch.setattr(runs.ChunkedPostingPool, "__init__", small_pool)
    monkeypatch.setattr(runs.ChunkedPostingPool, "_write_run", counted_write)
    monkeypatch.setattr(runs, "CHUNK", 7)  # several chunks per run
    build_index(practices, tmp_path / "runs", procs=1)

    assert len(written) > 3  # the runs were really used
    in_memory, through_runs = every_posting(tmp_path / "memory"), every_posting(tmp_path / "runs")
    assert len(in_memory) > 300
    assert through_runs == in_memory


def test_the_pool_is_replaced_only_while_empty(tmp_path):
    practices = list(read_sources([SMALL_JSONL]).practices)
    build_index(practices[:1], tmp_path)
    writer = open_index(tmp_path).writer()
    try:
        writer.pool.current.append(("title", b"x", 0, 1.0, None))
        with pytest.raises(ValueError):
            runs.with_chunked_runs(writer)
    finally:
        writer.pool.current.clear()
        writer.cancel()
