"""Records that cannot break a build or a page: safe ids, sizes, ranges and depth checked."""

from __future__ import annotations

import doctest
import json

import pytest

import indexer.encoding
import indexer.records
import search_app.web.views
from indexer.errors import SourceError
from indexer.jsonl import read_jsonl
from indexer.limits import Limits, current_limits
from indexer.sources import read_sources
from tests.conftest import DEFAULT_SOURCES, SEEDS

LIMITS = Limits()


def _error(tmp_path, record: dict | str) -> SourceError:
    """The error for a record (or a raw line) on line 2 of a JSON Lines file."""
    path = tmp_path / "p.jsonl"
    good = {"id": "ok", "title": "Dobra"}
    line = record if isinstance(record, str) else json.dumps(record)
    path.write_text(json.dumps(good) + "\n" + line + "\n", encoding="utf-8")
    items = list(read_jsonl(path))
    assert getattr(items[0], "id", None) == "ok"
    assert isinstance(items[1], SourceError), items[1]
    return items[1]


def _assert_names(error: SourceError, field: str) -> None:
    assert error.path.endswith("p.jsonl") and error.line == 2 and error.field == field
    assert str(error).startswith(f"{error.path}:2: pole „{field}”: ")


def _record(**fields) -> dict:
    return {"id": "p1", "title": "Praktyka"} | fields


def test_doctests_of_the_id_line_mail_and_extra_helpers():
    for module in (indexer.records, indexer.encoding, search_app.web.views):
        assert doctest.testmod(module).failed == 0


def test_bundled_ids_and_seed_page_ids_are_valid():
    report = read_sources([DEFAULT_SOURCES])
    assert not report.errors
    ids = {p.id for p in report.practices}
    assert {"000_3b014753ec2e4c31", "001_8428a99dc5593c9b", "demo-001"} <= ids


@pytest.mark.parametrize(
    "practice_id",
    ["a/b", "../x", ".ukryty", "-x", "żory", "a b", "x?y", "a" * 129, "zł#1", "a\u2028b"],
)
def test_unsafe_ids_are_rejected_with_file_line_and_field(tmp_path, practice_id):
    error = _error(tmp_path, _record(id=practice_id))
    _assert_names(error, "id")
    assert "niedozwolony identyfikator" in error.problem


def test_longest_allowed_id_passes(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(_record(id="A" + "b.-_9" * 25 + "xy")) + "\n", encoding="utf-8")
    (item,) = read_jsonl(path)
    assert len(item.id) == 128


def test_a_page_takes_its_id_from_the_file_name_which_must_be_safe(tmp_path):
    page = tmp_path / "strona z spacją.txt"
    page.write_bytes((SEEDS / "000_3b014753ec2e4c31.txt").read_bytes())
    report = read_sources([page])
    assert report.practices == []
    (error,) = report.errors
    assert error.field == "id" and "strona z spacją" in error.problem


@pytest.mark.parametrize("population", [2**63, 2**63 - 1, LIMITS.population + 1, 10**100])
def test_population_beyond_the_bound_is_an_error_not_a_traceback(tmp_path, population):
    error = _error(tmp_path, _record(population=population))
    _assert_names(error, "population")
    assert "poza zakresem" in error.problem and len(error.problem) < 200


def test_population_at_the_bound_passes(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(_record(population=LIMITS.population)) + "\n", encoding="utf-8")
    (item,) = read_jsonl(path)
    assert item.population == LIMITS.population


def _nested(depth: int) -> str:
    """JSON of ``depth`` nested lists, as ``extra``'s value ("extra" itself is one more)."""
    return "[" * depth + '"dno"' + "]" * depth


@pytest.mark.parametrize("depth", [LIMITS.extra_depth, 500, 975])
def test_deep_extra_is_rejected(tmp_path, depth):
    line = '{"id": "p1", "title": "Praktyka", "extra": {"x": ' + _nested(depth) + "}}"
    error = _error(tmp_path, line)
    _assert_names(error, "extra")
    assert "zagnieżdżone" in error.problem


def test_extra_at_the_allowed_depth_passes(tmp_path):
    path = tmp_path / "p.jsonl"
    extra = '{"x": ' + _nested(LIMITS.extra_depth - 1) + "}"
    path.write_text('{"id": "p1", "title": "P", "extra": ' + extra + "}\n", encoding="utf-8")
    (item,) = read_jsonl(path)
    assert item.extra == json.loads(extra)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("title", "T" * (LIMITS.title_chars + 1), "znaków"),
        ("summary", "s" * (LIMITS.summary_chars + 1), "znaków"),
        ("body", "b" * (LIMITS.body_chars + 1), "znaków"),
        ("town", "m" * (LIMITS.field_chars + 1), "znaków"),
        ("phones", ["1"] * (LIMITS.list_items + 1), "pozycji"),
        ("contacts", ["ok", "c" * (LIMITS.field_chars + 1)], "pozycja 2"),
        ("extra", {"k" * (LIMITS.field_chars + 1): 1}, "nazwa klucza"),
        ("extra", {"k": "v" * (LIMITS.field_chars + 1)}, "znaków"),
        ("extra", {"k": list(range(LIMITS.list_items + 1))}, "pozycji"),
    ],
)
def test_oversized_fields_name_file_line_and_field(tmp_path, field, value, fragment):
    error = _error(tmp_path, _record(**{field: value}))
    _assert_names(error, field)
    assert fragment in error.problem


def test_oversized_line_is_refused_before_parsing(tmp_path):
    line = json.dumps(_record(extra={"k": "x"}), ensure_ascii=True)
    huge = line[:-1] + ', "pad": "' + " " * LIMITS.record_bytes + '"}'
    path = tmp_path / "p.jsonl"
    path.write_text(line + "\n" + huge + "\n", encoding="utf-8")
    items = list(read_jsonl(path))
    assert items[0].id == "p1"
    assert items[1].line == 2 and "bajtów" in items[1].problem


def test_limits_follow_the_environment(tmp_path, monkeypatch):
    record = _record(body="b" * 101)
    monkeypatch.setenv("BDP_MAX_BODY_CHARS", "100")
    assert current_limits().body_chars == 100
    _assert_names(_error(tmp_path, record), "body")
    monkeypatch.setenv("BDP_MAX_BODY_CHARS", "101")
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert [p.body for p in read_jsonl(path)] == ["b" * 101]


@pytest.mark.parametrize("raw", ["zero", "0", "-5", "1.5", str(2**63)])
def test_a_bad_limit_setting_is_named(monkeypatch, raw):
    monkeypatch.setenv("BDP_MAX_POPULATION", raw)
    with pytest.raises(ValueError, match="BDP_MAX_POPULATION"):
        current_limits()


def test_depth_cannot_be_set_back_to_where_pickling_failed(monkeypatch):
    monkeypatch.setenv("BDP_MAX_EXTRA_DEPTH", "500")
    with pytest.raises(ValueError, match="najwyżej 100"):
        current_limits()
    monkeypatch.setenv("BDP_MAX_EXTRA_DEPTH", "100")
    assert current_limits().extra_depth == 100


def test_oversized_page_file_is_refused_unread(tmp_path, monkeypatch):
    page = tmp_path / "duza.txt"
    page.write_bytes((SEEDS / "000_3b014753ec2e4c31.txt").read_bytes())
    monkeypatch.setenv("BDP_MAX_RECORD_BYTES", "1000")
    (error,) = read_sources([page]).errors
    assert "duza.txt" in str(error) and "bajtów" in str(error)
