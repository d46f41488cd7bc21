"""The editors' panel at ``/redakcja``: HTML pages over the editors' functions.

Registered with the editors' endpoints, only when ``ADMIN_TOKEN`` (``BDP_ADMIN_TOKEN``)
is set; without a token every address here is a 404. The pages:

- ``/redakcja/logowanie``: a form for the token (compared in constant time); a
  right one starts a session (:mod:`search_app.web.panel_sessions`), every
  attempt from one address counts against ``ADMIN_AUTH_FAILURES`` (429 past it);
- ``/redakcja``: the index (:func:`~search_app.web.admin.admin_status`), the last
  job with its failed sources, a form starting an update or a full rebuild;
- ``/redakcja/zadania/<id>``: a job's progress (a ``<progress>`` bar; the page
  reloads itself every 2 s while the job runs, no JavaScript) and its summary;
- ``/redakcja/statystyki?dni=7|30|90``: the search report, with a daily chart
  drawn here as SVG (:func:`daily_chart`) beside a table of the same numbers;
- ``/redakcja/synonimy``: the thesaurus in a text area, saved with its ETag
  (:mod:`search_app.engine.thesaurus_edit`), with a preview of a query's results
  under the current and the proposed text.

Every form posts a CSRF token (Flask-WTF's ``CSRFProtect``, checked for the
panel's POSTs only: the JSON API authenticates with a Bearer header, which a
browser never sends by itself). Every page is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect  # type: ignore[import-untyped]
from werkzeug.exceptions import BadRequest, NotFound, ServiceUnavailable, TooManyRequests
from werkzeug.wrappers import Response

from indexer.errors import IndexMissingError
from indexer.messages import describe_os_error
from search_app.analytics import AnalyticsReadError, Period, PeriodError, build_report
from search_app.analytics.reports import DEFAULT_LIMIT
from search_app.analytics.settings import MAX_DAYS
from search_app.engine.context import QueryContext
from search_app.engine.search import clean_request
from search_app.engine.thesaurus_edit import (
    InvalidThesaurusError,
    StaleThesaurusError,
    ThesaurusBusyError,
    ThesaurusProblem,
    preview_thesaurus,
    read_thesaurus,
    save_thesaurus,
)
from search_app.web import jobs, panel_sessions
from search_app.web.access import get_searcher
from search_app.web.admin import admin_status
from search_app.web.analytics import db_path
from search_app.web.panel_sessions import SESSION_SECONDS, SessionStore
from search_app.web.ratelimit import RateLimiter

bp = Blueprint("panel", __name__)
csrf = CSRFProtect()

LOGIN_LIMIT = "bdp_panel_logins"
# The report's periods offered as links; any whole number of days 1..MAX_DAYS is accepted.
PERIODS = (7, 30, 90)
DEFAULT_DAYS = 30
# Seconds between reloads of a running job's page.
REFRESH_SECONDS = 2
PREVIEW_PER_PAGE = 20
# Pages open without a session (the login form itself).
OPEN_ENDPOINTS = ("panel.login",)
CSRF_MESSAGE = (
    "Formularz wygasł albo nie pochodzi z tej strony (brak lub błędny token CSRF)."
    " Wróć, odśwież stronę i spróbuj ponownie."
)

# The chart of searches per day: its size in SVG units and the room around the bars.
CHART_WIDTH, CHART_HEIGHT = 720, 240
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 48, 8, 12, 30
CHART_DATE_LABELS = 8


def init_app(app: Flask) -> None:
    """Sessions, CSRF protection (for the panel's forms only), the login limit, the routes."""
    panel_sessions.configure(app)
    # Checked in the panel's before_request, not on every POST of the app.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config["WTF_CSRF_TIME_LIMIT"] = SESSION_SECONDS
    csrf.init_app(app)
    attempts, window = app.config["ADMIN_AUTH_FAILURES"]
    app.extensions[LOGIN_LIMIT] = RateLimiter(attempts, window)
    app.register_blueprint(bp)


@bp.before_request
def _guard() -> Response | None:
    """A valid session everywhere but the login form (else 303 to it), then CSRF on POSTs.

    Without a session nothing is done whatever the form says, so the CSRF check
    matters (and answers 400) for the login form and for signed-in editors.
    """
    g.panel_signed_in = SessionStore.of(current_app).valid(
        session.get("sid"), current_app.config["ADMIN_TOKEN"]
    )
    if request.endpoint not in OPEN_ENDPOINTS and not g.panel_signed_in:
        return redirect(url_for("panel.login"), 303)
    if request.method == "POST":
        try:
            csrf.protect()
        except CSRFError as exc:
            raise BadRequest(CSRF_MESSAGE) from exc
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    """Never kept by a browser's or a proxy's cache: the pages are for signed-in editors."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _signed_in() -> dict[str, Any]:
    return {"signed_in": g.get("panel_signed_in", False)}


# --- Signing in and out ----------------------------------------------------------------


@bp.route("/redakcja/logowanie", methods=["GET", "POST"])
def login():
    """The token form; a right token starts a new session (a new id, a new CSRF token)."""
    if request.method == "GET":
        if g.panel_signed_in:
            return redirect(url_for(".status"), 303)
        return render_template("panel/login.html")
    address = request.remote_addr or ""
    wait = current_app.extensions[LOGIN_LIMIT].retry_after(address)
    if wait:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"Zbyt wiele prób logowania z tego adresu. Spróbuj za {seconds} s.",
            retry_after=seconds,
        )
    expected = current_app.config["ADMIN_TOKEN"]
    given = request.form.get("token", "").strip()
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        current_app.logger.warning("Wrong editors' token at the panel's login from %s", address)
        return render_template("panel/login.html", error="Nieprawidłowy token redakcji."), 403
    store = SessionStore.of(current_app)
    store.revoke(session.get("sid"))
    try:
        session_id = store.create(expected)
    except OSError as exc:
        current_app.logger.exception("Could not record a panel session")
        raise ServiceUnavailable(f"Nie udało się zapisać sesji. {describe_os_error(exc)}") from exc
    session.clear()  # the CSRF token of the login form goes too
    session["sid"] = session_id
    return redirect(url_for(".status"), 303)


@bp.post("/redakcja/wylogowanie")
def logout():
    """End the session: its record is deleted, so no copy of the cookie works any more."""
    SessionStore.of(current_app).revoke(session.get("sid"))
    session.clear()
    flash("Wylogowano.")
    return redirect(url_for(".login"), 303)


# --- The index and its jobs ------------------------------------------------------------


@bp.get("/redakcja")
def status():
    """The live index, the last job (with failed sources), the running job, the job form."""
    config = current_app.config
    return render_template(
        "panel/status.html",
        state=admin_status(config["INDEX_DIR"]),
        sources=[str(path) for path in config["SOURCES"]],
        modes=jobs.MODES,
        active="status",
    )


@bp.post("/redakcja/zadania")
def start_job():
    """Start an update or a rebuild; 303 to its page, or 409 naming the job running now."""
    config = current_app.config
    mode = request.form.get("mode", "update")
    if mode not in jobs.MODES:
        raise BadRequest("Nieznany rodzaj zadania: wybierz odświeżenie albo przebudowę indeksu.")
    wait = current_app.extensions["bdp_admin_limit"].retry_after(request.remote_addr or "")
    if wait:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"Zbyt wiele uruchomień z tego adresu. Spróbuj za {seconds} s.", retry_after=seconds
        )
    try:
        job = jobs.start_job(
            config["INDEX_DIR"],
            config["SOURCES"],
            prune=request.form.get("prune") == "1",
            allow_errors=request.form.get("allow_errors") == "1",
            lock_timeout=config["ADMIN_LOCK_TIMEOUT"],
            mode=mode,
        )
    except jobs.JobRunningError as exc:
        return render_template(
            "panel/busy.html", running=exc.job, modes=jobs.MODES, active="status"
        ), 409
    except OSError as exc:
        current_app.logger.exception("Could not start a job from the panel")
        message = f"Nie udało się uruchomić zadania. {describe_os_error(exc)}"
        raise ServiceUnavailable(message) from exc
    return redirect(url_for(".job", job_id=job["id"]), 303)


@bp.get("/redakcja/zadania/<job_id>")
def job(job_id: str):
    """A job's progress and outcome; reloads itself every 2 s while it runs (unless
    ``?odswiezanie=0``), so it works without JavaScript."""
    found = jobs.read_job(current_app.config["INDEX_DIR"], job_id)
    if found is None:
        raise NotFound(
            f"Nie ma takiego zadania (przechowywanych jest {jobs.KEEP_JOBS} ostatnich zadań)."
        )
    running = found["status"] in jobs.ACTIVE
    auto = request.args.get("odswiezanie") != "0"
    return render_template(
        "panel/job.html",
        job=found,
        running=running,
        refresh=REFRESH_SECONDS if running and auto else None,
        auto=auto,
        modes=jobs.MODES,
        active="status",
    )


# --- The search report -----------------------------------------------------------------


@bp.get("/redakcja/statystyki")
def analytics():
    """The search report of the last ``dni`` days (7, 30 or 90 offered; 1–3650 accepted)."""
    days = _days()
    try:
        report = build_report(
            db_path(current_app.config), Period.last_days(days), limit=DEFAULT_LIMIT
        ).to_dict()
    except PeriodError as exc:
        raise BadRequest(str(exc)) from exc
    except AnalyticsReadError as exc:
        current_app.logger.warning("Search log unreadable: %s", exc)
        raise ServiceUnavailable(str(exc)) from exc
    return render_template(
        "panel/analytics.html",
        report=report,
        days=days,
        periods=PERIODS,
        chart=daily_chart(report["daily"]),
        active="analytics",
    )


def _days() -> int:
    """``dni`` from the query string: a whole number 1..MAX_DAYS (30 when absent); else 400."""
    raw = request.args.get("dni")
    if raw is None:
        return DEFAULT_DAYS
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) <= 5 and 1 <= int(text) <= MAX_DAYS:
        return int(text)
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    raise BadRequest(
        f"Okres „dni” musi być liczbą całkowitą od 1 do {MAX_DAYS}, a jest: „{shown}”."
    )


def daily_chart(daily: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What the chart template draws: a bar per day, a scale in round steps, some dates.

    >>> chart = daily_chart([{"date": "2026-03-01", "searches": 3, "zero_results": 1},
    ...                      {"date": "2026-03-02", "searches": 10, "zero_results": 0}])
    >>> [tick["value"] for tick in chart["ticks"]], chart["top"], chart["total"]
    ([0, 2, 4, 6, 8, 10], 10, 13)
    >>> [bar["label"] for bar in chart["bars"]], chart["busiest"]["date"]
    (['01.03', '02.03'], '2026-03-02')
    """
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = CHART_TOP + plot_height
    peak = max((day["searches"] for day in daily), default=0)
    step = nice_step(peak)
    top = max(step, step * math.ceil(peak / step))
    ticks = [
        {"value": value, "y": round(baseline - value / top * plot_height, 1)}
        for value in range(0, top + 1, step)
    ]
    band = plot_width / max(1, len(daily))
    every = max(1, math.ceil(len(daily) / CHART_DATE_LABELS))
    bars = []
    for n, day in enumerate(daily):
        height = day["searches"] / top * plot_height
        year, month, date = day["date"].split("-")
        bars.append(
            {
                "date": day["date"],
                "searches": day["searches"],
                "zero_results": day["zero_results"],
                "x": round(CHART_LEFT + n * band + band * 0.1, 1),
                "width": round(max(band * 0.8, 1.0), 1),
                "y": round(baseline - height, 1),
                "height": round(height, 1),
                "center": round(CHART_LEFT + (n + 0.5) * band, 1),
                "label": f"{date}.{month}" if n % every == 0 else None,
            }
        )
    busiest = max(daily, key=lambda day: day["searches"]) if peak else None
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "baseline": baseline,
        "label_y": baseline + 20,
        "ticks": ticks,
        "top": top,
        "bars": bars,
        "total": sum(day["searches"] for day in daily),
        "busiest": busiest,
    }


def nice_step(peak: int, steps: int = 4) -> int:
    """The smallest round step (1, 2 or 5 times a power of ten) that reaches ``peak`` in at
    most ``steps`` + 1 steps.

    >>> [nice_step(n) for n in (0, 3, 10, 37, 90, 120, 4800)]
    [1, 1, 2, 10, 20, 50, 1000]
    """
    if peak <= steps:
        return 1
    magnitude = 10 ** math.floor(math.log10(peak / steps))
    for multiple in (1, 2, 5, 10):
        if peak / (multiple * magnitude) <= steps + 1:
            return int(multiple * magnitude)
    return int(10 * magnitude)  # not reached: peak / (10 × magnitude) < 1 ≤ steps + 1


# --- The thesaurus ---------------------------------------------------------------------


@bp.get("/redakcja/synonimy")
def synonyms():
    """The thesaurus in a text area, with its ETag (the version the editor starts from)."""
    current = read_thesaurus(current_app.config["SYNONYMS"])
    return _synonyms_page(current.text, current.etag, groups=current.groups)


@bp.post("/redakcja/synonimy")
def save_synonyms():
    """Save the text if it has no problems and the file is still the version it was read as."""
    text, etag = _form_text(), request.form.get("etag", "")
    wait = current_app.extensions["bdp_admin_limit"].retry_after(request.remote_addr or "")
    if wait:
        seconds = max(1, math.ceil(wait))
        message = f"Zbyt wiele zapisów z tego adresu. Spróbuj za {seconds} s."
        return _synonyms_page(text, etag, error=message, status=429)
    try:
        result = save_thesaurus(
            current_app.config["SYNONYMS"], text, if_match=etag, analyzer=_analyzer()
        )
    except InvalidThesaurusError as exc:
        return _synonyms_page(text, etag, error=str(exc), problems=exc.problems, status=422)
    except StaleThesaurusError as exc:
        return _synonyms_page(text, etag, error=str(exc), stale=True, status=409)
    except ThesaurusBusyError as exc:
        return _synonyms_page(text, etag, error=str(exc), status=503)
    except OSError as exc:
        current_app.logger.exception("Could not save the thesaurus from the panel")
        message = f"Nie udało się zapisać słownika. {describe_os_error(exc)}"
        return _synonyms_page(text, etag, error=message, status=503)
    current_app.logger.info(
        "Thesaurus saved from the panel: %d groups, previous version %s",
        result.groups,
        result.previous,
    )
    if result.changed:
        flash(
            f"Zapisano słownik: grup {result.groups}. Wyszukiwarka już go używa;"
            f" poprzednia wersja: {result.previous or 'brak'}."
        )
    else:
        flash("Tekst się nie zmienił — nic nie zapisano.")
    return redirect(url_for(".synonyms"), 303)


@bp.post("/redakcja/synonimy/podglad")
def preview_synonyms():
    """A query's results with the thesaurus in use and with the text of the form; no save."""
    text, etag = _form_text(), request.form.get("etag", "")
    query = request.form.get("q", "").strip()
    if not query:
        message = "Wpisz zapytanie, którego wyniki porównać."
        return _synonyms_page(text, etag, query_error=message, status=422)
    search_request, _notes = clean_request(query, per_page=PREVIEW_PER_PAGE)
    preview = preview_thesaurus(get_searcher(), search_request, text)
    return _synonyms_page(text, etag, query=query, preview=preview, problems=preview.problems)


def _synonyms_page(
    text: str,
    etag: str,
    *,
    groups: int | None = None,
    error: str | None = None,
    problems: Sequence[ThesaurusProblem] = (),
    stale: bool = False,
    query: str = "",
    query_error: str | None = None,
    preview: Any = None,
    status: int = 200,
) -> tuple[str, int]:
    lines = text.splitlines()
    shown = [
        {
            "line": problem.line,
            "message": problem.message,
            "text": _line(lines, problem.line),
        }
        for problem in problems
    ]
    page = render_template(
        "panel/synonyms.html",
        text=text,
        etag=etag,
        groups=groups,
        error=error,
        problems=shown,
        stale=stale,
        query=query,
        query_error=query_error,
        preview=_preview_view(preview) if preview is not None else None,
        active="synonyms",
    )
    return page, status


def _line(lines: list[str], number: int | None, most: int = 200) -> str | None:
    if number is None or not 1 <= number <= len(lines):
        return None
    line = lines[number - 1]
    return line if len(line) <= most else line[:most] + "…"


def _preview_view(preview: Any) -> dict[str, Any]:
    """Both sides of a preview, each result marked when it is on one side only."""
    current_ids = {hit["id"] for hit in preview.current.results}
    proposed_ids = {hit["id"] for hit in preview.proposed.results}
    return {
        "query": preview.query,
        "current": {
            "total": preview.current.total,
            "results": [
                {**hit, "only": hit["id"] not in proposed_ids} for hit in preview.current.results
            ],
        },
        "proposed": {
            "total": preview.proposed.total,
            "results": [
                {**hit, "only": hit["id"] not in current_ids} for hit in preview.proposed.results
            ],
        },
        "same": preview.current.total == preview.proposed.total and current_ids == proposed_ids,
    }


def _form_text() -> str:
    """The text area's text with the line ends a browser sends (CRLF) made plain ``\\n``."""
    return request.form.get("text", "").replace("\r\n", "\n").replace("\r", "\n")


def _analyzer():
    """The live index's text analyzer; without an index, the default (as indexes are built)."""
    try:
        return QueryContext(get_searcher()).analyzer
    except IndexMissingError:
        return None


# --- Template filters ------------------------------------------------------------------


@bp.app_template_filter("panel_time")
def panel_time(value: str | None) -> str:
    """An ISO 8601 moment as editors read it, in UTC.

    >>> panel_time("2026-03-01T09:05:00+00:00")
    '2026-03-01, 09:05:00 UTC'
    >>> panel_time(None)
    '—'
    """
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return value
    return moment.strftime("%Y-%m-%d, %H:%M:%S UTC")


@bp.app_template_filter("panel_percent")
def panel_percent(ratio: float | None) -> str:
    """A ratio as a Polish percentage.

    >>> panel_percent(0.125), panel_percent(1), panel_percent(None)
    ('12,5%', '100%', '—')
    """
    if ratio is None:
        return "—"
    text = f"{ratio * 100:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text}%"
