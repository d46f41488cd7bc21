"""The HTML pages: they render the same data the JSON API returns."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer.fields import BY_NAME, CARD_LISTS, CARD_VALUES
from indexer.limits import current_limits
from indexer.schema import FACETS
from search_app.engine.attachments import stored_files
from search_app.engine.matching import MIN_REQUIRED, RELAX_BELOW
from search_app.engine.search import (
    FACET_PARENTS,
    SORTS,
    FacetValue,
    Hit,
    SearchResponse,
)
from search_app.web import analytics
from search_app.web.access import (
    browse_everything,
    find_similar,
    get_document_or_404,
    run_search,
)
from search_app.web.downloads import PublicFile, public_files
from search_app.web.map import map_regions, plural_practices

bp = Blueprint("views", __name__)
bp.add_app_template_filter(plural_practices, "praktyk")

# An e-mail address inside whatever the e-mail field holds ("mailto:", a name, a
# "?subject=…" the site appended): only the address goes into a mailto: link.
MAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

PER_PAGE_CHOICES = (10, 20, 50)
# Values shown before "pokaż więcej" in a facet (chosen values are always shown).
VISIBLE_VALUES = 8
# The sort options as the page names them, each with the way it orders (the engine
# sorts by population from the largest only, so that is the one direction offered).
SORT_DIRECTIONS = {
    "newest": "data dodania: od najnowszych",
    "oldest": "data dodania: od najstarszych",
    "population": "liczba mieszkańców: od największej",
}
SORT_LABELS = {key: SORT_DIRECTIONS.get(key, label) for key, label in SORTS.items()}
# Filter values a results heading names one by one; more are "wybrane filtry".
NAMED_FILTERS = 3
PAGE_WINDOW = 2
# The page a search redirected from when it asked for a page past the last: the page
# it lands on says so ("Strona 999 nie istnieje — pokazuję ostatnią, 2.").
BEYOND_PARAM = "poza"
# Categories offered to browse when a search finds nothing.
POPULAR_CATEGORIES = 5
# The engine's message for a query without results (the page has its own).
NO_RESULTS = "Brak wyników."

# The metric card of the practice page (field registry, indexer.fields): single values
# (field name -> Polish label), then lists, whose values link by the field's ``link``.
RECORD_LABELS = CARD_VALUES
CARD_FIELDS = [BY_NAME[name] for name in (*CARD_VALUES, *CARD_LISTS)]


@bp.get("/")
def index():
    """The search page; with no query it lists every practice, newest first, under a map.

    A search (a query or a filter) is recorded in the search log, and each result
    links to its practice with the click in ``?z=`` (see :func:`practice`). A page past
    the last one redirects (303) to the last, which notes it (``?poza=<page asked>``);
    the JSON API answers such a page as it is (empty).
    """
    args = MultiDict(request.args)
    beyond = args.poplist(BEYOND_PARAM)
    started = time.perf_counter()
    search_request, response = run_search(args)
    notes = [*_beyond_note(beyond, response), *_page_messages(response)]
    if response.total and response.page > response.pages:
        asked, last = response.page, MultiDict(args)
        last["page"] = str(response.pages)
        if _as_int(args.get("page", "")) == asked:
            last[BEYOND_PARAM] = str(asked)
            return redirect(url_for(".index", **last.to_dict(flat=False)), code=303)
        # A page number the engine had to repair (past 1000): a redirect would lose its
        # note, so the last page is shown at once, with both notes.
        notes = [*_page_messages(response), _beyond_text(asked, response.pages)]
        args = last
        search_request, response = run_search(args)
    latency_ms = (time.perf_counter() - started) * 1000
    search_id = analytics.record_search(search_request, response, latency_ms)
    facets = _facet_views(args, response)
    home = not search_request.q and not search_request.filters
    back = request.full_path.rstrip("?") or "/"
    if beyond:  # the way back from a practice: without the note
        back = url_for(".index", **args.to_dict(flat=False))
    filters = [(k, v) for k, v in args.items(multi=True) if k in FACETS]
    return render_template(
        "search.html",
        request_=search_request,
        response=response,
        notes=notes,
        facets=facets,
        chips=_chips(facets),
        facet_form_params=_facet_form_params(args),
        results_title=results_title(search_request.q, _chosen_labels(response)),
        clear_url=url_for(".index", **_only(args, "q", "sort", "per_page")),
        sorts=SORT_LABELS,
        shown_sort=_shown_sort(response),
        per_page_choices=PER_PAGE_CHOICES,
        page_links=_page_links(response.page, response.pages),
        page_url=lambda page: _page_url(args, page),
        query_url=lambda q, correct=None: _query_url(args, q, correct),
        filters=filters,
        poland=_poland_map(response) if home and response.page == 1 else None,
        popular=_popular_categories() if not response.total else [],
        back=back,
        result_url=lambda practice_id, position: _result_url(
            practice_id, position, back, search_id
        ),
        search_feed_url=lambda: _export_url("feeds.feed", args, "page", "per_page", "sort"),
        search_csv_url=lambda: _export_url("feeds.search_csv", args, "page", "per_page"),
    )


def _beyond_note(beyond: list[str], response: SearchResponse) -> list[str]:
    """The note of a page reached from a page past the last (``?poza=``), if it is one."""
    asked = _as_int(beyond[-1][:8]) if beyond else None
    if asked is None or asked <= response.pages or response.page != response.pages:
        return []
    return [_beyond_text(asked, response.pages)]


def _beyond_text(asked: int, last: int) -> str:
    return f"Strona {asked} nie istnieje — pokazuję ostatnią, {last}."


def _as_int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def _page_messages(response: SearchResponse) -> list[str]:
    """The search's messages, but the engine's "Brak wyników" when nothing was found:
    the page says that once, in its own words, with what to try next."""
    if response.total:
        return list(response.messages)
    return [m for m in response.messages if not m.startswith(NO_RESULTS)]


def _export_url(endpoint: str, args: MultiDict, *dropped: str) -> str:
    """The feed or export of the page shown (``args``, without the note's parameter)."""
    kept = {k: v for k, v in args.to_dict(flat=False).items() if k not in dropped}
    return url_for(endpoint, **kept)  # type: ignore[arg-type]


def _popular_categories() -> list[dict[str, Any]]:
    """The categories with the most practices, to browse when a search finds nothing."""
    values = browse_everything().facets.get("category", [])  # most first, ties in Polish order
    return [
        {"label": v.label, "count": v.count, "url": url_for(".index", category=v.value)}
        for v in values[:POPULAR_CATEGORIES]
    ]


def _result_url(practice_id: str, position: int, back: str, search_id: str | None) -> str:
    """A result's link: the practice page, the way back, and the click (when logged).

    ``position`` counts from the first result of the first page (1).
    """
    params = {"powrot": back}
    if search_id is not None:
        params[analytics.CLICK_PARAM] = analytics.click_token(search_id, position)
    return url_for(".practice", practice_id=practice_id, **params)  # type: ignore[arg-type]


@bp.get("/praktyka/<practice_id>")
def practice(practice_id: str):
    """One practice: its summary, full presentation, attachments, metric card and
    similar practices.

    Reached from a result link (``?z=<search id>.<position>``), it records the click
    and answers 303 to the same address without ``z``: the address shown, shared,
    bookmarked or reloaded is the plain one, so a reload counts no second click, and
    the back button skips the redirect (browsers keep only its target in history).
    """
    stored = get_document_or_404(practice_id)
    if analytics.CLICK_PARAM in request.args:
        analytics.record_click(request.args.get(analytics.CLICK_PARAM, ""), practice_id)
        kept = MultiDict(request.args)
        kept.poplist(analytics.CLICK_PARAM)
        plain = url_for(
            ".practice",
            practice_id=practice_id,
            **kept.to_dict(flat=False),  # type: ignore[arg-type]
        )
        response = redirect(plain, code=303)
        response.headers["Cache-Control"] = "no-store"
        return response
    record = stored["record"]
    files, _pages = stored_files(stored)
    # "Wróć do wyników" only when opened from results (their address in ``powrot``).
    back: str | None = request.args.get("powrot", "")
    if not (back and (back.startswith("/?") or back == "/")):
        back = None
    limits = current_limits()
    summary, summary_cut = _paragraphs(record.get("summary"), limits.summary_chars)
    body, body_cut = _paragraphs(record.get("body"), limits.body_chars)
    return render_template(
        "practice.html",
        record=record,
        card_values=[f for f in CARD_FIELDS if not f.is_list],
        card_lists=[f for f in CARD_FIELDS if f.is_list],
        back_url=back,
        similar=find_similar(practice_id),
        summary=summary,
        body=body,
        shortened=summary_cut or body_cut,
        files=_file_views(practice_id, files, record.get("attachments") or []),
    )


def _file_views(
    practice_id: str, files: Sequence[Mapping[str, Any]], listed: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The attachments as the page lists them: link, type, size, pages, OCR, and a note
    when their text is not searched. An index built before attachments were read has
    only their names (``listed``): shown without links."""
    if not files:
        return [
            {"title": item.get("title") or item.get("path"), "url": None, "details": ""}
            for item in listed
        ]
    return [
        {**item, "details": file_details(item), "note": _file_note(item)}
        for item in public_files(practice_id, files)
    ]


def file_details(item: PublicFile) -> str:
    """Type, size and pages of an attachment, e.g. "PDF, 48 kB, 4 s."."""
    kind = item["kind"] or PurePosixPath(item["title"]).suffix.lstrip(".")
    pages = f"{item['pages']} s." if item["pages"] else ""
    return ", ".join(part for part in (kind.upper(), file_size(item["size"]), pages) if part)


def _file_note(item: PublicFile) -> str | None:
    if item["problem"]:
        return f"Tekst tego pliku nie jest przeszukiwany: {item['problem'].rstrip('.')}."
    if not item["text_indexed"]:
        return "Ten plik nie zawiera tekstu, który można przeszukać."
    return None


FILE_SIZE_UNITS = ("kB", "MB", "GB", "TB")


def file_size(size: int | None) -> str:
    """A file size as Polish readers write it (decimal units, decimal comma).

    >>> [file_size(n) for n in (512, 4287, 48_300, 999_600, 1_234_567, None)]
    ['512 B', '4,3 kB', '48 kB', '1 MB', '1,2 MB', '']
    """
    if size is None:
        return ""
    if size < 1000:
        return f"{size} B"
    value, unit = size / 1000, 0
    while round(value) >= 1000 and unit < len(FILE_SIZE_UNITS) - 1:
        value, unit = value / 1000, unit + 1
    shown = f"{value:.1f}" if value < 9.95 else str(round(value))
    return f"{shown.replace('.', ',').removesuffix(',0')} {FILE_SIZE_UNITS[unit]}"


def _paragraphs(text: str | None, most: int) -> tuple[list[str], bool]:
    """The paragraphs of at most ``most`` characters of ``text``, and whether it was cut.

    Records are limited when read, but an index built before the limits may hold
    a far longer text: the page then stays as small as for the largest allowed one.
    """
    text = text or ""
    cut = len(text) > most
    shown = text[:most] + "…" if cut else text
    return [p for p in shown.split("\n\n") if p.strip()], cut


@bp.app_template_filter("mail_address")
def mail_address(value: str) -> str | None:
    """The e-mail address in an e-mail field, for a ``mailto:`` link; None if there is none.

    >>> mail_address("mailto:mops@mops.zory.pl?subject=Praktyka")
    'mops@mops.zory.pl'
    >>> mail_address("brak adresu") is None
    True
    """
    value = (value or "").strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    match = MAIL_ADDRESS.search(value.split("?", 1)[0])
    return match[0] if match else None


@bp.app_template_filter("extra_text")
def extra_text(value: Any) -> str:
    """Any JSON value of ``extra`` as short text: scalars plainly, lists and objects compactly.

    >>> extra_text(["32 434 82 34", 2.5, True, None])
    '32 434 82 34, 2.5, tak, —'
    >>> extra_text({"rok": 2012, "kwoty": [1, 2]})
    'rok: 2012; kwoty: [1, 2]'
    """
    if isinstance(value, list):
        return ", ".join(_extra_item(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_extra_item(item)}" for key, item in value.items())
    return _extra_item(value)


def _extra_item(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _facet_views(args: MultiDict, response: SearchResponse) -> list[dict[str, Any]]:
    """Facets as the filter form shows them: child values nested under their chosen parent.

    Subcategories appear under a chosen category, counties under a chosen voivodeship
    (or under the parent of a chosen child), so the lists stay short. Each value gets
    the id of its checkbox; ``shown`` and ``more`` split a long list (see
    :func:`_split_long`).
    """
    children_of = {parent: child for child, parent in FACET_PARENTS.items()}
    views = []
    for name, values in response.facets.items():
        if name in FACET_PARENTS or not values:
            continue
        child = children_of.get(name)
        child_values = response.facets.get(child, []) if child else []
        open_parents = {v.parent for v in child_values if v.selected}
        items = []
        for value in values:
            chosen = [v.value for v in child_values if v.selected and v.parent == value.value]
            item = _value_view(args, name, value, {child: chosen} if child else {})
            if child and (value.selected or value.value in open_parents):
                item["children"] = [
                    _value_view(args, child, v) for v in child_values if v.parent == value.value
                ]
            items.append(item)
        # A chosen child that matches nothing has no parent to sit under: list it apart.
        nested = {c["value"] for item in items for c in item.get("children", [])}
        items.extend(
            _value_view(args, str(child), v)
            for v in child_values
            if v.selected and v.value not in nested
        )
        _number_checkboxes(name, items)
        shown, more = _split_long(items)
        views.append(
            {
                "name": name,
                "label": FACETS[name],
                "values": items,
                "shown": shown,
                "more": more,
                "child_label": FACETS[child] if child else None,
            }
        )
    return views


def _number_checkboxes(name: str, items: list[dict[str, Any]]) -> None:
    """Give each value (and child value) the id its checkbox and label share."""
    for i, item in enumerate(items):
        item["id"] = f"filtr-{name}-{i}"
        for j, child in enumerate(item.get("children", [])):
            child["id"] = f"filtr-{name}-{i}-{j}"


def _split_long(items: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """The values shown at once and those behind "Pokaż więcej": the first
    VISIBLE_VALUES, plus every value in force (chosen, or with a chosen child) wherever
    it is, so a filter that narrows the results is never folded away."""
    shown: list[dict] = []
    more: list[dict] = []
    for i, item in enumerate(items):
        in_force = item["selected"] or any(c["selected"] for c in item.get("children", []))
        (shown if i < VISIBLE_VALUES or in_force else more).append(item)
    return shown, more


def _value_view(
    args: MultiDict, name: str, value: FacetValue, children: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    url = _toggle_url(args, name, value.value, children)
    return {**vars(value), "name": name, "facet_label": FACETS[name], "toggle_url": url}


def _facet_form_params(args: MultiDict) -> list[tuple[str, str]]:
    """What the filter form carries besides its checkboxes (query, sort, page size,
    matching …), so applying filters changes nothing else; not the page: the filtered
    results start at page 1."""
    return [(k, v) for k, v in args.items(multi=True) if k not in FACETS and k != "page"]


def _chosen_labels(response: SearchResponse) -> dict[str, list[str]]:
    """Facet name -> the labels of its chosen values, in facet order (chosen ones only)."""
    chosen = {}
    for name, values in response.facets.items():
        labels = [v.label for v in values if v.selected]
        if labels:
            chosen[name] = labels
    return chosen


def results_title(query: str, chosen: Mapping[str, list[str]]) -> str:
    """The results heading (before the count): the query and the filters in force,
    so a region chosen on the map is named, in Polish, not "Wszystkie praktyki".

    >>> results_title("", {})
    'Wszystkie praktyki'
    >>> results_title("", {"voivodeship": ["mazowieckie"]})
    'Praktyki w województwie mazowieckim'
    >>> results_title("pomoc", {"voivodeship": ["śląskie"]})
    'Wyniki dla „pomoc” w województwie śląskim'
    >>> results_title("", {"category": ["Usługi społeczne"]})
    'Kategoria: Usługi społeczne'
    >>> results_title("pomoc", {"voivodeship": ["opolskie", "lubuskie"], "year": ["2012"]})
    'Wyniki dla „pomoc” (Województwo: opolskie, lubuskie; Rok dodania: 2012)'
    >>> results_title("", {"voivodeship": ["opolskie", "lubuskie"], "year": ["2012", "2013"]})
    'Praktyki spełniające wybrane filtry'
    """
    base = f"Wyniki dla „{query}”" if query else ""
    regions = chosen.get("voivodeship", [])
    # Every voivodeship's name ends in "-kie", whose locative is "-kim".
    if list(chosen) == ["voivodeship"] and len(regions) == 1 and regions[0].endswith("kie"):
        return f"{base or 'Praktyki'} w województwie {regions[0][:-1]}m"
    if not chosen:
        return base or "Wszystkie praktyki"
    if sum(len(labels) for labels in chosen.values()) > NAMED_FILTERS:
        return f"{base or 'Praktyki'} spełniające wybrane filtry"
    named = "; ".join(f"{FACETS[name]}: {', '.join(labels)}" for name, labels in chosen.items())
    return f"{base} ({named})" if base else named


@bp.app_template_filter("liczba")
def polish_number(value: int) -> str:
    r"""A whole number as Polish texts write it: groups of three digits split by
    a non-breaking space, which keeps the number on one line.

    >>> polish_number(60444), polish_number(3447441), polish_number(812)
    ('60\xa0444', '3\xa0447\xa0441', '812')
    """
    return f"{value:,}".replace(",", "\N{NO-BREAK SPACE}")


@bp.app_template_global()
def is_sample(hit: Hit) -> bool:
    """Whether a result is demonstration data (the ``sample`` result field, absent from
    an index built before it)."""
    return bool(getattr(hit, "sample", False))


def _chips(facets: list[dict[str, Any]]) -> list[dict[str, str]]:
    chips = []
    for facet in facets:
        for value in facet["values"]:
            for shown in (value, *value.get("children", [])):
                if shown["selected"]:
                    chips.append({"facet": shown["facet_label"], **shown})
    return chips


def _toggle_url(
    args: MultiDict, name: str, value: str, children: dict[str, list[str]] | None = None
) -> str:
    """The page URL with one facet value switched on or off (and back to page 1).

    Switching a parent off also drops its chosen children (e.g. a category's
    subcategories), which would otherwise keep filtering out of sight.
    """
    new = MultiDict(args)
    values = new.getlist(name)
    if value in values:
        new.setlist(name, [v for v in values if v != value])
        for child, dropped in (children or {}).items():
            new.setlist(child, [v for v in new.getlist(child) if v not in dropped])
    else:
        new.setlist(name, values + [value])
    new.pop("page", None)
    return url_for(".index", **new.to_dict(flat=False))  # type: ignore[arg-type]


def _query_url(args: MultiDict, q: str, correct: str | None = None) -> str:
    """The page URL for another query, keeping every filter, the sort, the page size and
    the matching (back to page 1); ``correct="0"`` searches the query as typed."""
    new = MultiDict(args)
    new["q"] = q
    new.pop("page", None)
    new.pop("correct", None)
    if correct is not None:
        new["correct"] = correct
    return url_for(".index", **new.to_dict(flat=False))  # type: ignore[arg-type]


def _page_url(args: MultiDict, page: int) -> str:
    new = MultiDict(args)
    new["page"] = str(page)
    return url_for(".index", **new.to_dict(flat=False))  # type: ignore[arg-type]


def _page_links(page: int, pages: int) -> list[int | None]:
    """Page numbers to link: the first, the last and a window around the current (None = …)."""
    shown = {1, pages, *range(page - PAGE_WINDOW, page + PAGE_WINDOW + 1)}
    links: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= pages):
        if links and links[-1] is not None and number > links[-1] + 1:
            links.append(None)
        links.append(number)
    return links


def _shown_sort(response: SearchResponse) -> str:
    """With nothing to rank by, "trafność" lists the newest first: the select says so."""
    if response.sort == "relevance" and not response.query:
        return "newest"
    return response.sort


def _only(args: MultiDict, *names: str) -> dict[str, list[str]]:
    return {name: args.getlist(name) for name in names if args.get(name)}


def _poland_map(response: SearchResponse) -> dict[str, Any]:
    counts = {v.value: v.count for v in response.facets.get("voivodeship", [])}
    return map_regions(counts, lambda name: url_for(".index", voivodeship=name))


@bp.get("/jak-szukac")
def help_page():
    """How to search: the query syntax, fields, filters and the API, with runnable examples."""
    return render_template("help.html", relax_below=RELAX_BELOW, min_required=MIN_REQUIRED)
