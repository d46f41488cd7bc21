"""The editors' thesaurus endpoints, on the editors' blueprint (same token and limits).

- ``GET /api/admin/synonyms``: the file ``SYNONYMS`` (``BDP_SYNONYMS``) as
  ``{"text", "groups", "etag"}``, with the ETag also as a header;
- ``PUT /api/admin/synonyms`` with ``{"text"}`` and ``If-Match: "<etag>"`` (``*``
  overwrites whatever is there): 200 ``{"groups", "etag", "previous", "changed"}``;
  422 with the problems by line (the error shape plus ``problems``), nothing saved;
  412 when the file changed since that ETag; 428 without ``If-Match``;
- ``POST /api/admin/synonyms/preview`` with ``{"text", "q"[, "filters"][, "per_page"]}``:
  the query's results with the thesaurus in use and with ``text``, nothing saved.

The work is done by :mod:`search_app.engine.thesaurus_edit`. Imported where the
editors' blueprint is registered (``search_app/web/__init__.py``), before that.
Valid PUTs and previews count against ``ADMIN_RATE_LIMIT`` like every POST,
valid GETs against ``ADMIN_READ_RATE_LIMIT``.
"""

from __future__ import annotations

import math
from typing import Any

from flask import current_app, jsonify, request
from werkzeug.exceptions import (
    BadRequest,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    TooManyRequests,
)

from indexer.errors import IndexMissingError
from indexer.schema import FACETS
from search_app.engine.context import QueryContext
from search_app.engine.search import clean_request
from search_app.engine.thesaurus_edit import (
    InvalidThesaurusError,
    StaleThesaurusError,
    ThesaurusBusyError,
    preview_thesaurus,
    read_thesaurus,
    save_thesaurus,
)
from search_app.web.access import get_searcher
from search_app.web.admin import bp
from search_app.web.errors import error_payload

# Results per side of a preview unless "per_page" says (clamped as /api/search clamps it).
PREVIEW_PER_PAGE = 20
NOT_AN_OBJECT = "Treść żądania musi być obiektem JSON (nagłówek Content-Type: application/json)."


@bp.before_request
def _limit_calls() -> None:
    """A valid PUT counts against the limit of valid updates (``ADMIN_RATE_LIMIT``, as the
    POSTs do), a valid GET of the thesaurus against the limit of reads, where there is one."""
    if request.method == "PUT":
        limiter = current_app.extensions["bdp_admin_limit"]
        message = "Zbyt wiele zapisów słownika z tego adresu."
    elif request.endpoint == "admin.get_synonyms":
        limiter = current_app.extensions.get("bdp_admin_read_limit")
        message = "Zbyt wiele odczytów słownika z tego adresu."
    else:
        return
    wait = limiter.retry_after(request.remote_addr or "") if limiter is not None else 0.0
    if wait:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(f"{message} Spróbuj za {seconds} s.", retry_after=seconds)


@bp.get("/api/admin/synonyms")
def get_synonyms():
    """The thesaurus file now: its text, its number of groups and its ETag."""
    current = read_thesaurus(current_app.config["SYNONYMS"])
    response = jsonify(current.to_dict())
    response.set_etag(current.etag)
    return response


@bp.put("/api/admin/synonyms")
def put_synonyms():
    """Save a new text of the thesaurus, if it has no problems and nobody changed it since."""
    body = _body({"text": str}, required=("text",))
    expected = _if_match()
    try:
        result = save_thesaurus(
            current_app.config["SYNONYMS"], body["text"], if_match=expected, analyzer=_analyzer()
        )
    except InvalidThesaurusError as exc:
        payload = error_payload(422, str(exc))
        payload["error"]["problems"] = [problem.to_dict() for problem in exc.problems]
        return jsonify(payload), 422
    except StaleThesaurusError as exc:
        raise PreconditionFailed(str(exc)) from exc
    except ThesaurusBusyError as exc:
        raise ServiceUnavailable(str(exc)) from exc
    except OSError as exc:
        current_app.logger.exception("Could not save the thesaurus")
        reason = exc.strerror or type(exc).__name__
        raise ServiceUnavailable(f"Nie udało się zapisać słownika ({reason}).") from exc
    current_app.logger.info(
        "Thesaurus saved: %d groups, previous version %s", result.groups, result.previous
    )
    response = jsonify(result.to_dict())
    response.set_etag(result.etag)
    return response


@bp.post("/api/admin/synonyms/preview")
def preview_synonyms():
    """A query's results with the thesaurus in use and with a proposed text, side by side."""
    body = _body({"text": str, "q": str, "filters": dict, "per_page": int}, required=("text", "q"))
    if not body["q"].strip():
        raise BadRequest("Podaj zapytanie („q”), którego wyniki porównać.")
    filters = _filters(body.get("filters", {}))
    search_request, _notes = clean_request(
        body["q"], per_page=body.get("per_page", PREVIEW_PER_PAGE), filters=filters
    )
    preview = preview_thesaurus(get_searcher(), search_request, body["text"])
    return jsonify(preview.to_dict())


def _body(fields: dict[str, type], required: tuple[str, ...]) -> dict[str, Any]:
    """The request's JSON object, with only ``fields``, of their types; 400 (Polish) if not."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    unknown = [name for name in body if name not in fields]
    if unknown:
        names = ", ".join(f"„{name[:40]}”" for name in unknown[:5])
        raise BadRequest(f"Nieznane pola żądania: {names}. Dozwolone: {', '.join(fields)}.")
    missing = [name for name in required if name not in body]
    if missing:
        raise BadRequest(f"Brak pola „{missing[0]}” w żądaniu.")
    for name, kind in fields.items():
        value = body.get(name)
        if name in body and (not isinstance(value, kind) or isinstance(value, bool)):
            raise BadRequest(f"Pole „{name}” ma zły typ (oczekiwano: {_TYPE_NAMES[kind]}).")
    return body


_TYPE_NAMES = {str: "tekst", dict: "obiekt", int: "liczba całkowita"}


def _filters(raw: dict[str, Any]) -> dict[str, list[str]]:
    """Facet filters of a preview: {facet: [values]} (a single value may be a string)."""
    unknown = [name for name in raw if name not in FACETS]
    if unknown:
        raise BadRequest(f"Nieznany filtr „{unknown[0][:40]}”. Dozwolone: {', '.join(FACETS)}.")
    filters = {}
    for name, values in raw.items():
        listed = [values] if isinstance(values, str) else values
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            raise BadRequest(f"Filtr „{name}” musi być tekstem albo listą tekstów.")
        filters[name] = listed
    return filters


def _if_match() -> set[str] | None:
    """The ETags a save may replace; None for ``*`` (anything). 428 without the header."""
    if not request.headers.get("If-Match", "").strip():
        raise PreconditionRequired(
            "Brak nagłówka If-Match: podaj ETag słownika z GET /api/admin/synonyms (albo *,"
            " aby nadpisać go bez sprawdzania)."
        )
    tags = request.if_match
    if tags.star_tag:
        return None
    return set(tags.as_set(include_weak=False))


def _analyzer():
    """The live index's text analyzer; without an index, the default (as indexes are built)."""
    try:
        return QueryContext(get_searcher()).analyzer
    except IndexMissingError:
        return None
