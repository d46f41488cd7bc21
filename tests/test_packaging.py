"""Installing BDP Search prints no setuptools warnings and ships every template (issue #15)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

# What a build reads: the packages and the project files (not the venv, index or tests).
PROJECT = ("pyproject.toml", "README.md", "LICENSE", "bdp", "indexer", "search_app", "analyzers")


def build_wheel(source: Path, into: Path) -> tuple[str, Path | None]:
    """Build the project's wheel from a copy (the build writes beside its sources)."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(into), str(source)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return built.stdout + built.stderr, next(into.glob("bdp_search-*.whl"), None)


def test_the_package_builds_without_warnings_and_ships_its_templates(tmp_path):
    source = tmp_path / "src"
    for name in PROJECT:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            source.mkdir(exist_ok=True)
            shutil.copy(path, source / name)
    output, wheel = build_wheel(source, tmp_path / "dist")
    # pip's own notes about this machine's package indexes are not the project's.
    lines = [line for line in output.splitlines() if "Location 'file:" not in line]
    assert not [line for line in lines if "Warning" in line or "!!" in line], lines
    assert wheel is not None
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "search_app" / "web" / "templates").rglob("*.html"):
        assert template.relative_to(ROOT).as_posix() in names
