"""What README.md and docs/redakcja.md promise about attachments, each claim tested.

The sections „Attachments and full presentations” and „Sources” of the README and
„Pełna prezentacja i załączniki” of the editors' guide: where the files go, which
file is the full presentation and what happens when it cannot be read, what the
commands report and when, what the extraction cache keeps, how attachments rank
and filter, how many workers read them, the Debian packages script, and the demo
attachments listed in data/README.md.

Every file is made here at test time, every index built in ``tmp_path``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.attachments import CACHE_FOLDER
from indexer.build import build_index
from indexer.extraction import EXTRACTORS, Extraction, pool
from indexer.extraction.pdf import TESSERACT_MISSING
from indexer.fields import ATTACHED
from indexer.generations import (
    GENERATION_PREFIX,
    current_generation,
    remove_old_generations,
)
from indexer.limits import current_limits
from indexer.sources import DEFAULT_SOURCES, read_sources
from indexer.store import open_index
from tests.conftest import LODZ, ROOT, ZORY, run_search
from tests.test_attachments import found, invoke, record, stored, write_records
from tests.test_extraction import make_pdf, make_scan, make_txt

DEMO = DEFAULT_SOURCES / "demo"
SCRIPTS = ROOT / "scripts"


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    """Every limit at its default, whatever the developer's shell sets."""
    for name in list(os.environ):
        if name.startswith("BDP_MAX_"):
            monkeypatch.delenv(name)


# --- helpers ------------------------------------------------------------------------------


def hide_programs(monkeypatch, *names: str) -> None:
    """Make ``shutil.which`` — how the extractors and the retry key look programs up —
    miss ``names``, as on a machine without those Debian packages. Extraction workers
    are forked from this process, so they miss them too."""
    real_which = shutil.which

    def which(cmd, mode=os.F_OK | os.X_OK, path=None):
        if os.path.basename(cmd) in names:
            return None
        return real_which(cmd, mode, path)

    monkeypatch.setattr(shutil, "which", which)


def page_with_folder(source: Path, name: str = "X", seed: Path = ZORY) -> Path:
    """The saved page ``name``.txt (a seed page) and its empty folder ``name``/."""
    source.mkdir(parents=True, exist_ok=True)
    (source / name).mkdir()
    page = source / f"{name}.txt"
    shutil.copy(seed, page)
    return page


def generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob(f"{GENERATION_PREFIX}*"))


def update_json(runner, index_dir: Path, *sources: Path) -> dict:
    result = invoke(runner, index_dir, "index", "update", *map(str, sources), "--json")
    return json.loads(result.stdout)


def skipped(output: str) -> list[str]:
    """The „Załącznik pominięty: …” lines a command printed, without that prefix."""
    prefix = "Załącznik pominięty: "
    return [line[len(prefix) :] for line in output.splitlines() if line.startswith(prefix)]


# --- the full presentation ----------------------------------------------------------------


def test_the_full_presentation_is_the_first_of_txt_html_htm_and_none_is_an_attachment(tmp_path):
    source = tmp_path / "zrodla"
    page_with_folder(source)
    folder = source / "X"
    names = {
        "pelna-prezentacja.txt": "Prezentacja z pliku tekstowego: kormoran.",
        "pelna-prezentacja.html": "<p>Prezentacja z pliku HTML: pelikan.</p>",
        "pelna-prezentacja.htm": "<p>Prezentacja z pliku HTM: flaming.</p>",
    }
    for name, text in names.items():
        (folder / name).write_text(text, encoding="utf-8")
    make_txt(folder / "notatka.txt", "Zwykły załącznik: czapla.")

    expected = [
        "Prezentacja z pliku tekstowego: kormoran.",
        "Prezentacja z pliku HTML: pelikan.",
        "Prezentacja z pliku HTM: flaming.",
    ]
    for name, body in zip(names, expected, strict=True):
        report = read_sources([source])
        assert report.errors == [] and report.problems == []
        (practice,) = report.practices
        assert practice.body == body, name
        # Neither the full presentation nor the ones it won over are attachments.
        assert [a.path for a in practice.attachments] == ["X/notatka.txt"]
        (folder / name).unlink()
    # Without any, the page keeps its own (empty) description.
    (practice,) = read_sources([source]).practices
    assert practice.body == ""


def test_an_unreadable_full_presentation_rejects_its_page_and_a_build_publishes_nothing(
    runner, tmp_path
):
    source = tmp_path / "zrodla"
    page_with_folder(source)
    presentation = source / "X" / "pelna-prezentacja.txt"
    presentation.write_bytes("Zażółć gęślą jaźń".encode() + b"\xff\n")  # UTF-8, one bad byte
    shutil.copy(LODZ, source / "Y.txt")

    report = read_sources([source])
    assert [p.id for p in report.practices] == ["Y"]
    (error,) = report.errors
    assert (error.path, error.line) == (str(presentation), 1)
    assert error.problem.startswith("plik w UTF-8 zawiera błędny bajt 0xFF")

    index_dir = tmp_path / "ix"
    build_index(read_sources([LODZ]).practices, index_dir)
    live, before = current_generation(index_dir), generations(index_dir)

    built = invoke(runner, index_dir, "index", "build", str(source))

    assert built.exit_code == 1, built.output
    assert f"Błąd: {presentation}:1: plik w UTF-8 zawiera błędny bajt" in built.stderr
    assert current_generation(index_dir) == live
    assert generations(index_dir) == before


@pytest.mark.parametrize("setting", [None, "4096"])
def test_the_full_presentation_has_the_size_limit_of_a_page(tmp_path, monkeypatch, setting):
    if setting is not None:
        monkeypatch.setenv("BDP_MAX_RECORD_BYTES", setting)
    monkeypatch.setenv("BDP_MAX_BODY_CHARS", str(4 * 1024 * 1024))  # only bytes count here
    limit = current_limits().record_bytes
    assert limit == (2 * 1024 * 1024 if setting is None else int(setting))
    source = tmp_path / "zrodla"
    page_with_folder(source)
    presentation = source / "X" / "pelna-prezentacja.txt"

    presentation.write_bytes(b"a" * (limit - 1) + b"\n")  # the limit exactly
    report = read_sources([source])
    assert report.errors == []
    assert len(report.practices[0].body) == limit - 1

    presentation.write_bytes(b"a" * limit + b"\n")  # one byte over
    report = read_sources([source])
    assert report.practices == []
    (error,) = report.errors
    assert error.path == str(presentation)
    over, most = (f"{n:,}".replace(",", " ") for n in (limit + 1, limit))
    assert error.problem.startswith(f"plik ma {over} bajtów")
    assert error.problem.endswith(f"dopuszczalne najwyżej {most}")


def test_a_full_presentation_longer_than_the_body_limit_rejects_its_page(tmp_path):
    # The README: body ≤ 200,000 characters; the full presentation is the body.
    source = tmp_path / "zrodla"
    page_with_folder(source)
    presentation = source / "X" / "pelna-prezentacja.txt"

    presentation.write_text("ż" * 200_000, encoding="utf-8")
    report = read_sources([source])
    assert report.errors == [] and len(report.practices[0].body) == 200_000

    presentation.write_text("ż" * 200_001, encoding="utf-8")
    report = read_sources([source])
    assert report.practices == []
    (error,) = report.errors
    assert (error.path, error.field) == (str(presentation), "body")
    assert error.problem.startswith("tekst ma 200 001 znaków")


# --- where attachments are listed and kept ------------------------------------------------


def test_a_jsonl_attachment_with_a_key_besides_path_and_title_invalidates_the_record(
    tmp_path,
):
    make_txt(tmp_path / "uchwala.txt", "Uchwała rady gminy.")
    jsonl = write_records(
        tmp_path / "praktyki.jsonl",
        [
            record("p-dobry", "Praktyka dobra", "Opis.", {"path": "uchwala.txt", "title": "U"}),
            record("p-zly", "Praktyka zła", "Opis.", {"path": "uchwala.txt", "opis": "U"}),
        ],
    )

    report = read_sources([jsonl])

    assert [p.id for p in report.practices] == ["p-dobry"]
    (error,) = report.errors
    assert (error.path, error.line, error.field) == (str(jsonl), 2, "attachments")


def test_a_txt_attachment_is_a_page_unless_kept_in_the_folder_named_after_the_jsonl(
    runner, tmp_path
):
    source = tmp_path / "zrodla"
    (source / "praktyki" / "p-a").mkdir(parents=True)
    (source / "inne").mkdir()
    make_txt(source / "praktyki" / "p-a" / "notatka.txt", "Na lipie rośnie jemioła.")
    stray = make_txt(source / "inne" / "notatka.txt", "Przy fontannie stoi czapla.")
    jsonl = write_records(
        source / "praktyki.jsonl",
        [
            record("p-a", "Praktyka A", "Opis.", "praktyki/p-a/notatka.txt"),
            record("p-b", "Praktyka B", "Opis.", "inne/notatka.txt"),
        ],
    )

    report = read_sources([source])

    assert report.files == 2  # the .jsonl and the stray .txt, taken for a page
    assert report.problems == []  # both attachments are found
    (error,) = report.errors
    assert error.path == str(stray)
    index_dir = tmp_path / "ix"
    built = invoke(runner, index_dir, "index", "build", str(source))
    assert built.exit_code == 1
    assert f"Błąd: {stray}: " in built.stderr
    assert str(source / "praktyki" / "p-a" / "notatka.txt") not in built.stderr
    assert current_generation(index_dir) is None
    # Given alone, the .jsonl reads both attachments.
    assert invoke(runner, index_dir, "index", "build", str(jsonl)).exit_code == 0
    assert found(index_dir, "jemioła") == ["p-a"]
    assert found(index_dir, "czapla") == ["p-b"]


# --- missing programs ---------------------------------------------------------------------


def test_without_tesseract_a_pdf_with_one_blank_page_is_skipped_whole(
    runner, tmp_path, monkeypatch
):
    hide_programs(monkeypatch, "tesseract")
    source = tmp_path / "zrodla"
    source.mkdir()
    make_pdf(source / "tekst.pdf", ["Na rabacie przed urzędem rośnie pelargonia."])
    mixed = make_pdf(source / "mieszany.pdf", ["W wypożyczalni stoi niejedna hulajnoga.", ""])
    jsonl = write_records(
        source / "praktyki.jsonl",
        [
            record("p-tekst", "Praktyka z tekstem", "Opis: akwarium.", "tekst.pdf"),
            record("p-mieszany", "Praktyka ze stroną pustą", "Opis: gondola.", "mieszany.pdf"),
        ],
    )
    index_dir = tmp_path / "ix"

    built = invoke(runner, index_dir, "index", "build", str(jsonl))

    assert built.exit_code == 1, built.output
    assert skipped(built.stderr) == [
        f"{mixed.resolve()}: tekst załącznika pominięty: {TESSERACT_MISSING}"
    ]
    assert "tesseract-ocr i tesseract-ocr-pol" in TESSERACT_MISSING
    assert found(index_dir, "hulajnoga") == []  # the page with text is skipped too
    assert found(index_dir, "gondola") == ["p-mieszany"]  # the practice is indexed
    assert found(index_dir, "pelargonia") == ["p-tekst"]  # a PDF needing no OCR is read
    (meta,) = stored(index_dir, "p-mieszany")["files"]
    assert meta["problem"] == TESSERACT_MISSING


@pytest.mark.parametrize("program", ["tesseract", "antiword"])
def test_installing_a_missing_program_makes_the_next_update_read_the_file_again(
    runner, tmp_path, monkeypatch, program
):
    source = tmp_path / "zrodla"
    source.mkdir()
    if program == "tesseract":
        make_scan(source / "plik.pdf", ["Termomodernizacja szkół"])
        name = "plik.pdf"
    else:  # no Word 97 file can be made here: antiword rejects this one, but reads it
        name = "plik.doc"
        (source / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    jsonl = write_records(source / "praktyki.jsonl", [record("p-a", "Praktyka A", "Opis A.", name)])
    index_dir = tmp_path / "ix"
    with monkeypatch.context() as patch:
        hide_programs(patch, program)
        built = invoke(runner, index_dir, "index", "build", str(jsonl))
        assert built.exit_code == 1
        assert f"brak programu {program}" in built.stderr
        # Still missing: nothing could change, nothing is read again.
        still = update_json(runner, index_dir, jsonl)
        assert still["updated"] == [] and still["attachments_read"] == 0

    installed = update_json(runner, index_dir, jsonl)

    assert installed["updated"] == ["p-a"] and installed["attachments_read"] == 1
    if program == "tesseract":
        assert installed["attachment_problems"] == []
        assert found(index_dir, "termomodernizacja") == ["p-a"]
    else:
        (problem,) = installed["attachment_problems"]
        assert "plik DOC jest uszkodzony" in problem["message"]  # antiword did run
    again = update_json(runner, index_dir, jsonl)
    assert again["updated"] == [] and again["attachments_read"] == 0 and not again["changed"]


# --- reporting ----------------------------------------------------------------------------


def sources_with_problems(folder: Path) -> tuple[Path, Path]:
    """A .jsonl whose line 2 lists a missing file and line 3 a file of unknown type."""
    files = folder / "praktyki"
    files.mkdir(parents=True)
    make_txt(files / "dobry.txt", "Na kominie gniazduje bocian.")
    unknown = make_txt(files / "dane.xyz", "Nieznany format.")
    jsonl = write_records(
        folder / "praktyki.jsonl",
        [
            record("p-dobry", "Praktyka dobra", "Opis: akwarium.", "praktyki/dobry.txt"),
            record("p-brak", "Praktyka z brakiem", "Opis: balkon.", "praktyki/brak.pdf"),
            record("p-nieznany", "Praktyka z nieznanym", "Opis: harfa.", "praktyki/dane.xyz"),
        ],
    )
    return jsonl, unknown.resolve()


def test_add_exits_1_with_attachment_problems_and_adds_the_practices(runner, index_dir, tmp_path):
    jsonl, unknown = sources_with_problems(tmp_path / "zrodla")

    added = invoke(runner, index_dir, "index", "add", str(jsonl))

    assert added.exit_code == 1, added.output
    assert skipped(added.stderr) == [
        f"{jsonl}:2: pole „attachments”: załącznik 'praktyki/brak.pdf': nie ma takiego pliku",
        f"{unknown}: tekst załącznika pominięty: nieznany typ pliku (.xyz)",
    ]
    assert "Pominięte załączniki: 2" in added.stderr
    for practice_id, word in [("p-dobry", "bocian"), ("p-brak", "balkon"), ("p-nieznany", "harfa")]:
        assert found(index_dir, word) == [practice_id]


@pytest.mark.parametrize("command", ["add", "update"])
def test_json_summaries_list_the_attachment_problems(runner, index_dir, tmp_path, command):
    jsonl, unknown = sources_with_problems(tmp_path / "zrodla")

    result = invoke(runner, index_dir, "index", command, str(jsonl), "--json")

    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["published"] and summary["added"] == ["p-brak", "p-dobry", "p-nieznany"]
    assert summary["attachment_problems"] == [
        {
            "path": str(jsonl),
            "line": 2,
            "field": "attachments",
            "message": "załącznik 'praktyki/brak.pdf': nie ma takiego pliku",
        },
        {
            "path": str(unknown),
            "line": None,
            "field": None,
            "message": "tekst załącznika pominięty: nieznany typ pliku (.xyz)",
        },
    ]


def test_update_reports_a_content_problem_once_build_every_time_a_path_problem_always(
    runner, tmp_path
):
    source = tmp_path / "zrodla"
    (source / "praktyki").mkdir(parents=True)
    unknown = make_txt(source / "praktyki" / "dane.xyz", "Nieznany format.").resolve()
    jsonl = write_records(
        source / "praktyki.jsonl",
        [
            record("p-tresc", "Praktyka A", "Opis.", "praktyki/dane.xyz"),
            record("p-sciezka", "Praktyka B", "Opis.", "../poza.pdf"),
        ],
    )
    content = f"{unknown}: tekst załącznika pominięty: nieznany typ pliku (.xyz)"
    path = (
        f"{jsonl}:2: pole „attachments”: załącznik '../poza.pdf': "
        "ścieżka wychodzi poza katalog źródła („..”)"
    )
    index_dir = tmp_path / "ix"

    for _round in range(2):
        built = invoke(runner, index_dir, "index", "build", str(jsonl))
        assert built.exit_code == 1
        assert sorted(skipped(built.stderr)) == sorted([content, path])

        updated = invoke(runner, index_dir, "index", "update", str(jsonl))
        assert updated.exit_code == 1  # the path problem still stands
        assert "bez zmian: 2" in updated.stdout
        assert skipped(updated.stderr) == [path]


# --- the extraction cache outlives generations --------------------------------------------


def test_old_generations_go_but_the_extraction_cache_stays(runner, tmp_path):
    source = tmp_path / "zrodla"
    source.mkdir()
    make_txt(source / "a.txt", "Nad stawem przelatuje kormoran.")
    make_pdf(source / "b.pdf", ["Na molo odpoczywa pelikan."])
    jsonl = write_records(
        source / "praktyki.jsonl", [record("p-a", "Praktyka A", "Opis.", "a.txt", "b.pdf")]
    )
    index_dir = tmp_path / "ix"
    cache = index_dir / CACHE_FOLDER

    first = invoke(runner, index_dir, "index", "build", str(jsonl))
    assert first.exit_code == 0, first.output
    entries = {p.name: p.read_bytes() for p in cache.iterdir()}
    assert len(entries) == 2
    built = {current_generation(index_dir)}
    for _build in range(3):
        assert invoke(runner, index_dir, "index", "build", str(jsonl)).exit_code == 0
        built.add(current_generation(index_dir))
    remove_old_generations(index_dir, keep=1)

    assert len(built) == 4
    assert generations(index_dir) == [current_generation(index_dir)]  # the others removed
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == entries


# --- ranking and the facet ----------------------------------------------------------------

SENTENCE = "W parku miejskim od wiosny gniazduje kormoran czarny."
OTHER = "W parku miejskim od wiosny gniazduje bocian biały."


def test_a_word_in_the_body_outranks_the_same_word_in_an_attachment(tmp_path):
    source = tmp_path / "zrodla"
    source.mkdir()
    make_txt(source / "z-kormoranem.txt", SENTENCE)
    make_txt(source / "z-bocianem.txt", OTHER)
    # Mirror images: each sentence in one practice's body and the other's attachment, so
    # that only the field tells them apart. The practice with the word in its attachment
    # is written first: a tie would put it first.
    in_file = record("p-zalacznik", "Praktyka parkowa", "Opis praktyki.", "z-kormoranem.txt")
    in_file["body"] = OTHER
    in_body = record("p-opis", "Praktyka parkowa", "Opis praktyki.", "z-bocianem.txt")
    in_body["body"] = SENTENCE
    jsonl = write_records(source / "praktyki.jsonl", [in_file, in_body])
    index_dir = tmp_path / "ix"
    report = read_sources([jsonl])
    assert not report.errors and not report.problems
    build_index(report.practices, index_dir)

    assert found(index_dir, "kormoran") == ["p-opis", "p-zalacznik"]
    assert found(index_dir, "bocian") == ["p-zalacznik", "p-opis"]


def test_the_attachments_facet_filters_exactly_the_practices_with_attachments(runner, tmp_path):
    source = tmp_path / "zrodla"
    (source / "praktyki").mkdir(parents=True)
    make_txt(source / "praktyki" / "uchwala.txt", "Uchwała rady gminy.")
    write_records(
        source / "praktyki.jsonl",
        [
            record("p-z", "Praktyka z plikiem", "Opis.", "praktyki/uchwala.txt"),
            record("p-bez", "Praktyka bez pliku", "Opis."),
        ],
    )
    page_with_folder(source, "strona-z")
    make_txt(source / "strona-z" / "regulamin.txt", "Regulamin konkursu.")
    # A full presentation alone is no attachment.
    page_with_folder(source, "strona-prezentacja", LODZ)
    make_txt(source / "strona-prezentacja" / "pelna-prezentacja.txt", "Pełny opis.")
    shutil.copy(ZORY, source / "strona-bez.txt")
    index_dir = tmp_path / "ix"
    report = read_sources([source])
    assert not report.errors and not report.problems
    build_index(report.practices, index_dir)
    expected = ["p-z", "strona-z"]

    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            everything = run_search(searcher, "", per_page=50)
            assert everything.total == 5
            filtered = run_search(
                searcher, "", per_page=50, filters={"has_attachments": [ATTACHED]}
            )
    finally:
        ix.close()
    assert sorted(hit["id"] for hit in filtered.results) == expected
    assert filtered.total == len(expected)

    shown = invoke(runner, index_dir, "search", "--filter", f"has_attachments={ATTACHED}", "--json")
    assert shown.exit_code == 0, shown.output
    assert sorted(hit["id"] for hit in json.loads(shown.stdout)["results"]) == expected


# --- two extraction workers at most -------------------------------------------------------


def test_at_most_two_extraction_workers_run_at_once(tmp_path, monkeypatch):
    """Each worker is held until the build waits for results: by then every worker the pool
    started is running, so the count seen there is the number running side by side."""
    monkeypatch.setenv("BDP_MAX_EXTRACTION_SECONDS", "30")  # a stuck worker fails, not hangs
    words = ["kormoran", "pelikan", "flaming", "bocian", "czapla"]
    for number, word in enumerate(words):
        make_txt(tmp_path / f"plik-{number}.txt", f"Nad stawem widać: {word}.")
    jsonl = write_records(
        tmp_path / "praktyki.jsonl",
        [
            record(f"p-{number}", f"Praktyka {number}", "Opis.", f"plik-{number}.txt")
            for number in range(len(words))
        ],
    )
    gate_out, gate_in = os.pipe()

    def held(path: Path) -> Extraction:
        os.read(gate_out, 1)  # in the forked worker: wait for the parent's token
        return Extraction("txt", (path.read_text(encoding="utf-8"),))

    started: list = []
    real_start = pool._start_worker

    def start(context, job, limits):
        real_start(context, job, limits)
        started.append(job.process)

    running_at_wait: list[int] = []
    released = 0
    real_wait = pool.wait

    def wait(connections, timeout=None):
        nonlocal released
        running_at_wait.append(sum(process.is_alive() for process in started))
        os.write(gate_in, b"x" * (len(started) - released))  # one token per new worker
        released = len(started)
        return real_wait(connections, timeout)

    monkeypatch.setitem(EXTRACTORS, "txt", held)
    monkeypatch.setattr(pool, "_start_worker", start)
    monkeypatch.setattr(pool, "wait", wait)
    index_dir = tmp_path / "ix"
    problems: list = []
    try:
        build_index(read_sources([jsonl]).practices, index_dir, on_problem=problems.append)
    finally:
        os.close(gate_out)
        os.close(gate_in)

    assert problems == []
    assert len(started) == len(words)  # a worker for each file
    assert running_at_wait[0] == 2  # two at once from the start …
    assert max(running_at_wait) == 2  # … and never more
    for number, word in enumerate(words):
        assert found(index_dir, word) == [f"p-{number}"]


# --- the Debian packages script -----------------------------------------------------------

PACKAGES = ["chromium", "tesseract-ocr", "tesseract-ocr-pol", "antiword", "fonts-dejavu-core"]

STUBS = {
    # Installed: the packages listed in $STUB_INSTALLED.
    "dpkg-query": """#!/bin/sh
for wanted; do :; done
for package in $STUB_INSTALLED; do
  if [ "$package" = "$wanted" ]; then printf 'install ok installed'; exit 0; fi
done
echo "dpkg-query: no packages found matching $wanted" >&2
exit 1
""",
    "id": '#!/bin/sh\necho "$STUB_UID"\n',
    "sudo": '#!/bin/sh\necho "sudo $*" >> "$STUB_LOG"\nexec "$@"\n',
    "apt-get": '#!/bin/sh\necho "apt-get $*" >> "$STUB_LOG"\n',
}


def run_system_packages(
    tmp_path: Path, installed: list[str], uid: int, programs: tuple[str, ...]
) -> tuple[subprocess.CompletedProcess, list[str]]:
    """scripts/system_packages.sh with only ``programs`` of the stubs on PATH (and grep, env)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in programs:
        stub = bin_dir / name
        stub.write_text(STUBS[name], encoding="utf-8")
        stub.chmod(0o755)
    for tool in ("grep", "env"):
        real = shutil.which(tool)
        assert real is not None
        (bin_dir / tool).symlink_to(real)
    log = tmp_path / "log"
    log.touch()
    bash = shutil.which("bash")
    assert bash is not None
    result = subprocess.run(
        [bash, str(SCRIPTS / "system_packages.sh")],
        env={
            "PATH": str(bin_dir),
            "STUB_INSTALLED": " ".join(installed),
            "STUB_UID": str(uid),
            "STUB_LOG": str(log),
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result, log.read_text(encoding="utf-8").splitlines()


ALL_STUBS = ("dpkg-query", "id", "sudo", "apt-get")


@pytest.mark.parametrize("uid", [0, 1000])
def test_system_packages_does_nothing_when_everything_is_installed(tmp_path, uid):
    result, log = run_system_packages(tmp_path, PACKAGES, uid, ("dpkg-query", "id", "apt-get"))
    assert (result.returncode, result.stdout, result.stderr, log) == (0, "", "", [])


@pytest.mark.parametrize(
    ("uid", "programs", "through"),
    [(0, ALL_STUBS, "apt-get"), (1000, ALL_STUBS, "sudo apt-get")],
)
def test_system_packages_installs_only_the_missing_ones(tmp_path, uid, programs, through):
    installed = ["chromium", "tesseract-ocr", "fonts-dejavu-core"]
    result, log = run_system_packages(tmp_path, installed, uid, programs)
    assert result.returncode == 0, result.stderr
    install = "install -y --no-install-recommends tesseract-ocr-pol antiword"
    assert [line for line in log if line.startswith("apt-get")] == [
        "apt-get update",
        f"apt-get {install}",
    ]
    if through == "sudo apt-get":
        assert log[0] == "sudo apt-get update"
        assert f"sudo env DEBIAN_FRONTEND=noninteractive apt-get {install}" in log
    else:
        assert not any(line.startswith("sudo") for line in log)


@pytest.mark.parametrize(
    ("uid", "programs", "reason"),
    [
        (1000, ("dpkg-query", "id", "apt-get"), "brak sudo"),
        (0, ("dpkg-query", "id", "sudo"), "nie ma apt-get"),
    ],
)
def test_system_packages_names_the_missing_ones_when_it_cannot_install(
    tmp_path, uid, programs, reason
):
    installed = ["chromium", "tesseract-ocr", "fonts-dejavu-core"]
    result, log = run_system_packages(tmp_path, installed, uid, programs)
    assert result.returncode == 1
    assert "Brakuje pakietów Debiana: tesseract-ocr-pol antiword" in result.stderr
    assert reason in result.stderr
    assert log == []  # nothing was run


SCRIPT_STUB = '#!/usr/bin/env bash\necho "{name}" >> "$STUB_LOG"\nexit {status}\n'


@pytest.mark.parametrize("script", ["serve.sh", "test.sh"])
@pytest.mark.parametrize("status", [0, 1])
def test_serve_and_test_scripts_run_system_packages_first(tmp_path, script, status):
    """A copy of the script beside stubs of what it runs: the packages script comes
    first, and when it fails nothing else is done."""
    scripts = tmp_path / "repo" / "scripts"
    scripts.mkdir(parents=True)
    shutil.copy(SCRIPTS / script, scripts / script)
    for name, code in (("system_packages.sh", status), ("setup.sh", 1)):
        (scripts / name).write_text(SCRIPT_STUB.format(name=name, status=code), encoding="utf-8")
    log = tmp_path / "log"
    bash = shutil.which("bash")
    assert bash is not None

    result = subprocess.run(
        [bash, str(scripts / script)],
        env={**os.environ, "STUB_LOG": str(log)},
        capture_output=True,
        timeout=30,
    )

    assert result.returncode == 1
    ran = log.read_text(encoding="utf-8").splitlines()
    assert ran == (["system_packages.sh"] if status else ["system_packages.sh", "setup.sh"])


# --- settings and stray files -------------------------------------------------------------


def test_a_bad_attachment_size_setting_is_one_polish_line_and_publishes_nothing(
    runner, tmp_path, monkeypatch
):
    source = tmp_path / "zrodla"
    source.mkdir()
    note = make_txt(source / "notatka.txt", "Na lipie rośnie jemioła.")
    jsonl = write_records(
        source / "praktyki.jsonl", [record("p-a", "Praktyka A", "Opis.", "notatka.txt")]
    )
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(jsonl)).exit_code == 0
    live = current_generation(index_dir)
    make_txt(note, "Na lipie siedzi dzięcioł.")  # so that the update has a file to read
    monkeypatch.setenv("BDP_MAX_ATTACHMENT_BYTES", "abc")
    message = "Błąd: BDP_MAX_ATTACHMENT_BYTES: oczekiwano dodatniej liczby całkowitej, jest 'abc'"

    for command in ("build", "update"):
        result = invoke(runner, index_dir, "index", command, str(jsonl))
        assert result.exit_code == 1, command
        # Besides the progress bar's label (build), that one line is all there is.
        assert [line for line in result.stderr.splitlines() if line != "Indeksowanie"] == [message]
        assert "Traceback" not in result.output and result.stdout == ""
        assert current_generation(index_dir) == live


def test_a_libreoffice_lock_file_in_a_pages_folder_is_an_unknown_type(runner, tmp_path):
    source = tmp_path / "zrodla"
    page_with_folder(source)
    lock = source / "X" / ".~lock.plik.odt#"
    lock.write_text(",Jan Kowalski,komputer,30.06.2013 12:00,file:///home/jan/.config;\n")
    index_dir = tmp_path / "ix"

    built = invoke(runner, index_dir, "index", "build", str(source))

    assert built.exit_code == 1
    assert "Zaindeksowano praktyk: 1" in built.stdout
    assert skipped(built.stderr) == [
        f"{lock.resolve()}: tekst załącznika pominięty: nieznany typ pliku (.odt#)"
    ]
    assert found(index_dir, "rodzin zastępczych") == ["X"]


# --- the demo attachments -----------------------------------------------------------------

NUMBERS = {10: "Ten", 11: "Eleven", 12: "Twelve", 13: "Thirteen", 14: "Fourteen", 15: "Fifteen"}


def test_data_readme_lists_the_demo_practices_with_attachments():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Attachments of demo practices", 1)[1]
    listed = {}
    for row in re.findall(r"^\| `(demo-\d+)` \|(.*)$", section, flags=re.MULTILINE):
        practice_id, rest = row
        town, files = (cell.strip() for cell in rest.rstrip("|").split("|", 1))
        listed[practice_id] = (town, re.findall(r"`([^`]+)`", files))

    bundled = {}
    for jsonl in sorted(DEMO.glob("practices-*.jsonl")):
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            if data.get("attachments"):
                paths = [item["path"] for item in data["attachments"]]
                # Kept in the folder named like the .jsonl file, one folder per practice.
                for path in paths:
                    assert path.startswith(f"{jsonl.stem}/{data['id']}/"), path
                    assert (DEMO / path).is_file(), path
                bundled[data["id"]] = (data["town"], [Path(p).name for p in paths])

    assert listed == bundled
    assert f"{NUMBERS[len(bundled)]} demo practices have attachments" in readme


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below ``folder``: its sha256 and modification time."""
    return {
        str(path.relative_to(folder)): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_demo_attachments_are_what_their_script_writes_and_check_writes_nothing(tmp_path):
    script = [sys.executable, str(SCRIPTS / "make_demo_attachments.py"), "--check"]
    before = snapshot(DEMO)
    checked = subprocess.run(script, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert snapshot(DEMO) == before

    # A changed file fails the check, and stays as it is.
    copy = tmp_path / "demo"
    shutil.copytree(DEMO, copy)
    changed = copy / "practices-3" / "demo-061" / "informacja_dla_mieszkancow.txt"
    changed.write_bytes(changed.read_bytes() + b"\n")
    before = snapshot(copy)
    stale = subprocess.run(
        [*script, "--demo-dir", str(copy)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert stale.returncode == 1
    assert "practices-3/demo-061/informacja_dla_mieszkancow.txt" in stale.stderr
    assert snapshot(copy) == before


# --- the summary's count of attachments ---------------------------------------------------


def test_the_update_counts_every_attachment_of_the_practices_it_writes(runner, tmp_path):
    """redakcja.md: „Odczytane załączniki” — how many attachments the new and changed
    practices have; the files that could not be used are listed besides."""
    source = tmp_path / "zrodla"
    (source / "praktyki").mkdir(parents=True)
    make_txt(source / "praktyki" / "stary.txt", "Nad stawem przelatuje kormoran.")
    make_txt(source / "praktyki" / "dobry.txt", "Na molo odpoczywa pelikan.")
    make_txt(source / "praktyki" / "dane.xyz", "Nieznany format.")
    records = [
        record("p-stary", "Praktyka bez zmian", "Opis.", "praktyki/stary.txt"),
        record("p-zmieniony", "Praktyka zmieniona", "Opis."),
    ]
    jsonl = write_records(source / "praktyki.jsonl", records)
    index_dir = tmp_path / "ix"
    assert invoke(runner, index_dir, "index", "build", str(jsonl)).exit_code == 0
    records[1] = record(
        "p-zmieniony",
        "Praktyka zmieniona",
        "Opis.",
        "praktyki/dobry.txt",
        "praktyki/dane.xyz",
        "praktyki/brak.pdf",
    )
    write_records(source / "praktyki.jsonl", records)

    updated = invoke(runner, index_dir, "index", "update", str(jsonl))

    assert updated.exit_code == 1
    assert "Zaktualizowane: p-zmieniony" in updated.stdout
    assert "Odczytane załączniki: 3." in updated.stdout  # not p-stary's, unchanged
    assert len(skipped(updated.stderr)) == 2  # the unknown type and the missing file
    assert found(index_dir, "pelikan") == ["p-zmieniony"]
