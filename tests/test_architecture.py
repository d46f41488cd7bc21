"""The layout's promises: the engine never needs the web layer, the schema never needs storage."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import search_app.engine
from tests.conftest import ROOT

BLOCK_WEB = """
import importlib, importlib.abc, pkgutil, sys

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("flask", "werkzeug", "jinja2", "gunicorn"):
            raise ImportError(f"the engine imported {name}")

sys.meta_path.insert(0, Blocked())
import search_app.engine
for module in pkgutil.iter_modules(search_app.engine.__path__):
    importlib.import_module(f"search_app.engine.{module.name}")
import bdp.cli
print("ok")
"""


def test_the_engine_and_the_cli_import_no_flask_nor_werkzeug():
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_WEB], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_check_itself_catches_a_web_import():
    """The blocker above is not vacuous: importing the web layer under it fails."""
    script = BLOCK_WEB.replace("import bdp.cli", "import search_app.web")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert result.returncode != 0


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_documents_and_the_schema_do_not_import_storage():
    for name in ("documents.py", "schema.py"):
        imported = _imports(ROOT / "indexer" / name)
        assert not imported & {"indexer.store", "indexer.generations"}, name


def test_the_engine_takes_the_schema_from_the_schema_module():
    """Storage (indexer.store) is only for opening indexes, never for field names."""
    for module in pkgutil.iter_modules(search_app.engine.__path__):
        path = Path(search_app.engine.__path__[0]) / f"{module.name}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "indexer.store":
                names = {alias.name for alias in node.names}
                assert names <= {"open_index", "LiveIndex"}, (module.name, names)


def test_the_engine_never_imports_the_web_layer():
    for module in pkgutil.iter_modules(search_app.engine.__path__):
        path = Path(search_app.engine.__path__[0]) / f"{module.name}.py"
        assert not any(m.startswith("search_app.web") for m in _imports(path)), module.name
