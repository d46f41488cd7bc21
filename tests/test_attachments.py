"""Attachments end to end: found beside their sources, read into the index, searched, updated.

Every file is made here at test time (the makers of tests/test_extraction.py and
the HTML page of tests/test_html_pages.py are reused); every index is a real one
built in ``tmp_path``, through the library or the ``bdp`` command as editors run it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from pypdf import PdfWriter

import indexer.attachments
from bdp.cli import main
from bench.faults import alive
from indexer.attachments import CACHE_FOLDER
from indexer.build import build_index
from indexer.extraction import EXTRACTORS, Extraction, pool
from indexer.generations import GENERATION_PREFIX, current_generation
from indexer.jsonl import read_jsonl
from indexer.lock import lock_holder
from indexer.records import Attachment
from indexer.sources import read_sources
from indexer.store import open_index, stored_records
from tests.conftest import ROOT, SEEDS, SMALL_JSONL, ZORY, run_search
from tests.test_extraction import make_pdf, make_scan, make_txt, write_sparse
from tests.test_html_pages import _page_html

# Read in Windows-1250 (\'xx) like the RTF files offices wrote: "źdźbło".
RTF = (
    rb"{\rtf1\ansi\ansicpg1250\deff0{\fonttbl{\f0\fswiss Arial;}}"
    rb"\f0\fs24 Wiatr porusza \'9fd\'9fb\'b3o trawy na skwerze.\par}"
)


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    """The default limits (50 MB, 60 s, 1 GB), whatever the developer's shell sets."""
    for name in (
        "BDP_MAX_ATTACHMENT_BYTES",
        "BDP_MAX_EXTRACTION_SECONDS",
        "BDP_MAX_EXTRACTION_MEMORY_MB",
    ):
        monkeypatch.delenv(name, raising=False)


# --- helpers ------------------------------------------------------------------------


def invoke(runner, index_dir: Path, *args: str):
    return runner.invoke(main, ["--index-dir", str(index_dir), *args], catch_exceptions=False)


def record(practice_id: str, title: str, summary: str, *files: str | dict) -> dict:
    """A JSON Lines practice listing ``files`` (a path, or {"path", "title"})."""
    listed = [{"path": f} if isinstance(f, str) else f for f in files]
    return {"id": practice_id, "title": title, "summary": summary, "attachments": listed}


def write_records(path: Path, records: list[dict]) -> Path:
    lines = (json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def found(index_dir: Path, query: str) -> list[str]:
    """The ids the engine returns for ``query``, in rank order (as /api/search does)."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            return [hit["id"] for hit in run_search(searcher, query).results]
    finally:
        ix.close()


def stored(index_dir: Path, practice_id: str) -> dict:
    """The stored fields of one indexed practice."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            document = searcher.document(id=practice_id)
    finally:
        ix.close()
    assert document is not None, practice_id
    return document


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_docx(path: Path, paragraph: str, cell: str) -> Path:
    document = docx.Document()
    document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Uwagi"
    table.cell(0, 1).text = cell
    document.save(str(path))
    return path


def make_odt(path: Path, heading: str, paragraph: str) -> Path:
    document = OpenDocumentText()
    document.text.addElement(odf_text.H(outlinelevel=1, text=heading))
    document.text.addElement(odf_text.P(text=paragraph))
    document.save(str(path))
    return path


def wait_for(condition: Callable[[], bool], within: float = 30.0) -> bool:
    """Poll ``condition`` until it holds or ``within`` seconds pass (no fixed sleeps)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# --- 1. every format through a build -------------------------------------------------

# Practice id -> (the file's name, the distinctive word only that file holds).
FORMATS = {
    "p-pdf": ("plan.pdf", "hulajnoga"),
    "p-docx": ("opis.docx", "pelargonia"),
    "p-odt": ("opis.odt", "szarlotka"),
    "p-rtf": ("pismo.rtf", "źdźbło"),
    "p-txt": ("notatka.txt", "jemioła"),
    "p-skan": ("skan.pdf", "termomodernizacja"),
    "p-doc": ("uchwala.doc", "świetlic"),
}
# A real Word 97 file (see tests/test_extraction.py's docstring for how it was made).
WORD_97 = Path(__file__).parent / "fixtures" / "uchwala.doc"


def every_format(folder: Path) -> Path:
    """One practice per format, each file holding its distinctive word; the JSON Lines file."""
    make_pdf(
        folder / "plan.pdf",
        [
            "Plan działań na rok 2012: spotkania z mieszkańcami.",
            "Strona druga: wypożyczalnia, w której stoi każda hulajnoga gminy.",
            "Strona trzecia: przy stawie gniazduje kormoran czarny.",
        ],
    )
    make_docx(folder / "opis.docx", "Ogród przy ośrodku kultury.", "Na rabacie rośnie pelargonia.")
    make_odt(folder / "opis.odt", "Kawiarenka seniora", "Co tydzień pieczona jest szarlotka.")
    (folder / "pismo.rtf").write_bytes(RTF)
    make_txt(folder / "notatka.txt", "Na starej lipie w parku rośnie jemioła.", "cp1250")
    make_scan(folder / "skan.pdf", ["Termomodernizacja szkół", "w gminie Żórawina"])
    shutil.copy(WORD_97, folder / "uchwala.doc")
    records = [
        record(pid, f"Praktyka z plikiem {name}", f"Załącznik praktyki {pid}.", name)
        for pid, (name, _word) in FORMATS.items()
    ]
    records.append(record("p-bez", "Praktyka bez plików", "Nic nie załączono."))
    return write_records(folder / "praktyki.jsonl", records)


def test_every_format_is_indexed_and_its_words_find_exactly_its_practice(runner, tmp_path):
    source = tmp_path / "zrodla"
    source.mkdir()
    jsonl = every_format(source)
    index_dir = tmp_path / "ix"

    built = invoke(runner, index_dir, "index", "build", str(jsonl))
    assert built.exit_code == 0, built.output
    assert "Zaindeksowano praktyk: 8" in built.output
    assert "Załącznik pominięty" not in built.output

    for practice_id, (_name, word) in FORMATS.items():
        assert found(index_dir, word) == [practice_id], word
    # A word on the last page of the PDF, and an inflected form of an OCR-read word.
    assert found(index_dir, "kormoran") == ["p-pdf"]
    assert found(index_dir, "szkoły") == ["p-skan"]
    # The command line finds them too.
    shown = invoke(runner, index_dir, "search", "pelargonia", "--json")
    assert [hit["id"] for hit in json.loads(shown.output)["results"]] == ["p-docx"]

    expected = {
        "p-pdf": ("pdf", 3, False),
        "p-docx": ("docx", None, False),
        "p-odt": ("odt", None, False),
        "p-rtf": ("rtf", None, False),
        "p-txt": ("txt", None, False),
        "p-skan": ("pdf", 1, True),
        "p-doc": ("doc", None, False),
    }
    for practice_id, (kind, pages, ocr) in expected.items():
        name = FORMATS[practice_id][0]
        document = stored(index_dir, practice_id)
        (meta,) = document["files"]
        assert meta["title"] == meta["path"] == name
        assert (meta["kind"], meta["pages"], meta["ocr"]) == (kind, pages, ocr), practice_id
        assert meta["sha256"] == sha256(source / name)
        assert meta["size"] == (source / name).stat().st_size
        assert meta["problem"] is None
        (text_pages,) = document["file_pages"]
        assert meta["chars"] == len("\n\n".join(text_pages)) > 0
    # The PDF's text is kept page by page, so a hit can name its page.
    (plan_pages,) = stored(index_dir, "p-pdf")["file_pages"]
    assert [("hulajnoga" in page, "kormoran" in page) for page in plan_pages] == [
        (False, False),
        (True, False),
        (False, True),
    ]
    assert stored(index_dir, "p-bez")["files"] == []


# --- 2. a sentence from an attachment ------------------------------------------------

SENTENCE = (
    "seniorzy z osiedla nauczyli się obsługi bankowości elektronicznej w bibliotece miejskiej"
)


def test_a_sentence_only_in_a_pdf_finds_its_practice_in_the_top_three(runner, tmp_path):
    source = tmp_path / "zrodla"
    source.mkdir()
    make_pdf(
        source / "sprawozdanie.pdf",
        [
            "Sprawozdanie z realizacji projektu w roku 2012.",
            f"Dzięki zajęciom {SENTENCE}. Zajęcia prowadzili wolontariusze.",
        ],
    )
    jsonl = write_records(
        source / "praktyki.jsonl",
        [
            record(
                "p-cyfrowi",
                "Cyfrowe kompetencje mieszkańców",
                "Cykl warsztatów komputerowych dla dorosłych.",
                {"path": "sprawozdanie.pdf", "title": "Sprawozdanie 2012"},
            )
        ],
    )
    index_dir = tmp_path / "ix"
    # Among the seed pages and the fixture practices (one of them about seniors).
    report = read_sources([SEEDS, SMALL_JSONL, jsonl])
    assert not report.errors and not report.problems
    build_index(report.practices, index_dir)
    assert SENTENCE not in json.dumps(stored_records(index_dir), ensure_ascii=False)

    shown = invoke(runner, index_dir, "search", SENTENCE)
    assert shown.exit_code == 0, shown.output
    listed = re.findall(r"^ {5}(\S+) · ", shown.stdout, flags=re.MULTILINE)
    assert "p-cyfrowi" in listed[:3], shown.output
    assert "znalezione w załączniku „Sprawozdanie 2012”, s. 2" in shown.stdout
    assert "p-cyfrowi" in found(index_dir, SENTENCE)[:3]


# --- 3. a saved page with its folder -------------------------------------------------

PRESENTATION = (
    "Pełna prezentacja praktyki.\n\nGmina wybudowała nowy wodociąg do przysiółka Zagórze."
)


def page_with_folder(source: Path, suffix: str) -> Path:
    """X.txt or X.html (the Żory seed), X/pelna-prezentacja.* and X/sub/plik.pdf."""
    page = source / f"X{suffix}"
    folder = source / "X"
    (folder / "sub").mkdir(parents=True)
    if suffix == ".txt":
        shutil.copy(ZORY, page)
        (folder / "pelna-prezentacja.txt").write_text(PRESENTATION + "\n", encoding="utf-8")
    else:
        page.write_text(_page_html(ZORY), encoding="utf-8")
        paragraphs = "".join(f"<p>{part}</p>" for part in PRESENTATION.split("\n\n"))
        (folder / "pelna-prezentacja.html").write_text(
            f"<html><head><title>Prezentacja</title><script>var x = 'skrypt';</script>"
            f"</head><body>{paragraphs}</body></html>",
            encoding="utf-8",
        )
    make_pdf(folder / "sub" / "plik.pdf", ["Regulamin korzystania z przystani: kajak i rower."])
    return page


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_a_pages_folder_gives_its_body_and_attachments_and_no_pages(runner, tmp_path, suffix):
    source = tmp_path / "zrodla"
    source.mkdir()
    page_with_folder(source, suffix)

    report = read_sources([source])
    assert report.errors == [] and report.problems == []
    assert report.files == 1  # the .txt and .html inside X/ are not pages
    (practice,) = report.practices
    assert practice.id == "X"
    assert practice.body.split() == PRESENTATION.split()
    assert "skrypt" not in practice.body and "<p>" not in practice.body
    assert practice.attachments == (Attachment("X/sub/plik.pdf", "plik.pdf"),)
    assert practice.attachments[0].location == str((source / "X/sub/plik.pdf").resolve())

    index_dir = tmp_path / "ix"
    built = invoke(runner, index_dir, "index", "build", str(source))
    assert built.exit_code == 0, built.output
    assert "Zaindeksowano praktyk: 1 (plików źródłowych: 1)" in built.stdout
    assert found(index_dir, "wodociąg") == ["X"]
    assert found(index_dir, "przystani") == ["X"]
    assert found(index_dir, "rodzin zastępczych") == ["X"]  # the page's own text
    (meta,) = stored(index_dir, "X")["files"]
    assert (meta["path"], meta["title"], meta["kind"]) == ("X/sub/plik.pdf", "plik.pdf", "pdf")


def test_a_link_in_a_pages_folder_pointing_out_is_refused(tmp_path):
    outside = make_txt(tmp_path / "tajne.txt", "Hasło do serwera gminy.")
    source = tmp_path / "zrodla"
    (source / "X").mkdir(parents=True)
    shutil.copy(ZORY, source / "X.txt")
    (source / "X" / "wyciek.txt").symlink_to(outside)

    report = read_sources([source])

    assert report.errors == []
    (problem,) = report.problems
    assert problem.path == str(source / "X" / "wyciek.txt")
    assert problem.problem == "dowiązanie symboliczne prowadzi poza katalog źródła"
    (practice,) = report.practices
    assert practice.attachments == (Attachment("X/wyciek.txt", "wyciek.txt"),)
    assert practice.attachments[0].location is None


# --- 4. files that cannot be used ------------------------------------------------------


def test_broken_attachments_are_reported_and_their_practices_still_indexed(runner, tmp_path):
    source = tmp_path / "zrodla"
    # The folder praktyki.jsonl owns, as X/ belongs to X.txt: the build reads the whole
    # directory, and the .txt attachment in there must not be taken for a page.
    files = source / "praktyki"
    files.mkdir(parents=True)
    outside = make_pdf(tmp_path / "poza.pdf", ["Dokument spoza katalogu: przemyt danych."])
    make_pdf(files / "dobry.pdf", ["Harmonogram: w parku zamieszka pelikan."])
    corrupt = files / "zepsuty.pdf"
    corrupt.write_bytes(make_pdf(tmp_path / "caly.pdf", ["Cały dokument."] * 3).read_bytes()[:300])
    make_txt(files / "notatka.txt", "Przy fontannie stoi czapla.")
    writer = PdfWriter(clone_from=make_pdf(tmp_path / "jawny.pdf", ["Tajny flaming."]))
    writer.encrypt("tajne")
    encrypted = files / "tajny.pdf"
    writer.write(encrypted)
    huge = write_sparse(files / "wielki.pdf", 60 * 1024 * 1024)
    unknown = make_txt(files / "dane.xyz", "Nieznany format.")
    (files / "link.pdf").symlink_to(outside)
    jsonl = write_records(
        source / "praktyki.jsonl",
        [
            record("p-dobry", "Praktyka z dobrym plikiem", "Opis: akwarium.", "praktyki/dobry.pdf"),
            record(
                "p-zepsuty",
                "Praktyka z uszkodzonym",
                "Opis: balkon.",
                "praktyki/zepsuty.pdf",
                "praktyki/notatka.txt",
            ),
            record("p-tajny", "Praktyka z zaszyfrowanym", "Opis: gondola.", "praktyki/tajny.pdf"),
            record("p-wielki", "Praktyka z wielkim", "Opis: karuzela.", "praktyki/wielki.pdf"),
            record("p-nieznany", "Praktyka z nieznanym", "Opis: harfa.", "praktyki/dane.xyz"),
            record("p-wyjscie", "Praktyka z wyjściem", "Opis: igloo.", "../poza.pdf"),
            record("p-absolutny", "Praktyka bezwzględna", "Opis: żaglówka.", str(outside)),
            record("p-link", "Praktyka z dowiązaniem", "Opis: latarnia.", "praktyki/link.pdf"),
        ],
    )
    index_dir = tmp_path / "ix"

    built = invoke(runner, index_dir, "index", "build", str(source))

    assert built.exit_code == 1, built.output
    assert "Zaindeksowano praktyk: 8" in built.stdout, built.output
    problems = [line for line in built.stderr.splitlines() if "Załącznik pominięty" in line]
    expected = [
        f"{corrupt.resolve()}: tekst załącznika pominięty: plik PDF jest uszkodzony",
        f"{encrypted.resolve()}: tekst załącznika pominięty: "
        "plik PDF jest zaszyfrowany (chroniony hasłem)",
        f"{huge.resolve()}: tekst załącznika pominięty: "
        "plik ma 62 914 560 bajtów, dopuszczalne najwyżej 52 428 800",
        f"{unknown.resolve()}: tekst załącznika pominięty: nieznany typ pliku (.xyz)",
        f"{jsonl}:6: pole „attachments”: załącznik '../poza.pdf': "
        "ścieżka wychodzi poza katalog źródła („..”)",
        f"{jsonl}:7: pole „attachments”: załącznik {str(outside)!r}: "
        "ścieżka bezwzględna; podaj ścieżkę względem katalogu źródła",
        f"{jsonl}:8: pole „attachments”: załącznik 'praktyki/link.pdf': "
        "dowiązanie symboliczne prowadzi poza katalog źródła",
    ]
    for message in expected:
        assert sum(line.endswith(message) for line in problems) == 1, (message, problems)
    assert len(problems) == len(expected)
    assert f"Pominięte załączniki: {len(expected)}" in built.stderr

    for practice_id, word in [
        ("p-dobry", "akwarium"),
        ("p-zepsuty", "balkon"),
        ("p-tajny", "gondola"),
        ("p-wielki", "karuzela"),
        ("p-nieznany", "harfa"),
        ("p-wyjscie", "igloo"),
        ("p-absolutny", "żaglówka"),
        ("p-link", "latarnia"),
    ]:
        assert found(index_dir, word) == [practice_id], word
    assert found(index_dir, "pelikan") == ["p-dobry"]
    assert found(index_dir, "czapla") == ["p-zepsuty"]  # the good file beside a bad one
    for word in ("przemyt", "flaming"):  # outside the folder, or locked
        assert found(index_dir, word) == []

    # What the editor wrote stays in the record; the index says why the file is missing.
    kept = stored(index_dir, "p-wyjscie")
    assert kept["record"]["attachments"] == [{"path": "../poza.pdf", "title": "poza.pdf"}]
    assert [meta["problem"] for meta in kept["files"]] == ["nie znaleziono pliku"]
    assert [meta["problem"] for meta in stored(index_dir, "p-tajny")["files"]] == [
        "plik PDF jest zaszyfrowany (chroniony hasłem)"
    ]


# --- 5. updates ----------------------------------------------------------------------


def refuse(path: Path) -> Extraction:
    """An extractor for runs that must not extract: each worker it runs in reports failure."""
    raise AssertionError(f"extracted again: {path}")


def forbid_extraction(monkeypatch) -> list[list[Path]]:
    """Record every call of extract_many (the files asked for); make any extraction fail."""
    calls: list[list[Path]] = []
    real = indexer.attachments.extract_many

    def counting(paths, **kwargs):
        calls.append(list(paths))
        return real(paths, **kwargs)

    monkeypatch.setattr(indexer.attachments, "extract_many", counting)
    for kind in EXTRACTORS:
        monkeypatch.setitem(EXTRACTORS, kind, refuse)
    return calls


def test_updates_follow_the_attachments_bytes(runner, tmp_path, monkeypatch):
    source = tmp_path / "zrodla"
    source.mkdir()
    a1 = make_txt(source / "a1.txt", "Nad stawem przelatuje kormoran.")
    make_txt(source / "a2.txt", "Na molo odpoczywa pelikan.")
    make_txt(source / "b.txt", "W zoo mieszka flaming.")
    make_txt(source / "c.txt", "Na kominie gniazduje bocian.")
    records = [
        record("p-a", "Praktyka A", "Opis A.", "a1.txt", "a2.txt"),
        record("p-b", "Praktyka B", "Opis B.", "b.txt"),
        record("p-c", "Praktyka C", "Opis C."),
    ]
    jsonl = write_records(source / "praktyki.jsonl", records)
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(jsonl)).exit_code == 0

    def update() -> dict:
        result = invoke(runner, index_dir, "index", "update", str(jsonl), "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    # A file's bytes change: its practice, and only its files, are read again.
    make_txt(a1, "Nad stawem przelatuje czapla.")
    changed = update()
    assert changed["updated"] == ["p-a"] and changed["added"] == []
    assert changed["counts"]["unchanged"] == 2
    assert changed["attachments_read"] == 2
    assert found(index_dir, "czapla") == ["p-a"]
    assert found(index_dir, "kormoran") == []

    # Nothing changed: nothing written, nothing extracted, the cache untouched.
    cache = index_dir / CACHE_FOLDER
    cached = sorted(p.name for p in cache.iterdir())
    generation = current_generation(index_dir)
    with monkeypatch.context() as patch:
        calls = forbid_extraction(patch)
        again = update()
    assert again["updated"] == [] and again["counts"]["unchanged"] == 3
    assert again["attachments_read"] == 0 and not again["changed"]
    assert calls == []
    assert sorted(p.name for p in cache.iterdir()) == cached
    assert current_generation(index_dir) == generation

    # A file added to a practice re-indexes that practice.
    records[2] = record("p-c", "Praktyka C", "Opis C.", "c.txt")
    write_records(jsonl, records)
    added = update()
    assert added["updated"] == ["p-c"] and added["attachments_read"] == 1
    assert found(index_dir, "bocian") == ["p-c"]

    # A file taken off a practice re-indexes it, and its text is no longer found.
    records[0] = record("p-a", "Praktyka A", "Opis A.", "a1.txt")
    write_records(jsonl, records)
    removed = update()
    assert removed["updated"] == ["p-a"] and removed["attachments_read"] == 1
    assert found(index_dir, "pelikan") == []
    assert found(index_dir, "czapla") == ["p-a"]
    assert [meta["path"] for meta in stored(index_dir, "p-a")["files"]] == ["a1.txt"]


# --- 6. the extraction cache -----------------------------------------------------------


def test_a_second_build_reads_every_attachment_from_the_cache(runner, tmp_path, monkeypatch):
    source = tmp_path / "zrodla"
    source.mkdir()
    make_pdf(source / "plan.pdf", ["Pierwsza strona.", "Na drugiej stronie: hulajnoga."])
    make_docx(source / "opis.docx", "Ogród.", "Na rabacie rośnie pelargonia.")
    make_txt(source / "notatka.txt", "Na lipie rośnie jemioła.")
    jsonl = write_records(
        source / "praktyki.jsonl",
        [
            record("p-1", "Praktyka pierwsza", "Opis.", "plan.pdf", "notatka.txt"),
            record("p-2", "Praktyka druga", "Opis.", "opis.docx"),
        ],
    )
    index_dir = tmp_path / "ix"
    build_index(read_sources([jsonl]).practices, index_dir)
    assert len(list((index_dir / CACHE_FOLDER).glob("*.json"))) == 3

    started: list[Path] = []
    real_start = pool._start_worker

    def counting_start(context, job, limits):
        started.append(job.paths[0])
        real_start(context, job, limits)

    monkeypatch.setattr(pool, "_start_worker", counting_start)
    for kind in EXTRACTORS:  # workers are forked from this process: they refuse too
        monkeypatch.setitem(EXTRACTORS, kind, refuse)

    again = invoke(runner, index_dir, "index", "build", str(jsonl))

    assert again.exit_code == 0, again.output
    assert "Załącznik pominięty" not in again.output
    assert started == []
    assert found(index_dir, "hulajnoga") == ["p-1"]
    assert found(index_dir, "jemioła") == ["p-1"]
    assert found(index_dir, "pelargonia") == ["p-2"]

    # Without the cache the refusing extractors do run, and the files are left out.
    shutil.rmtree(index_dir / CACHE_FOLDER)
    uncached = invoke(runner, index_dir, "index", "build", str(jsonl))
    assert uncached.exit_code == 1
    assert uncached.stderr.count("nieoczekiwany błąd odczytu (AssertionError") == 3
    assert len(started) == 3


# --- 7. kill -9 during extraction ------------------------------------------------------

# A `bdp index build` whose PDF extraction never ends: each worker reports its PID
# (written whole, by a rename) and waits.
SLOW_BUILD = """
import os, sys, time
from pathlib import Path
from bdp.cli import main
from indexer.extraction import EXTRACTORS

index_dir, source, signals = sys.argv[1:4]

def slow(path):
    mine = Path(signals) / f"worker-{os.getpid()}"
    mine.with_suffix(".tmp").write_text(str(os.getpid()))
    os.replace(mine.with_suffix(".tmp"), mine)
    time.sleep(600)

EXTRACTORS["pdf"] = slow
main(["--index-dir", index_dir, "index", "build", source])
"""


def test_kill_9_during_extraction_leaves_the_old_index_serving(runner, tmp_path):
    old = tmp_path / "stare"
    old.mkdir()
    make_txt(old / "stary.txt", "Nad stawem przelatuje kormoran.")
    old_jsonl = write_records(
        old / "praktyki.jsonl", [record("p-stary", "Stara praktyka", "Opis.", "stary.txt")]
    )
    index_dir = tmp_path / "ix"
    build_index(read_sources([old_jsonl]).practices, index_dir)
    generation, records = current_generation(index_dir), stored_records(index_dir)

    new = tmp_path / "nowe"
    new.mkdir()
    make_pdf(new / "jeden.pdf", ["Na drugim brzegu: hulajnoga."])
    make_pdf(new / "dwa.pdf", ["Na rabacie rośnie pelargonia."])
    new_jsonl = write_records(
        new / "praktyki.jsonl",
        [record("p-nowy", "Nowa praktyka", "Opis.", "jeden.pdf", "dwa.pdf")],
    )
    signals = tmp_path / "sygnaly"
    signals.mkdir()

    writer = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(index_dir), str(new_jsonl), str(signals)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: len(list(signals.glob("worker-*[0-9]"))) == 2)
        workers = [int(p.read_text()) for p in signals.glob("worker-*[0-9]")]
        assert all(alive(pid) for pid in workers)
        assert lock_holder(index_dir)["pid"] == writer.pid  # extracting under the lock
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL

    # No extraction worker outlives the killed writer.
    assert wait_for(lambda: not any(alive(pid) for pid in workers), within=10)
    # The live index is the old one, whole, and answers as before.
    assert current_generation(index_dir) == generation
    assert [p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*")] == [generation]
    assert stored_records(index_dir) == records
    assert found(index_dir, "kormoran") == ["p-stary"]
    # The lock died with its holder: the next build takes it at once and publishes.
    rebuilt = invoke(runner, index_dir, "index", "build", str(new_jsonl), "--wait", "0")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert current_generation(index_dir) != generation
    assert found(index_dir, "hulajnoga") == ["p-nowy"]
    assert found(index_dir, "pelargonia") == ["p-nowy"]


# --- 8. export keeps the attachments ---------------------------------------------------


def test_export_keeps_the_attachments_and_they_are_found_again(runner, tmp_path):
    source = tmp_path / "zrodla"
    source.mkdir()
    page_with_folder(source, ".txt")
    (source / "praktyki").mkdir()
    make_txt(source / "praktyki" / "uchwala.txt", "Uchwała rady gminy w sprawie przystani.")
    write_records(
        source / "praktyki.jsonl",
        [
            record(
                "p-uchwala",
                "Praktyka z uchwałą",
                "Opis.",
                {"path": "praktyki/uchwala.txt", "title": "Uchwała rady"},
            ),
            record("p-poza", "Praktyka z plikiem spoza", "Opis.", "../poza.txt"),
        ],
    )
    read = read_sources([source])
    assert read.errors == [] and len(read.problems) == 1  # ../poza.txt
    index_dir = tmp_path / "ix"
    build_index(read.practices, index_dir)

    # Written beside the sources, the export's relative paths point at the same files.
    exported = source / "eksport.jsonl"
    result = invoke(runner, index_dir, "export", "-o", str(exported))
    assert result.exit_code == 0, result.output

    by_id = {p.id: p for p in read_jsonl(exported)}
    assert by_id == {p.id: p for p in read.practices}
    assert by_id["X"].attachments == (Attachment("X/sub/plik.pdf", "plik.pdf"),)
    assert by_id["p-uchwala"].attachments == (Attachment("praktyki/uchwala.txt", "Uchwała rady"),)
    assert by_id["p-poza"].attachments == (Attachment("../poza.txt", "poza.txt"),)

    again = read_sources([exported])
    assert again.errors == []
    # Lines in id order: X, p-poza, p-uchwala; the file outside is still refused.
    assert [(p.path, p.line, p.field, p.problem) for p in again.problems] == [
        (str(exported), 2, "attachments", read.problems[0].problem)
    ]
    located = {
        p.id: [a.location for a in p.attachments] for p in again.practices if p.id != "p-poza"
    }
    assert located == {
        "X": [str((source / "X/sub/plik.pdf").resolve())],
        "p-uchwala": [str((source / "praktyki/uchwala.txt").resolve())],
    }


def test_a_file_left_out_by_a_limit_is_read_by_the_update_after_the_limit_is_raised(
    runner, tmp_path, monkeypatch
):
    source = tmp_path / "zrodla"
    source.mkdir()
    make_txt(source / "duzy.txt", "W stawie pływa karaś złocisty. " * 20)
    jsonl = write_records(
        source / "praktyki.jsonl", [record("p-a", "Praktyka A", "Opis A.", "duzy.txt")]
    )
    index_dir = tmp_path / "ix"
    monkeypatch.setenv("BDP_MAX_ATTACHMENT_BYTES", "100")
    built = invoke(runner, index_dir, "index", "build", str(jsonl))
    assert built.exit_code == 1 and "duzy.txt" in built.output
    assert found(index_dir, "karaś") == []

    def update() -> dict:
        result = invoke(runner, index_dir, "index", "update", str(jsonl), "--json")
        return json.loads(result.stdout)

    # Same limit: the file is as it was, nothing is read again.
    assert update()["attachments_read"] == 0
    # A raised limit could change the outcome: the next update reads the file.
    monkeypatch.setenv("BDP_MAX_ATTACHMENT_BYTES", str(50 * 1024 * 1024))
    raised = update()
    assert raised["updated"] == ["p-a"] and raised["attachment_problems"] == []
    assert found(index_dir, "karaś") == ["p-a"]
    assert update()["attachments_read"] == 0
