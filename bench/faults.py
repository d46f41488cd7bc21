"""Fault injectors for ``bench/soak.py --faults``: worker kills, a killed build, a full disk.

Everything here works on local processes (through ``/proc``) and on a tmpfs
mounted by the soak test itself; nothing touches the network beyond loopback.
Linux only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# --- processes ------------------------------------------------------------------------


def process_table() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, state letter)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def children(pid: int) -> list[int]:
    """Living (not zombie) direct children of ``pid``."""
    return sorted(
        child
        for child, (parent, state) in process_table().items()
        if parent == pid and state != "Z"
    )


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (a dead process not yet reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def processes_with_cmdline(wanted: bytes) -> list[int]:
    """Living processes whose command line is exactly ``wanted`` (forked children share it)."""
    return [pid for pid in process_table() if cmdline(pid) == wanted and alive(pid)]


def gunicorn_master(serve_pid: int) -> int:
    """The gunicorn arbiter: ``bdp serve`` itself, or its only child if that one has children."""
    kids = children(serve_pid)
    if len(kids) == 1 and children(kids[0]):
        return kids[0]
    return serve_pid


# --- fault 1: kill -9 a gunicorn worker every few seconds ------------------------------


@dataclass
class WorkerKiller:
    """A thread that SIGKILLs one gunicorn worker every ``every`` seconds until stopped.

    Records each kill's time (``time.monotonic()``) and how long gunicorn took to
    fork a replacement (the number of workers back to what it was; the new worker
    still has to load the app before it accepts connections).
    """

    serve_pid: int
    every: float = 10.0
    kills: list[dict] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="worker-killer", daemon=True)
        thread.start()
        return thread

    def kill_times(self) -> list[float]:
        return [kill["t"] for kill in self.kills]

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            master = gunicorn_master(self.serve_pid)
            workers = children(master)
            if not workers:
                self.kills.append({"t": time.monotonic(), "pid": None, "note": "no worker found"})
                continue
            victim = workers[len(self.kills) % len(workers)]
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                continue
            killed_at = time.monotonic()
            kill = {"t": killed_at, "at": round(killed_at - self.started, 1), "pid": victim}
            self.kills.append(kill)
            while time.monotonic() - killed_at < self.every - 0.5 and not self.stop.is_set():
                now = [pid for pid in children(master) if pid != victim]
                if len(now) >= len(workers):
                    kill["replaced_after_s"] = round(time.monotonic() - killed_at, 2)
                    break
                time.sleep(0.05)


# --- fault 2: a parallel build killed midway -----------------------------------------


def kill_build_midway(
    command: list[str],
    *,
    cwd: Path,
    env: dict,
    ids_before_kill: int,
    gone_within: float = 2.0,
    start_timeout: float = 180.0,
) -> dict:
    """Start ``command`` (a ``bdp index build --verbose``), SIGKILL it after some ids.

    Then checks that within ``gone_within`` seconds no process of that build is
    alive: neither the workers it had forked (seen as its children just before
    the kill) nor any process sharing its command line. Survivors are killed so
    that the soak can go on, and reported.
    """
    build = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert build.stdout is not None
        for line in build.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    started = time.monotonic()
    printed: list[str] = []
    other: list[str] = []
    ended_early = False
    while len(printed) < ids_before_kill:
        try:
            line = lines.get(timeout=max(0.1, start_timeout - (time.monotonic() - started)))
        except queue.Empty:
            break
        if line is None:
            ended_early = True
            break
        # --verbose prints bare ids; everything else (progress bar, messages) has spaces.
        (printed if line and " " not in line.strip() else other).append(line)
    own_cmdline = cmdline(build.pid)
    workers = children(build.pid)
    result: dict = {
        "ids_printed_before_kill": len(printed),
        "seconds_to_kill": round(time.monotonic() - started, 2),
        "workers_seen": len(workers),
    }
    if ended_early or not printed:
        build.kill()
        build.wait()
        result["problem"] = "the build ended or printed nothing before it could be killed"
        result["output_tail"] = other[-5:]
        return result
    os.kill(build.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    build.wait()
    suspects = set(workers)
    survivors: list[int] = []
    while True:
        suspects.update(processes_with_cmdline(own_cmdline))
        survivors = sorted(pid for pid in suspects if alive(pid))
        if not survivors or time.monotonic() - killed_at > gone_within:
            break
        time.sleep(0.01)
    result["all_gone_after_s"] = None if survivors else round(time.monotonic() - killed_at, 3)
    result["survivors"] = survivors
    for pid in survivors:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return result


# --- fault 3: a full disk ----------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(path: Path, size_mib: int) -> Iterator[str | None]:
    """Mount a tmpfs of ``size_mib`` MiB at ``path``; yields None, or why it could not.

    Always unmounts (lazily if something still has files open there).
    """
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mib}m,mode=0755", "bdp-soak", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        yield f"mount -t tmpfs failed: {(done.stderr or done.stdout).strip()}"
        return
    try:
        yield None
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill_disk(filler: Path, leave: int = 0) -> int:
    """Grow ``filler`` until at most ``leave`` bytes are free (0: until ENOSPC); its size."""
    with open(filler, "ab", buffering=0) as handle:
        while (room := free_bytes(filler.parent) - leave) > 0:
            try:
                handle.write(b"\0" * min(room, 1 << 20))
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    return filler.stat().st_size
