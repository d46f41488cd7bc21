"""The database side of the writer thread: one batch of events, one transaction.

A :class:`BatchWriter` belongs to one thread of one process: it opens its
connection lazily (after any fork), writes each batch with ``BEGIN IMMEDIATE``
… ``COMMIT``, prunes old rows inside the same transaction when due, and on
failure reports the kind instead of raising. After a failure that is not
transient it closes the connection, so a file that was damaged and then moved
away is recreated at the next batch.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime
from pathlib import Path

from search_app.analytics.events import ClickEvent, SearchEvent
from search_app.analytics.failures import TRANSIENT, kind_of
from search_app.analytics.retention import PruneSchedule, prune
from search_app.analytics.schema import open_for_writing

Event = SearchEvent | ClickEvent

SEARCH_COLUMNS = tuple(f.name for f in fields(SearchEvent))
CLICK_COLUMNS = tuple(f.name for f in fields(ClickEvent))
INSERT_SEARCH = (
    f"INSERT INTO searches ({', '.join(SEARCH_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in SEARCH_COLUMNS)})"
)
INSERT_CLICK = (
    f"INSERT INTO clicks ({', '.join(CLICK_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in CLICK_COLUMNS)})"
)


class Failure(Exception):
    """Why a batch was not written: its kind (see ``failures.MESSAGES``) and the cause."""

    def __init__(self, kind: str, error: BaseException) -> None:
        super().__init__(kind)
        self.kind = kind
        self.error = error

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT


class BatchWriter:
    """Writes batches of events to the database at ``path``, one transaction each."""

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout: float,
        retention_days: int,
        clock: Callable[[], datetime],
        schedule: PruneSchedule,
    ) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.retention_days = retention_days
        self.clock = clock
        self.schedule = schedule
        self._conn: sqlite3.Connection | None = None

    def write(self, events: Sequence[Event]) -> Failure | None:
        """Write ``events`` in one transaction: None when written, else the failure."""
        try:
            self._write(events)
        except Exception as error:
            failure = Failure(kind_of(error), error)
            if not failure.transient:
                self.close()
            return failure
        return None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _write(self, events: Sequence[Event]) -> None:
        conn = self._connection()
        searches = [_row(e, SEARCH_COLUMNS) for e in events if isinstance(e, SearchEvent)]
        clicks = [_row(e, CLICK_COLUMNS) for e in events if isinstance(e, ClickEvent)]
        now = self.clock()
        pruning = self.schedule.due(now)
        conn.execute("BEGIN IMMEDIATE")
        try:
            if searches:
                conn.executemany(INSERT_SEARCH, searches)
            if clicks:
                conn.executemany(INSERT_CLICK, clicks)
            if pruning:
                prune(conn, now, self.retention_days)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        if pruning:
            self.schedule.done(now)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = open_for_writing(self.path, self.busy_timeout)
            self.schedule.reset()  # prune on open
        return self._conn


def _row(event: Event, columns: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(getattr(event, name) for name in columns)
