"""Polish one-line explanations of operating-system errors met while writing the index."""

from __future__ import annotations

import errno
import signal

KEPT = "działający indeks pozostaje bez zmian"

CAUSES = {
    errno.ENOSPC: "brak miejsca na dysku",
    errno.EDQUOT: "przekroczony limit miejsca na dysku",
    errno.EACCES: "brak uprawnień do zapisu",
    errno.EPERM: "brak uprawnień do zapisu",
    errno.EROFS: "system plików jest tylko do odczytu",
    errno.EMFILE: "zbyt wiele otwartych plików",
    errno.EIO: "błąd wejścia-wyjścia dysku",
}


def describe_os_error(exc: OSError) -> str:
    """One line an editor can act on, e.g. for ENOSPC.

    >>> import errno
    >>> message = describe_os_error(OSError(errno.ENOSPC, "No space left", "index/gen-1"))
    >>> message.startswith("Zapis indeksu nie powiódł się: brak miejsca na dysku (index/gen-1)")
    True
    """
    cause = CAUSES.get(exc.errno or 0) or (exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename else ""
    return f"Zapis indeksu nie powiódł się: {cause}{where}; {KEPT}."


def describe_exit(code: int | None) -> str:
    """Why a worker process ended, in Polish: the signal that killed it, or its exit code.

    >>> describe_exit(-9)
    'zabity sygnałem SIGKILL — np. przez system z braku pamięci'
    >>> describe_exit(3)
    'kod wyjścia 3'
    """
    if code is not None and code < 0:
        cause = f"zabity sygnałem {signal.Signals(-code).name}"
        if -code == signal.SIGKILL:
            cause += " — np. przez system z braku pamięci"
        return cause
    return f"kod wyjścia {code}"
