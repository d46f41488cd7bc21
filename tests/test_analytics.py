"""The search log (issue #14): recording, privacy, failures, retention, reports, the CLI."""

from __future__ import annotations

import inspect
import json
import logging
import multiprocessing
import os
import re
import shutil
import sqlite3
import tempfile
import time
import unicodedata
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bdp.cli import main
from search_app.analytics import (
    AnalyticsReadError,
    AnalyticsSettingError,
    Period,
    PeriodError,
    SearchLog,
    analytics_db_path,
    build_report,
    retention_days,
)
from search_app.analytics.retention import PruneSchedule
from search_app.analytics.settings import ENV_DB, ENV_RETENTION_DAYS

# What a web request would carry about the person: it must reach the log nowhere.
CLIENT_ADDRESS = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 TestAgent"
IPV4 = re.compile(rb"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.])")

T0 = datetime(2025, 3, 10, 12, 0, 30, tzinfo=UTC)


class FakeClock:
    """A clock the test moves: events are stamped and pruning scheduled by it."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def no_analytics_environment(monkeypatch):
    monkeypatch.delenv(ENV_DB, raising=False)
    monkeypatch.delenv(ENV_RETENTION_DAYS, raising=False)


@pytest.fixture
def logs() -> Iterator[list[SearchLog]]:
    """Every log a test opens is closed after it (its writer thread stopped)."""
    opened: list[SearchLog] = []
    yield opened
    for search_log in opened:
        search_log.close()


@pytest.fixture
def open_log(logs):
    def opener(path: Path, **options) -> SearchLog:
        search_log = SearchLog(path, **options)
        logs.append(search_log)
        return search_log

    return opener


def count(path: Path, sql: str, *params) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchone()[0]


def column(path: Path, sql: str, *params) -> list:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute(sql, params)]


def invoke(runner, index_dir: Path, *args: str):
    return runner.invoke(main, ["--index-dir", str(index_dir), "analytics", *args])


# Recording and reading back


def test_what_is_recorded_comes_back_in_the_report(tmp_path, open_log):
    clock = FakeClock()
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db, clock=clock)
    first = search_log.record_search(
        "  Budżet   OBYWATELSKI ",
        filters={"voivodeship": ["śląskie", "opolskie"]},
        total=12,
        latency_ms=8.25,
    )
    search_log.record_search(unicodedata.normalize("NFD", "budżet obywatelski"), total=12)
    search_log.record_search(
        "rodzna zastepcza",
        corrected="rodzina zastępcza",
        total=4,
        relaxed_words=["zastepcza"],
        unknown_words=["rodzna", "Rodzna"],
    )
    search_log.record_search("", filters={"category": ["Edukacja"]}, total=30)  # browsing
    assert search_log.record_click(first, 1, "000_3b014753ec2e4c31")
    assert search_log.record_click(first, 3, "p-2")
    assert search_log.flush()

    report = build_report(db, Period.last_days(1, now=clock.now + timedelta(minutes=5)))
    assert report.exists
    assert (report.searches, report.zero_result_searches, report.corrected_searches) == (4, 0, 1)
    assert report.distinct_queries == 2  # the empty query (browsing) is not a query
    assert (report.clicks, report.searches_with_clicks) == (2, 1)
    assert [(q.query, q.count) for q in report.top_queries] == [
        ("budżet obywatelski", 2),
        ("rodzna zastepcza", 1),
    ]
    assert [(c.query, c.correction, c.count) for c in report.corrected_queries] == [
        ("rodzna zastepcza", "rodzina zastępcza", 1)
    ]
    assert [(w.word, w.count) for w in report.unknown_words] == [("rodzna", 1)]
    assert [(c.query, c.searches, c.clicked, c.ctr) for c in report.click_through] == [
        ("budżet obywatelski", 2, 1, 0.5),
        ("rodzna zastepcza", 1, 0, 0.0),
    ]
    assert [(d.date, d.searches) for d in report.daily] == [("2025-03-09", 0), ("2025-03-10", 4)]

    with sqlite3.connect(db) as conn:
        stored = conn.execute(
            "SELECT minute, filters, sort, page, latency_ms, relaxed_words FROM searches "
            "WHERE search_id = ?",
            (first,),
        ).fetchone()
    assert stored == (
        int(T0.timestamp()) // 60,  # to the minute, no finer
        '{"voivodeship":["opolskie","śląskie"]}',
        "relevance",
        1,
        8.25,
        "[]",
    )


def test_report_to_dict_is_json_with_english_keys(tmp_path, open_log):
    search_log = open_log(tmp_path / "a.sqlite3")
    search_log.record_search("żłobek", total=2)
    assert search_log.flush()
    data = build_report(tmp_path / "a.sqlite3", Period.last_days(7)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {
        "days",
        "since",
        "until",
        "searches",
        "zero_result_searches",
        "click_through_rate",
        "top_queries",
        "zero_result_queries",
        "corrected_queries",
        "unknown_words",
        "click_through",
        "daily",
    } <= set(data)
    assert data["top_queries"] == [{"query": "żłobek", "count": 1}]
    assert len(data["daily"]) == 8  # seven days back from this minute touch eight dates


def test_a_correction_of_letter_case_alone_is_no_correction(tmp_path, open_log):
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db)
    search_log.record_search("Żłobek", corrected="ŻŁOBEK  ", total=3)
    search_log.record_search("zlobek", corrected="żłobek", total=3)
    assert search_log.flush()
    assert column(db, "SELECT corrected FROM searches ORDER BY id") == [None, "żłobek"]


def record_twenty(search_log: SearchLog) -> None:
    """20 searches, 5 of them without results: xyzzy ×3, kwiatki na rondzie ×2."""
    for n in range(15):
        search_log.record_search(["żłobek", "budżet obywatelski", "kultura"][n % 3], total=n + 1)
    for _ in range(3):
        search_log.record_search("xyzzy", total=0)
    search_log.record_search("kwiatki na rondzie", total=0)
    search_log.record_search("Kwiatki na rondzie", corrected="kwiatki na rądzie", total=0)
    assert search_log.flush()


def test_twenty_searches_five_without_results_in_the_report_and_the_cli(tmp_path, open_log, runner):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    db = analytics_db_path(index_dir)
    assert db == index_dir / "analytics.sqlite3"
    record_twenty(open_log(db))

    report = build_report(db, Period.last_days(1))
    assert (report.searches, report.zero_result_searches) == (20, 5)
    assert [(q.query, q.count, q.correction) for q in report.zero_result_queries] == [
        ("xyzzy", 3, None),
        ("kwiatki na rondzie", 2, "kwiatki na rądzie"),
    ]

    result = invoke(runner, index_dir, "--json", "--dni", "7")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["days"] == 7
    assert (data["searches"], data["zero_result_searches"]) == (20, 5)
    assert data["zero_result_queries"] == [
        {"query": "xyzzy", "count": 3, "correction": None},
        {"query": "kwiatki na rondzie", "count": 2, "correction": "kwiatki na rądzie"},
    ]
    assert data["corrected_queries"] == [
        {"query": "kwiatki na rondzie", "correction": "kwiatki na rądzie", "count": 1}
    ]
    assert data["top_queries"][:3] == [
        {"query": "budżet obywatelski", "count": 5},
        {"query": "kultura", "count": 5},
        {"query": "żłobek", "count": 5},
    ]
    assert len(data["daily"]) == 8 and sum(d["searches"] for d in data["daily"]) == 20


def test_cli_prints_polish_aligned_tables(tmp_path, open_log, runner):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    search_log = open_log(analytics_db_path(index_dir))
    record_twenty(search_log)
    search_id = search_log.record_search("żłobek", total=3)
    search_log.record_click(search_id, 2, "p1")
    assert search_log.flush()

    result = invoke(runner, index_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Dziennik wyszukiwań: ostatnie 30 dni (")
    assert "Wyszukiwań: 21, bez wyników: 5 (23,8%)" in lines[1]
    assert "wyszukiwań z kliknięciem: 1 (CTR 4,8%)" in lines[2]
    for heading in (
        "Najczęstsze zapytania",
        "Zapytania bez wyników",
        "Poprawione zapytania",
        "Słowa nieznane w indeksie",
        "Klikalność zapytań (CTR)",
    ):
        assert heading in lines
    section = lines[lines.index("Zapytania bez wyników") + 1 :]
    header, rule, xyzzy, kwiatki = section[:4]
    assert header.split() == ["Zapytanie", "Liczba", "Ostatnia", "poprawka"]
    assert xyzzy.split() == ["xyzzy", "3", "—"]
    assert kwiatki.split() == ["kwiatki", "na", "rondzie", "2", "kwiatki", "na", "rądzie"]
    # Counts aligned to the right under their heading.
    end = header.index("Liczba") + len("Liczba")
    assert xyzzy[end - 1] == "3" and kwiatki[end - 1] == "2"
    assert set(rule.replace(" ", "")) == {"─"}
    ctr = lines[lines.index("Klikalność zapytań (CTR)") + 1 :]
    assert ctr[0].split() == ["Zapytanie", "Wyszukiwań", "Z", "kliknięciem", "CTR"]
    assert ctr[2].split() == ["żłobek", "6", "1", "16,7%"]


def test_cli_without_a_log_reports_nothing_and_says_why(tmp_path, runner):
    result = invoke(runner, tmp_path / "ix", "--json")
    assert result.exit_code == 0
    assert "Nie ma jeszcze dziennika wyszukiwań" in result.stderr
    data = json.loads(result.stdout)
    assert data["exists"] is False and data["searches"] == 0 and data["top_queries"] == []
    text = invoke(runner, tmp_path / "ix")
    assert text.exit_code == 0 and "(brak)" in text.stdout
    assert not (tmp_path / "ix").exists()  # the report created nothing


def test_cli_takes_the_log_from_the_environment(tmp_path, open_log, runner, monkeypatch):
    db = tmp_path / "elsewhere" / "log.db"
    db.parent.mkdir()
    monkeypatch.setenv(ENV_DB, str(db))
    assert analytics_db_path(tmp_path / "ix") == db
    search_log = open_log(db)
    search_log.record_search("świetlica", total=0)
    assert search_log.flush()
    data = json.loads(invoke(runner, tmp_path / "ix", "--json").stdout)
    assert data["zero_result_queries"] == [{"query": "świetlica", "count": 1, "correction": None}]


def test_cli_limit_bounds_every_list(tmp_path, open_log, runner):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    record_twenty(open_log(analytics_db_path(index_dir)))
    data = json.loads(invoke(runner, index_dir, "--json", "--limit", "1").stdout)
    assert len(data["top_queries"]) == len(data["zero_result_queries"]) == 1
    assert len(data["click_through"]) == 1


# Nothing about the person


def test_the_recording_api_accepts_nothing_about_the_person():
    personal = re.compile(r"ip|addr|agent|cookie|refer|user|remote|session|host|header", re.I)
    for method in (SearchLog.record_search, SearchLog.record_click):
        parameters = inspect.signature(method).parameters
        assert not any(personal.search(name) for name in parameters), list(parameters)
        assert all(p.kind is not p.VAR_KEYWORD for p in parameters.values())
        assert all(p.kind is not p.VAR_POSITIONAL for p in parameters.values())


def test_nothing_identifying_reaches_the_database(tmp_path, open_log):
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db)
    # What a request carries; the log is given the query and the engine's answer only.
    request = {"q": "Pomoc sąsiedzka", "REMOTE_ADDR": CLIENT_ADDRESS, "HTTP_USER_AGENT": USER_AGENT}
    with pytest.raises(TypeError):
        search_log.record_search(request["q"], ip=CLIENT_ADDRESS)  # type: ignore[call-arg]
    ids = [search_log.record_search(request["q"], total=n) for n in range(50)]
    for position, search_id in enumerate(ids[:10], start=1):
        assert search_log.record_click(search_id, position, "p1")
    # Free text cannot be smuggled in through a click either.
    assert not search_log.record_click(CLIENT_ADDRESS, 1, "p1")
    assert not search_log.record_click(ids[0], 1, USER_AGENT)
    assert not search_log.record_click(ids[0], 1, CLIENT_ADDRESS + "/x")
    assert search_log.flush()
    assert all(re.fullmatch(r"[0-9a-f]{32}", search_id) for search_id in ids)
    assert len(set(ids)) == len(ids)

    with sqlite3.connect(db) as conn:
        columns = {
            table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            for table in ("searches", "clicks")
        }
    assert columns == {
        "searches": [
            "id",
            "search_id",
            "minute",
            "query",
            "corrected",
            "filters",
            "sort",
            "page",
            "total",
            "latency_ms",
            "relaxed_words",
            "unknown_words",
        ],
        "clicks": ["id", "minute", "search_id", "position", "practice_id"],
    }

    def scan() -> None:
        files = [p for p in tmp_path.iterdir() if p.name.startswith(db.name)]
        assert db in files
        for path in files:
            raw = path.read_bytes()
            assert CLIENT_ADDRESS.encode() not in raw, path
            assert USER_AGENT.encode() not in raw, path
            assert b"TestAgent" not in raw, path
            assert not IPV4.search(raw), (path, IPV4.search(raw))
        assert count(db, "SELECT count(*) FROM searches WHERE query = 'pomoc sąsiedzka'") == 50

    assert (tmp_path / f"{db.name}-wal").exists()
    scan()  # with the write-ahead log (-wal) holding the batches
    search_log.close()
    scan()  # and after the checkpoint


# Failures never reach the search


def warnings_about(caplog, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "search_app.analytics" and text in r.message]


def test_a_locked_database_costs_events_not_searches(tmp_path, open_log, caplog):
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db, busy_timeout=0.05, interval=0.05)
    search_log.record_search("przed blokadą", total=1)
    assert search_log.flush()

    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        for n in range(20):
            assert re.fullmatch(r"[0-9a-f]{32}", search_log.record_search(f"w blokadzie {n}"))
        assert time.perf_counter() - started < 0.5  # no call waited for the lock
        assert search_log.flush(timeout=10)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert search_log.stats()["dropped"] == 20
    assert len(warnings_about(caplog, "zablokowany")) == 1

    for n in range(5):
        search_log.record_search(f"po blokadzie {n}")
    assert search_log.flush()
    assert column(db, "SELECT query FROM searches ORDER BY id") == [
        "przed blokadą",
        *(f"po blokadzie {n}" for n in range(5)),
    ]


def test_a_lock_that_passes_loses_nothing(tmp_path, open_log):
    """A batch that meets a lock is tried again before its events are dropped."""
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db, busy_timeout=5.0)
    search_log.record_search("pierwsze")
    assert search_log.flush()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    search_log.record_search("drugie")
    holder.execute("COMMIT")  # released well within the writer's busy timeout
    holder.close()
    assert search_log.flush()
    assert search_log.stats() == {"queued": 0, "written": 2, "dropped": 0}


GARBAGE = b"to nie jest baza danych \x00\xff" * 400


@pytest.mark.parametrize("damage", ["garbage", "pages"])
def test_a_damaged_file_costs_events_and_stays_as_it_is(
    tmp_path, open_log, caplog, runner, monkeypatch, damage
):
    db = tmp_path / "analytics.sqlite3"
    if damage == "garbage":
        db.write_bytes(GARBAGE)
    else:  # a real log whose pages after the header were overwritten
        with SearchLog(db) as earlier:
            for n in range(200):
                earlier.record_search(f"zapytanie {n}")
        raw = db.read_bytes()
        db.write_bytes(raw[:100] + GARBAGE[: len(raw) - 100])
    damaged = db.read_bytes()

    search_log = open_log(db)
    for n in range(10):
        search_log.record_search(f"zapytanie {n}", total=n)
    assert search_log.record_click(search_log.record_search("jeszcze"), 1, "p1")
    assert search_log.flush()
    assert search_log.stats()["dropped"] == 12
    assert len(warnings_about(caplog, "nie jest poprawną bazą")) == 1
    assert db.read_bytes() == damaged  # left for the operator to look at

    monkeypatch.setenv(ENV_DB, str(db))
    result = invoke(runner, tmp_path / "ix")
    assert result.exit_code == 1
    assert "Błąd: Nie można odczytać dziennika wyszukiwań" in result.stderr
    assert "nie jest poprawną bazą danych" in result.stderr
    with pytest.raises(AnalyticsReadError):
        build_report(db, Period.last_days(1))

    # Moved aside, the log starts afresh in the same process.
    db.rename(tmp_path / "uszkodzony.sqlite3")
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"{db.name}{suffix}").unlink(missing_ok=True)
    search_log.record_search("po naprawie", total=1)
    assert search_log.flush()
    assert column(db, "SELECT query FROM searches") == ["po naprawie"]


def _read_only_child(base: str, connection) -> None:
    """In a child process that cannot write to ``base``: record, flush, report back."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logging.getLogger("search_app.analytics").addHandler(Collect())
    if os.geteuid() == 0:  # root writes anywhere: become nobody
        os.setgid(65534)
        os.setuid(65534)
    outcome: dict = {}
    for name in ("new", "existing"):
        search_log = SearchLog(Path(base) / name / "analytics.sqlite3")
        ids = [search_log.record_search(f"zapytanie {n}") for n in range(5)]
        outcome[name] = {
            "ids": len(ids),
            "flushed": search_log.flush(timeout=10),
            "stats": search_log.stats(),
            "closed": search_log.close(),
        }
    outcome["messages"] = messages
    try:
        report = build_report(Path(base) / "existing" / "analytics.sqlite3", Period.last_days(1))
        outcome["report"] = report.searches
    except AnalyticsReadError as error:
        outcome["report"] = str(error)
    connection.send(outcome)


def test_a_read_only_directory_costs_events_not_searches():
    # Not under pytest's tmp_path: its parents are closed to other users.
    base = Path(tempfile.mkdtemp(prefix="bdp-analytics-"))
    try:
        base.chmod(0o755)
        (base / "new").mkdir()
        (base / "existing").mkdir()
        with SearchLog(base / "existing" / "analytics.sqlite3") as earlier:
            earlier.record_search("zapisane wcześniej", total=1)
        for directory in ("new", "existing"):
            (base / directory).chmod(0o555)
        (base / "existing" / "analytics.sqlite3").chmod(0o444)

        context = multiprocessing.get_context("fork")
        parent_end, child_end = context.Pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
            child = context.Process(target=_read_only_child, args=(str(base), child_end))
            child.start()
        assert parent_end.poll(60)
        outcome = parent_end.recv()
        child.join(10)
        assert child.exitcode == 0
    finally:
        for path in (base, *base.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(base)

    for name in ("new", "existing"):
        assert outcome[name]["ids"] == 5
        assert outcome[name]["flushed"] and outcome[name]["closed"]
        assert outcome[name]["stats"] == {"queued": 0, "written": 0, "dropped": 5}
    assert any("Nie można zapisywać dziennika" in m for m in outcome["messages"])
    assert outcome["report"] == 1  # the reports still read it


def _record_fifty(search_log: SearchLog, number: int) -> None:
    for n in range(50):
        search_log.record_search(f"proces {number} zapytanie {n}", total=n % 3)
    raise SystemExit(0 if search_log.flush(timeout=30) else 1)


def test_several_processes_write_one_file(tmp_path, open_log):
    """Like gunicorn's workers: the log made (and used) before the fork works in each child."""
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db)
    search_log.record_search("rodzic przed", total=1)
    assert search_log.flush()  # the parent's thread and connection exist at the fork

    context = multiprocessing.get_context("fork")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        children = [
            context.Process(target=_record_fifty, args=(search_log, number)) for number in range(3)
        ]
        for child in children:
            child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0

    search_log.record_search("rodzic po", total=1)
    assert search_log.flush()
    assert count(db, "SELECT count(*) FROM searches") == 152
    for number in range(3):
        query = "SELECT count(*) FROM searches WHERE query LIKE ?"
        assert count(db, query, f"proces {number} %") == 50
    assert search_log.stats()["written"] == 2  # the children's events went their own way


# The queue


def test_a_full_queue_drops_the_oldest(tmp_path, open_log, caplog):
    db = tmp_path / "analytics.sqlite3"
    # The writer wakes only for flush(): the queue fills up first.
    search_log = open_log(db, max_queue=10, batch_size=1000, interval=60)
    for n in range(15):
        search_log.record_search(f"zapytanie {n:02}")
    assert search_log.stats() == {"queued": 10, "written": 0, "dropped": 5}
    assert search_log.flush()
    assert column(db, "SELECT query FROM searches ORDER BY id") == [
        f"zapytanie {n:02}" for n in range(5, 15)
    ]
    assert len(warnings_about(caplog, "Kolejka dziennika wyszukiwań jest pełna")) == 1


def test_bad_values_and_a_closed_log_never_raise(tmp_path, open_log, caplog):
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db)
    assert search_log.record_search("dobre", total=1)
    assert search_log.record_search("złe", total="wiele")  # type: ignore[arg-type]
    assert search_log.record_search("złe", page=object())  # type: ignore[arg-type]
    assert not search_log.record_click("0" * 32, 0, "p1")
    assert not search_log.record_click("0" * 32, True, "p1")
    assert not search_log.record_click("0" * 31, 1, "p1")
    assert not search_log.record_click("0" * 32, 1, "../p1")
    assert search_log.flush()
    assert column(db, "SELECT query FROM searches") == ["dobre"]
    assert len(warnings_about(caplog, "Nieoczekiwany błąd")) == 1

    assert search_log.close()
    assert search_log.record_search("po zamknięciu")
    assert search_log.flush()
    assert column(db, "SELECT query FROM searches") == ["dobre"]


# Retention


def test_retention_prunes_old_searches_by_the_clock(tmp_path, open_log):
    clock = FakeClock()
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db, clock=clock, retention_days=90)
    old = search_log.record_search("stare", total=1)
    search_log.record_click(old, 1, "p1")
    assert search_log.flush()

    clock.advance(days=89)
    search_log.record_search("wciąż w okresie", total=1)
    assert search_log.flush()
    assert count(db, "SELECT count(*) FROM searches") == 2

    clock.advance(days=2)  # the first search is now 91 days old
    search_log.record_search("nowe", total=1)
    assert search_log.flush()
    assert column(db, "SELECT query FROM searches ORDER BY id") == ["wciąż w okresie", "nowe"]
    assert count(db, "SELECT count(*) FROM clicks") == 0


def test_pruning_runs_on_open_and_at_most_hourly(tmp_path, open_log):
    clock = FakeClock()
    db = tmp_path / "analytics.sqlite3"
    with SearchLog(db, clock=clock, retention_days=1) as earlier:
        earlier.record_search("sprzed dwóch dni")
    clock.advance(days=2)
    search_log = open_log(db, clock=clock, retention_days=1)
    search_log.record_search("teraz")
    assert search_log.flush()  # opening pruned
    assert column(db, "SELECT query FROM searches") == ["teraz"]

    clock.now = T0  # stamp an event two days back, then write it half an hour later
    search_log.record_search("wpisane z opóźnieniem")
    clock.now = T0 + timedelta(days=2, minutes=30)
    assert search_log.flush()
    assert count(db, "SELECT count(*) FROM searches") == 2  # not an hour since the last prune
    clock.advance(minutes=31)
    search_log.record_search("godzinę później")
    assert search_log.flush()
    assert column(db, "SELECT query FROM searches ORDER BY id") == ["teraz", "godzinę później"]


def test_prune_schedule():
    schedule = PruneSchedule(timedelta(hours=1))
    assert schedule.due(T0)
    schedule.done(T0)
    assert not schedule.due(T0 + timedelta(minutes=59))
    assert schedule.due(T0 + timedelta(hours=1))
    assert schedule.due(T0 - timedelta(minutes=1))  # a clock set back
    schedule.reset()
    assert schedule.due(T0)


def test_retention_setting(monkeypatch, tmp_path):
    assert retention_days({}) == 90
    assert retention_days({ENV_RETENTION_DAYS: "7"}) == 7
    for bad in ("0", "3651", "tydzień", "-5"):
        with pytest.raises(AnalyticsSettingError, match=f"^{ENV_RETENTION_DAYS}: oczekiwano"):
            retention_days({ENV_RETENTION_DAYS: bad})
    monkeypatch.setenv(ENV_RETENTION_DAYS, "14")
    assert SearchLog(tmp_path / "a.sqlite3").retention_days == 14
    with pytest.raises(AnalyticsSettingError):
        SearchLog(tmp_path / "a.sqlite3", retention_days=0)


# SQL injection


INJECTIONS = [
    "'; DROP TABLE searches; --",
    "x' OR '1'='1",
    '" UNION SELECT search_id, 1 FROM searches --',
    "robert'); DELETE FROM clicks; --",
]


def test_sql_in_queries_is_stored_and_reported_literally(tmp_path, open_log):
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db)
    for text in INJECTIONS:
        search_id = search_log.record_search(
            text, corrected=f"{text} 2", filters={text: [text]}, unknown_words=[text], total=0
        )
        search_log.record_click(search_id, 1, "p1")
    assert search_log.flush()
    report = build_report(db, Period.last_days(1))
    expected = sorted(t.lower() for t in INJECTIONS)
    assert sorted(q.query for q in report.top_queries) == expected
    assert sorted(q.query for q in report.zero_result_queries) == expected
    assert sorted(c.correction for c in report.corrected_queries) == [f"{t} 2" for t in expected]
    assert sorted(w.word for w in report.unknown_words) == expected
    assert report.clicks == 4
    assert count(db, "SELECT count(*) FROM searches") == 4


def test_report_parameters_are_checked_not_interpolated(tmp_path, open_log, runner):
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db)
    search_log.record_search("żłobek")
    assert search_log.flush()
    for days in ("1; DROP TABLE searches", 0, 3651, True, 1.5, None):
        with pytest.raises(PeriodError):
            Period.last_days(days)  # type: ignore[arg-type]
    for limit in ("5; DROP TABLE searches", 0, 1001, True):
        with pytest.raises(PeriodError):
            build_report(db, Period.last_days(1), limit=limit)  # type: ignore[arg-type]
    with pytest.raises(PeriodError):
        Period.between(date(2025, 1, 2), date(2025, 1, 1))
    with pytest.raises(PeriodError):
        Period.between(date(2000, 1, 1), date(2025, 1, 1))

    index_dir = tmp_path / "ix"
    for args, message in (
        (["--dni", "1; DROP TABLE searches"], "nie jest liczbą całkowitą"),
        (["--dni", "0"], "co najmniej 1"),
        (["--dni", "3651"], "co najwyżej 3650"),
        (["--limit", "1 OR 1=1"], "nie jest liczbą całkowitą"),
    ):
        result = invoke(runner, index_dir, *args)
        assert result.exit_code == 2
        assert f"Błąd: Nieprawidłowa wartość opcji „{args[0]}”" in result.stderr
        assert message in result.stderr
    assert count(db, "SELECT count(*) FROM searches") == 1


def test_a_period_between_dates(tmp_path, open_log):
    clock = FakeClock()
    db = tmp_path / "analytics.sqlite3"
    search_log = open_log(db, clock=clock)
    search_log.record_search("marzec", total=0)
    clock.advance(days=30)
    search_log.record_search("kwiecień", total=0)
    assert search_log.flush()
    march = build_report(db, Period.between(date(2025, 3, 1), date(2025, 4, 1)))
    assert [q.query for q in march.top_queries] == ["marzec"]
    assert march.days is None and len(march.daily) == 31
    assert march.daily[9].searches == 1  # 10 March
