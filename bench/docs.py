"""Writing a benchmark's generated section into docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(section: str, begin: str, end: str, path: Path = DOCS) -> None:
    """Replace the section between the ``begin``/``end`` markers (or add it before
    "## Notes"), so a run rewrites only its own figures."""
    text = path.read_text(encoding="utf-8")
    block = f"{begin}\n{section.rstrip()}\n{end}"
    if begin in text and end in text:
        start = text.index(begin)
        stop = text.index(end, start) + len(end)
        text = text[:start] + block + text[stop:]
    elif "\n## Notes\n" in text:
        head, tail = text.split("\n## Notes\n", 1)
        text = f"{head}\n{block}\n\n## Notes\n{tail}"
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
