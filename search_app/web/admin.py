"""The editors' endpoints: start an index update as a job, follow the job; the status
of the index and the search report.

``POST /api/admin/reindex[?prune=1][&allow_errors=1][&mode=rebuild]`` answers 202
at once with the job and ``Location: /api/admin/jobs/<id>``; ``GET`` on that address
reports its status, progress and outcome (see :mod:`search_app.web.jobs`). While
a job is queued or running, another POST answers 409 naming it — never the
running job in its place, since the second request may ask for something
else (``prune``) and would silently not get it.

``GET /api/admin/status`` reports the live index (:func:`admin_status`: generation,
when it was published, practices), the last finished update with its failed sources,
and the job running now. ``GET /api/admin/analytics?days=30&limit=20`` answers the
search report of :func:`search_app.analytics.build_report` for the last ``days`` days.

Registered only when ``ADMIN_TOKEN`` (``BDP_ADMIN_TOKEN``) is set; without a
token the addresses do not exist (404). Callers send ``Authorization: Bearer
<token>``, compared in constant time. Wrong tokens and valid calls are
counted apart, per client address and worker: past ``ADMIN_AUTH_FAILURES``
wrong tokens an address gets 429 for its further wrong tokens (a request
with no token at all is simply 401), but a valid
token is never refused for someone else's guesses; valid POSTs have their own
limit, ``ADMIN_RATE_LIMIT``, and valid reads of the status and the report another,
``ADMIN_READ_RATE_LIMIT`` (so polling them never uses up the updates'). Behind a reverse proxy set
``BDP_PROXY_FIX_X_FOR`` so the address is the client's, not the proxy's.
"""

from __future__ import annotations

import hmac
import math
from pathlib import Path
from typing import Any, TypedDict

from flask import Blueprint, current_app, jsonify, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)

from indexer.messages import describe_os_error
from indexer.status import IndexStatus, index_status
from search_app.analytics import AnalyticsReadError, Period, PeriodError, build_report
from search_app.analytics.reports import DEFAULT_LIMIT, MAX_LIMIT
from search_app.analytics.settings import MAX_DAYS
from search_app.web import jobs
from search_app.web.errors import ConflictAt
from search_app.web.ratelimit import RateLimiter

bp = Blueprint("admin", __name__)

TRUE_VALUES = ("1", "true", "tak", "yes")
# The search report's period when ``days`` is not given (as ``bdp analytics``).
DEFAULT_DAYS = 30
# Digits a number parameter may have (a longer one is out of range anyway).
MAX_DIGITS = 6


@bp.record_once
def _set_up_rate_limits(state) -> None:
    """One limiter for wrong tokens, another for valid calls: a guesser never blocks an editor."""
    failures, failure_window = state.app.config["ADMIN_AUTH_FAILURES"]
    calls, call_window = state.app.config["ADMIN_RATE_LIMIT"]
    state.app.extensions["bdp_admin_failures"] = RateLimiter(failures, failure_window)
    state.app.extensions["bdp_admin_limit"] = RateLimiter(calls, call_window)
    reads, read_window = state.app.config["ADMIN_READ_RATE_LIMIT"]
    state.app.extensions["bdp_admin_read_limit"] = RateLimiter(reads, read_window)


@bp.before_request
def _authenticate() -> None:
    """401 (then 429) for a wrong token; 429 past the valid-call limit on POSTs."""
    address = request.remote_addr or ""
    if not _authorized():
        # Only a presented token is a guess; a request without one learns nothing.
        if request.headers.get("Authorization", "").strip():
            wait = current_app.extensions["bdp_admin_failures"].retry_after(address)
            if wait:
                raise _too_many(wait, "Zbyt wiele prób z błędnym tokenem z tego adresu.")
            current_app.logger.warning("Wrong editors' token from %s", address)
        raise Unauthorized(
            "Brak poprawnego tokenu redakcji (Bearer).",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "bdp-admin"}),
        )
    if request.method == "POST":
        wait = current_app.extensions["bdp_admin_limit"].retry_after(address)
        if wait:
            raise _too_many(wait, "Zbyt wiele żądań odświeżenia indeksu.")


@bp.post("/api/admin/reindex")
def reindex():
    """Start an update from ``SOURCES`` as a job; 202 with the job and its address.

    ``?prune=1`` also removes practices gone from the sources; ``?allow_errors=1``
    publishes the good sources even if some failed (otherwise nothing is);
    ``?mode=rebuild`` builds the whole index anew instead (as ``bdp index build``).
    """
    config = current_app.config
    mode = request.args.get("mode", "update").strip() or "update"
    if mode not in jobs.MODES:
        shown = mode if len(mode) <= 40 else mode[:40] + "…"
        raise BadRequest(f"Parametr „mode” musi mieć wartość update albo rebuild, a ma: „{shown}”.")
    try:
        job = jobs.start_job(
            config["INDEX_DIR"],
            config["SOURCES"],
            prune=_flag("prune"),
            allow_errors=_flag("allow_errors"),
            lock_timeout=config["ADMIN_LOCK_TIMEOUT"],
            mode=mode,
        )
    except jobs.JobRunningError as exc:
        raise ConflictAt(str(exc), jobs.job_url(exc.job["id"])) from exc
    except OSError as exc:
        current_app.logger.exception("Could not start a reindex job")
        message = f"Nie udało się uruchomić zadania. {describe_os_error(exc)}"
        raise ServiceUnavailable(message) from exc
    response = jsonify({"job": job})
    response.headers["Location"] = jobs.job_url(job["id"])
    return response, 202


@bp.get("/api/admin/jobs/<job_id>")
def job_status(job_id: str):
    """A job's status, progress and outcome, from its file (whichever worker started it)."""
    job = jobs.read_job(current_app.config["INDEX_DIR"], job_id)
    if job is None:
        message = f"Nie ma takiego zadania (przechowywanych jest {jobs.KEEP_JOBS} ostatnich zadań)."
        raise NotFound(message)
    return jsonify({"job": job})


class AdminStatus(TypedDict):
    """What ``GET /api/admin/status`` answers; the OpenAPI ``AdminStatus`` schema follows it."""

    # The live index: generation, when it was published, practices (indexer.status).
    index: IndexStatus
    # The newest job that has ended (done, failed or interrupted), or None.
    last_update: jobs.PublicJob | None
    # Its summary's failed sources (path, line, field, message); None without a summary.
    failed_sources: list[dict[str, Any]] | None
    # The job queued or running now, or None.
    running: jobs.PublicJob | None


def admin_status(index_dir: Path | str) -> AdminStatus:
    """The index and its updates at a glance, from the files alone (no request needed).

    Updates made with ``bdp index …`` leave no job: they show in ``index`` (a
    newer generation) but not in ``last_update``.
    """
    last = jobs.latest_finished_job(index_dir)
    summary = last["summary"] if last else None
    return {
        "index": index_status(index_dir),
        "last_update": last,
        "failed_sources": list(summary.get("failed") or []) if summary else None,
        "running": jobs.active_job(index_dir),
    }


@bp.get("/api/admin/status")
def status():
    """The live index, the last finished update (with its failed sources), the running job."""
    _limit_reads()
    return jsonify(admin_status(current_app.config["INDEX_DIR"]))


@bp.get("/api/admin/analytics")
def analytics_report():
    """The search report for the last ``days`` days (1–3650, default 30), ``limit`` rows
    per list (1–1000, default 20): ``build_report(...).to_dict()``.

    Parameters not of that form answer 400; a log that cannot be read, 503.
    """
    _limit_reads()
    days = _number("days", DEFAULT_DAYS, MAX_DAYS)
    limit = _number("limit", DEFAULT_LIMIT, MAX_LIMIT)
    path = current_app.config["ANALYTICS_DB"]
    try:
        report = build_report(path, Period.last_days(days), limit=limit)
    except PeriodError as exc:
        raise BadRequest(str(exc)) from exc
    except AnalyticsReadError as exc:
        current_app.logger.warning("Search log unreadable: %s", exc)
        raise ServiceUnavailable(str(exc)) from exc
    return jsonify(report.to_dict())


def _number(name: str, default: int, most: int) -> int:
    """A whole number 1..``most`` from the query string (``default`` when absent); else 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS and 1 <= int(text) <= most:
        return int(text)
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    raise BadRequest(
        f"Parametr „{name}” musi być liczbą całkowitą od 1 do {most}, a jest: „{shown}”."
    )


def _limit_reads() -> None:
    """429 past ``ADMIN_READ_RATE_LIMIT`` valid reads from one address."""
    limiter = current_app.extensions["bdp_admin_read_limit"]
    wait = limiter.retry_after(request.remote_addr or "")
    if wait:
        raise _too_many(wait, "Zbyt wiele zapytań o stan lub raport.")


def _flag(name: str) -> bool:
    return request.args.get(name, "").strip().lower() in TRUE_VALUES


def _too_many(wait: float, message: str) -> TooManyRequests:
    seconds = max(1, math.ceil(wait))
    return TooManyRequests(f"{message} Spróbuj za {seconds} s.", retry_after=seconds)


def _authorized() -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = current_app.config["ADMIN_TOKEN"]
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8"), expected.encode("utf-8")
    )
