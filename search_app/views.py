"""The HTML pages: they render the same data the JSON API returns."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer.store import FACETS
from search_app.access import close_searcher, find_record, run_search
from search_app.search import SORTS

bp = Blueprint("views", __name__)
bp.teardown_app_request(close_searcher)

RECORD_LABELS = {
    "unit_type": "Typ jednostki",
    "town": "Miejscowość",
    "county": "Powiat",
    "voivodeship": "Województwo",
    "postal_code": "Kod pocztowy",
    "implementing_unit": "Jednostka wdrażająca",
    "street": "Ulica",
    "population": "Liczba mieszkańców",
    "date_added": "Data wprowadzenia do BDP",
    "date_updated": "Data aktualizacji",
}


@bp.get("/")
def index():
    """The search page; with no query it lists every practice, newest first."""
    search_request, response = run_search(request.args)
    args = MultiDict(request.args)
    facets = {
        name: [
            {**vars(value), "toggle_url": _toggle_url(args, name, value.value)} for value in values
        ]
        for name, values in response.facets.items()
    }
    chips = [
        {"facet": FACETS[name], "label": value["label"], "url": value["toggle_url"]}
        for name, values in facets.items()
        for value in values
        if value["selected"]
    ]
    return render_template(
        "search.html",
        request_=search_request,
        response=response,
        facets=facets,
        facet_labels=FACETS,
        chips=chips,
        sorts=SORTS,
        page_url=lambda page: _page_url(args, page),
        filters=[(k, v) for k, v in args.items(multi=True) if k in FACETS],
    )


@bp.get("/praktyka/<practice_id>")
def practice(practice_id: str):
    """One practice: its full presentation and metric card."""
    record = find_record(practice_id)
    if record is None:
        abort(404, description=f"Nie ma praktyki o identyfikatorze „{practice_id}”.")
    back = request.args.get("powrot", "")
    if not back.startswith("/?") and back != "/":
        back = url_for(".index")
    return render_template("practice.html", record=record, labels=RECORD_LABELS, back_url=back)


def _toggle_url(args: MultiDict, name: str, value: str) -> str:
    """The page URL with one facet value switched on or off (and back to page 1)."""
    new = MultiDict(args)
    values = new.getlist(name)
    new.setlist(name, [v for v in values if v != value] if value in values else values + [value])
    new.pop("page", None)
    return url_for(".index", **new.to_dict(flat=False))


def _page_url(args: MultiDict, page: int) -> str:
    new = MultiDict(args)
    new["page"] = str(page)
    return url_for(".index", **new.to_dict(flat=False))
