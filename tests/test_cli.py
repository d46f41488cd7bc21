"""The ``bdp`` command through click's CliRunner."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import pytest

from bdp.cli import main
from indexer.jsonl import read_jsonl
from indexer.sources import read_sources
from indexer.store import stored_records
from search_app.engine.search import SORTS
from tests.conftest import ROOT, SEEDS, SMALL_JSONL, ZORY


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


# --- click's own messages in Polish (issue #15) ---

ENGLISH_VALUE_NAMES = {"DIRECTORY", "FILE", "FILENAME", "PATH", "TEXT", "INTEGER", "FLOAT"}
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Error:", "Try '")


def command_paths(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every group and command of ``bdp``, as the words that name it."""
    paths = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths += command_paths(command, (*path, name))
        else:
            paths.append((*path, name))
    return paths


@pytest.mark.parametrize("path", command_paths(main), ids=lambda path: " ".join(path) or "bdp")
def test_help_is_polish(runner, path):
    result = runner.invoke(main, [*path, "--help"], prog_name="bdp")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Użycie: {' '.join(('bdp', *path))} [OPCJE]")
    assert "Opcje:" in result.output
    assert "-h, --help" in result.output and "Pokaż tę pomoc i zakończ." in result.output
    for english in (*ENGLISH, "[default:", "env var:", "[OPTIONS]", "COMMAND [ARGS]"):
        assert english not in result.output
    # click's value names ("--index-dir DIRECTORY", "--output FILENAME") are English words.
    value_names = set(re.findall(r"\b[A-Z]{3,}\b", result.output))
    assert not value_names & ENGLISH_VALUE_NAMES, value_names


def test_group_help_lists_polecenia(runner):
    result = runner.invoke(main, ["-h"], prog_name="bdp")
    assert "Polecenia:" in result.output and "search" in result.output
    assert "[zmienna środowiskowa: BDP_INDEX_DIR; domyślnie: index]" in " ".join(
        result.output.split()
    )


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["nope"], "Nie ma polecenia „nope”.", "bdp --help"),
        (["index", "nope"], "Nie ma polecenia „nope”.", "bdp index --help"),
        (["index", "add"], "Brak argumentu „PLIKI...”.", "bdp index add --help"),
        (["eval"], "Brak opcji „--corpus”.", "bdp eval --help"),
        (
            ["search", "x", "--limit", "abc"],
            "Nieprawidłowa wartość opcji „--limit”: „abc” nie jest liczbą całkowitą.",
            "bdp search --help",
        ),
        (
            ["search", "x", "--limit", "0"],
            "Nieprawidłowa wartość opcji „--limit”: „0” jest poza zakresem: "
            "wartość musi być co najmniej 1 i co najwyżej 100.",
            "bdp search --help",
        ),
        (
            ["serve", "--port", "http"],
            "Nieprawidłowa wartość opcji „--port”: „http” nie jest liczbą całkowitą.",
            "bdp serve --help",
        ),
        (
            ["index", "build", "--wait", "-1"],
            "Nieprawidłowa wartość opcji „--wait”: „-1” jest poza zakresem: "
            "wartość musi być co najmniej 0.",
            "bdp index build --help",
        ),
        (
            ["search", "x", "--sort", "x"],
            f"Nieprawidłowa wartość opcji „--sort”: „x” nie jest jedną z: {', '.join(SORTS)}",
            "bdp search --help",
        ),
        (["search", "x", "--bogus"], "Nie ma opcji „--bogus”.", "bdp search --help"),
        (["--bogus"], "Nie ma opcji „--bogus”.", "bdp --help"),
        (["search", "x", "--limit"], "Opcja „--limit” wymaga wartości.", "bdp search --help"),
        (["search", "--json=1"], "Opcja „--json” nie przyjmuje wartości.", "bdp search --help"),
    ],
)
def test_usage_errors_are_polish(runner, tmp_path, args, message, hint):
    result = runner.invoke(main, ["--index-dir", str(tmp_path / "ix"), *args], prog_name="bdp")
    assert result.exit_code == 2, result.output
    assert f"Pomoc: {hint}\n" in result.output
    assert f"Błąd: {message}\n" in result.output
    assert result.output.startswith("Użycie: bdp")
    for english in ENGLISH:
        assert english not in result.output


def test_without_standalone_mode_click_errors_still_propagate():
    with pytest.raises(click.exceptions.NoSuchCommand):
        main.main(["nope"], prog_name="bdp", standalone_mode=False)


def test_export_into_a_reader_that_stops_early_exits_0_quietly(tmp_path):
    """``bdp export | head -1``: far more than a pipe holds, so the writer must meet EPIPE."""
    big = tmp_path / "duzo.jsonl"
    with big.open("w", encoding="utf-8") as out:
        for number in range(3000):
            record = {"id": f"p{number}", "title": f"Praktyka {number}", "body": "Treść. " * 60}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    assert big.stat().st_size > 1_000_000  # well over a pipe's buffer (64 KiB on Linux)
    with subprocess.Popen(
        [sys.executable, "-m", "bdp", "export", str(big)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # as head does after its line
        stderr = process.stderr.read().decode("utf-8", "replace")
        assert process.wait(timeout=60) == 0, stderr
    assert json.loads(first)["id"] == "p0"
    assert "Traceback" not in stderr and "Error" not in stderr and "Błąd" not in stderr
