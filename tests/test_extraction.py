"""Attachment text extraction: every format, every way a file can be bad, the limits and the cache.

Every fixture is made here at test time (fpdf2, Pillow, python-docx, odfpy, raw RTF
and text bytes), except one: a real Word 97 file cannot be made without Word or
LibreOffice, so ``tests/fixtures/uchwala.doc`` (14 kB, invented text) was converted
once with LibreOffice 7.4 (``soffice --headless --convert-to doc:"MS Word 97"``) and
is committed; tests never need LibreOffice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from bench.faults import alive
from indexer.errors import LimitSettingError
from indexer.extraction import (
    EXTRACTORS,
    SUPPORTED_SUFFIXES,
    Extraction,
    ExtractionCache,
    ExtractionError,
    ExtractionLimits,
    detect_kind,
    extract_file,
    extract_many,
    file_sha256,
    formats,
    pool,
)
from indexer.extraction.tools import run_tool, time_limit
from tests.conftest import ROOT

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
POLISH = "Zażółć gęślą jaźń — ZAŻÓŁĆ GĘŚLĄ JAŹŃ"
FAST = ExtractionLimits(seconds=30)


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    """The defaults, whatever the developer's shell sets."""
    for name in (
        "BDP_MAX_ATTACHMENT_BYTES",
        "BDP_MAX_EXTRACTION_SECONDS",
        "BDP_MAX_EXTRACTION_MEMORY_MB",
    ):
        monkeypatch.delenv(name, raising=False)


# --- fixtures made at test time ---------------------------------------------------


def make_pdf(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def make_scan(path: Path, lines: list[str]) -> Path:
    """A PDF holding only a picture of the text: no text layer at all."""
    font = ImageFont.truetype(FONT, 64)
    image = Image.new("L", (2400, 120 + 110 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((100, 60 + 110 * number), line, font=font, fill=0)
    image.save(path, "PDF", resolution=300)
    return path


def make_txt(path: Path, text: str = POLISH, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(size)
    return path


# --- formats ------------------------------------------------------------------------


def test_a_pdf_gives_one_text_per_page_in_order(tmp_path):
    pages = [f"Strona {n}: {POLISH}. Budżet obywatelski nr {n}." for n in (1, 2, 3)]
    result = extract_file(make_pdf(tmp_path / "trzy.pdf", pages))

    assert result.kind == "pdf" and not result.ocr
    assert len(result.pages) == 3
    for number, page in enumerate(result.pages, start=1):
        assert page.startswith(f"Strona {number}: ")
        assert POLISH in page
        assert f"nr {number}." in page
    assert result.text == "\n\n".join(result.pages)


def test_a_scanned_pdf_is_read_by_ocr_in_polish(tmp_path):
    scan = make_scan(tmp_path / "skan.pdf", ["Termomodernizacja szkół", "w gminie Żórawina"])
    assert PdfReader(scan).pages[0].extract_text().strip() == ""

    result = extract_file(scan)

    assert result.kind == "pdf" and result.ocr
    assert len(result.pages) == 1
    assert "termomodernizacja" in result.text.lower()
    assert "szkół" in result.text
    # The same in a worker, under its memory limit, which tesseract inherits.
    assert extract_many([scan], limits=FAST) == {scan: result}


def test_a_docx_gives_paragraphs_and_table_cells_in_order(tmp_path):
    document = docx.Document()
    document.add_heading("Rewitalizacja rynku", level=1)
    document.add_paragraph(POLISH)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Koszt"
    table.cell(0, 1).text = "120 000 zł"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Źródło: środki własne gminy"
    document.add_paragraph("Po tabeli.")
    path = tmp_path / "opis.docx"
    document.save(str(path))

    result = extract_file(path)

    assert result.kind == "docx" and not result.ocr
    assert result.pages == (
        f"Rewitalizacja rynku\n{POLISH}\nKoszt\n120 000 zł\nŹródło: środki własne gminy\n"
        "Po tabeli.",
    )


def test_an_odt_gives_headings_and_paragraphs_in_order(tmp_path):
    document = OpenDocumentText()
    document.text.addElement(odf_text.H(outlinelevel=1, text="Łódzkie podwórka"))
    document.text.addElement(odf_text.P(text=POLISH))
    listing = odf_text.List()
    item = odf_text.ListItem()
    item.addElement(odf_text.P(text="Punkt listy: ławki i zieleń"))
    listing.addElement(item)
    document.text.addElement(listing)
    document.text.addElement(odf_text.H(outlinelevel=2, text="Efekty"))
    path = tmp_path / "opis.odt"
    document.save(str(path))

    result = extract_file(path)

    assert result.kind == "odt"
    assert result.pages == (f"Łódzkie podwórka\n{POLISH}\nPunkt listy: ławki i zieleń\nEfekty",)


RTF = (
    rb"{\rtf1\ansi\ansicpg1250\deff0{\fonttbl{\f0\fswiss Arial;}}"
    rb"\f0\fs24 Za\'bf\'f3\'b3\'e6 g\'ea\'9cl\'b9 ja\'9f\'f1\par"
    rb"\u321?\u243?d\u378? i \u379?ory\par"
    rb"{\b Pogrubione}\tab koniec\par}"
)


def test_an_rtf_decodes_code_page_and_unicode_escapes(tmp_path):
    path = tmp_path / "pismo.rtf"
    path.write_bytes(RTF)

    result = extract_file(path)

    assert result.kind == "rtf"
    assert result.pages == ("Zażółć gęślą jaźń\nŁódź i Żory\nPogrubione koniec",)


def test_a_word_97_doc_is_read_by_antiword_with_its_polish_letters():
    path = Path(__file__).parent / "fixtures" / "uchwala.doc"

    result = extract_file(path)

    assert result.kind == "doc" and not result.ocr
    assert result.pages[0].startswith("Uchwała nr XII/88/2011 Rady Gminy Przykładowo")
    assert "Klucze do świetlicy wydaje sołtys po wpłacie kaucji" in result.text


def test_a_doc_that_is_really_rtf_is_read_as_rtf(tmp_path):
    path = tmp_path / "stary.doc"
    path.write_bytes(RTF)

    assert detect_kind(path) == "rtf"
    assert extract_file(path).pages[0].startswith("Zażółć gęślą jaźń")


def test_a_txt_in_windows_1250_is_decoded(tmp_path):
    path = make_txt(tmp_path / "notatka.txt", f"{POLISH}\r\n\r\n\r\n\fDruga\tczęść", "cp1250")

    result = extract_file(path)

    assert result.kind == "txt"
    assert result.pages == (f"{POLISH}\n\nDruga część",)


def test_a_txt_in_no_known_encoding_is_an_error(tmp_path):
    path = tmp_path / "binarny.txt"
    path.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(ExtractionError, match="nie rozpoznano kodowania"):
        extract_file(path)


def test_a_doc_without_antiword_names_the_debian_package(tmp_path, monkeypatch):
    path = tmp_path / "stary.doc"
    path.write_bytes(formats.OLE_MAGIC + bytes(1024))
    monkeypatch.setenv("PATH", str(tmp_path / "nic"))

    with pytest.raises(ExtractionError) as caught:
        extract_file(path)
    assert caught.value.reason == (
        "brak programu antiword — zainstaluj pakiet Debiana antiword "
        "(bash scripts/system_packages.sh)"
    )


def test_a_doc_antiword_rejects_is_an_error(tmp_path):
    path = tmp_path / "stary.doc"
    path.write_bytes(formats.OLE_MAGIC + bytes(4096))

    with pytest.raises(ExtractionError) as caught:
        extract_file(path)
    assert caught.value.reason.startswith("plik DOC jest uszkodzony")
    assert "antiword" in caught.value.reason


def test_ocr_without_tesseract_names_the_debian_packages(tmp_path, monkeypatch):
    scan = make_scan(tmp_path / "skan.pdf", ["Termomodernizacja"])
    monkeypatch.setenv("PATH", str(tmp_path / "nic"))

    with pytest.raises(ExtractionError) as caught:
        extract_file(scan)
    assert "tesseract-ocr i tesseract-ocr-pol" in caught.value.reason


def test_ocr_without_polish_data_names_the_debian_package(tmp_path, monkeypatch):
    scan = make_scan(tmp_path / "skan.pdf", ["Termomodernizacja"])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "tesseract"
    fake.write_text('#!/bin/sh\necho "List of available languages (2):"\necho eng\necho osd\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))

    with pytest.raises(ExtractionError) as caught:
        extract_file(scan)
    assert "pakiet Debiana tesseract-ocr-pol" in caught.value.reason


# --- bad files ----------------------------------------------------------------------


def test_a_truncated_pdf_is_corrupt(tmp_path):
    whole = make_pdf(tmp_path / "caly.pdf", [POLISH] * 3).read_bytes()
    path = tmp_path / "uciety.pdf"
    path.write_bytes(whole[:300])

    with pytest.raises(ExtractionError) as caught:
        extract_file(path)
    assert caught.value.reason == "plik PDF jest uszkodzony"


def test_a_password_protected_pdf_is_refused(tmp_path):
    writer = PdfWriter(clone_from=make_pdf(tmp_path / "jawny.pdf", [POLISH]))
    writer.encrypt("tajne")
    path = tmp_path / "tajny.pdf"
    writer.write(path)

    with pytest.raises(ExtractionError) as caught:
        extract_file(path)
    assert caught.value.reason == "plik PDF jest zaszyfrowany (chroniony hasłem)"


def test_a_pdf_encrypted_with_an_empty_password_is_read(tmp_path):
    """Offices "protect" PDFs against printing: anyone may open them, and so do we."""
    writer = PdfWriter(clone_from=make_pdf(tmp_path / "jawny.pdf", [POLISH]))
    writer.encrypt(user_password="", owner_password="urzad", algorithm="AES-256")
    path = tmp_path / "chroniony.pdf"
    writer.write(path)

    assert extract_file(path).pages == (POLISH,)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = write_sparse(tmp_path / "wielki.pdf", 60 * 1024 * 1024)

    with pytest.raises(ExtractionError) as caught:
        extract_file(path)
    assert caught.value.reason == "plik ma 62 914 560 bajtów, dopuszczalne najwyżej 52 428 800"

    (outcome,) = extract_many([path]).values()
    assert isinstance(outcome, ExtractionError)
    assert outcome.reason == caught.value.reason


def test_the_size_limit_follows_the_environment(tmp_path, monkeypatch):
    path = make_txt(tmp_path / "a.txt")
    monkeypatch.setenv("BDP_MAX_ATTACHMENT_BYTES", "10")
    with pytest.raises(ExtractionError, match="dopuszczalne najwyżej 10$"):
        extract_file(path)


def test_unknown_and_mismatched_files(tmp_path):
    unknown = make_txt(tmp_path / "dane.xyz")
    no_suffix = make_txt(tmp_path / "README")
    fake_pdf = make_txt(tmp_path / "udaje.pdf")
    fake_docx = make_txt(tmp_path / "udaje.docx")

    for path, reason in [
        (unknown, "nieznany typ pliku (.xyz)"),
        (no_suffix, "nieznany typ pliku (bez rozszerzenia)"),
        (fake_pdf, "zawartość pliku nie odpowiada rozszerzeniu .pdf"),
        (fake_docx, "zawartość pliku nie odpowiada rozszerzeniu .docx"),
    ]:
        assert detect_kind(path) is None
        with pytest.raises(ExtractionError) as caught:
            extract_file(path)
        assert caught.value.reason == reason


def test_a_zip_that_is_no_document_is_corrupt(tmp_path):
    path = tmp_path / "archiwum.odt"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ExtractionError, match="^plik ODT jest uszkodzony$"):
        extract_file(path)


def test_detect_kind_by_suffix_and_signature(tmp_path):
    assert SUPPORTED_SUFFIXES == (".pdf", ".docx", ".odt", ".rtf", ".doc", ".txt")
    assert detect_kind(make_pdf(tmp_path / "A.PDF", ["x"])) == "pdf"
    assert detect_kind(make_txt(tmp_path / "a.txt")) == "txt"
    assert detect_kind(tmp_path / "brak.pdf") is None


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(ExtractionError, match="plik nie istnieje"):
        extract_file(tmp_path / "brak.pdf")


# --- limits -------------------------------------------------------------------------


def test_limits_come_from_the_environment():
    assert ExtractionLimits.from_env({}) == ExtractionLimits(50 * 1024 * 1024, 60.0, 1024)
    assert ExtractionLimits.from_env(
        {
            "BDP_MAX_ATTACHMENT_BYTES": "1_000",
            "BDP_MAX_EXTRACTION_SECONDS": "2,5",
            "BDP_MAX_EXTRACTION_MEMORY_MB": " 512 ",
        }
    ) == ExtractionLimits(1000, 2.5, 512)


@pytest.mark.parametrize(
    "name, raw",
    [
        ("BDP_MAX_ATTACHMENT_BYTES", "dużo"),
        ("BDP_MAX_ATTACHMENT_BYTES", "-5"),
        ("BDP_MAX_EXTRACTION_SECONDS", "0"),
        ("BDP_MAX_EXTRACTION_SECONDS", "nan"),
        ("BDP_MAX_EXTRACTION_MEMORY_MB", "1.5"),
    ],
)
def test_a_bad_limit_setting_is_refused_in_polish(name, raw):
    with pytest.raises(LimitSettingError, match=f"^{name}: oczekiwano dodatniej liczby"):
        ExtractionLimits.from_env({name: raw})


def test_a_program_past_its_time_is_killed_with_its_children(tmp_path):
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with time_limit(0.5), pytest.raises(ExtractionError) as caught:
        run_tool(["sh", "-c", f"sleep 30 & echo $! > {pid_file}; wait"])

    assert caught.value.reason == "przekroczono limit czasu 0,5 s"
    assert time.monotonic() - started < 5
    assert not alive(int(pid_file.read_text()))


# --- many files in workers ----------------------------------------------------------


def hang(path: Path) -> Extraction:
    """The hanging extractor: the one sleep the suite allows."""
    time.sleep(60)
    raise AssertionError("not stopped in time")


def test_a_hanging_extraction_hits_the_time_limit_and_the_rest_go_on(tmp_path, monkeypatch):
    slow = make_txt(tmp_path / "wolny.txt")
    fine = make_pdf(tmp_path / "dobry.pdf", [POLISH])
    monkeypatch.setitem(EXTRACTORS, "txt", hang)

    started = time.monotonic()
    outcomes = extract_many([slow, fine], limits=ExtractionLimits(seconds=1))

    assert time.monotonic() - started < 10
    assert isinstance(outcomes[slow], ExtractionError)
    assert outcomes[slow].reason == "przekroczono limit czasu 1 s"
    assert outcomes[fine] == Extraction("pdf", (POLISH,), False)


def test_a_killed_worker_fails_only_its_file(tmp_path, monkeypatch):
    files = [make_txt(tmp_path / f"{name}.txt", f"{name}: {POLISH}") for name in "abc"]
    victim = files[1]

    def dies_on_b(path: Path) -> Extraction:
        if path == victim:
            os.kill(os.getpid(), signal.SIGKILL)
        return formats.extract_txt(path)

    monkeypatch.setitem(EXTRACTORS, "txt", dies_on_b)
    outcomes = extract_many(files, limits=FAST, procs=2)

    assert list(outcomes) == files
    assert isinstance(outcomes[victim], ExtractionError)
    assert "SIGKILL" in outcomes[victim].reason
    for path in (files[0], files[2]):
        assert outcomes[path] == Extraction("txt", (f"{path.stem}: {POLISH}",))


def test_a_runaway_allocation_hits_the_memory_limit(tmp_path, monkeypatch):
    path = make_txt(tmp_path / "a.txt")

    def greedy(path: Path) -> Extraction:
        bytearray(4 * 1024**3)
        raise AssertionError("allocated past the limit")

    monkeypatch.setitem(EXTRACTORS, "txt", greedy)
    (outcome,) = extract_many([path], limits=ExtractionLimits(memory_mb=256)).values()

    assert isinstance(outcome, ExtractionError)
    assert outcome.reason == "przekroczono limit pamięci"


def test_a_bug_in_an_extractor_fails_only_its_file(tmp_path, monkeypatch):
    path = make_txt(tmp_path / "a.txt")

    def buggy(path: Path) -> Extraction:
        raise KeyError("brak")

    monkeypatch.setitem(EXTRACTORS, "txt", buggy)
    (outcome,) = extract_many([path], limits=FAST).values()
    assert isinstance(outcome, ExtractionError)
    assert outcome.reason == "nieoczekiwany błąd odczytu (KeyError: 'brak')"


@pytest.fixture()
def worker_starts(monkeypatch) -> list[Path]:
    """The file each worker started for, in order."""
    started: list[Path] = []
    real = pool._start_worker

    def counting(context, job, limits):
        started.append(job.paths[0])
        real(context, job, limits)

    monkeypatch.setattr(pool, "_start_worker", counting)
    return started


def mixed_files(tmp_path: Path) -> list[Path]:
    document = docx.Document()
    document.add_paragraph(POLISH)
    document.save(str(tmp_path / "c.docx"))
    return [
        make_pdf(tmp_path / "a.pdf", ["Pierwsza", "Druga"]),
        make_txt(tmp_path / "b.txt"),
        tmp_path / "c.docx",
        make_txt(tmp_path / "zly.xyz"),
    ]


def test_a_second_run_answers_from_the_cache_without_a_worker(tmp_path, monkeypatch, worker_starts):
    files = mixed_files(tmp_path)
    cache = ExtractionCache(tmp_path / "cache")
    done: list[Path] = []

    first = extract_many(files, cache=cache, limits=FAST, on_done=lambda p, _o: done.append(p))

    assert sorted(done) == sorted(files)
    assert sorted(worker_starts) == sorted(files[:3])  # the unknown type needs no worker
    assert first[files[0]] == Extraction("pdf", ("Pierwsza", "Druga"))
    assert isinstance(first[files[3]], ExtractionError)

    worker_starts.clear()
    for kind in EXTRACTORS:
        monkeypatch.setitem(EXTRACTORS, kind, hang)
    second = extract_many(files, cache=cache, limits=ExtractionLimits(seconds=1))

    assert worker_starts == []
    assert {p: o for p, o in second.items() if isinstance(o, Extraction)} == {
        p: o for p, o in first.items() if isinstance(o, Extraction)
    }
    assert second[files[3]].reason == first[files[3]].reason  # type: ignore[union-attr]


def test_a_corrupt_cache_entry_is_a_miss(tmp_path, worker_starts):
    path = make_txt(tmp_path / "a.txt")
    cache = ExtractionCache(tmp_path / "cache")
    first = extract_many([path], cache=cache, limits=FAST)
    (entry,) = (tmp_path / "cache").glob("*.json")
    sha = file_sha256(path)
    assert cache.get(sha) == first[path]

    for junk in ("{nie json", json.dumps({"sha256": sha, "version": 1, "extraction": {}}), ""):
        entry.write_text(junk, encoding="utf-8")
        assert cache.get(sha) is None
    entry.write_bytes(b"\xff\xfe")
    assert cache.get(sha) is None

    again = extract_many([path], cache=cache, limits=FAST)
    assert again == first
    assert len(worker_starts) == 2
    assert cache.get(sha) == first[path]


def test_only_successes_are_cached_and_writes_leave_no_temporary_files(tmp_path):
    good, bad = make_txt(tmp_path / "a.txt"), tmp_path / "b.pdf"
    bad.write_bytes(b"%PDF-1.4\nnic tu nie ma")
    cache = ExtractionCache(tmp_path / "cache")

    extract_many([good, bad], cache=cache, limits=FAST)

    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"{file_sha256(good)}-v1.json"]
    assert cache.get(file_sha256(bad)) is None
    assert cache.get("../../etc/passwd") is None


def test_identical_files_are_extracted_once(tmp_path, worker_starts):
    files = [make_txt(tmp_path / f"kopia{n}.txt") for n in range(3)]

    outcomes = extract_many(files, limits=FAST)

    assert len(worker_starts) == 1
    assert set(outcomes) == set(files)
    assert all(outcome == Extraction("txt", (POLISH,)) for outcome in outcomes.values())


def test_an_extraction_round_trips_through_a_dict():
    extraction = Extraction("pdf", ("jeden", "dwa"), True)
    assert Extraction.from_dict(extraction.to_dict()) == extraction
    assert Extraction.from_dict(json.loads(json.dumps(extraction.to_dict()))) == extraction
    for junk in ({}, {"kind": "exe", "pages": [], "ocr": False}, {"kind": "pdf", "pages": [1]}):
        with pytest.raises(ValueError):
            Extraction.from_dict(junk)


KILLED_PARENT = """
import os, sys
from pathlib import Path
from indexer.extraction import EXTRACTORS, ExtractionLimits, extract_many
from indexer.extraction.tools import run_tool

def hang(path):
    Path(sys.argv[2]).write_text(str(os.getpid()))
    run_tool(["sh", "-c", "echo $$ > " + sys.argv[3] + "; exec sleep 60"])

EXTRACTORS["txt"] = hang
extract_many([Path(sys.argv[1])], limits=ExtractionLimits(seconds=60))
"""


def wait_for(condition, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_killing_the_parent_leaves_no_worker_nor_program(tmp_path):
    worker_pid, tool_pid = tmp_path / "worker", tmp_path / "tool"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_PARENT,
            str(make_txt(tmp_path / "a.txt")),
            str(worker_pid),
            str(tool_pid),
        ],
        cwd=ROOT,
    )
    try:
        assert wait_for(lambda: tool_pid.exists() and tool_pid.read_text().strip() != "")
        pids = [int(worker_pid.read_text()), int(tool_pid.read_text())]
        assert all(alive(pid) for pid in pids)
    finally:
        parent.kill()
        parent.wait()

    assert wait_for(lambda: not any(alive(pid) for pid in pids))
