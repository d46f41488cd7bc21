"""The one generation transaction (build and update alike) killed in each of its phases.

Whatever phase a writer dies in, readers see either the whole previous index or the
whole new one, the lock is free at once, and the next writer leaves only published
generations behind.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bdp.cli import main
from indexer.generations import GENERATION_PREFIX, current_generation
from indexer.store import stored_records
from tests.conftest import ROOT, SEEDS

# Runs one write in a child that SIGKILLs itself at the phase named by argv[3]:
# created (the new generation exists, nothing written), written (before the flush and the
# switch), switched (CURRENT replaced, before pruning).
DIE_IN_PHASE = """
import os, signal, sys
import indexer.generations as generations

index_dir, command, phase = sys.argv[1], sys.argv[2], sys.argv[3]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def after(function, calls_to_skip=0):
    seen = []
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        seen.append(1)
        if len(seen) > calls_to_skip:
            die()
        return result
    return wrapper

if phase == "created":
    generations.create_generation = after(generations.create_generation)
    generations.clone_generation = after(generations.clone_generation)
elif phase == "written":
    generations.sync_generation = lambda path: die()
elif phase == "switched":
    # the first call tidies up before the write; the second prunes after the switch
    generations.remove_old_generations = after(generations.remove_old_generations, 1)

from bdp.cli import main
main(["--index-dir", index_dir, "index", command, sys.argv[4]])
"""

PHASES = ["created", "written", "switched"]


def die_in_phase(index_dir: Path, command: str, phase: str, source: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-c", DIE_IN_PHASE, str(index_dir), command, phase, str(source)],
        cwd=ROOT,
        capture_output=True,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("command", ["build", "update"])
def test_a_writer_killed_in_any_phase_leaves_a_whole_index(runner, index_dir, command, phase):
    before = stored_records(index_dir)
    old = current_generation(index_dir)
    die_in_phase(index_dir, command, phase, SEEDS)

    after = stored_records(index_dir)
    if phase == "switched":  # the new generation was published whole
        assert current_generation(index_dir) != old
        expected = {"build": 2, "update": len(before) + 2}[command]
        assert len(after) == expected
    else:  # nothing was published
        assert current_generation(index_dir) == old and after == before

    again = runner.invoke(
        main,
        ["--index-dir", str(index_dir), "index", "update", str(SEEDS), "--wait", "0", "--json"],
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["recovered_lock_from"] is not None
    live = current_generation(index_dir)
    left = sorted(p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*"))
    assert live in left and len(left) <= 2
    assert all(name <= live for name in left)  # no unpublished generation survives
