"""The ``bdp`` command through click's CliRunner."""

from __future__ import annotations

import json

from bdp.cli import main
from indexer.jsonl import read_jsonl
from indexer.sources import read_sources
from indexer.store import stored_records
from tests.conftest import SEEDS, SMALL_JSONL, ZORY


def invoke(runner, index_dir, *args):
    return runner.invoke(main, ["--index-dir", str(index_dir), *args], catch_exceptions=False)


def test_build_stats_search(runner, tmp_path):
    index_dir = tmp_path / "ix"
    result = invoke(runner, index_dir, "index", "build", str(SEEDS), str(SMALL_JSONL))
    assert result.exit_code == 0, result.output
    assert "Zaindeksowano praktyk: 6" in result.output

    stats = invoke(runner, index_dir, "index", "stats", "--json")
    assert json.loads(stats.output)["documents"] == 6

    found = invoke(runner, index_dir, "search", "budżet obywatelski")
    assert found.exit_code == 0
    assert "Budżet obywatelski" in found.output


def test_index_dir_from_environment(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("BDP_INDEX_DIR", str(tmp_path / "env-ix"))
    assert runner.invoke(main, ["index", "build", str(SEEDS)]).exit_code == 0
    assert (tmp_path / "env-ix" / "CURRENT").exists()


def test_search_json_is_the_api_response(runner, small_index, client):
    result = invoke(
        runner,
        small_index,
        "search",
        "rodzinach zastępczych",
        "--json",
        "--filter",
        "voivodeship=śląskie",
    )
    api = client.get(
        "/api/search", query_string={"q": "rodzinach zastępczych", "voivodeship": "śląskie"}
    ).get_json()
    assert json.loads(result.output) == api


def test_bad_sources_publish_nothing_without_allow_errors(runner, tmp_path):
    bad = tmp_path / "zle.jsonl"
    bad.write_text('{"id": "z1", "title": "Dobra"}\n{"id": "z2"}\n', encoding="utf-8")
    index_dir = tmp_path / "ix"
    invoke(runner, index_dir, "index", "build", str(SEEDS))
    result = runner.invoke(
        main, ["--index-dir", str(index_dir), "index", "build", str(ZORY), str(bad)]
    )
    assert result.exit_code == 1
    assert "zle.jsonl:2" in result.output and "title" in result.output
    assert "--allow-errors" in result.output
    stats = json.loads(invoke(runner, index_dir, "index", "stats", "--json").output)
    assert stats["documents"] == 2  # the previous index (both seeds), not Żory + z1


def test_allow_errors_publishes_the_good_part_and_still_fails(runner, tmp_path):
    bad = tmp_path / "zle.jsonl"
    bad.write_text('{"id": "z1", "title": "Dobra"}\n{"id": "z2"}\n', encoding="utf-8")
    index_dir = tmp_path / "ix"
    result = runner.invoke(
        main,
        ["--index-dir", str(index_dir), "index", "build", str(ZORY), str(bad), "--allow-errors"],
    )
    assert result.exit_code == 1
    assert "zle.jsonl:2" in result.output
    records = stored_records(index_dir)
    assert [r["id"] for r in records] == ["000_3b014753ec2e4c31", "z1"]


def test_failed_build_keeps_the_old_index(runner, tmp_path):
    index_dir = tmp_path / "ix"
    invoke(runner, index_dir, "index", "build", str(SEEDS))
    empty = tmp_path / "pusty.jsonl"
    empty.write_text("{oops\n", encoding="utf-8")
    result = runner.invoke(main, ["--index-dir", str(index_dir), "index", "build", str(empty)])
    assert result.exit_code == 1
    stats = json.loads(invoke(runner, index_dir, "index", "stats", "--json").output)
    assert stats["documents"] == 2


def test_export_round_trip(runner, small_index, tmp_path):
    out = tmp_path / "eksport.jsonl"
    result = invoke(runner, small_index, "export", "-o", str(out))
    assert result.exit_code == 0
    exported = list(read_jsonl(out))
    assert exported == sorted(read_sources([SEEDS, SMALL_JSONL]).practices, key=lambda p: p.id)


def test_missing_index_says_how_to_build_it(runner, tmp_path):
    result = runner.invoke(main, ["--index-dir", str(tmp_path / "nic"), "search", "dom"])
    assert result.exit_code == 1
    assert "bdp index build" in result.output


def test_bad_filter_is_a_usage_error(runner, small_index):
    result = runner.invoke(
        main, ["--index-dir", str(small_index), "search", "x", "--filter", "kolor=zielony"]
    )
    assert result.exit_code == 2
    assert "kolor" in result.output


def test_a_bad_limit_setting_is_one_polish_line(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("BDP_MAX_BODY_CHARS", "dużo")
    result = runner.invoke(main, ["--index-dir", str(tmp_path / "ix"), "index", "build"])
    assert result.exit_code == 1
    assert "BDP_MAX_BODY_CHARS: oczekiwano dodatniej liczby całkowitej" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_export_reports_records_todays_limits_refuse_and_exports_the_rest(
    runner, small_index, tmp_path, monkeypatch
):
    """An index built before a limit was lowered still exports everything else."""
    monkeypatch.setenv("BDP_MAX_SUMMARY_CHARS", "300")
    out = tmp_path / "eksport.jsonl"
    result = runner.invoke(main, ["--index-dir", str(small_index), "export", "-o", str(out)])
    assert result.exit_code == 1
    assert "pole „summary”" in result.output
    exported = [p.id for p in read_jsonl(out)]
    everything = [r["id"] for r in stored_records(small_index)]
    assert 0 < len(exported) < len(everything)
