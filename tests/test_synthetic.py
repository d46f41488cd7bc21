"""The benchmark's synthetic collection: reproducible and valid canonical records."""

from __future__ import annotations

import datetime as dt

from bench.synthetic import GAZETTEER, UNIT_TYPES, generate_practices, write_collection
from indexer.jsonl import read_jsonl
from indexer.records import Practice


def test_the_same_seed_gives_the_same_collection():
    assert list(generate_practices(50, seed=7)) == list(generate_practices(50, seed=7))
    assert list(generate_practices(50, seed=7)) != list(generate_practices(50, seed=8))


def test_written_collection_reads_back_as_valid_practices(tmp_path):
    path = write_collection(tmp_path / "syn.jsonl", 300, seed=1)
    items = list(read_jsonl(path))
    assert all(isinstance(item, Practice) for item in items), items
    assert items == list(generate_practices(300, seed=1))
    assert len({p.id for p in items}) == 300


def test_metadata_covers_the_real_ranges():
    practices = list(generate_practices(1500, seed=3))
    assert {p.voivodeship for p in practices} == set(GAZETTEER)
    assert {p.unit_type for p in practices} == set(UNIT_TYPES)
    years = {dt.date.fromisoformat(p.date_added).year for p in practices}
    assert years == set(range(2008, 2014))
    for p in practices:
        low, high = UNIT_TYPES[p.unit_type][1]
        assert low <= p.population <= high
        assert p.date_updated is None or p.date_updated >= p.date_added
        assert 20 < len(p.body.split()) and 5 <= len(p.title.split())
