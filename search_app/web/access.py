"""Per-request access to the index: the thread's searcher on the live generation."""

from __future__ import annotations

import threading
import weakref

from flask import abort, current_app, g
from werkzeug.datastructures import MultiDict
from whoosh.searching import Searcher

from indexer.store import LiveIndex
from search_app.engine.budget import QueryBudget
from search_app.engine.related import similar_practices
from search_app.engine.search import SearchRequest, SearchResponse, clean_request, search
from search_app.engine.suggest import Vocabulary, suggest
from search_app.web.vocabulary import Vocabularies

# Parameters of /api/search and / that are not facet filters.
QUERY_PARAMS = ("q", "page", "per_page", "sort", "match", "correct")
MAX_SUGGEST_LENGTH = 100


def get_searcher() -> Searcher:
    """The request's searcher: its thread's, on the live generation (kept between
    requests until a new generation is published, see ``LiveIndex.shared_searcher``)."""
    if "searcher" not in g:
        live: LiveIndex = current_app.extensions["bdp_index"]
        g.searcher = live.shared_searcher()
    return g.searcher


def get_document_or_404(practice_id: str) -> dict:
    """Everything the index stores of one practice (record, attachments as indexed …);
    404 (in Polish) for an unknown id. Its attachments' locations are internal."""
    fields = get_searcher().document(id=practice_id)
    if not fields:
        abort(404, description=f"Nie ma praktyki o identyfikatorze „{practice_id}”.")
    return fields


def get_record_or_404(practice_id: str) -> dict:
    """The canonical record of one practice; 404 (in Polish) for an unknown id."""
    return get_document_or_404(practice_id)["record"]


def run_search(args: MultiDict) -> tuple[SearchRequest, SearchResponse]:
    """Run a search from request arguments: one path for the API and the page."""
    request, _notes = clean_request(
        args.get("q", ""),
        page=args.get("page", 1),
        per_page=args.get("per_page", 10),
        sort=args.get("sort") or "relevance",
        match=args.get("match") or "auto",
        correct=args.get("correct", "1"),
        filters={name: args.getlist(name) for name in args if name not in QUERY_PARAMS},
    )
    response, _cut = _search_live(request)  # the request's notes come first
    return request, response


def _search_live(request: SearchRequest) -> tuple[SearchResponse, bool]:
    """Search the live generation within a budget; whether the budget cut it short."""
    budget = QueryBudget()
    response = search(get_searcher(), request, budget)
    if budget.cut_short():
        g.bdp_incomplete_search = True  # not an answer to keep (search_app/web/cache.py)
    return response, budget.cut_short()


# Every practice's facet counts per searcher (a searcher sees one generation).
_everything: weakref.WeakKeyDictionary[Searcher, SearchResponse] = weakref.WeakKeyDictionary()
_everything_lock = threading.Lock()


def browse_everything() -> SearchResponse:
    """Every practice, one a page, with the facet counts: what a page of no results
    offers to browse. The same for a whole generation, so searched once per searcher
    (a search cut short by its budget is not kept)."""
    searcher = get_searcher()
    with _everything_lock:
        response = _everything.get(searcher)
    if response is None:
        response, cut = _search_live(clean_request("", per_page=1)[0])
        if not cut:
            with _everything_lock:
                _everything[searcher] = response
    return response


def find_similar(practice_id: str) -> list[dict]:
    """“Podobne praktyki” for one practice."""
    return similar_practices(get_searcher(), practice_id)


def get_vocabulary() -> Vocabulary:
    """The suggestion vocabulary of the live generation (see search_app/web/vocabulary.py);
    one still being built gives an answer the response cache does not keep."""
    vocabularies: Vocabularies = current_app.extensions["bdp_vocabularies"]
    vocabulary, live = vocabularies.current()
    if not live:
        g.bdp_incomplete_search = True  # not an answer to keep (search_app/web/cache.py)
    return vocabulary


def run_suggest(text: str) -> dict:
    """Suggestions for a partly typed query."""
    return suggest(get_vocabulary(), text[:MAX_SUGGEST_LENGTH])
