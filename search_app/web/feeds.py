"""A search's feed and export: ``/feed.atom`` and ``/api/search.csv``.

Both take the search page's parameters (``q``, ``match``, ``correct`` and the facet
filters; the CSV also ``sort``) and read them exactly as the page does
(:func:`~search_app.engine.search.clean_request`): a value the page repairs is
repaired here too, never refused, and ``page`` and ``per_page`` play no part.

- **Atom** (:func:`feed`): the :data:`FEED_ENTRIES` newest practices the search finds
  (by date added), a valid Atom 1.0 document made by feedgen. Each entry's id is the
  practice page's absolute address, so an entry keeps its id in every feed it appears
  in; ``updated`` is the practice's date of update, else of adding. Answers carry an
  ``ETag``, so a feed reader polling an unchanged feed gets 304.
- **CSV** (:func:`search_csv`): every practice the search finds, in the page's order,
  one row each: the metric fields of the field registry under their Polish labels, the
  practice's address and whether it has attachments. UTF-8 with a byte order mark
  (Excel then reads Polish letters), ``;`` between cells (Excel's separator where a
  comma is the decimal sign, as in Polish), every cell quoted, list values joined
  with ``"; "``. The rows are written while the response streams, one stored record
  at a time, the engine asked for :data:`CSV_PAGE` results at a time (see
  :func:`search_csv`). At most :data:`CSV_MAX_ROWS` rows (and never more than the
  index holds); ``X-Total-Count`` gives how many practices matched.

  **CSV injection** (OWASP, "CSV Injection"): a spreadsheet runs a cell starting with
  ``=``, ``+``, ``-`` or ``@`` (also tab or carriage return) as a formula, and
  practices' texts come from outside. Such a cell is written with a leading ``'``
  (:func:`neutralised`), so ``+48 32 434 24 12`` reads ``'+48 32 434 24 12``; the
  ``csv`` module quotes every cell, so no value can break out of its cell.

Neither is a search of the search log (:mod:`search_app.web.analytics`): feed readers
poll the same address every few minutes for as long as someone is subscribed, and an
export repeats a search the person already made on the page (and that was recorded
there) — counting them would swamp the report of what people look for.

Both answer 503 (with ``Retry-After``) when the search could not be run in full —
a long query past the rate of long queries, or a ranking stopped by its time limit —
rather than a list that would look complete and not be. Errors take the one error
shape (:mod:`search_app.web.errors`): a page for the feed, JSON for the CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ServiceUnavailable
from whoosh.searching import Searcher

from analyzers.folding import fold
from indexer.fields import BOOLEAN, BY_NAME, FIELDS, FILES, OBJECT, TEXTS, Field
from indexer.generations import CURRENT_FILE
from indexer.schema import FACETS
from indexer.store import LiveIndex
from search_app.engine.budget import NOTE_BUSY, QueryBudget
from search_app.engine.search import (
    MAX_PAGE,
    MAX_PER_PAGE,
    QUERY_WORD,
    SearchRequest,
    SearchResponse,
    clean_request,
    search,
)
from search_app.engine.synonyms import Thesaurus, thesaurus_in_use
from search_app.web.access import QUERY_PARAMS, get_searcher

bp = Blueprint("feeds", __name__)

FEED_ENTRIES = 50
FEED_TYPE = "application/atom+xml"
FEED_AUTHOR = "Baza Dobrych Praktyk — wyszukiwarka"
# The most rows of one export: as many as the search pages could ever show.
CSV_MAX_ROWS = MAX_PAGE * MAX_PER_PAGE
CSV_TYPE = "text/csv"
CSV_DELIMITER = ";"
LIST_SEPARATOR = "; "
BOM = "\ufeff"
# Rows written between two chunks of the response.
ROWS_PER_CHUNK = 200
# Results asked of the engine at a time (it holds each one's stored fields until it answers).
CSV_PAGE = 500
# Cells a spreadsheet would read as a formula (OWASP): written after a "'".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Registry fields that are not metric values: long texts, files (a yes/no column
# instead), the internal source and free-form extras.
NOT_IN_CSV = ("summary", "body", "source", "extra")
CSV_FIELDS: tuple[Field, ...] = tuple(
    f for f in FIELDS if f.name not in NOT_IN_CSV and f.kind not in (FILES, OBJECT)
)
URL_LABEL = "Adres praktyki"
ATTACHMENTS_LABEL = BY_NAME["attachments"].label
CSV_HEADER = (*(f.label for f in CSV_FIELDS), URL_LABEL, ATTACHMENTS_LABEL)
FILE_NAME = "praktyki-bdp"
# Characters of the file name taken from the query and filters.
FILE_NAME_CHARS = 60
# Characters XML 1.0 cannot carry (lxml refuses them): dropped from feed texts.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

NOTE_CUT = (
    "Wyszukiwanie trwało zbyt długo i zostało przerwane, a lista byłaby niepełna — "
    "spróbuj za chwilę albo zawęź wyszukiwanie."
)
RETRY_SECONDS = 5


# --- The search ------------------------------------------------------------------------


def feed_request(args: MultiDict, *, sort: str, size: int) -> SearchRequest:
    """The search of ``args`` as the page reads it, ``size`` results in ``sort`` order."""
    search_request, _notes = clean_request(
        args.get("q", ""),
        sort=sort,
        match=args.get("match") or "auto",
        correct=args.get("correct", "1"),
        filters={name: args.getlist(name) for name in args if name not in QUERY_PARAMS},
    )
    return dataclasses.replace(search_request, page=1, per_page=size, snippets=False)


def run_in_full(searcher: Searcher, search_request: SearchRequest) -> SearchResponse:
    """The search's response; 503 when it was shed or its ranking cut short."""
    budget = QueryBudget()
    response = search(searcher, search_request, budget)
    if budget.shed:
        raise ServiceUnavailable(NOTE_BUSY, retry_after=RETRY_SECONDS)
    if budget.ranking_cut:
        raise ServiceUnavailable(NOTE_CUT, retry_after=RETRY_SECONDS)
    return response


def search_params(search_request: SearchRequest) -> dict[str, list[str]]:
    """The parameters that make a search (query, filters, matching), in a fixed order."""
    params: dict[str, list[str]] = {}
    if search_request.q:
        params["q"] = [search_request.q]
    for name in FACETS:
        if search_request.filters.get(name):
            params[name] = list(search_request.filters[name])
    if search_request.match != "auto":
        params["match"] = [search_request.match]
    if not search_request.correct:
        params["correct"] = ["0"]
    return params


def _request_args(*dropped: str) -> dict[str, list[str]]:
    """This request's parameters without ``dropped`` (for links to the feed and export)."""
    return {k: v for k, v in request.args.to_dict(flat=False).items() if k not in dropped}


@bp.app_template_global()
def search_feed_url() -> str:
    """The feed of the search page being shown (its page, page size and sort dropped)."""
    return url_for("feeds.feed", **_request_args("page", "per_page", "sort"))  # type: ignore[arg-type]


@bp.app_template_global()
def search_csv_url() -> str:
    """The export of the search page being shown (all pages, in its sort order)."""
    return url_for("feeds.search_csv", **_request_args("page", "per_page"))  # type: ignore[arg-type]


@bp.app_template_global()
def feed_title(search_request: SearchRequest, response: SearchResponse) -> str:
    """The Polish title of a search's feed, naming its query and filters.

    Filters are named as the search read them (``slaskie`` as „śląskie”).
    """
    parts = [f"„{search_request.q}”"] if search_request.q else []
    for name, label in FACETS.items():
        chosen = [value.label for value in response.facets.get(name, []) if value.selected]
        if chosen:
            parts.append(f"{label}: {', '.join(chosen)}")
    if not parts:
        return "BDP — najnowsze praktyki"
    return "BDP — wyniki wyszukiwania: " + "; ".join(parts)


# --- Atom ------------------------------------------------------------------------------


@bp.get("/feed.atom")
def feed() -> Response:
    """The newest practices (at most FEED_ENTRIES) the search of these parameters finds."""
    searcher = get_searcher()
    search_request = feed_request(request.args, sort="newest", size=FEED_ENTRIES)
    response = run_in_full(searcher, search_request)
    params = search_params(search_request)
    self_url = url_for(".feed", _external=True, **params)  # type: ignore[arg-type]
    page_url = url_for("views.index", _external=True, **params, sort="newest")  # type: ignore[arg-type]

    generator = FeedGenerator()
    generator.id(self_url)
    generator.title(_xml_text(feed_title(search_request, response)))
    generator.subtitle(_xml_text(_subtitle(response)))
    generator.author({"name": FEED_AUTHOR})
    generator.link(href=self_url, rel="self", type=FEED_TYPE)
    generator.link(href=page_url, rel="alternate", type="text/html")
    generator.language("pl")
    generator.generator("BDP Search")
    published = _index_published()
    newest: datetime | None = None
    for hit in response.results:
        stored = searcher.document(id=hit.id)
        if not stored:
            continue
        record = stored["record"]
        entry = generator.add_entry(order="append")
        url = url_for("views.practice", practice_id=hit.id, _external=True)
        added = _moment(record.get("date_added"))
        updated = _moment(record.get("date_updated")) or added or published
        newest = max(newest or updated, updated)
        entry.id(url)
        entry.title(_xml_text(record.get("title") or hit.id))
        entry.updated(updated)
        if added is not None:
            entry.published(added)
        entry.link(href=url, rel="alternate", type="text/html")
        if record.get("summary"):
            entry.summary(_xml_text(record["summary"]))
        for name in ("category", "subcategory"):
            if record.get(name):
                entry.category(term=_xml_text(record[name]), label=BY_NAME[name].label)
    generator.updated(newest or published)
    answer = Response(generator.atom_str(pretty=True), content_type=f"{FEED_TYPE}; charset=utf-8")
    answer.add_etag()
    answer.make_conditional(request)  # 304 for a reader that has this version
    return answer


def _subtitle(response: SearchResponse) -> str:
    text = (
        f"Najnowsze praktyki (najwyżej {FEED_ENTRIES}) pasujące do wyszukiwania "
        f"w Bazie Dobrych Praktyk, od ostatnio dodanych."
    )
    return " ".join([text, *response.messages])


def _moment(value: Any) -> datetime | None:
    """A record's date ("YYYY-MM-DD") as midnight UTC; None when absent or malformed."""
    try:
        day = date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _index_published() -> datetime:
    """When the live index was published (``CURRENT``'s time): the feed's time when no
    practice gives one, so an unchanged feed stays byte for byte the same."""
    try:
        seconds = os.stat(Path(current_app.config["INDEX_DIR"]) / CURRENT_FILE).st_mtime
    except OSError:
        return datetime.now(UTC).replace(microsecond=0)
    return datetime.fromtimestamp(int(seconds), UTC)


def _xml_text(text: str) -> str:
    return NOT_XML.sub("", text)


# --- CSV -------------------------------------------------------------------------------


@bp.get("/api/search.csv")
def search_csv() -> Response:
    """Every practice the search of these parameters finds, as CSV, streamed.

    The engine is asked for :data:`CSV_PAGE` results at a time, so an export never
    holds more than a page of results (the engine keeps each result's stored fields
    until it answers). The first page is asked here: a search that cannot run in
    full answers 503 before anything is sent. The others are asked as the rows stream
    (:func:`export_ids`), each checked to be the same search.

    The searcher is the response's own, closed when the response is (the request's
    is closed at its teardown, before the body streams): every page and row is read
    from the generation that was searched first, even if a new one is published
    meanwhile.
    """
    live: LiveIndex = current_app.extensions["bdp_index"]
    searcher = live.searcher()
    try:
        most = min(searcher.doc_count(), CSV_MAX_ROWS)
        sort = request.args.get("sort") or "relevance"
        search_request = feed_request(request.args, sort=sort, size=CSV_PAGE)
        first = run_in_full(searcher, search_request)
        # The request's thesaurus is no longer in use once its context is torn down.
        ids = export_ids(searcher, search_request, first, thesaurus_in_use(), most)
        chunks = stream_with_context(csv_chunks(searcher, ids))
        answer = Response(chunks, content_type=f"{CSV_TYPE}; charset=utf-8")
    except BaseException:
        searcher.close()
        raise
    answer.call_on_close(lambda: _close(searcher))  # also when the body is never read
    answer.headers["Content-Disposition"] = content_disposition(csv_file_name(search_request))
    # How many practices matched: more than the rows only past CSV_MAX_ROWS.
    answer.headers["X-Total-Count"] = str(first.total)
    return answer


class ExportInterrupted(RuntimeError):
    """A later page of an export was not the same search as its first (the ranking was
    cut short, or the query was understood otherwise): the export stops there, and the
    server breaks off the response, so the file is seen to be incomplete."""


def export_ids(
    searcher: Searcher,
    search_request: SearchRequest,
    first: SearchResponse,
    thesaurus: Thesaurus,
    most: int,
) -> Iterator[str]:
    """The ids of the search's first ``most`` results, in order, a page at a time."""
    same, wanted = _outcome(first), min(most, first.total)
    response, page, seen = first, 1, set[str]()
    while True:
        for hit in response.results:
            if len(seen) == wanted:
                return
            if hit.id in seen:
                raise ExportInterrupted(f"{hit.id} twice in one export")
            seen.add(hit.id)
            yield hit.id
        if len(seen) == wanted:
            return
        if not response.results:
            raise ExportInterrupted(f"{len(seen)} of {wanted} results")
        page += 1
        # Admitted once (budget.admits): the following pages are the same request.
        budget = QueryBudget(limit_rate=False)
        paged = dataclasses.replace(search_request, page=page)
        response = search(searcher, paged, budget, thesaurus)
        if budget.ranking_cut or _outcome(response) != same:
            raise ExportInterrupted(f"page {page} differs from the first")


def _outcome(response: SearchResponse) -> tuple[Any, ...]:
    """What makes two pages of one search the same search."""
    return (response.total, response.suggestion, response.corrected, tuple(response.relaxed))


def csv_chunks(searcher: Searcher, ids: Iterable[str]) -> Iterator[bytes]:
    """The CSV of these practices, a chunk of rows at a time (the header after a BOM);
    ``searcher`` is closed once they are written (or the response is dropped)."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=CSV_DELIMITER, quoting=csv.QUOTE_ALL, lineterminator="\r\n"
    )
    buffer.write(BOM)
    writer.writerow(CSV_HEADER)
    try:
        for n, practice_id in enumerate(ids, 1):
            stored = searcher.document(id=practice_id)
            if stored:
                url = url_for("views.practice", practice_id=practice_id, _external=True)
                writer.writerow(csv_row(stored["record"], url))
            if n % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    finally:
        _close(searcher)
    yield buffer.getvalue().encode("utf-8")


def _close(searcher: Searcher) -> None:
    if not searcher.is_closed:
        searcher.close()


def csv_row(record: Mapping[str, Any], url: str) -> list[str]:
    """One practice's cells, in the order of :data:`CSV_HEADER`."""
    cells = [_cell(field, record.get(field.name)) for field in CSV_FIELDS]
    cells.append(url)
    cells.append("tak" if record.get("attachments") else "nie")
    return [neutralised(cell) for cell in cells]


def _cell(field: Field, value: Any) -> str:
    if value is None:
        return ""
    if field.kind == TEXTS:
        return LIST_SEPARATOR.join(str(item) for item in value if item)
    if field.kind == BOOLEAN:
        return "tak" if value else "nie"
    return str(value)


def neutralised(cell: str) -> str:
    """A cell no spreadsheet runs as a formula (OWASP): one starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading ``'``.

    >>> neutralised("=HYPERLINK(\\"http://example.com\\")")
    '\\'=HYPERLINK("http://example.com")'
    >>> neutralised("+48 32 434 24 12"), neutralised("Żory")
    ("'+48 32 434 24 12", 'Żory')
    """
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_file_name(search_request: SearchRequest) -> str:
    """``praktyki-bdp[-words of the query and filters].csv``, in Polish letters.

    >>> csv_file_name(SearchRequest(q="rodziny zastępcze", filters={"voivodeship": ("śląskie",)}))
    'praktyki-bdp-rodziny-zastępcze-śląskie.csv'
    >>> csv_file_name(SearchRequest())
    'praktyki-bdp.csv'
    """
    texts = [search_request.q, *(v for values in search_request.filters.values() for v in values)]
    words = [word.lower() for text in texts for word in QUERY_WORD.findall(text)]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > FILE_NAME_CHARS:
            break
        slug += "-" + word
    return f"{FILE_NAME}{slug}.csv"


def content_disposition(name: str) -> str:
    """An attachment named ``name``: an ASCII ``filename`` and the UTF-8 one (RFC 5987/6266).

    >>> print(content_disposition("łódź.csv"))
    attachment; filename="lodz.csv"; filename*=UTF-8''%C5%82%C3%B3d%C5%BA.csv
    """
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fold(name))
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
