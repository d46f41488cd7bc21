"""Serving the app with gunicorn from ``bdp serve``: threaded workers, deliberate limits.

Choices (each measured or forced by how gunicorn works):

- ``gthread`` workers: the worker's heartbeat comes from its main loop, so
  ``timeout`` never kills a worker (and its answer) for one slow request —
  only a process stuck as a whole (searches have their own budget); idle
  keep-alive connections wait in the worker's poller instead of holding it.
  One thread per worker (see ``THREADS``).
- Gunicorn's own refusals (a malformed request, a too long request line or
  header) are answered by :class:`JsonErrorWorker` in the API's JSON error
  shape with a Polish message, not gunicorn's English HTML.
- Each server gets its own control socket (``gunicornc``) in a private
  temporary directory: gunicorn's default is one path per user, which a
  second ``bdp serve`` would take over.
- The C library's heap gives large freed blocks back (:func:`return_freed_memory`).
- The listening socket is bound by :func:`listen` before gunicorn starts and
  handed over as ``fd://N``: a busy port, a privileged one or a foreign
  address is one Polish line (gunicorn would retry five times, logging in
  English, and exit), and ``bdp serve`` announces its address only once
  connections to it are accepted.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import socket
import tempfile
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from indexer.errors import BdpError
from search_app.web import create_app
from search_app.web.errors import JSON_PATHS, POLISH_MESSAGES, error_payload, plain_page

# Threads per worker. Searches are CPU-bound: on 2 cores, 4 threads let hostile queries
# share a worker with a normal one, whose p95 then rose to 4-4.8x its quiet value beside 8
# hostile clients, against 2.1-3.5x with one thread (tests/test_query_budget.py, three runs
# each). LiveIndex.searcher also copes with generations vanishing under several threads.
THREADS = 1
# A worker whose main loop has not checked in for this long is stuck as a whole: restart it.
# Not a request deadline (gthread requests run beside the heartbeat): searches stop on
# their own budget, and index updates run as jobs outside the workers.
TIMEOUT = 30
# On restart or shutdown, time for requests in flight to finish; every request is short.
GRACEFUL_TIMEOUT = 15
# Idle seconds a connection is kept open: a page and its CSS, script and map reuse one.
KEEPALIVE = 5
# gunicorn's maximum (default 4094): the app sees request lines up to 8 KiB and repairs
# long queries itself; longer lines get JsonErrorWorker's 414.
LIMIT_REQUEST_LINE = 8190
# Connections the kernel queues before a worker accepts them (gunicorn's default).
BACKLOG = 2048
# glibc raises its mmap threshold whenever a large block is freed (up to 32 MB); from then
# on a worker's large temporaries (a facet's column while its codes are made, score arrays
# at 100,000 practices) come from the heap, which keeps their pages once freed. Fixed at
# 128 KiB, large blocks are mapped and unmapped: a 100,000-practice worker held about 40 MB
# less after 1,000 requests, at no cost measured on the query set (mallopt(3)).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
HEAP_THRESHOLD = 128 * 1024
# Errors after which the next address of a host name is tried (say ::1 without IPv6).
TRY_NEXT_ADDRESS = (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)


class _Captured:
    """Stands in for the client socket while gunicorn writes its error page."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def setblocking(self, _flag: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.data += data

    def send(self, data: bytes) -> int:
        self.data += data
        return len(data)


class JsonErrorWorker(ThreadWorker):
    """A gthread worker whose own error answers (400, 414, 431, …) match the app's.

    Gunicorn has no hook for its error pages, so its ``handle_error`` (which
    keeps deciding the status and logging) writes into a stand-in socket; the
    status is read back and answered as JSON for ``/api/`` and ``/healthz``
    or as a Polish page elsewhere. A request line gunicorn refused has no
    known path, and is answered in JSON: browsers do not send such requests.
    """

    def handle_error(self, req, client, addr, exc) -> None:
        captured = _Captured()
        super().handle_error(req, captured, addr, exc)
        status_line = captured.data.split(b"\r\n", 1)[0].split(b" ", 2)
        if len(status_line) < 2 or not status_line[1].isdigit():
            client.sendall(captured.data)  # not what we expected: pass gunicorn's answer on
            return
        status = int(status_line[1])
        reason = status_line[2].decode("latin-1") if len(status_line) > 2 else ""
        path = getattr(req or getattr(exc, "req", None), "path", None)
        client.sendall(error_response(status, reason, path))


def error_response(status: int, reason: str, path: str | None) -> bytes:
    """A complete HTTP/1.1 error response in the app's shape, closing the connection."""
    import json

    message = POLISH_MESSAGES.get(status, POLISH_MESSAGES[400 if status < 500 else 500])
    if path is None or path.startswith("/api/") or path in JSON_PATHS:
        body = json.dumps(error_payload(status, message), ensure_ascii=False).encode("utf-8")
        content_type = "application/json"
    else:
        body = plain_page(status, message).encode("utf-8")
        content_type = "text/html; charset=utf-8"
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ListenError(BdpError):
    """The server cannot listen where it was asked to; the message says what to change."""


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening, as gunicorn would make it.

    Raises :class:`ListenError` with one Polish line for a busy port, a port
    below 1024 without the right to it, an address of another machine or an
    unknown host name. A host name is tried at each of its addresses in turn.
    """
    try:
        candidates = socket.getaddrinfo(
            host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError):
        raise ListenError(
            f"Nie rozpoznano adresu „{host}” (--host) — podaj adres IP tego komputera "
            "(np. 127.0.0.1 albo 0.0.0.0) lub jego nazwę."
        ) from None
    for number, (family, kind, proto, _name, address) in enumerate(candidates, start=1):
        listener = socket.socket(family, kind, proto)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn
            listener.bind(address)
            listener.listen(BACKLOG)
        except OSError as exc:
            listener.close()
            if exc.errno in TRY_NEXT_ADDRESS and number < len(candidates):
                continue
            raise ListenError(_listen_problem(exc, host, port)) from exc
        return listener
    raise ListenError(f"Nie znaleziono adresu „{host}” (--host).")  # getaddrinfo gave none


def _listen_problem(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} na {host} jest zajęty — wybierz inny (--port) albo zatrzymaj "
            "program, który go używa."
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        if 0 < port < 1024:
            return (
                f"Brak uprawnień do portu {port} na {host}: porty poniżej 1024 wymagają "
                "uprawnień administratora — wybierz port od 1024 wzwyż (--port), np. 5000."
            )
        return f"Brak uprawnień do nasłuchu na porcie {port} na {host} — wybierz inny (--port)."
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"Adres {host} nie należy do tego komputera — podaj jego adres (--host), "
            "np. 127.0.0.1 albo 0.0.0.0."
        )
    code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
    return f"Nie można nasłuchiwać na porcie {port} na {host} (błąd systemu {code})."


def address_url(host: str, listener: socket.socket) -> str:
    """The address to open: the host as given, the port as bound (``--port 0`` picks one)."""
    port = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class _Gunicorn(BaseApplication):
    """Gunicorn's documented embedding API: options in, our app out."""

    def __init__(self, index_dir: Path, options: dict) -> None:
        self.index_dir = index_dir
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app({"INDEX_DIR": str(self.index_dir)})


def gunicorn_options(bind: str, workers: int, threads: int, control_socket: Path) -> dict:
    """Every gunicorn setting ``bdp serve`` chooses (the rest are gunicorn's defaults)."""
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": f"{JsonErrorWorker.__module__}.{JsonErrorWorker.__qualname__}",
        "threads": threads,
        "timeout": TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "control_socket": str(control_socket),
        "accesslog": "-",
    }


def return_freed_memory() -> bool:
    """Fix glibc's trim and mmap thresholds, so that freed large blocks leave the process.

    Inherited by the workers gunicorn forks. False where the C library has no
    ``mallopt`` (musl, other systems): nothing changes there.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return all(
        mallopt(option, HEAP_THRESHOLD) == 1 for option in (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD)
    )


def run_gunicorn(
    index_dir: Path, listener: socket.socket, workers: int, *, threads: int = THREADS
) -> None:
    """Serve on ``listener`` (see :func:`listen`) until interrupted.

    Each worker opens the live index and follows rebuilds. Gunicorn takes the
    socket over by its descriptor and closes it when it stops.
    """
    private = Path(tempfile.mkdtemp(prefix="bdp-serve-"))  # mode 0700: this server's own
    master = os.getpid()
    bind = f"fd://{listener.detach()}"  # gunicorn owns the descriptor from here on
    return_freed_memory()
    try:
        options = gunicorn_options(bind, workers, threads, private / "gunicorn.ctl")
        _Gunicorn(index_dir, options).run()
    finally:
        # Forked workers leave through this frame too (gunicorn ends them with SystemExit).
        if os.getpid() == master:
            shutil.rmtree(private, ignore_errors=True)
