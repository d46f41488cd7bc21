"""``bdp serve`` binds its port first: the address is announced once it accepts
connections, and a port it cannot have is one Polish line with exit status 1."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.sources import read_sources
from tests.conftest import ROOT, SMALL_JSONL

ANNOUNCED = re.compile(
    r"Wyszukiwarka działa pod adresem (http://127\.0\.0\.1:(\d+)/) \(Ctrl\+C kończy\)\.\n"
)
# What gunicorn or Python would print if the failure got past us.
FOREIGN = ("Traceback", "gunicorn", "Connection in use", "Address already in use", "[ERROR]")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "ix"
    build_index(read_sources([SMALL_JSONL]).practices, path)
    return path


def serve_command(index_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bdp", "--index-dir", str(index_dir), "serve", *args]


def run_serve(index_dir: Path, *args: str, prefix: tuple[str, ...] = ()):
    return subprocess.run(
        [*prefix, *serve_command(index_dir, *args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("listening", [True, False], ids=["listening", "only bound"])
def test_a_busy_port_is_one_polish_line_and_exit_1(index_dir, listening):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        if listening:
            holder.listen()
        port = holder.getsockname()[1]
        result = run_serve(index_dir, "--port", str(port))
    assert result.returncode == 1
    assert result.stderr == (
        f"Błąd: Port {port} na 127.0.0.1 jest zajęty — wybierz inny (--port) albo "
        "zatrzymaj program, który go używa.\n"
    )
    assert result.stdout == ""  # the address is never announced
    for foreign in FOREIGN:
        assert foreign not in result.stderr


def without_bind_privilege() -> tuple[str, ...]:
    """A command prefix that runs ``bdp`` without the right to ports below 1024."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("root without setpriv: cannot drop CAP_NET_BIND_SERVICE")
    return ("setpriv", "--bounding-set", "-net_bind_service")


def test_a_privileged_port_without_the_right_is_its_own_polish_line(index_dir):
    start = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")
    if start.exists() and int(start.read_text()) <= 1023:
        pytest.skip("this system lets anyone listen below 1024")
    result = run_serve(index_dir, "--port", "1023", prefix=without_bind_privilege())
    assert result.returncode == 1
    assert result.stderr == (
        "Błąd: Brak uprawnień do portu 1023 na 127.0.0.1: porty poniżej 1024 wymagają "
        "uprawnień administratora — wybierz port od 1024 wzwyż (--port), np. 5000.\n"
    )
    assert result.stdout == ""
    for foreign in FOREIGN:
        assert foreign not in result.stderr


def test_an_address_of_another_machine_is_one_polish_line(index_dir):
    result = run_serve(index_dir, "--host", "192.0.2.1")  # TEST-NET-1: never local
    assert result.returncode == 1
    assert result.stderr == (
        "Błąd: Adres 192.0.2.1 nie należy do tego komputera — podaj jego adres (--host), "
        "np. 127.0.0.1 albo 0.0.0.0.\n"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running(index_dir: Path, *args: str):
    """``bdp serve`` in the background: (process, its stdout lines, its stderr text so far)."""
    server = subprocess.Popen(
        serve_command(index_dir, "--workers", "1", *args),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    errors: list[str] = []
    readers = [
        threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True),
        threading.Thread(target=lambda: errors.extend(server.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        yield server, lines, errors
    finally:
        if server.poll() is None:
            server.terminate()
        server.wait(timeout=60)
        for reader in readers:
            reader.join(timeout=10)
        server.stdout.close()
        server.stderr.close()


@pytest.mark.parametrize("port", ["free", "0"], ids=["a free port", "--port 0"])
def test_the_address_is_announced_once_the_port_accepts_connections(index_dir, port):
    wanted = str(free_port()) if port == "free" else "0"
    with running(index_dir, "--port", wanted) as (server, lines, errors):
        announced = ANNOUNCED.fullmatch(lines.get(timeout=60))
        assert announced, "the first line of stdout is the address"
        # Connect at once: no retry, no waiting — the port is already listening.
        with socket.create_connection(("127.0.0.1", int(announced.group(2))), timeout=10):
            pass
        if port == "free":
            assert announced.group(2) == wanted
        else:
            assert announced.group(2) != "0"  # the port the system chose, not 0
        with urllib.request.urlopen(announced.group(1) + "healthz", timeout=60) as response:
            assert response.status == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    assert "Traceback" not in "".join(errors)


@pytest.mark.parametrize(
    ("args", "env", "threads"),
    [([], {}, 1), (["--threads", "4"], {}, 4), ([], {"BDP_THREADS": "3"}, 3)],
)
def test_threads_per_worker_come_from_the_option_or_bdp_threads(
    index_dir, monkeypatch, args, env, threads
):
    """``--threads``/``BDP_THREADS`` reach gunicorn's ``threads`` setting."""
    from click.testing import CliRunner

    import search_app.web.server as server
    from bdp.cli import main

    seen: dict = {}

    def fake_run(index, listener, workers, *, threads):
        seen.update(workers=workers, threads=threads)
        listener.close()

    monkeypatch.setattr(server, "run_gunicorn", fake_run)
    result = CliRunner(env=env).invoke(
        main, ["--index-dir", str(index_dir), "serve", "--port", "0", *args]
    )
    assert result.exit_code == 0, result.output
    assert seen == {"workers": 2, "threads": threads}
    assert server.gunicorn_options("x", 2, threads, Path("ctl"))["threads"] == threads


HEAP_PROBE = """
import sys
from search_app.web.server import return_freed_memory
if sys.argv[1] == "fixed":
    assert return_freed_memory()
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
big = b"x" * (16 << 20)  # freed: glibc's threshold for mapped blocks rises to 16 MB
del big
before = rss_mb()
blocks = [b"x" * (1 << 20) for _ in range(64)]
last = blocks.pop()  # still in use: the freed blocks below it cannot shrink the heap
del blocks
print(rss_mb() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc only")
def test_fixed_malloc_thresholds_give_freed_large_blocks_back():
    """With the thresholds bdp serve fixes, 64 MB of freed 1 MB blocks leave the
    process instead of staying in its heap."""

    def held_mb(mode: str) -> float:
        run = subprocess.run(
            [sys.executable, "-c", HEAP_PROBE, mode], cwd=ROOT, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        return float(run.stdout)

    assert held_mb("default") > 48  # glibc's default keeps them: the probe can fail
    assert held_mb("fixed") < 16


def test_bdp_serve_fixes_the_thresholds_before_gunicorn_forks(monkeypatch, tmp_path):
    from search_app.web import server

    calls: list[str] = []
    monkeypatch.setattr(server, "return_freed_memory", lambda: calls.append("fixed"))
    monkeypatch.setattr(server._Gunicorn, "run", lambda self: calls.append("gunicorn"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    descriptor = listener.fileno()
    server.run_gunicorn(tmp_path, listener, 1)
    os.close(descriptor)  # gunicorn, stubbed out here, would own and close it
    assert calls == ["fixed", "gunicorn"]
