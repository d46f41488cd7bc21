"""What went wrong with the search log's database, and telling the operator once.

A search never fails because its log did: every error of the writer is sorted
into a kind, logged (in Polish, for the operator) the first time that kind
occurs in the process, and its events are dropped. One warning per kind, not one
per batch, so a full disk does not also flood the server's log.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from search_app.analytics.schema import NewerSchemaError

log = logging.getLogger("search_app.analytics")

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

# A kind, and what the operator reads about it (the path is added).
MESSAGES = {
    "locked": (
        "Dziennik wyszukiwań {path} jest zablokowany przez inny proces; "
        "część zdarzeń pominięto (wyszukiwanie działa dalej)."
    ),
    "full": "Brak miejsca na dysku dla dziennika wyszukiwań {path}; zdarzenia są pomijane.",
    "damaged": (
        "Plik {path} nie jest poprawną bazą dziennika wyszukiwań (uszkodzony?); "
        "zdarzenia są pomijane. Przenieś plik w inne miejsce — zostanie utworzony nowy."
    ),
    "readonly": (
        "Nie można zapisywać dziennika wyszukiwań {path} (brak uprawnień lub system plików "
        "tylko do odczytu); zdarzenia są pomijane."
    ),
    "io": "Błąd wejścia-wyjścia przy zapisie dziennika wyszukiwań {path}; zdarzenia są pomijane.",
    "schema": (
        "Dziennik wyszukiwań {path} ma nowszy schemat niż ta wersja programu; "
        "zdarzenia są pomijane."
    ),
    "queue": (
        "Kolejka dziennika wyszukiwań jest pełna ({path} nie nadąża z zapisem); "
        "najstarsze zdarzenia są pomijane."
    ),
    "other": "Nieoczekiwany błąd dziennika wyszukiwań {path}; zdarzenia są pomijane.",
}

# Kinds worth another attempt at the next batch before the events are dropped.
TRANSIENT = frozenset({"locked"})


def kind_of(error: BaseException) -> str:
    """The kind of a failure, by SQLite's result code (messages vary between versions)."""
    if isinstance(error, NewerSchemaError):
        return "schema"
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return "locked"
        if code == SQLITE_FULL:
            return "full"
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return "damaged"
        if code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM):
            return "readonly"
        if code == SQLITE_IOERR:
            return "io"
    if isinstance(error, PermissionError):
        return "readonly"
    if isinstance(error, OSError):
        return "io"
    return "other"


class WarnOnce:
    """Logs a warning for each kind of failure the first time it happens."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, kind: str, error: BaseException | None = None) -> None:
        with self._lock:
            if kind in self.seen:
                return
            self.seen.add(kind)
        message = MESSAGES.get(kind, MESSAGES["other"]).format(path=self.path)
        if error is None:
            log.warning(message)
        else:
            log.warning("%s (%s: %s)", message, type(error).__name__, error)
