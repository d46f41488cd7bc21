"""The one search function behind the CLI, the JSON API and the HTML page.

It knows nothing of HTTP: a :class:`SearchRequest` goes in, a
:class:`SearchResponse` (plain data, ready for JSON) comes out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, make_dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import escape
from whoosh import sorting
from whoosh.collectors import Collector, TimeLimitCollector
from whoosh.query import And, Every, Not, NullQuery, Or, Query, Term
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results, Searcher, TimeLimit

from analyzers.collation import polish_key
from indexer import fields
from indexer.schema import FACETS, POPULATION_BANDS, build_schema, facet_label
from search_app.engine.arrays import doc_numbers, evaluate, matches, ranked
from search_app.engine.attachments import (
    HitFile,
    SnippetSource,
    attachment_passage,
    hit_files,
    stored_files,
)
from search_app.engine.budget import MAX_WORDS, NOTE_BUSY, QueryBudget, admits
from search_app.engine.columns import facet_codes, value_pairs
from search_app.engine.context import QueryContext
from search_app.engine.docsets import DocSetQuery
from search_app.engine.matching import RELAX_BELOW, Matched, apply_strategy
from search_app.engine.query_limits import bound_query
from search_app.engine.snippets import Snippets, lead, shown_words
from search_app.engine.spelling import is_known
from search_app.engine.synonyms import Thesaurus, using_thesaurus
from search_app.engine.understanding import (
    NOTE_NO_WORDS,
    Understood,
    facet_values_named,
    understand,
)
from search_app.engine.variants import WordQuery

SORTS = {
    "relevance": "trafność",
    "newest": "najnowsze",
    "oldest": "najstarsze",
    "population": "liczba mieszkańców",
}
# How many of the query's content words a result must contain: "auto" all of them,
# relaxing the least informative ones when nothing matches; "all" every one; "any" one.
MATCH_MODES = {
    "auto": "wszystkie słowa, a gdy ma je mniej niż 10 praktyk, także część z nich",
    "all": "wszystkie słowa",
    "any": "dowolne ze słów",
}
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_QUERY_LENGTH = 500
# Words (runs of letters or digits) of a query; each costs query understanding and
# ranking work, and people type far fewer (search_app/engine/budget.py).
MAX_QUERY_WORDS = MAX_WORDS
QUERY_WORD = re.compile(r"\w+")
MAX_FILTER_VALUES = 20
# C0/C1 control characters (but not tab or newline) and the replacement character that
# Werkzeug puts where a URL held invalid UTF-8.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
SNIPPET_CHARS = 240
# Ranking bonus per word of a relaxed query a practice has (coordination): practices
# with more of the words rise. Chosen by nDCG@10 on both test collections against no
# bonus, 1, 3, 5 and "more words always first" (which was the worst on both).
WORD_COUNT_RANK = 2.0
# A sort cut by its deadline still gets this long, so it can return something.
MIN_RANKING_SECONDS = 0.05

# Returned with each result besides id, title, snippet and score: the field registry's
# result fields.
RESULT_FIELDS = fields.RESULT_FIELDS


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked for; values are already validated and clamped."""

    q: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = "relevance"
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Which query words a result must contain (MATCH_MODES).
    match: str = "auto"
    # Search misspelt words as corrected (the suggestion); False searches them as typed.
    correct: bool = True
    # Benchmarks rank thousands of queries and need no snippets; people always get them.
    snippets: bool = True
    # Polish notes on what clean_request changed; search() puts them first in its answer.
    notes: tuple[str, ...] = ()


# Child facet -> parent facet: each child value carries the parent value it belongs to.
FACET_PARENTS = {"subcategory": "category", "county": "voivodeship"}
CHILD_FACETS = {parent: child for child, parent in FACET_PARENTS.items()}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    parent: str | None = None


class _HitBase:
    """A search result; reads as a dict too (``hit["title"]``), as results once were."""

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


# One result: id, title, title_html (escaped, matched words in <mark>), snippet (HTML),
# snippet_source (the attachment and page the snippet comes from, or None), score (None
# when sorted, not ranked), the practice's RESULT_FIELDS and its attachments (public
# metadata, numbered for their downloads), in this order (the order of its JSON object).
if TYPE_CHECKING:  # what the type checker sees of the generated class

    @dataclass
    class Hit(_HitBase):
        id: str
        title: str
        title_html: str
        snippet: str
        snippet_source: SnippetSource | None
        score: float | None
        attachments: list[HitFile] = field(default_factory=list)

        def __getattr__(self, name: str) -> Any: ...  # the RESULT_FIELDS

else:
    Hit = make_dataclass(
        "Hit",
        [
            ("id", str),
            ("title", str),
            ("title_html", str),
            ("snippet", str),
            ("snippet_source", SnippetSource | None),
            ("score", "float | None"),
            *((name, Any, field(default=None)) for name in RESULT_FIELDS),
            ("attachments", list[HitFile], field(default_factory=list)),
        ],
        bases=(_HitBase,),
    )
    Hit.__module__ = __name__


@dataclass
class SearchResponse:
    """The result page, shaped exactly as ``GET /api/search`` returns it."""

    query: str
    total: int
    page: int
    per_page: int
    sort: str
    results: list[Hit]
    facets: dict[str, list[FacetValue]]
    # The query as corrected (misspelt words), or None; ``corrected`` says whether the
    # results are for it (else it is only suggested: the request asked for correct=0).
    suggestion: str | None = None
    corrected: bool = False
    # Words of the query that results need not contain: no practice had them all (match=auto).
    relaxed: list[str] = field(default_factory=list)
    # Words of the query (as searched) the index knows in no form — neither analysed
    # nor folded: no practice contains them (the search log's "unknown words").
    unknown: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_request(
    q: str | None = "",
    page: Any = 1,
    per_page: Any = DEFAULT_PER_PAGE,
    sort: str | None = "relevance",
    filters: Mapping[str, Iterable[str]] | None = None,
    match: str | None = "auto",
    correct: Any = True,
) -> tuple[SearchRequest, list[str]]:
    """Turn raw user input into a valid request, with Polish notes on what was changed.

    The notes are also the request's ``notes``, which :func:`search` answers first.
    """
    messages: list[str] = []
    q, removed = CONTROL_CHARS.subn(" ", q or "")
    q = q.strip()
    if removed:
        messages.append("Pominięto w zapytaniu znaki sterujące lub nieprawidłowo zakodowane.")
    if len(q) > MAX_QUERY_LENGTH:
        q = q[:MAX_QUERY_LENGTH]
        messages.append(f"Zapytanie skrócono do {MAX_QUERY_LENGTH} znaków.")
    q = _first_words(q, MAX_QUERY_WORDS, messages)
    page_number = _bounded_int(page, 1, 1, MAX_PAGE, "Numer strony", messages)
    size = _bounded_int(
        per_page, DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, "Liczba wyników na stronie", messages
    )
    if sort not in SORTS:
        if sort:
            messages.append(f"Nieznany porządek „{_shown(sort)}” — sortuję według trafności.")
        sort = "relevance"
    if match not in MATCH_MODES:
        if match:
            messages.append(
                f"Nieznany sposób dopasowania „{_shown(match)}” — "
                f"dozwolone: {', '.join(MATCH_MODES)}; przyjęto auto."
            )
        match = "auto"
    chosen: dict[str, tuple[str, ...]] = {}
    unknown = [name for name in (filters or {}) if name not in FACETS]
    if unknown:
        names = ", ".join(f"„{_shown(name)}”" for name in unknown[:5])
        messages.append(f"Pominięto nieznane filtry: {names}{' …' if len(unknown) > 5 else ''}.")
    for name, values in (filters or {}).items():
        if name not in FACETS:
            continue
        kept = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if len(kept) > MAX_FILTER_VALUES:
            kept = kept[:MAX_FILTER_VALUES]
            messages.append(
                f"Filtr „{FACETS[name]}” może mieć najwyżej {MAX_FILTER_VALUES} wartości."
            )
        if kept:
            chosen[name] = kept
    request = SearchRequest(
        q=q,
        page=page_number,
        per_page=size,
        sort=sort,
        filters=chosen,
        match=match,
        correct=_flag(correct),
        notes=tuple(messages),
    )
    return request, messages


def _flag(value: Any) -> bool:
    """A yes/no request value: "0", "false", "nie", "no" and "off" are no, the rest yes."""
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "nie", "no", "off")
    return bool(value)


def _first_words(q: str, limit: int, messages: list[str]) -> str:
    """``q`` cut after its ``limit``-th word, with a note if it had more."""
    words = list(itertools.islice(QUERY_WORD.finditer(q), limit + 1))
    if len(words) <= limit:
        return q
    messages.append(f"Zapytanie skrócono do {limit} słów.")
    return q[: words[limit - 1].end()]


def _bounded_int(
    value: Any, default: int, low: int, high: int, label: str, messages: list[str]
) -> int:
    """``value`` as an int within [low, high]; a note in ``messages`` when it had to change."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        messages.append(f"{label} „{_shown(value)}” nie jest liczbą — przyjęto {default}.")
        return default
    bounded = min(max(number, low), high)
    if bounded != number:
        messages.append(f"{label} musi być w zakresie {low}–{high} — przyjęto {bounded}.")
    return bounded


def _shown(value: Any, limit: int = 40) -> str:
    """User input echoed in a message, shortened so a huge value does not flood the page."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def search(
    searcher: Searcher,
    request: SearchRequest,
    budget: QueryBudget | None = None,
    synonyms: Thesaurus | None = None,
) -> SearchResponse:
    """Run a search: ranked page of results, disjunctive facet counts, snippets.

    ``budget`` (a fresh :class:`QueryBudget` by default) bounds the work: past it the
    query is searched as far as it was understood, or ranked as far as time allowed,
    with a Polish note; it never fails for being expensive. A long query served to the
    network past the rate of long queries is not searched at all (see ``admits``).
    ``synonyms`` replaces the thesaurus in use for this search only (a preview of an
    unsaved version); by default the live one (``data/synonimy.txt``, reloaded on change).
    """
    if synonyms is not None:
        with using_thesaurus(synonyms):
            return search(searcher, request, budget)
    budget = budget or QueryBudget()
    if not admits(budget, len(QUERY_WORD.findall(request.q))):
        return _shed(request)
    context = QueryContext(searcher, budget)
    # Words typed without Polish letters are respelt; misspelt ones are searched as
    # corrected, and the correction is suggested.
    understood = Understood(Every())
    matching = Matched(Every())
    query: Query = Every()
    unknown: list[str] = []
    filters = _named_filters(context, request.filters)
    if request.q:
        query, understood, matching = _understood_query(context, request, filters)
        unknown = unknown_words(context, understood.query)
    only = matching.only  # relaxed: how many of the words each practice has (0: not enough)
    messages = context.messages
    sortedby, reverse = _sort_spec(request)
    offset = (request.page - 1) * request.per_page
    limit = offset + request.per_page
    deadline = budget.clock() + budget.ranking_seconds
    # The query is evaluated once over the whole index (search_app/engine/arrays.py):
    # its matches give the total and the facets, its scores the ranking.
    evaluated = evaluate(searcher, query, deadline, budget.clock)
    budget.ranking_cut = budget.ranking_cut or evaluated.cut
    matched = evaluated.mask if only is None else evaluated.mask & (only > 0)
    allowed = _restrict(searcher, matched, filter_query(filters, searcher))
    if sortedby is None:
        page = _ranked(searcher, query, evaluated.scores, allowed, only, limit)[offset:]
    else:
        collector = searcher.collector(limit=limit, sortedby=sortedby, reverse=reverse)
        page = _collect(searcher, query, allowed, collector, budget, deadline)[offset:limit]
    total = int(allowed.sum())
    hits = [_result(hit, request.snippets) for hit in page]
    if request.q and total == 0 and not messages:
        messages.append("Brak wyników. Spróbuj innych słów albo usuń część filtrów.")
    messages.extend(budget.notes())
    return SearchResponse(
        query=request.q,
        total=total,
        page=request.page,
        per_page=request.per_page,
        sort=request.sort,
        results=hits,
        facets=facet_counts(searcher, query, filters, matched, allowed),
        suggestion=understood.suggestion,
        corrected=understood.corrected,
        relaxed=matching.relaxed,
        unknown=unknown,
        messages=[*request.notes, *messages],
    )


def _understood_query(
    context: QueryContext, request: SearchRequest, filters: Mapping[str, tuple[str, ...]]
) -> tuple[Query, Understood, Matched]:
    """The query to run for ``request.q``: understood, matched by ``request.match``, bounded.

    Also what understanding found (the suggestion) and what matching decided (the words
    not required after relaxing, and then the practices with enough of them).
    """
    understood = understand(context, request.q, match=request.match, correct=request.correct)
    matched = apply_strategy(
        context, understood.query, request.match, filter_query(filters, context.searcher)
    )
    if matched.relaxed:
        context.messages.append(_relaxed_note(matched))
    query = matched.query
    if query is NullQuery:
        context.messages.append(NOTE_NO_WORDS)
    return bound_query(query, context.reader, context.messages), understood, matched


def unknown_words(context: QueryContext, query: Query) -> list[str]:
    """The words of an understood query the index knows in no form, lowercase, each once.

    A word is known when its folded form is in the folded field or one of its analysed
    forms (lemmas) is a term of a text field — the look-ups respelling and correction
    already made for the same words (cached in the budget), so this costs next to
    nothing. Function words, words inside a negation (``-word``, ``NOT``) and words of
    phrases are not looked at.
    """
    found: dict[str, None] = {}
    stack = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, WordQuery):
            word = node.word.lower()
            if word and not node.function and not is_known(context, word):
                found.setdefault(word, None)
        elif not isinstance(node, Not):
            stack.extend(reversed(list(node.children())))
    return list(found)


def _named_filters(
    context: QueryContext, filters: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """The filters with each value the index lacks read as the facet value it names.

    Links on the page carry exact values; people and scripts type "slaskie" or
    "Śląsk" (``--filter voivodeship=slaskie``), which would silently match nothing.
    A value naming nothing stays (and matches nothing), with a note.
    """
    reader = context.reader
    named: dict[str, tuple[str, ...]] = {}
    for name, values in filters.items():
        kept: list[str] = []
        for value in values:
            if (name, value) in reader:
                kept.append(value)
                continue
            found = facet_values_named(context, name, value)
            label = FACETS.get(name, name)
            if found:
                shown = ", ".join(f"„{v}”" for v in found)
                context.messages.append(
                    f"Filtr „{label}”: „{_shown(value)}” odczytano jako {shown}."
                )
            else:
                context.messages.append(f"Filtr „{label}” nie ma wartości „{_shown(value)}”.")
            kept.extend(found or [value])
        if kept:
            named[name] = tuple(dict.fromkeys(kept))
    return named


def _relaxed_note(matched: Matched) -> str:
    """The Polish note saying which words the results need not all contain."""
    words = ", ".join(f"„{word}”" for word in matched.relaxed)
    if matched.places:
        places = ", ".join(f"„{word}”" for word in matched.places)
        return (
            f"W tym miejscu pasuje mniej niż {RELAX_BELOW} praktyk — niżej pokazuję też "
            f"praktyki na ten temat spoza: {places}."
        )
    if matched.required and matched.complete:
        return (
            f"Wszystkie słowa zapytania zawiera mniej niż {RELAX_BELOW} praktyk — pokazuję "
            f"też praktyki z co najmniej {matched.required} z nich: {words}."
        )
    if matched.required:
        return (
            f"Żadna praktyka nie zawiera wszystkich słów zapytania — pokazuję praktyki "
            f"z co najmniej {matched.required} z nich: {words}."
        )
    return f"Tych słów nie zrozumiano i nie są wymagane: {words}."


def _shed(request: SearchRequest) -> SearchResponse:
    """The answer to a long query past the rate of long queries: a note, nothing searched."""
    return SearchResponse(
        query=request.q,
        total=0,
        page=request.page,
        per_page=request.per_page,
        sort=request.sort,
        results=[],
        facets={name: [] for name in FACETS},
        messages=[*request.notes, NOTE_BUSY],
    )


def parse_query(
    searcher: Searcher, text: str, messages: list[str], budget: QueryBudget | None = None
) -> Query:
    """Parse with Whoosh syntax (phrases, AND/OR/NOT, wildcards); plain words if that fails.

    The words are searched as typed (``search`` also respells and corrects them);
    words the text fields don't know are also looked for without diacritics, and
    synonyms of expressions in the query (``data/synonimy.txt``) are searched too.
    Notes for the user are appended to ``messages``.
    """
    context = QueryContext(searcher, budget or QueryBudget(), messages)
    query = understand(context, text, respell=False).query
    return bound_query(apply_strategy(context, query, "auto").query, context.reader, messages)


def filter_query(
    filters: Mapping[str, tuple[str, ...]], searcher: Searcher | None = None
) -> Query | None:
    """Values within one facet combine with OR, different facets with AND.

    With a searcher, a chosen child value (county, subcategory) narrows only its own
    chosen parent: śląskie + małopolskie + the częstochowski county finds that county
    and all of małopolskie (see :func:`hierarchy_query`).
    """
    groups = []
    for name, values in filters.items():
        if searcher is not None and FACET_PARENTS.get(name) in filters:
            continue  # part of its parent's group
        child = CHILD_FACETS.get(name)
        if searcher is not None and child is not None and child in filters:
            groups.append(hierarchy_query(searcher, name, values, child, filters[child]))
        else:
            groups.append(Or([Term(name, value) for value in values]))
    if not groups:
        return None
    return And(groups) if len(groups) > 1 else groups[0]


def hierarchy_query(
    searcher: Searcher,
    parent: str,
    parents: tuple[str, ...],
    child: str,
    children: tuple[str, ...],
) -> Query:
    """Each chosen parent, narrowed to its chosen children if it has any; OR-ed together.

    Children are matched to parents through the index, since a child name may
    recur under several parents (the brzeski county is in opolskie and małopolskie).
    """
    present = value_pairs(searcher.reader(), parent, child)
    claimed: set[str] = set()
    clauses: list[Query] = []
    for value in parents:
        own = [c for c in children if (value, c) in present]
        claimed.update(own)
        parent_term = Term(parent, value)
        if own:
            clauses.append(And([parent_term, Or([Term(child, c) for c in own])]))
        else:
            clauses.append(parent_term)
    clauses.extend(Term(child, c) for c in children if c not in claimed)
    return Or(clauses)


def facet_counts(
    searcher: Searcher,
    query: Query,
    filters: Mapping[str, tuple[str, ...]],
    matched: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
) -> dict[str, list[FacetValue]]:
    """Count every facet's values disjunctively.

    A facet's counts ignore that facet's own selection (so its other values
    stay visible and choosable) but respect every other facet's. A parent facet
    (category, voivodeship) also ignores its children's selection; a child facet
    is counted within the chosen parents. ``matched`` (the query's documents,
    unfiltered, a mask) saves evaluating the query again, and ``allowed`` (those
    documents within every filter) evaluating the filters again.
    """
    if matched is None:
        matched = matches(searcher, query)
    if allowed is None:
        allowed = _restrict(searcher, matched, filter_query(filters, searcher))
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        ignored = {name, CHILD_FACETS.get(name)}
        if ignored & filters.keys():
            others = {k: v for k, v in filters.items() if k not in ignored}
            docs = _restrict(searcher, matched, filter_query(others, searcher))
        else:
            docs = allowed
        facets[name] = _facet_values(searcher, name, docs, filters.get(name, ()))
    return facets


def _ranked(
    searcher: Searcher,
    query: Query,
    scores: np.ndarray,
    allowed: np.ndarray,
    only: np.ndarray | None,
    limit: int,
) -> list[WhooshHit]:
    """The ``limit`` best of the ``allowed`` documents, as Whoosh's hits of ``query``.

    ``only`` (a relaxed query's words per practice) ranks practices with more of the
    words higher, by a bonus taken off again from the score shown (its score is BM25
    of any word).
    """
    bonus = None if only is None else only * WORD_COUNT_RANK
    ranking = scores if bonus is None else scores + bonus
    top = ranked(ranking, allowed, limit)
    shown = ranking[top] if bonus is None else ranking[top] - bonus[top]
    top_n = [(float(score), int(doc)) for score, doc in zip(shown, top, strict=True)]
    results = Results(searcher, query, top_n)
    return [results[i] for i in range(len(results.top_n))]


def _collect(
    searcher: Searcher,
    query: Query,
    allowed: np.ndarray,
    collector: Collector,
    budget: QueryBudget,
    deadline: float,
) -> list[WhooshHit]:
    """The collector's (sorted) hits among ``allowed``, stopped at ``deadline`` (noted in
    ``budget``) with those found; their query is ``query`` (for the snippets).

    Whoosh's time limit checks a flag between matched documents; its SIGALRM
    variant is left off, since an exception raised by a signal handler could
    land anywhere, inside a held lock included, and the signal is the process's.
    """
    if not allowed.any():  # Whoosh reads an empty document set as "no filter"
        return []
    seconds = max(deadline - budget.clock(), MIN_RANKING_SECONDS)
    limited = TimeLimitCollector(collector, seconds, use_alarm=False)
    try:
        searcher.search_with_collector(DocSetQuery(doc_numbers(allowed)), limited)
    except TimeLimit:
        budget.ranking_cut = True
    results = limited.results()
    results.q = query
    return list(results)


def _restrict(searcher: Searcher, docs: np.ndarray, flt: Query | None) -> np.ndarray:
    if flt is None:
        return docs
    return docs & matches(searcher, flt)


def _facet_values(
    searcher: Searcher, name: str, docs: np.ndarray, selected: tuple[str, ...]
) -> list[FacetValue]:
    labels, codes = facet_codes(searcher.reader(), name)
    tally = np.bincount(codes[docs], minlength=len(labels))
    counts = {labels[i]: int(tally[i]) for i in np.flatnonzero(tally)}
    counts.pop("", None)
    for value in selected:
        counts.setdefault(value, 0)
    parents = _parent_values(searcher, name, docs)
    values = [
        FacetValue(value, facet_label(name, value), count, value in selected, parents.get(value))
        for value, count in counts.items()
    ]
    if name == "population":
        order = {band[0]: i for i, band in enumerate(POPULATION_BANDS)}
        values.sort(key=lambda v: order.get(v.value, len(order)))
    elif name == "year":
        values.sort(key=lambda v: v.value, reverse=True)
    else:
        # Most practices first; equal counts in Polish alphabetical order (ł after l, ś after s).
        values.sort(key=lambda v: (-v.count, polish_key(v.label), v.value))
    return values


def _parent_values(searcher: Searcher, name: str, docs: np.ndarray) -> dict[str, str]:
    """For a child facet (subcategory, county): each value's parent (category, voivodeship),
    the one most of its matching practices have (a county's name recurs in voivodeships)."""
    if name not in FACET_PARENTS:
        return {}
    children, child_codes = facet_codes(searcher.reader(), name)
    parents, parent_codes = facet_codes(searcher.reader(), FACET_PARENTS[name])
    pairs = np.bincount(
        child_codes[docs] * len(parents) + parent_codes[docs],
        minlength=len(children) * len(parents),
    ).reshape(len(children), len(parents))
    if "" in parents:  # a practice without the parent value names no parent
        pairs[:, parents.index("")] = 0
    found: dict[str, str] = {}
    for child in np.flatnonzero(pairs.any(axis=1)):
        if children[child]:
            found[children[child]] = parents[int(pairs[child].argmax())]
    return found


def _sort_spec(request: SearchRequest) -> tuple[str | sorting.FacetType | None, bool]:
    sort = request.sort
    if sort == "relevance" and not request.q:
        sort = "newest"  # nothing to rank by: newest first
    return {
        "relevance": (None, False),
        "newest": ("date_added", True),
        "oldest": ("date_added", False),
        "population": (POPULATION_ORDER, False),
    }[sort]


def _population_key(column_value: int) -> tuple[bool, int]:
    """Largest population first, practices without one (the column's default) last.

    Whoosh fills a missing NUMERIC value with the field's largest value, so a plain
    descending sort put the practices without a population first.
    """
    return (column_value == MISSING_POPULATION, -column_value)


_POPULATION = build_schema()["population_count"]
MISSING_POPULATION = _POPULATION.to_column_value(_POPULATION.default)
POPULATION_ORDER = sorting.TranslateFacet(_population_key, sorting.FieldFacet("population_count"))


# Whole sentences on Polish boundaries, "…" where cut, marks only where words matched
# (phrases whole, negated words never): search_app/engine/snippets.py.
SNIPPETS = Snippets(max_chars=SNIPPET_CHARS)
WHOLE_TEXT = Snippets(max_chars=None)


def _result(hit, snippets: bool = True) -> Hit:
    record = hit["record"]
    snippet, source = _snippet(hit, record) if snippets else ("", None)
    files, _pages = stored_files(hit.fields())
    return Hit(
        id=record["id"],
        title=record["title"],
        title_html=(snippets and _marked(WHOLE_TEXT, hit, "title", record["title"]))
        or str(escape(record["title"])),
        snippet=snippet,
        snippet_source=source,
        # Sorted (not ranked) results carry the sort key where the score would be.
        score=round(hit.score, 4) if isinstance(hit.score, float) else None,
        **{name: record.get(name) for name in RESULT_FIELDS},
        attachments=hit_files(files),
    )


def _snippet(hit, record: Mapping[str, Any]) -> tuple[str, SnippetSource | None]:
    """HTML-escaped passage with the matched words in <mark>, and where it comes from.

    From the summary, else the body; from an attachment's page (named in the source)
    when that shows more of the query's words, so a practice found by words only its
    files hold says where they are.
    """
    text, tokens = "", []
    for name in ("summary", "body"):
        text = record.get(name) or ""
        tokens = SNIPPETS.hit_matches(hit, name, text)
        if tokens:
            break
    passage = attachment_passage(hit, beat=len(shown_words(tokens)))
    if passage is not None:
        return SNIPPETS.render(passage.text, passage.tokens), passage.source
    if tokens:
        return SNIPPETS.render(text, tokens), None
    return lead(record.get("summary") or record.get("body") or "", SNIPPET_CHARS), None


def _marked(snippets: Snippets, hit, name: str, text: str) -> str:
    """The text (or a snippet of it) with matched words marked, or "" if none occurs in it."""
    return snippets.highlight_hit(hit, name, text)
