"""The read side of the search log: what people searched for, over a period.

One :func:`build_report` call opens the database read-only and answers every
question editors ask of the log: the most frequent queries, the queries that
found nothing (with the correction last proposed for them), the corrections the
engine made, the words the index does not know, the click-through per query,
and searches per day. Every value reaches SQL as a bound parameter; periods and
limits are checked first (:class:`~search_app.analytics.errors.PeriodError`).

Every recorded search counts, later pages of results included (clicks on page 2
need their own search id). Searches with an empty query (browsing by facets
alone) count in the totals and per day, but not per query. Days are UTC days.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from search_app.analytics.errors import AnalyticsReadError, PeriodError
from search_app.analytics.events import epoch_minute
from search_app.analytics.failures import kind_of
from search_app.analytics.schema import has_schema, open_for_reading
from search_app.analytics.settings import MAX_DAYS

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Period:
    """From ``since`` (inclusive) to ``until`` (exclusive), whole minutes, UTC."""

    since: datetime
    until: datetime
    days: int | None = None  # when made by :meth:`last_days`

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> Period:
        """The ``days`` days up to now, the current minute included.

        >>> p = Period.last_days(7, datetime(2024, 5, 8, 12, 30, 15, tzinfo=UTC))
        >>> p.since.isoformat(), p.until.isoformat()
        ('2024-05-01T12:31:00+00:00', '2024-05-08T12:31:00+00:00')
        """
        _check_days(days)
        until = _minute_after(now if now is not None else datetime.now(UTC))
        return cls(until - timedelta(days=days), until, days)

    @classmethod
    def between(cls, since: datetime | date, until: datetime | date) -> Period:
        """From ``since`` to ``until`` (a date means its midnight UTC); at most 3650 days."""
        start, end = _moment(since), _moment(until)
        if not start < end:
            raise PeriodError("Początek okresu musi być wcześniejszy niż jego koniec.")
        if end - start > timedelta(days=MAX_DAYS):
            raise PeriodError(f"Okres raportu może mieć najwyżej {MAX_DAYS} dni.")
        return cls(start, end)

    @property
    def minutes(self) -> tuple[int, int]:
        return epoch_minute(self.since), epoch_minute(self.until)


@dataclass(frozen=True)
class QueryCount:
    query: str
    count: int


@dataclass(frozen=True)
class ZeroResultQuery:
    query: str
    count: int
    correction: str | None  # the latest correction the engine proposed for it, if any


@dataclass(frozen=True)
class CorrectedQuery:
    query: str
    correction: str
    count: int


@dataclass(frozen=True)
class WordCount:
    word: str
    count: int


@dataclass(frozen=True)
class ClickThrough:
    query: str
    searches: int
    clicked: int  # searches with at least one click
    ctr: float


@dataclass(frozen=True)
class DailyCount:
    date: str  # ISO date, UTC
    searches: int
    zero_results: int


@dataclass(frozen=True)
class Report:
    """Everything the log says about one period; :meth:`to_dict` is ready for JSON."""

    since: datetime
    until: datetime
    days: int | None
    exists: bool  # False: there is no log yet (the report is empty, not an error)
    searches: int = 0
    zero_result_searches: int = 0
    corrected_searches: int = 0
    distinct_queries: int = 0
    clicks: int = 0
    searches_with_clicks: int = 0
    top_queries: list[QueryCount] = field(default_factory=list)
    zero_result_queries: list[ZeroResultQuery] = field(default_factory=list)
    corrected_queries: list[CorrectedQuery] = field(default_factory=list)
    unknown_words: list[WordCount] = field(default_factory=list)
    click_through: list[ClickThrough] = field(default_factory=list)
    daily: list[DailyCount] = field(default_factory=list)

    @property
    def click_through_rate(self) -> float:
        return _ratio(self.searches_with_clicks, self.searches)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"] = self.since.isoformat()
        data["until"] = self.until.isoformat()
        data["click_through_rate"] = self.click_through_rate
        return data


def build_report(
    path: Path | str,
    period: Period,
    *,
    limit: int = DEFAULT_LIMIT,
) -> Report:
    """The report for ``period`` from the log at ``path``; lists hold at most ``limit`` rows.

    A missing file gives an empty report (``exists`` False); a file that is not
    a readable log raises :class:`AnalyticsReadError`.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise PeriodError(f"Liczba wierszy raportu: od 1 do {MAX_LIMIT}, jest {limit!r}.")
    path = Path(path)
    if not path.is_file():
        return Report(period.since, period.until, period.days, exists=False)
    try:
        conn = open_for_reading(path)
    except sqlite3.Error as error:
        raise _read_error(path, error) from error
    try:
        if not has_schema(conn):
            return Report(period.since, period.until, period.days, exists=True)
        return _query(conn, period, limit)
    except sqlite3.Error as error:
        raise _read_error(path, error) from error
    finally:
        conn.close()


def _query(conn: sqlite3.Connection, period: Period, limit: int) -> Report:
    start, end = period.minutes
    span = {"start": start, "end": end, "limit": limit}
    in_period = "s.minute >= :start AND s.minute < :end"
    searches, zero, corrected, distinct = conn.execute(
        f"""SELECT count(*), coalesce(sum(s.total = 0), 0),
                   coalesce(sum(s.corrected IS NOT NULL), 0),
                   count(DISTINCT nullif(s.query, ''))
            FROM searches s WHERE {in_period}""",
        span,
    ).fetchone()
    clicks, clicked = conn.execute(
        f"""SELECT count(*), count(DISTINCT c.search_id)
            FROM clicks c JOIN searches s ON s.search_id = c.search_id WHERE {in_period}""",
        span,
    ).fetchone()
    top = [
        QueryCount(*row)
        for row in conn.execute(
            f"""SELECT s.query, count(*) AS n FROM searches s
                WHERE {in_period} AND s.query <> ''
                GROUP BY s.query ORDER BY n DESC, s.query LIMIT :limit""",
            span,
        )
    ]
    zero_queries = [
        ZeroResultQuery(*row)
        for row in conn.execute(
            f"""SELECT z.query, z.n,
                       (SELECT l.corrected FROM searches l
                        WHERE l.query = z.query AND l.corrected IS NOT NULL
                          AND l.minute >= :start AND l.minute < :end
                        ORDER BY l.minute DESC, l.id DESC LIMIT 1)
                FROM (SELECT s.query, count(*) AS n FROM searches s
                      WHERE {in_period} AND s.total = 0 AND s.query <> ''
                      GROUP BY s.query ORDER BY n DESC, s.query LIMIT :limit) AS z
                ORDER BY z.n DESC, z.query""",
            span,
        )
    ]
    corrections = [
        CorrectedQuery(*row)
        for row in conn.execute(
            f"""SELECT s.query, s.corrected, count(*) AS n FROM searches s
                WHERE {in_period} AND s.corrected IS NOT NULL
                GROUP BY s.query, s.corrected ORDER BY n DESC, s.query, s.corrected
                LIMIT :limit""",
            span,
        )
    ]
    words = [
        WordCount(*row)
        for row in conn.execute(
            f"""SELECT w.value AS word, count(*) AS n
                FROM searches s, json_each(
                    CASE WHEN json_valid(s.unknown_words) THEN s.unknown_words ELSE '[]' END
                ) AS w
                WHERE {in_period} AND w.type = 'text'
                GROUP BY word ORDER BY n DESC, word LIMIT :limit""",
            span,
        )
    ]
    click_through = [
        ClickThrough(query, n, clicked_n, _ratio(clicked_n, n))
        for query, n, clicked_n in conn.execute(
            f"""SELECT s.query, count(*) AS n,
                       sum(EXISTS (SELECT 1 FROM clicks c WHERE c.search_id = s.search_id))
                FROM searches s WHERE {in_period} AND s.query <> ''
                GROUP BY s.query ORDER BY n DESC, s.query LIMIT :limit""",
            span,
        )
    ]
    per_day = {
        day: (n, zero_n)
        for day, n, zero_n in conn.execute(
            f"""SELECT s.minute / 1440 AS day, count(*), sum(s.total = 0)
                FROM searches s WHERE {in_period} GROUP BY day""",
            span,
        )
    }
    return Report(
        since=period.since,
        until=period.until,
        days=period.days,
        exists=True,
        searches=searches,
        zero_result_searches=zero,
        corrected_searches=corrected,
        distinct_queries=distinct,
        clicks=clicks,
        searches_with_clicks=clicked,
        top_queries=top,
        zero_result_queries=zero_queries,
        corrected_queries=corrections,
        unknown_words=words,
        click_through=click_through,
        daily=_daily(period, per_day),
    )


def _daily(period: Period, per_day: dict[int, tuple[int, int]]) -> list[DailyCount]:
    """One row per UTC day of the period, days without searches included."""
    first = (period.since.astimezone(UTC).date() - EPOCH).days
    last = ((period.until - timedelta(microseconds=1)).astimezone(UTC).date() - EPOCH).days
    rows = []
    for day in range(first, last + 1):
        searches, zero = per_day.get(day, (0, 0))
        rows.append(DailyCount((EPOCH + timedelta(days=day)).isoformat(), searches, zero))
    return rows


def _check_days(days: object) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise PeriodError(f"Liczba dni raportu: od 1 do {MAX_DAYS}, jest {days!r}.")


def _moment(value: datetime | date) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _minute_after(now: datetime) -> datetime:
    now = _moment(now)
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


# What a reader is told about a log it cannot read, by the kind of failure.
READ_PROBLEMS = {
    "damaged": "plik nie jest poprawną bazą danych (uszkodzony?)",
    "readonly": "brak dostępu do pliku",
    "locked": "baza jest zablokowana przez inny proces — spróbuj za chwilę",
}


def _read_error(path: Path, error: sqlite3.Error) -> AnalyticsReadError:
    problem = READ_PROBLEMS.get(kind_of(error), str(error))
    return AnalyticsReadError(f"Nie można odczytać dziennika wyszukiwań {path}: {problem}.")
