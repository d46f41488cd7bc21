"""The search log's SQLite schema, and opening the database for writing or reading.

One file, in WAL mode, so every gunicorn worker's writer thread and the reports
can use it at once (readers never block the writer, nor it them); each process
opens its own connection. The schema is created on first use, under a write
transaction, so workers starting together create it once. ``schema_version``
says which schema a file has; a file written by a newer version is left alone.

Time is the epoch minute (minutes since 1970-01-01 UTC): to the minute, no
finer, and simple to compare, prune and group by day.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

SCHEMA_VERSION = 1

TABLES = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY,
    search_id TEXT NOT NULL,          -- random uuid4 hex: attributes clicks, nothing else
    minute INTEGER NOT NULL,          -- epoch minute, UTC
    query TEXT NOT NULL,              -- lowercase, whitespace collapsed, NFC
    corrected TEXT,                   -- the query the engine searched instead, or NULL
    filters TEXT NOT NULL,            -- canonical JSON {facet: [values]}
    sort TEXT NOT NULL,
    page INTEGER NOT NULL,
    total INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    relaxed_words TEXT NOT NULL,      -- JSON list: words a result did not have to contain
    unknown_words TEXT NOT NULL       -- JSON list: words the index does not know
);
CREATE INDEX IF NOT EXISTS searches_minute ON searches (minute);
CREATE INDEX IF NOT EXISTS searches_query ON searches (query, minute);
CREATE INDEX IF NOT EXISTS searches_search_id ON searches (search_id);
CREATE TABLE IF NOT EXISTS clicks (
    id INTEGER PRIMARY KEY,
    minute INTEGER NOT NULL,
    search_id TEXT NOT NULL,
    position INTEGER NOT NULL,        -- 1 = the first result of the first page
    practice_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clicks_minute ON clicks (minute);
CREATE INDEX IF NOT EXISTS clicks_search_id ON clicks (search_id);
"""


class NewerSchemaError(sqlite3.DatabaseError):
    """The file was written by a newer version of the search log: we do not write to it."""


def open_for_writing(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, schema in place.

    ``busy_timeout`` (seconds) is how long a statement waits for another
    process's write lock before failing with "database is locked".
    """
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL loses at most the last transactions on a power cut, never
        # the file; for a search log that trade is right (no fsync per batch).
        conn.execute("PRAGMA synchronous = NORMAL")
        ensure_schema(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables on first use; refuse a file of a newer schema."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        (version,) = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        if version is None:
            for statement in _statements(TABLES):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        elif version > SCHEMA_VERSION:
            raise NewerSchemaError(f"schema version {version} > {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def open_for_reading(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``): reports never create nor change the file.

    Reading a WAL database needs its ``-shm`` file, which a reader without write
    access to the directory cannot create when no writer is running (another
    user's ``bdp analytics``, the server stopped). The file is then read as
    immutable: with no writer there is no write-ahead log to miss.
    """
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        return _checked(sqlite3.connect(uri, uri=True))
    except sqlite3.OperationalError as error:
        try:
            return _checked(sqlite3.connect(uri + "&immutable=1", uri=True))
        except sqlite3.Error:
            raise error from None


def _checked(conn: sqlite3.Connection) -> sqlite3.Connection:
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def has_schema(conn: sqlite3.Connection) -> bool:
    """Whether the tables exist (a file made but never written to has none)."""
    names = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
            ("searches", "clicks"),
        )
    }
    return names == {"searches", "clicks"}


def _statements(script: str) -> list[str]:
    """The statements of ``script`` (no ``executescript``: it would commit our transaction)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
