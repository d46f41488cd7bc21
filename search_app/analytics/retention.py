"""Forgetting old searches: rows older than the retention period are deleted.

The writer thread calls :func:`prune` when it opens the database and then at
most once per :data:`PRUNE_EVERY` (by the log's clock, so tests move time
instead of waiting). Searches and clicks are pruned by their own minute.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from search_app.analytics.events import epoch_minute

PRUNE_EVERY = timedelta(hours=1)


def cutoff_minute(now: datetime, days: int) -> int:
    """The first epoch minute still kept.

    >>> from datetime import UTC
    >>> cutoff_minute(datetime(1970, 1, 3, tzinfo=UTC), 1)
    1440
    """
    return epoch_minute(now - timedelta(days=days))


def prune(conn: sqlite3.Connection, now: datetime, days: int) -> int:
    """Delete searches and clicks older than ``days`` before ``now``; the rows deleted.

    Runs inside the caller's transaction (the writer's batch), if any.
    """
    cutoff = cutoff_minute(now, days)
    deleted = conn.execute("DELETE FROM searches WHERE minute < ?", (cutoff,)).rowcount
    deleted += conn.execute("DELETE FROM clicks WHERE minute < ?", (cutoff,)).rowcount
    return deleted


class PruneSchedule:
    """When the next prune is due: at the first batch, then once per ``every``."""

    def __init__(self, every: timedelta = PRUNE_EVERY) -> None:
        self.every = every
        self.last: datetime | None = None

    def due(self, now: datetime) -> bool:
        # A clock set back (or a test's) makes it due as well rather than never.
        return self.last is None or not self.last <= now < self.last + self.every

    def done(self, now: datetime) -> None:
        self.last = now

    def reset(self) -> None:
        """Prune again at the next open (a new or replaced file)."""
        self.last = None
