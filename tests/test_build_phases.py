"""``bdp index build`` and ``update`` say each phase of a write as it starts, on stderr.

Reading the sources, reading attachments, indexing the practices, Whoosh's commit
(merging and writing the segments) and publishing the new generation: a long
build never sits silently under a bar at 100 % while the disk works. Standard
output keeps only the results (``--json`` stays clean JSON).
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bdp.cli import main
from indexer.build import build_index
from indexer.generations import (
    GENERATION_PREFIX,
    PHASE_COMMITTING,
    PHASE_PUBLISHING,
    PHASE_WRITING,
    current_generation,
)
from indexer.records import Practice
from indexer.sources import read_sources
from tests.conftest import ROOT

READING = "Czytanie źródeł…"
COMPARING = "Porównywanie źródeł z indeksem…"
COMMITTING = "Scalanie segmentów i zapis indeksu na dysk…"
PUBLISHING = "Publikowanie nowej wersji indeksu…"
TOC = re.compile(r"_MAIN_(\d+)\.toc")


def invoke(runner, index_dir: Path, *args: str):
    return runner.invoke(main, ["--index-dir", str(index_dir), *args], catch_exceptions=False)


def record(practice_id: str, title: str, *files: str) -> dict:
    return {
        "id": practice_id,
        "title": title,
        "summary": f"Opis praktyki {title}.",
        "attachments": [{"path": name} for name in files],
    }


@pytest.fixture()
def sources(tmp_path) -> Path:
    """Three practices in one JSON Lines file; two of them list three text attachments."""
    folder = tmp_path / "zrodla"
    folder.mkdir()
    for name, text in (
        ("uchwala.txt", "Uchwała o budżecie obywatelskim."),
        ("regulamin.txt", "Regulamin konkursu na zielone podwórka."),
        ("raport.txt", "Raport z konsultacji społecznych."),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    records = [
        record("p-1", "Budżet obywatelski", "uchwala.txt", "raport.txt"),
        record("p-2", "Zielone podwórka", "regulamin.txt"),
        record("p-3", "Rada seniorów"),
    ]
    return write_records(folder / "praktyki.jsonl", records)


def write_records(path: Path, records: list[dict]) -> Path:
    lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_build_says_each_phase_in_order_on_stderr(runner, tmp_path, sources):
    index_dir = tmp_path / "ix"
    result = invoke(runner, index_dir, "index", "build", str(sources))
    assert result.exit_code == 0, result.output
    # Off a terminal each progress bar shows its label once: every phase is one line.
    assert result.stderr.splitlines() == [
        READING,
        "Odczyt załączników: 3",
        "Indeksowanie praktyk: 3",
        COMMITTING,
        PUBLISHING,
    ]
    assert result.stdout == f"Zaindeksowano praktyk: 3 (plików źródłowych: 1) w {index_dir}.\n"


def test_the_commit_is_announced_after_the_last_practice_is_written(runner, tmp_path, sources):
    """With --verbose each written id goes to stdout: all of them come before the commit."""
    result = invoke(runner, tmp_path / "ix", "index", "build", "-v", str(sources))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()  # stdout and stderr as they were written
    writing = lines.index("Indeksowanie praktyk: 3")
    assert lines[writing + 1 : writing + 4] == ["p-1", "p-2", "p-3"]
    assert lines[writing + 4 : writing + 6] == [COMMITTING, PUBLISHING]


def newest_generation(index_dir: Path) -> Path:
    return max(index_dir.glob(f"{GENERATION_PREFIX}*"), key=lambda path: path.name)


def committed_tocs(generation: Path) -> int:
    """The highest table-of-contents number of a generation (0: nothing committed yet)."""
    found = (TOC.fullmatch(path.name) for path in generation.iterdir())
    return max(int(match.group(1)) for match in found if match)


@pytest.mark.parametrize("procs", [1, 2], ids=["one process", "two worker processes"])
def test_each_phase_starts_when_its_work_does(tmp_path, procs):
    """Committing: every practice added, nothing committed. Publishing: committed, not live."""
    practices = [
        Practice(id=f"p-{number:03}", title=f"Praktyka {number}", body="Gmina i powiat. " * 20)
        for number in range(60)
    ]
    index_dir = tmp_path / "ix"
    build_index(practices[:3], index_dir, procs=1)  # a live generation to replace
    live = current_generation(index_dir)
    written: list[str] = []
    seen: list[str] = []

    def on_phase(phase: str) -> None:
        seen.append(phase)
        new = newest_generation(index_dir)
        assert new.name != live
        if phase == PHASE_WRITING:
            assert written == []
        elif phase == PHASE_COMMITTING:
            assert len(written) == len(practices)
            assert committed_tocs(new) == 0  # Whoosh has not committed yet
        elif phase == PHASE_PUBLISHING:
            assert committed_tocs(new) >= 1
            assert current_generation(index_dir) == live  # the switch comes after

    count = build_index(
        practices,
        index_dir,
        on_progress=lambda practice: written.append(practice.id),
        procs=procs,
        on_phase=on_phase,
    )
    assert count == len(practices)
    assert seen == [PHASE_WRITING, PHASE_COMMITTING, PHASE_PUBLISHING]
    assert current_generation(index_dir) != live


def test_an_update_says_its_phases(runner, tmp_path, sources):
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(sources)).exit_code == 0
    (sources.parent / "regulamin.txt").write_text("Regulamin, wersja druga.", encoding="utf-8")

    changed = invoke(runner, index_dir, "index", "update", str(sources))
    assert changed.exit_code == 0, changed.output
    assert "zaktualizowano: 1" in changed.stdout
    assert changed.stderr.splitlines() == [
        READING,
        COMPARING,
        "Odczyt załączników: 1",
        "Indeksowanie praktyk: 1",
        COMMITTING,
        PUBLISHING,
    ]

    again = invoke(runner, index_dir, "index", "update", str(sources))
    assert "bez zmian: 3" in again.stdout
    assert again.stderr.splitlines() == [READING, COMPARING]  # nothing to write, nothing said


def test_update_json_read_by_a_script_is_the_json_alone(runner, tmp_path, sources):
    """Off a terminal, --json output is for a program: not a word besides the JSON."""
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(sources)).exit_code == 0
    (sources.parent / "regulamin.txt").write_text("Regulamin, wersja druga.", encoding="utf-8")
    result = invoke(runner, index_dir, "index", "update", "--json", str(sources))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["updated"] == ["p-2"]
    assert result.stderr == ""
    assert json.loads(result.output) == json.loads(result.stdout)  # even with 2>&1


def test_update_json_shows_the_phases_on_a_terminal_and_keeps_stdout_clean(tmp_path, sources):
    """``bdp index update --json > podsumowanie.json`` in a terminal: phases there, JSON here."""
    index_dir = tmp_path / "ix"
    build_index(read_sources([sources]).practices, index_dir)
    (sources.parent / "regulamin.txt").write_text("Regulamin, wersja druga.", encoding="utf-8")
    terminal, stderr = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bdp", "--index-dir", str(index_dir), "index", "update"]
        + ["--json", str(sources)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )
    os.close(stderr)
    shown: list[bytes] = []
    reader = threading.Thread(target=read_terminal, args=(terminal, shown), daemon=True)
    reader.start()
    stdout, _ = process.communicate(timeout=120)
    reader.join(timeout=30)
    os.close(terminal)
    assert process.returncode == 0
    assert json.loads(stdout)["updated"] == ["p-2"]
    screen = b"".join(shown).decode("utf-8")
    positions = [
        screen.index(text)
        for text in (READING, COMPARING, "Indeksowanie praktyk: 1", COMMITTING, PUBLISHING)
    ]
    assert positions == sorted(positions)
    assert "1/1" in screen  # a progress bar drawn on the terminal


def read_terminal(terminal: int, into: list[bytes]) -> None:
    """Everything written to a pseudo-terminal until its last writer closes it."""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # EIO: the other side is closed
            return
        if not chunk:
            return
        into.append(chunk)


def test_an_update_that_only_removes_says_so(runner, tmp_path, sources):
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(sources)).exit_code == 0
    kept = [line for line in sources.read_text(encoding="utf-8").splitlines() if "p-3" not in line]
    sources.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = invoke(runner, index_dir, "index", "update", "--prune", str(sources))
    assert result.exit_code == 0, result.output
    assert "Usunięte: p-3" in result.stdout
    assert result.stderr.splitlines() == [
        READING,
        COMPARING,
        "Usuwanie praktyk z indeksu…",
        COMMITTING,
        PUBLISHING,
    ]


@pytest.mark.parametrize("command", ["build", "update"])
def test_a_bad_setting_stops_before_any_phase(runner, tmp_path, sources, monkeypatch, command):
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(sources)).exit_code == 0
    monkeypatch.setenv("BDP_MAX_BODY_CHARS", "dużo")
    result = invoke(runner, index_dir, "index", command, str(sources))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Błąd: BDP_MAX_BODY_CHARS: oczekiwano dodatniej liczby całkowitej, jest 'dużo'"
    ]
    assert result.stdout == ""
