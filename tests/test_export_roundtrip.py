"""A lossless export: whatever text a practice holds comes back exactly after export and build."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from indexer.build import build_index
from indexer.jsonl import practice_from_dict, read_jsonl, read_jsonl_numbered, write_jsonl
from indexer.records import Practice
from indexer.sources import read_sources
from indexer.store import stored_records

# Every character str.splitlines() breaks a line at.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def test_splitlines_breaks_at_exactly_these():
    assert [c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) > 1] == sorted(
        LINE_BREAKS
    )


def test_export_escapes_every_line_break_so_a_line_is_a_practice():
    practice = Practice(
        id="p", title=f"Tytuł{LINE_BREAKS}", body=LINE_BREAKS, extra={"k": "\u2028"}
    )
    out = io.StringIO()
    write_jsonl([practice], out)
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1
    assert len(text.splitlines()) == 1
    assert "\\u2028" in text and "\\u2029" in text and "\\u0085" in text
    assert json.loads(text) == practice.to_dict()
    assert "Tytuł" in text  # still UTF-8, not ASCII-escaped


def test_reader_splits_at_newline_only_and_counts_lines_so(tmp_path):
    raw_breaks = json.dumps({"id": "a", "title": "A\u2028B\x85C\u2029D"}, ensure_ascii=False)
    assert "\u2028" in raw_breaks  # written raw, as another tool might
    bad = json.dumps({"id": "b", "title": "B", "population": "dużo"})
    path = tmp_path / "p.jsonl"
    path.write_bytes((raw_breaks + "\r\n" + bad + "\r\n").encode("utf-8"))
    (line_a, a), (line_b, b) = read_jsonl_numbered(path)
    assert (line_a, a.title) == (1, "A\u2028B\x85C\u2029D")
    assert line_b == 2 and b.line == 2 and "p.jsonl:2" in str(b)


# Any text that UTF-8 can hold (no lone surrogates: the reader rejects them),
# line breaks drawn more often than their share of Unicode.
ANY_TEXT_WITH_BREAKS = st.text(
    st.characters(codec="utf-8") | st.sampled_from(LINE_BREAKS), max_size=60
)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | ANY_TEXT_WITH_BREAKS
)
EXTRA = st.dictionaries(
    ANY_TEXT_WITH_BREAKS,
    st.recursive(
        JSON_SCALARS,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(ANY_TEXT_WITH_BREAKS, children, max_size=3)
        ),
        max_leaves=6,
    ),
    max_size=3,
)


@st.composite
def practices(draw) -> list[Practice]:
    """A few practices with arbitrary text; titles are kept unstripped by framing them."""
    count = draw(st.integers(1, 4))
    return [
        Practice(
            id=f"p{number}",
            title=f"[{draw(ANY_TEXT_WITH_BREAKS)}]",
            summary=draw(ANY_TEXT_WITH_BREAKS),
            body=draw(ANY_TEXT_WITH_BREAKS),
            town=draw(ANY_TEXT_WITH_BREAKS) or None,
            contacts=tuple(draw(st.lists(ANY_TEXT_WITH_BREAKS, max_size=2))),
            extra=draw(EXTRA),
        )
        for number in range(count)
    ]


def _export_and_read(items: list[Practice], directory: Path) -> list[Practice]:
    path = directory / "eksport.jsonl"
    with path.open("w", encoding="utf-8", newline="") as handle:
        assert write_jsonl(items, handle) == len(items)
    report = read_sources([path])
    assert report.errors == []
    return report.practices


@given(practices())
def test_export_then_read_is_exact(items):
    with tempfile.TemporaryDirectory() as directory:
        assert _export_and_read(items, Path(directory)) == items


@given(practices())
def test_export_then_build_then_stored_records_is_exact(items):
    with tempfile.TemporaryDirectory() as directory:
        again = _export_and_read(items, Path(directory))
        build_index(again, Path(directory) / "index")
        stored = stored_records(Path(directory) / "index")
    assert stored == sorted((p.to_dict() for p in items), key=lambda r: r["id"])


def test_an_exported_index_rebuilds_to_the_same_records(tmp_path):
    """The reported fault: rebuilding from an export kept 1 of 4 practices."""
    items = [
        Practice(id=f"p{n}", title=f"Praktyka {n}", body=f"akapit\u2028{c}dalej")
        for n, c in enumerate(["\u2029", "\x85", "\x1c", "\x0b"])
    ]
    build_index(items, tmp_path / "a")
    out = tmp_path / "eksport.jsonl"
    with out.open("w", encoding="utf-8") as handle:  # as `bdp export` does
        exported = [practice_from_dict(r, "indeks", None) for r in stored_records(tmp_path / "a")]
        write_jsonl(exported, handle)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    build_index(list(read_jsonl(out)), tmp_path / "b")
    assert stored_records(tmp_path / "b") == stored_records(tmp_path / "a")
