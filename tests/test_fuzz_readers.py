"""Hypothesis-mutated seed pages and JSONL lines: a valid record or a clear SourceError, always.

Whatever a reader accepts must also survive the round trip through the
canonical format and go into an index, so an editor's file never breaks a build.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from whoosh.filedb.filestore import RamStorage

from indexer.bdp_page import parse_page_text
from indexer.documents import practice_to_document
from indexer.encoding import decode_source
from indexer.errors import SourceError
from indexer.jsonl import practice_from_json
from indexer.records import FIELD_ORDER, Practice
from indexer.schema import build_schema
from tests.conftest import LODZ, SMALL_JSONL, ZORY

PAGE_PATH = Path("fuzz.txt")
JSONL_PATH = Path("fuzz.jsonl")

SEED_TEXTS = [ZORY.read_text(encoding="utf-8"), LODZ.read_text(encoding="utf-8")]
SEED_BYTES = [ZORY.read_bytes(), LODZ.read_bytes()]
JSONL_LINES = SMALL_JSONL.read_text(encoding="utf-8").splitlines()

# Lines that look like parts of a page, so mutations reach deep into the parser.
PAGE_PIECES = [
    "Metryka praktyki",
    ".: Skrót i Metryka -> Pełna prezentacja -> Załączniki :.",
    "Usługi społeczne : Pomoc społeczna",
    "Data wprowadzenia do BDP:  2012-06-04",
    "Data wprowadzenia do BDP:  2012-13-45",
    "Liczba mieszkańców:  60.444",
    "Liczba mieszkańców:  sześćdziesiąt",
    "Kod pocztowy i poczta:  44-240 Żory",
    "Kod pocztowy i poczta:  442-40",
    "Telefon:  32 434 24 12",
    "\u00a0 kontynuacja",
    " kontynuacja",
    "Pole bez wartości:",
    ":",
    "",
]
WEIRD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from("\x00\r\t:"), max_size=40
)


@st.composite
def mutated_page(draw) -> str:
    lines = draw(st.sampled_from(SEED_TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            lines = [""]
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "insert", "edit", "truncate"]))
        if operation == "delete":
            del lines[at : at + draw(st.integers(1, 5))]
        elif operation == "duplicate":
            lines.insert(at, lines[at])
        elif operation == "insert":
            lines.insert(at, draw(st.sampled_from(PAGE_PIECES) | WEIRD_TEXT))
        elif operation == "edit":
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut] + draw(WEIRD_TEXT) + line[cut + draw(st.integers(0, 5)) :]
        else:
            lines = lines[:at]
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@st.composite
def mutated_bytes(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = draw(st.binary(max_size=4))
    return bytes(data)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_json_line(draw) -> str:
    data = json.loads(draw(st.sampled_from(JSONL_LINES)))
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(["set", "delete", "add"]))
        if operation == "set":
            data[draw(st.sampled_from(FIELD_ORDER))] = draw(WEIRD_TEXT | JSON_VALUES)
        elif operation == "delete":
            data.pop(draw(st.sampled_from(FIELD_ORDER)), None)
        else:
            data[draw(st.text(max_size=8))] = draw(JSON_VALUES)
    line = json.dumps(data, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:  # and sometimes damage the text itself
        cut = draw(st.integers(0, len(line)))
        line = line[:cut] + draw(WEIRD_TEXT) + line[cut + draw(st.integers(0, 3)) :]
    return line


def assert_usable(practice: Practice) -> None:
    """What a reader accepts round-trips through JSONL and goes into an index."""
    assert practice_from_json(practice.to_json(), JSONL_PATH, 1) == practice
    practice.to_json().encode("utf-8")
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        writer.add_document(**practice_to_document(practice))
    assert ix.doc_count() == 1


def read_page(text: str) -> Practice | None:
    try:
        practice = parse_page_text(text, PAGE_PATH)
    except SourceError as error:
        assert str(error).startswith("fuzz.txt")
        event("source error")
        return None
    event("practice")
    return practice


@given(mutated_page())
def test_mutated_pages_give_a_practice_or_a_source_error(text):
    practice = read_page(text)
    if practice is not None:
        assert practice.id == "fuzz" and practice.title.strip()
        assert_usable(practice)


@given(mutated_bytes())
def test_mutated_page_bytes_give_a_practice_or_a_source_error(data):
    try:
        text, _encoding = decode_source(data, PAGE_PATH)
    except SourceError as error:
        assert "fuzz.txt" in str(error)
        return
    practice = read_page(text)
    if practice is not None:
        assert_usable(practice)


@given(mutated_json_line())
def test_mutated_jsonl_lines_give_a_practice_or_a_source_error(line):
    try:
        practice = practice_from_json(line, JSONL_PATH, 7)
    except SourceError as error:
        assert str(error).startswith("fuzz.jsonl:7")
        event("source error")
        return
    event("practice")
    assert_usable(practice)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_as_jsonl_line(line):
    try:
        assert_usable(practice_from_json(line, JSONL_PATH, 1))
    except SourceError:
        pass


@pytest.mark.parametrize(
    "line",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"id": "a", "title": ' + "[" * 50_000 + "]" * 50_000 + "}",
        '{"id": "a\\ud800", "title": "połówka pary"}',
        '{"id": "a", "title": "t", "population": 1e400}',
        '{"id": "a", "title": "t", "population": NaN}',
        '{"id": "a", "title": "t", "extra": {"x": Infinity}}',
        '{"id": "a", "title": "t", "date_added": "2012-02-30"}',
    ],
)
def test_hostile_jsonl_lines_are_source_errors(line):
    with pytest.raises(SourceError, match="fuzz.jsonl:3"):
        practice_from_json(line, JSONL_PATH, 3)
