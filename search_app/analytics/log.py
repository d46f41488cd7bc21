"""The search log: record searches and clicks without ever slowing or failing a search.

:meth:`SearchLog.record_search` and :meth:`SearchLog.record_click` only make an
event (microseconds) and put it on a bounded in-process queue; a daemon writer
thread takes the queue in batches (:data:`BATCH_SIZE` events or every
:data:`INTERVAL` seconds, whichever comes first) and writes each batch in one
transaction (:mod:`search_app.analytics.writer`). Nothing the database does
reaches the caller: a full, damaged or read-only database, or a lock held
through :data:`ATTEMPTS` tries, costs the events of that batch and one warning
per kind in the log, never an exception.

The queue holds at most ``max_queue`` events; when it is full the **oldest**
event is dropped to make room (the newest say the most about what people are
doing now, and a writer that has fallen behind catches up on recent events).

Several gunicorn workers may share one file (SQLite's WAL mode; each process has
its own writer thread and connection). Both are made lazily, in the process that
records: a log created before gunicorn forks (``preload_app``) notices the new
process id at the first event and starts afresh there, leaving the parent's
queue, thread and connection alone (SQLite forbids using a connection across a
fork).

Nothing about the person is accepted: the recording methods take no address,
user agent, cookie or referrer, and the search id is a random uuid4.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from search_app.analytics import settings
from search_app.analytics.errors import AnalyticsSettingError
from search_app.analytics.events import click_event, new_search_id, search_event
from search_app.analytics.failures import WarnOnce, log
from search_app.analytics.retention import PRUNE_EVERY, PruneSchedule
from search_app.analytics.writer import BatchWriter, Event, Failure

Clock = Callable[[], datetime]

MAX_QUEUE = 10_000
BATCH_SIZE = 100
INTERVAL = 0.5
# Seconds a batch waits for another process's write lock. Only the writer thread
# waits, never a search; short, so a stuck lock costs events rather than memory.
BUSY_TIMEOUT = 0.25
# Tries of a batch that met a locked database before its events are dropped.
ATTEMPTS = 3
# At interpreter exit, how long the queued events may take to be written.
EXIT_TIMEOUT = 1.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class SearchLog:
    """Records searches and clicks into the SQLite file at ``path``, in the background.

    ``retention_days`` defaults to ``BDP_ANALYTICS_RETENTION_DAYS`` (90); ``clock``
    (aware UTC datetimes) stamps events and schedules pruning, and tests replace
    it. Use :func:`~search_app.analytics.settings.analytics_db_path` for ``path``.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        retention_days: int | None = None,
        clock: Clock = utc_now,
        max_queue: int = MAX_QUEUE,
        batch_size: int = BATCH_SIZE,
        interval: float = INTERVAL,
        busy_timeout: float = BUSY_TIMEOUT,
        prune_every: timedelta = PRUNE_EVERY,
    ) -> None:
        if retention_days is None:
            retention_days = settings.retention_days()
        if not 1 <= retention_days <= settings.MAX_DAYS:
            raise AnalyticsSettingError(
                f"Okres przechowywania dziennika wyszukiwań: od 1 do {settings.MAX_DAYS} dni, "
                f"jest {retention_days}"
            )
        if max_queue < 1 or batch_size < 1 or interval <= 0 or busy_timeout < 0:
            raise ValueError("max_queue and batch_size >= 1, interval > 0, busy_timeout >= 0")
        self.path = Path(path)
        self.retention_days = retention_days
        self.clock = clock
        self.max_queue = max_queue
        self.batch_size = batch_size
        self.interval = interval
        self.busy_timeout = busy_timeout
        self.prune_every = prune_every
        self._worker: _Worker | None = None
        self._closed = False
        _OPEN_LOGS.add(self)

    def record_search(
        self,
        query: str,
        *,
        corrected: str | None = None,
        filters: Mapping[str, Iterable[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        total: int = 0,
        latency_ms: float = 0.0,
        relaxed_words: Iterable[str] = (),
        unknown_words: Iterable[str] = (),
    ) -> str:
        """Queue one search; its random id (to attribute clicks). Never raises, never waits.

        ``query`` as typed, ``corrected`` the query searched instead (a typo
        correction) or None, ``total`` the number of results, ``relaxed_words``
        the words a result did not have to contain, ``unknown_words`` the words
        the index does not know.
        """
        search_id = new_search_id()
        try:
            event = search_event(
                search_id,
                self.clock(),
                query,
                corrected=corrected,
                filters=filters,
                sort=sort,
                page=page,
                total=total,
                latency_ms=latency_ms,
                relaxed_words=relaxed_words,
                unknown_words=unknown_words,
            )
            self._put(event)
        except Exception as error:
            self._unexpected(error)
        return search_id

    def record_click(self, search_id: str, position: int, practice_id: str) -> bool:
        """Queue a click on the result at ``position`` (from 1) of a logged search.

        False (and nothing queued) when a value is not one the site hands out:
        a search id not of :meth:`record_search`'s form, a position outside
        1..10000, an invalid practice id. Never raises, never waits.
        """
        try:
            event = click_event(self.clock(), search_id, position, practice_id)
            if event is None:
                return False
            self._put(event)
        except Exception as error:
            self._unexpected(error)
            return False
        return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event queued so far is written (or dropped); False on timeout.

        For tests and shutdown: recording itself never waits.
        """
        worker = self._current()
        return worker.flush(timeout) if worker is not None else True

    def close(self, timeout: float = 5.0) -> bool:
        """Write what is queued, stop the writer thread and close its connection.

        Events recorded afterwards are dropped. True when the thread stopped in time.
        """
        self._closed = True
        _OPEN_LOGS.discard(self)
        worker = self._current()
        return worker.close(timeout) if worker is not None else True

    def stats(self) -> dict[str, int]:
        """This process's counts: events ``queued`` now, ``written`` and ``dropped`` so far."""
        worker = self._current()
        if worker is None:
            return {"queued": 0, "written": 0, "dropped": 0}
        with worker.cond:
            return {
                "queued": len(worker.queue),
                "written": worker.written,
                "dropped": worker.dropped,
            }

    def __enter__(self) -> SearchLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _put(self, event: Event) -> None:
        worker = self._current(create=True)
        if worker is not None:
            worker.put(event)

    def _current(self, create: bool = False) -> _Worker | None:
        """This process's worker; a new one after a fork (the parent's is left untouched)."""
        pid = os.getpid()
        worker = self._worker
        if worker is not None and worker.pid == pid:
            return worker
        if worker is None and not create:
            return None
        with _CREATE_LOCK:
            worker = self._worker
            if worker is None or worker.pid != pid:
                if worker is not None:
                    # Referenced for ever: collecting it would close the parent's
                    # connection from the child, which SQLite forbids.
                    _INHERITED.append(worker)
                worker = self._worker = _Worker(self, pid)
                if self._closed:
                    worker.closing = True
        return worker

    def _unexpected(self, error: BaseException) -> None:
        try:
            worker = self._current()
            if worker is not None:
                worker.warn("other", error)
                return
        except Exception:
            pass  # the fallback below: the log must never fail the search
        log.warning("Nieoczekiwany błąd dziennika wyszukiwań %s: %r", self.path, error)


class _Worker:
    """One process's queue and writer thread for a :class:`SearchLog`."""

    def __init__(self, owner: SearchLog, pid: int) -> None:
        self.pid = pid
        # Weak: a log dropped without close() lets its thread end instead of waiting for ever.
        self.owner = weakref.ref(owner)
        self.batch_size = owner.batch_size
        self.max_queue = owner.max_queue
        self.interval = owner.interval
        self.warn = WarnOnce(owner.path)
        self.writer = BatchWriter(
            owner.path,
            busy_timeout=owner.busy_timeout,
            retention_days=owner.retention_days,
            clock=owner.clock,
            schedule=PruneSchedule(owner.prune_every),
        )
        self.cond = threading.Condition()
        self.queue: deque[Event] = deque()
        self.enqueued = 0  # events ever put on the queue
        self.done = 0  # of those, events written or dropped
        self.written = 0
        self.dropped = 0
        self.flushing = False
        self.closing = False
        self.thread: threading.Thread | None = None

    def put(self, event: Event) -> None:
        overflow = False
        with self.cond:
            if self.closing:
                self.dropped += 1
                return
            if len(self.queue) >= self.max_queue:
                self.queue.popleft()  # the oldest makes room
                self.dropped += 1
                self.done += 1
                overflow = True
            self.queue.append(event)
            self.enqueued += 1
            if self.thread is None:
                thread = threading.Thread(target=self.run, name="bdp-analytics-writer", daemon=True)
                thread.start()
                self.thread = thread
            elif len(self.queue) >= self.batch_size:
                self.cond.notify_all()
        if overflow:
            self.warn("queue")

    def flush(self, timeout: float) -> bool:
        with self.cond:
            target = self.enqueued
            if self.done >= target:
                return True
            if self.thread is None or not self.thread.is_alive():
                return False
            self.flushing = True
            self.cond.notify_all()
            return self.cond.wait_for(lambda: self.done >= target, timeout)

    def close(self, timeout: float) -> bool:
        with self.cond:
            self.closing = True
            self.cond.notify_all()
            thread = self.thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def run(self) -> None:
        """The writer thread: take a batch, write it, account for it; never dies of an error."""
        batch: list[Event] = []
        attempts = 0
        while True:
            with self.cond:
                if batch:  # a batch that met a locked database: try again shortly
                    if not (self.flushing or self.closing):
                        self.cond.wait(self.interval)
                else:
                    self.cond.wait_for(self._wanted, self.interval)
                    batch = [self.queue.popleft() for _ in range(self._take())]
                    attempts = 0
                    if not batch:
                        self.flushing = False
                        if self.closing or self.owner() is None:
                            break
                        continue
            failure = self._write(batch)
            attempts += 1
            retry = failure is not None and failure.transient and attempts < ATTEMPTS
            if failure is not None and not retry:
                self.warn(failure.kind, failure.error)  # before flush() can return
            with self.cond:
                if retry:
                    continue
                if failure is None:
                    self.written += len(batch)
                else:
                    self.dropped += len(batch)
                self.done += len(batch)
                batch = []
                self.cond.notify_all()
        self.writer.close()

    def _wanted(self) -> bool:
        return self.closing or self.flushing or len(self.queue) >= self.batch_size

    def _take(self) -> int:
        return min(self.batch_size, len(self.queue))

    def _write(self, batch: list[Event]) -> Failure | None:
        try:
            return self.writer.write(batch)
        except Exception as error:  # a bug of ours must not stop the thread either
            return Failure("other", error)


# Guards creating a log's worker; replaced in a forked child, where a copy could be held.
_CREATE_LOCK = threading.Lock()
# Workers inherited from a parent process (see SearchLog._current).
_INHERITED: list[_Worker] = []
# Logs to close (write their queue) when the interpreter exits.
_OPEN_LOGS: weakref.WeakSet[SearchLog] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    global _CREATE_LOCK
    _CREATE_LOCK = threading.Lock()


def _close_at_exit() -> None:
    for search_log in list(_OPEN_LOGS):
        search_log.close(EXIT_TIMEOUT)


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_close_at_exit)
