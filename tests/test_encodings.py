"""Source encodings: UTF-8 (BOM, CRLF), Windows-1250 and ISO-8859-2 detected; others rejected."""

from __future__ import annotations

import pytest

from indexer.bdp_page import parse_page
from indexer.encoding import decode_source
from indexer.errors import SourceError
from indexer.jsonl import read_jsonl
from tests.conftest import LODZ, SMALL_JSONL, ZORY

# Every Polish letter, including ą/ś/ź/Ą/Ś/Ź whose bytes differ between the two code pages.
PANGRAM = 'Zażółć gęślą jaźń. ĄĆĘŁŃÓŚŹŻ - "cytat"'


def _same_record(a, b) -> bool:
    return a.to_dict() | {"id": "", "source": ""} == b.to_dict() | {"id": "", "source": ""}


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
@pytest.mark.parametrize("seed", [ZORY, LODZ])
def test_legacy_polish_pages_read_like_utf8(tmp_path, encoding, seed):
    # ISO-8859-2 has no » or –; the site's pages in it used ASCII there.
    text = seed.read_text(encoding="utf-8").replace("»", ">>").replace("–", "-")
    utf8 = tmp_path / "utf8.txt"
    utf8.write_text(text, encoding="utf-8")
    legacy = tmp_path / f"{encoding}.txt"
    legacy.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    assert _same_record(parse_page(legacy), parse_page(utf8))


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
def test_each_code_page_is_told_apart(encoding):
    text, detected = decode_source(PANGRAM.encode(encoding), "x")
    assert detected == encoding
    assert "gęślą jaźń" in text and "ĄĆĘŁŃÓŚŹŻ" in text


def test_cp1250_typography_does_not_confuse_detection():
    text = "Sprawozdanie – „Żory” i Łódź… Ąść"
    assert decode_source(text.encode("cp1250"), "x") == (text, "cp1250")


def test_bom_is_dropped():
    assert decode_source("\ufeffŻory".encode(), "x") == ("Żory", "utf-8")


def test_utf8_with_a_broken_byte_names_the_line(tmp_path):
    data = "pierwsza\ndruga gęś\n".encode() + b"trzecia \xff\n" + "czwarta ąę\n".encode()
    with pytest.raises(SourceError) as error:
        decode_source(data, tmp_path / "zepsuty.txt")
    message = str(error.value)
    assert "zepsuty.txt" in message and "0xFF" in message and ":3" in message


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(128, 256)),  # every high byte: no code page reads it as Polish
        b"\x00\x81\x83\x88\x90\x98\xff" * 10,  # binary
        "Привет мир".encode("koi8-r"),
    ],
)
def test_other_encodings_are_rejected_clearly(data):
    with pytest.raises(SourceError, match="plik.bin: nie rozpoznano kodowania"):
        decode_source(data, "plik.bin")


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
def test_legacy_jsonl_is_read(tmp_path, encoding):
    text = SMALL_JSONL.read_text(encoding="utf-8").replace("—", "-").replace("–", "-")
    utf8 = tmp_path / "utf8.jsonl"
    utf8.write_text(text, encoding="utf-8")
    legacy = tmp_path / "legacy.jsonl"
    legacy.write_bytes(text.encode(encoding))
    assert list(read_jsonl(legacy)) == list(read_jsonl(utf8))


def test_jsonl_with_bom_and_crlf(tmp_path):
    text = SMALL_JSONL.read_text(encoding="utf-8")
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert list(read_jsonl(path)) == list(read_jsonl(SMALL_JSONL))


def test_broken_jsonl_file_is_one_clear_error(tmp_path):
    path = tmp_path / "zly.jsonl"
    path.write_bytes(SMALL_JSONL.read_bytes() + b'{"id": "x", "title": "\xc3\x28"}\n')
    items = list(read_jsonl(path))
    assert len(items) == 1 and isinstance(items[0], SourceError)
    assert "zly.jsonl:5" in str(items[0]) and "UTF-8" in str(items[0])
