"""A server worker does not load what only the indexer needs."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

# Attachment formats: ~30 MB and ~0.2 s per process, used only when files are extracted
# (in the indexer's extraction processes, never in a worker answering searches).
EXTRACTION_LIBRARIES = ("pypdf", "pypdfium2", "docx", "odf", "striprtf", "PIL")


def test_the_app_and_a_search_load_no_attachment_format_library(small_index):
    script = f"""
import sys
from search_app.web import create_app
client = create_app({{"INDEX_DIR": {str(small_index)!r}}}).test_client()
assert client.get("/?q=rodzina").status_code == 200
assert client.get("/api/suggest?q=rodz").status_code == 200
print(sorted(m for m in {EXTRACTION_LIBRARIES!r} if m in sys.modules))
"""
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"
