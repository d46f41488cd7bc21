"""Index updates started by the editors' endpoint, run as background jobs with state in files.

``POST /api/admin/reindex`` must answer at once, whatever the size of the
change (20,000 practices take longer than any request may), so it starts a
job and answers 202; ``GET /api/admin/jobs/<id>`` reports it. The editors' panel
(``/redakcja``) starts the same jobs. A job's ``mode`` is ``update``
(:func:`indexer.update.update_index`: only what changed) or ``rebuild``
(:func:`indexer.build.build_index`: every practice into a fresh generation, as
``bdp index build``).

Each job runs in its own process (``python -m search_app.web.jobs JOB_FILE``),
not in a thread of the gunicorn worker that received the POST, because:

- gunicorn kills and replaces workers (timeouts, reloads, ``max_requests``);
  a child process outlives the worker that started it and still publishes;
- indexing is CPU-bound Python: in a thread it would share the worker's GIL
  with the searches that worker answers;
- the memory of tens of thousands of parsed practices goes back to the
  system when the job ends.

A GET may reach any worker, so the state lives in ``<INDEX_DIR>/jobs/<id>.json``
(replaced atomically with ``os.replace``), with the PID of the process doing
the work: a queued or running job whose process is gone is reported as
``interrupted``. One job runs at a time (a second start raises
:class:`JobRunningError`); the newest ``KEEP_JOBS`` job files are kept.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

JOBS_DIR = "jobs"
START_LOCK = "START.lock"
KEEP_JOBS = 50
ACTIVE = ("queued", "running")
STATUSES = ("queued", "running", "done", "failed", "interrupted")
# What a job does, with its Polish name (messages, the editors' panel).
MODES = {"update": "odświeżanie", "rebuild": "przebudowa"}
# Progress is written at most this often (seconds): 20,000 practices need not be 20,000 writes.
PROGRESS_INTERVAL = 0.25
JOB_ID = re.compile(r"\d{8}T\d{12}-[0-9a-f]{8}")
# Where ``python -m search_app.web.jobs`` can import this package even from an uninstalled checkout.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class Progress(TypedDict):
    """Practices written so far, of all to write (``total`` is None before the plan)."""

    written: int
    total: int | None


class PublicJob(TypedDict):
    """What the API shows of a job file (the rest — paths, lock timeout — is for the job process).

    The OpenAPI ``Job`` schema is generated from these type hints.
    """

    id: str
    status: str
    # ``update`` (only what changed) or ``rebuild`` (everything, into a fresh generation).
    mode: str
    created: str
    started: str | None
    finished: str | None
    pid: int | None
    prune: bool
    allow_errors: bool
    progress: Progress
    # ``UpdateSummary.to_dict()`` once the update (or rebuild) ran, else None.
    summary: dict[str, Any] | None
    message: str | None


PUBLIC_FIELDS = tuple(PublicJob.__annotations__)


class JobRunningError(Exception):
    """Another update job is queued or running; ``job`` is its public view."""

    def __init__(self, job: PublicJob) -> None:
        what = MODES.get(job.get("mode") or "update", MODES["update"])
        super().__init__(
            f"Trwa już {what} indeksu (zadanie {job['id']}, stan: {job['status']}). "
            f"Sprawdź je pod /api/admin/jobs/{job['id']} i spróbuj ponownie, gdy się zakończy."
        )
        self.job = job


def jobs_dir(index_dir: Path | str) -> Path:
    """The directory of the job files of one index."""
    return Path(index_dir) / JOBS_DIR


def job_url(job_id: str) -> str:
    """The relative address of a job's status (no host, so none can be forged into it)."""
    return f"/api/admin/jobs/{job_id}"


def start_job(
    index_dir: Path | str,
    sources: list[Path | str],
    *,
    prune: bool,
    allow_errors: bool,
    lock_timeout: float,
    mode: str = "update",
) -> PublicJob:
    """Record a queued job and start its process; the job's public view.

    ``mode`` is one of :data:`MODES` (``rebuild`` ignores ``prune``: a fresh
    generation holds only the practices of the sources anyway). Raises
    :class:`JobRunningError` while another job is active and ``OSError`` when
    the job file cannot be written or the process started.
    """
    if mode not in MODES:
        raise ValueError(f"Unknown job mode {mode!r}")
    directory = jobs_dir(index_dir)
    directory.mkdir(parents=True, exist_ok=True)
    with _start_lock(directory):  # so two workers never both see "nothing running"
        running = active_job(index_dir)
        if running:
            raise JobRunningError(running)
        job = _new_job(
            index_dir, sources, prune=prune and mode == "update", allow_errors=allow_errors
        )
        job["mode"] = mode
        job["spec"]["lock_timeout"] = lock_timeout
        path = directory / f"{job['id']}.json"
        _write(path, job)
        try:
            process = _spawn(path)
        except OSError as exc:
            _finish(path, job, "failed", f"Nie udało się uruchomić procesu zadania: {exc}.")
            raise
        _prune(directory)
    threading.Thread(target=_reap, args=(process, path), daemon=True).start()
    return public(job)


def read_job(index_dir: Path | str, job_id: str) -> PublicJob | None:
    """A job's public view (None if unknown); an active job whose process died is interrupted."""
    if not JOB_ID.fullmatch(job_id):
        return None
    job = _read(jobs_dir(index_dir) / f"{job_id}.json")
    return public(_with_liveness(job)) if job else None


def active_job(index_dir: Path | str) -> PublicJob | None:
    """The queued or running job whose process is alive, if any."""
    for path in sorted(jobs_dir(index_dir).glob("*.json"), reverse=True):
        job = _read(path)
        if job and _with_liveness(job)["status"] in ACTIVE:
            return public(job)
    return None


def latest_finished_job(index_dir: Path | str) -> PublicJob | None:
    """The newest job that has ended (done, failed or interrupted), if any is kept."""
    for path in sorted(jobs_dir(index_dir).glob("*.json"), reverse=True):
        job = _read(path)
        if job:
            job = _with_liveness(job)
            if job["status"] not in ACTIVE:
                return public(job)
    return None


def public(job: dict) -> PublicJob:
    """What the API shows of a job (a job file from before modes was an update)."""
    shown = {name: job.get(name) for name in PUBLIC_FIELDS}
    shown["mode"] = shown["mode"] or "update"
    return shown  # type: ignore[return-value]


# --- The job process -------------------------------------------------------------------


def run_job(path: Path) -> dict:
    """Do the update a job file describes, recording progress and the outcome in it.

    Every failure ends as status ``failed`` with one Polish line; a stop
    signal as ``interrupted``. Returns the final job record.
    """
    from indexer.errors import IndexBusyError, IndexWriteError, WriteInterrupted
    from indexer.messages import describe_os_error

    job = _read(path)
    if job is None:
        raise SystemExit(f"Brak pliku zadania {path}.")
    job.update(status="running", pid=os.getpid(), started=_now())
    _write(path, job)
    rebuild = job.get("mode") == "rebuild"
    try:
        summary = _rebuild(path, job) if rebuild else _update(path, job)
    except (WriteInterrupted, KeyboardInterrupt) as exc:
        name = signal.Signals(getattr(exc, "signum", signal.SIGINT)).name
        return _finish(path, job, "interrupted", f"Zadanie przerwane ({name}). {UNPUBLISHED}")
    except (IndexBusyError, IndexWriteError) as exc:
        return _finish(path, job, "failed", f"{exc} {KEPT.capitalize()}.")
    except OSError as exc:
        return _finish(path, job, "failed", describe_os_error(exc))
    except Exception as exc:
        traceback.print_exc()
        return _finish(
            path, job, "failed", f"Nieoczekiwany błąd ({type(exc).__name__}). {UNPUBLISHED}"
        )
    job["summary"] = summary
    status, message = outcome(summary, rebuild=rebuild)
    return _finish(path, job, status, message)


KEPT = "działający indeks pozostaje bez zmian"
UNPUBLISHED = f"Nowa wersja indeksu nie została opublikowana; {KEPT}."


def outcome(summary: dict, *, rebuild: bool = False) -> tuple[str, str]:
    """The status and Polish message of a finished update (or ``rebuild``).

    ``failed`` exactly when nothing was published (source errors without
    ``allow_errors``); ``done`` otherwise, even if some sources were skipped
    with ``allow_errors`` — the message and ``summary.failed`` say which.
    """
    counts, failed = summary["counts"], summary["failed"]
    if not summary.get("published", True):
        return "failed", (
            f"Błędne źródła: {len(failed)} (plik, wiersz i pole w summary.failed). {UNPUBLISHED} "
            "Popraw błędy albo wyślij żądanie ponownie z allow_errors=1."
        )
    if rebuild:
        done = (
            f"Gotowe: indeks zbudowano od nowa, praktyk: {summary['documents']} "
            f"(nowych {counts['added']}, usuniętych {counts['removed']})."
        )
    else:
        done = (
            f"Gotowe: dodano {counts['added']}, zmieniono {counts['updated']}, "
            f"usunięto {counts['removed']}, bez zmian {counts['unchanged']}."
        )
    if failed:
        done += f" Pominięto błędne źródła: {len(failed)} (lista w summary.failed)."
    return "done", done


def _update(path: Path, job: dict) -> dict:
    """Read the sources and update the index, writing progress into the job file."""
    from indexer.sources import read_sources
    from indexer.update import update_index

    spec = job["spec"]
    progress = _Progress(path, job)
    report = read_sources(spec["sources"])
    summary = update_index(
        report,
        spec["index_dir"],
        prune=job["prune"],
        allow_errors=job["allow_errors"],
        lock_timeout=spec["lock_timeout"],
        on_wait=progress.waiting,
        on_plan=progress.planned,
        on_progress=progress.written,
    )
    return summary.to_dict()


def _rebuild(path: Path, job: dict) -> dict:
    """Read the sources and build the index anew (as ``bdp index build``), with progress.

    The summary has the update's shape: ``added`` the practices new to the index,
    ``updated`` every other practice (each is written again), ``removed`` the
    indexed practices gone from the sources — compared with the live index before
    the build. Source errors without ``allow_errors`` publish nothing.
    """
    from indexer.build import build_index
    from indexer.errors import IndexWriteError
    from indexer.generations import current_generation
    from indexer.sources import read_sources
    from indexer.store import indexed_hashes
    from indexer.update import UpdateSummary

    spec = job["spec"]
    progress = _Progress(path, job)
    report = read_sources(spec["sources"])
    live = current_generation(spec["index_dir"])
    before = set(indexed_hashes(spec["index_dir"])) if live else set()
    summary = UpdateSummary(failed=list(report.errors))
    if report.errors and not job["allow_errors"]:
        summary.published = False
        summary.generation, summary.documents = live, len(before)
        return summary.to_dict()
    if not report.practices:
        raise IndexWriteError("W źródłach nie ma żadnej poprawnej praktyki.")
    ids = {practice.id for practice in report.practices}
    summary.added = sorted(ids - before)
    summary.updated = sorted(ids & before)
    summary.removed = sorted(before - ids)
    summary.attachment_problems = list(report.problems)
    progress.planned(len(report.practices))

    def written(practice) -> None:
        job["message"] = None  # past any wait for the writer lock
        progress.written(practice.id)

    summary.documents = build_index(
        report.practices,
        spec["index_dir"],
        on_progress=written,
        lock_timeout=spec["lock_timeout"],
        on_wait=progress.waiting,
        on_problem=summary.attachment_problems.append,
    )
    summary.generation = current_generation(spec["index_dir"])
    return summary.to_dict()


class _Progress:
    """Callbacks of ``update_index`` that keep the job file's progress current."""

    def __init__(self, path: Path, job: dict) -> None:
        self.path, self.job = path, job
        self.saved_at = 0.0

    def waiting(self, holder: dict | None) -> None:
        who = f" (proces {holder['pid']})" if holder and holder.get("pid") else ""
        self.job["message"] = f"Czeka, aż inny proces{who} skończy zmieniać indeks."
        _write(self.path, self.job)

    def planned(self, total: int) -> None:
        self.job["progress"] = {"written": 0, "total": total}
        self.job["message"] = None
        _write(self.path, self.job)
        self.saved_at = time.monotonic()

    def written(self, _practice_id: str) -> None:
        self.job["progress"]["written"] += 1
        now = time.monotonic()
        if now - self.saved_at >= PROGRESS_INTERVAL:
            _write(self.path, self.job)
            self.saved_at = now


def _stop_on_signals() -> None:
    """SIGTERM/SIGHUP (a service stop) unwind the update, so its generation is discarded."""
    from indexer.errors import WriteInterrupted

    def interrupt(signum, _frame):
        for other in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(other, signal.SIG_IGN)
        raise WriteInterrupted(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def main(argv: list[str]) -> int:
    """``python -m search_app.web.jobs JOB_FILE``: run one job; 0 if it ended ``done``."""
    _stop_on_signals()
    job = run_job(Path(argv[0]))
    return 0 if job["status"] == "done" else 1


# --- Files and processes ---------------------------------------------------------------


def _new_job(
    index_dir: Path | str, sources: list[Path | str], *, prune: bool, allow_errors: bool
) -> dict:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return {
        "id": f"{stamp}-{secrets.token_hex(4)}",
        "status": "queued",
        "created": _now(),
        "started": None,
        "finished": None,
        "pid": os.getpid(),  # the starting worker, until the job process records its own
        "prune": prune,
        "allow_errors": allow_errors,
        "progress": {"written": 0, "total": None},
        "summary": None,
        "message": None,
        # Absolute, since the job process runs from the package root.
        "spec": {
            "index_dir": os.path.abspath(index_dir),
            "sources": [os.path.abspath(s) for s in sources],
        },
    }


def _spawn(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "search_app.web.jobs", str(path)],
        cwd=PACKAGE_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # tracebacks (stderr) go to the server's log
        close_fds=True,
    )


def _reap(process: subprocess.Popen, path: Path) -> None:
    """Wait for the job process (no zombie), and record it if it died without a word."""
    returncode = process.wait()
    job = _read(path)
    if job and job["status"] in ACTIVE:
        how = (
            f"sygnał {signal.Signals(-returncode).name}" if returncode < 0 else f"kod {returncode}"
        )
        try:
            _finish(path, job, "interrupted", f"Proces zadania zakończył się ({how}). {MAYBE}")
        except OSError:
            pass  # readers see the dead PID and report the job interrupted anyway


MAYBE = (
    "Indeks jest zawsze albo poprzedni, albo w całości nowy (sprawdź /healthz); "
    "uruchom odświeżenie ponownie."
)


def _with_liveness(job: dict) -> dict:
    """The job as stored, or marked interrupted if its process is gone."""
    if job["status"] in ACTIVE and not _alive(job.get("pid")):
        job = {
            **job,
            "status": "interrupted",
            "message": f"Zadanie przerwane: proces {job.get('pid')} już nie działa. {MAYBE}",
        }
    return job


def _alive(pid: int | None) -> bool:
    """Whether a process exists (a reused PID would look alive: a documented limit)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _finish(path: Path, job: dict, status: str, message: str) -> dict:
    job.update(status=status, message=message, finished=_now())
    _write(path, job)
    return job


def _read(path: Path) -> dict | None:
    try:
        job = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return job if isinstance(job, dict) and job.get("status") in STATUSES else None


def _write(path: Path, job: dict) -> None:
    """Replace the job file atomically, so a reader never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _prune(directory: Path) -> None:
    """Keep the newest ``KEEP_JOBS`` job files (ids sort by creation time)."""
    for path in sorted(directory.glob("*.json"))[:-KEEP_JOBS]:
        path.unlink(missing_ok=True)


@contextmanager
def _start_lock(directory: Path) -> Iterator[None]:
    fd = os.open(directory / START_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
