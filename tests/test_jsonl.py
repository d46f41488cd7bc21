"""The canonical JSON Lines format: round trip and clear errors."""

from __future__ import annotations

import io
import json

import pytest

from indexer.jsonl import read_jsonl, write_jsonl
from indexer.records import FIELD_ORDER
from indexer.sources import read_sources
from tests.conftest import SEEDS, SMALL_JSONL


def test_export_then_import_gives_the_same_records(tmp_path):
    original = read_sources([SEEDS, SMALL_JSONL]).practices
    out = io.StringIO()
    assert write_jsonl(original, out) == len(original)
    path = tmp_path / "export.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    again = list(read_jsonl(path))
    assert again == original


def test_lines_have_the_canonical_keys_in_order():
    line = read_sources([SEEDS]).practices[0].to_json()
    assert list(json.loads(line)) == list(FIELD_ORDER)


def _read_one(tmp_path, text: str):
    path = tmp_path / "p.jsonl"
    path.write_text(text, encoding="utf-8")
    return list(read_jsonl(path))


def test_bad_line_names_file_line_and_field_and_others_survive(tmp_path):
    good = {"id": "a", "title": "Dobra praktyka"}
    bad = {"id": "b", "title": "Zła", "population": "dużo"}
    items = _read_one(tmp_path, "\n".join(json.dumps(x) for x in (good, bad, good | {"id": "c"})))
    assert [getattr(i, "id", None) for i in items] == ["a", None, "c"]
    message = str(items[1])
    assert "p.jsonl:2" in message and "population" in message


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("{not json", "niepoprawny JSON"),
        ("[1, 2]", "oczekiwano obiektu"),
        ('{"id": "x"}', "title"),
        ('{"id": "x", "title": "T", "kolor": "zielony"}', "kolor"),
        ('{"id": "x", "title": "T", "date_added": "2012-13-45"}', "date_added"),
        ('{"id": "x", "title": "T", "phones": "555 100 100"}', "phones"),
    ],
)
def test_malformed_lines(tmp_path, line, fragment):
    (item,) = _read_one(tmp_path, line + "\n")
    assert fragment in str(item)
    assert "p.jsonl:1" in str(item)


def test_duplicate_ids_are_reported(tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "a", "title": "A"}\n{"id": "a", "title": "B"}\n', encoding="utf-8")
    report = read_sources([path])
    assert len(report.practices) == 1
    assert f"{path}:2: pole „id”: identyfikator 'a' występuje już w {path}:1" == str(
        report.errors[0]
    )
