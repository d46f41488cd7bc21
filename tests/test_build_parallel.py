"""A build spread over worker processes indexes exactly what a single-process build does."""

from __future__ import annotations

from indexer.build import build_index
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.store import index_stats, open_index
from search_app.engine.search import clean_request, search


def test_parallel_build_finds_and_counts_the_same(tmp_path):
    practices = read_sources([DEFAULT_SOURCES]).practices
    build_index(practices, tmp_path / "one", procs=1)
    build_index(practices, tmp_path / "two", procs=2)
    one, two = index_stats(tmp_path / "one"), index_stats(tmp_path / "two")
    assert two["documents"] == one["documents"] == len(practices)
    assert two["facets"] == one["facets"]
    request, _ = clean_request("rodziny zastępcze", filters={"category": ["Usługi społeczne"]})
    responses = []
    for name in ("one", "two"):
        with open_index(tmp_path / name).searcher() as searcher:
            responses.append(search(searcher, request))
    assert responses[1].total == responses[0].total > 0
    assert {h["id"] for h in responses[1].results} == {h["id"] for h in responses[0].results}
    assert responses[1].facets == responses[0].facets
