"""The matching strategy: which of a query's words a practice must contain.

Like Meilisearch's ``matchingStrategy`` and Elasticsearch's ``minimum_should_match``,
designed for Polish questions:

- ``all``: every content word is required, each through any of its variants
  (:mod:`~search_app.engine.variants`); function words ("jak", "mogę", "nasz")
  only add to the score where they occur;
- ``auto`` (the default): as ``all``; when fewer than :data:`RELAX_BELOW`
  practices contain every content word of a query of three or more, the
  requirement is lowered one word at a time to "at least k of the n words",
  never below two, and the page says so;
- ``any``: any one word is enough (the parser OR-s them).

A word naming a place of the collection (a town, county or voivodeship:
:mod:`~search_app.engine.places`) narrows a topic. With ``auto``, when fewer than
:data:`RELAX_BELOW` practices have the topic in that place, the topic elsewhere is
shown below them (every other word still required, so a topic the collection lacks
still finds nothing), and the page says so.

Lowering k was preferred to dropping the most frequent words first (the words
left being all required): in a first measurement on our judged set the latter
lost far more set recall, because the word that breaks a natural query
("ocieplenie", "dziury") is as often a rare one. A relaxed query ranks by all
its words (an ``Or``: practices with more of them score higher, BM25F with
coordination) and is limited to the practices with at least k of them
(:attr:`Matched.only`, counted per practice: Whoosh's ``Or(minmatch=k)`` is not
implemented). Totals and facets count the result set. Several words a synonym
group names together ("ośrodek pomocy społecznej") count as one word, which its
other expressions ("mops") also match.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import And, AndMaybe, Not, NullQuery, Or, Phrase, Query, Term
from whoosh.query.wrappers import WrappingQuery
from whoosh.searching import Searcher

from analyzers.families import family_key
from indexer.schema import TEXT_FIELDS
from search_app.engine import synonyms
from search_app.engine.arrays import index_arrays, matches
from search_app.engine.context import QueryContext
from search_app.engine.places import place_terms
from search_app.engine.variants import (
    UnionOr,
    WordQuery,
    expansions,
    longest_expression,
)

# Lower the requirement while fewer practices than this (a page) contain the required
# words; the thresholds measured side by side are in docs/relevance.md.
RELAX_BELOW = 10
# At least this share of a query's content words stays required, and never fewer
# than MIN_REQUIRED: relaxing never falls back to "any one word". (Requiring half of
# them lost 0.01 nDCG@10 on allegro-faq's long questions and changed nothing on ours;
# always requiring the rarest word lost 0.15 there and 0.05 here: the rarest word is
# often the one the texts say otherwise.)
MIN_REQUIRED_SHARE = 0.0
MIN_REQUIRED = 2


@dataclass
class Matched:
    """The query to run, and the typed words it does not require after relaxing."""

    query: Query
    relaxed: list[str] = field(default_factory=list)
    required: int = 0  # how many of the words the results contain at least (when relaxed)
    # When relaxed: how many of the words each practice has (by global document number),
    # 0 for those with fewer than ``required``; the query alone would match those with
    # any of them.
    only: np.ndarray | None = None
    # When relaxed: how many of those practices have all the words.
    complete: int = 0
    # Place words not required: too few practices have the topic there, so the topic
    # elsewhere is shown too (ranked below), see :func:`_beyond_places`.
    places: list[str] = field(default_factory=list)


def apply_strategy(
    context: QueryContext, query: Query, match: str, restrict: Query | None = None
) -> Matched:
    """``query`` (from the parser, unnormalized) with the strategy ``match`` applied.

    ``restrict`` (the filters) bounds the set whose size decides relaxing.
    """
    if match == "any":
        return Matched(_any(query).normalize())
    if not isinstance(query, And):
        return Matched(_required_within(context, query).normalize())
    parts = [q for q in query.subqueries if q is not NullQuery]  # NullQuery: a stopword
    units = _with_concepts(context, [_required_within(context, q) for q in parts])
    function = [u for u in units if isinstance(u, WordQuery) and u.function]
    content = _without(units, function)
    if not content:  # a query of function words only: they are all it has
        content, function = function, []
    reader = context.reader
    unread = _not_understood(context, [u for u in content if _absent(reader, u)])
    content = _without(content, unread)
    optional = [*unread, *function]
    if not content:
        return Matched(UnionOr([_plain(u) for u in optional]).normalize(), [u.word for u in unread])
    fixed = [u for u in content if not isinstance(u, WordQuery) or u.required]
    words: list[WordQuery] = [u for u in content if isinstance(u, WordQuery) and not u.required]
    needed, only = len(words), None
    places: list[WordQuery] = []
    if match == "auto":
        needed, only = _words_needed(context.searcher, fixed, words, restrict)
        if only is None:
            places, only = _beyond_places(context, fixed, words, restrict)
    built = _requiring(fixed, words, only)
    if optional:
        built = AndMaybe(built, UnionOr([_plain(u) for u in optional]))
    relaxed = [u.word for u in unread]
    if needed < len(words):
        relaxed.extend(u.word for u in words)
    relaxed.extend(u.word for u in places)
    complete = 0 if only is None else int((only == len(words)).sum())
    required = needed if needed < len(words) else 0
    return Matched(built.normalize(), relaxed, required, only, complete, [u.word for u in places])


def _words_needed(
    searcher: Searcher, fixed: list[Query], words: list[WordQuery], restrict: Query | None
) -> tuple[int, np.ndarray | None]:
    """How many of ``words`` a result must contain: all, unless fewer than
    :data:`RELAX_BELOW` practices (within the filters) have them all; when fewer, also
    how many of the words each practice has, 0 for those with fewer than that (else None).

    Each word's practices are read once, unscored, and counted per practice; every
    requirement is then a count.
    """
    everything = len(fixed) + len(words)
    floor = max(MIN_REQUIRED, math.ceil(everything * MIN_REQUIRED_SHARE)) - len(fixed)
    floor = min(max(floor, 1), len(words))
    if floor >= len(words):
        return len(words), None
    counts = np.stack([_word_docs(searcher, w) for w in words]).sum(axis=0, dtype=np.int64)
    within = _docs_of(searcher, fixed)
    if within is not None:
        counts[~within] = 0
    filtered = _docs_of(searcher, [restrict] if restrict is not None else [])
    counted = counts if filtered is None else counts[filtered]
    # words matched -> practices (within the filters) matching at least that many
    at_least = np.cumsum(np.bincount(counted, minlength=len(words) + 1)[::-1])[::-1]

    needed = len(words)
    while needed > floor and at_least[needed] < RELAX_BELOW:
        needed -= 1
    if needed == len(words) or at_least[needed] == 0:
        return len(words), None  # relaxing found nothing either: keep the query as typed
    return needed, np.where(counts >= needed, counts, 0)


def _beyond_places(
    context: QueryContext, fixed: list[Query], words: list[WordQuery], restrict: Query | None
) -> tuple[list[WordQuery], np.ndarray | None]:
    """The place words to drop, and how many of the words each practice on the topic
    anywhere has (0 for the others); ([], None) to keep every word.

    A place ("w Kłodzku", "wielkopolskie") narrows a topic. When fewer than
    :data:`RELAX_BELOW` practices (within the filters) have the topic there, the same
    topic elsewhere is shown below them: every other word stays required, so a topic
    the collection lacks still finds nothing, and practices in the place rank first
    (more words matched).
    """
    names = place_terms(context)
    is_place = [bool(names.intersection(w.terms)) for w in words]
    if all(is_place) or not any(is_place):
        return [], None
    searcher = context.searcher
    docs = [_word_docs(searcher, w) for w in words]
    on_topic = np.logical_and.reduce(
        [d for d, place in zip(docs, is_place, strict=True) if not place]
    )
    within = _docs_of(searcher, fixed)
    if within is not None:
        on_topic &= within
    everywhere = on_topic & np.logical_and.reduce(
        [d for d, place in zip(docs, is_place, strict=True) if place]
    )
    filtered = _docs_of(searcher, [restrict] if restrict is not None else [])
    if filtered is not None:
        on_topic, everywhere = on_topic & filtered, everywhere & filtered
    found_everywhere, found_on_topic = int(everywhere.sum()), int(on_topic.sum())
    if found_everywhere >= RELAX_BELOW or found_on_topic == found_everywhere:
        return [], None
    at = [w for w, place in zip(words, is_place, strict=True) if place]
    counts = np.stack(docs).sum(axis=0, dtype=np.int64)
    return at, np.where(on_topic, counts, 0)


def _docs_of(searcher: Searcher, parts: list[Query]) -> np.ndarray | None:
    """The practices matching every one of ``parts`` (a mask); None (no limit) for no parts."""
    found: np.ndarray | None = None
    for part in parts:
        docs = matches(searcher, _plain(part).normalize())
        found = docs if found is None else found & docs
    return found


def _word_docs(searcher: Searcher, word: WordQuery) -> np.ndarray:
    """The practices with any variant of the word (a mask), read variant by variant.

    A term of a text field whose word family the word's family variant names is
    skipped: the family field holds the family of every word of every text field, so
    its practices include that term's.
    """
    families = {v.child.text for v in word.subqueries if isinstance(v, WrappingQuery) and v.child}
    docs = index_arrays(searcher).empty()
    for variant in word.subqueries:
        if (
            isinstance(variant, Term)
            and variant.fieldname in TEXT_FIELDS
            and family_key(variant.text) in families
        ):
            continue
        docs |= matches(searcher, _plain(variant).normalize())
    return docs


def _requiring(fixed: list[Query], words: list[WordQuery], only: np.ndarray | None = None) -> Query:
    """The fixed parts (operators, "+word") and all the ``words``; relaxed (``only``
    given), any of the words, and the caller limits the results to ``only``.

    Whoosh's ``Or(minmatch=k)`` is not implemented (it matches any one subquery), hence
    the counting in :func:`_words_needed`. An ``Or`` of every combination of k words
    (each an intersection) would say it in a query, but measured three times slower.
    """
    parts = [_plain(u) for u in fixed]
    if only is None:
        parts.extend(_plain(u) for u in words)
    else:
        parts.append(UnionOr([_plain(u) for u in words]))
    return And(parts) if len(parts) != 1 else parts[0]


def _any(query: Query) -> Query:
    """match=any: any word is enough, but "-word"/"NOT word" still exclude and "+word"
    is still required (an Or would read them as "or anything without it")."""
    if not isinstance(query, Or) or isinstance(query, WordQuery):
        return _plain(query)
    negated = [q.query for q in query.subqueries if isinstance(q, Not)]
    required = [q for q in query.subqueries if isinstance(q, WordQuery) and q.required]
    rest = [
        _plain(q)
        for q in query.subqueries
        if not isinstance(q, Not) and not (isinstance(q, WordQuery) and q.required)
    ]
    built: Query = UnionOr(rest, boost=query.boost, scale=getattr(query, "scale", None))
    if required:
        built = (
            AndMaybe(And([_plain(q) for q in required]), built)
            if rest
            else And([_plain(q) for q in required])
        )
    if negated:
        # Not And's Whoosh AndNot, whose matcher lets the first match through when
        # the negated words' first document comes before it.
        built = And([built, Not(Or([_plain(q) for q in negated]))])
    return built


def _not_understood(context: QueryContext, absent: list[Query]) -> list[WordQuery]:
    """Of the words no practice contains, those not understood: when the query's syntax
    was broken ("title:(" searched as plain words), or the budget left words as typed.

    They might be field names, typos or words typed without Polish letters; not
    knowing, the search still answers for the words it understood.
    """
    budget = context.budget
    if not (context.plain or budget.exhausted or budget.long_words):
        return []
    return [unit for unit in absent if isinstance(unit, WordQuery) and not unit.required]


def _without(items: Sequence[Query], removed: Sequence[Query]) -> list[Query]:
    """``items`` but those in ``removed``, by identity (equal words may recur in a query)."""
    gone = {id(item) for item in removed}
    return [item for item in items if id(item) not in gone]


def _absent(reader, query: Query) -> bool:
    """Whether no practice can match ``query``: a word whose every variant is a missing term."""
    if isinstance(query, Term):
        return (query.fieldname, query.text) not in reader
    if isinstance(query, Phrase):
        return any((query.fieldname, word) not in reader for word in query.words)
    if isinstance(query, (Or, WordQuery)):
        return all(_absent(reader, q) for q in query.subqueries)
    if isinstance(query, And):
        return any(_absent(reader, q) for q in query.subqueries)
    if isinstance(query, WrappingQuery):  # the family's constant score
        return _absent(reader, query.child)
    return False


def _required_within(context: QueryContext, query: Query) -> Query:
    """Inside brackets and operators, function words of a conjunction become optional."""
    if isinstance(query, WordQuery):
        return query
    if isinstance(query, And) and not isinstance(query, WordQuery):
        kept = [q for q in query.subqueries if q is not NullQuery]
        parts = _with_concepts(context, [_required_within(context, q) for q in kept])
        function = [p for p in parts if isinstance(p, WordQuery) and p.function]
        content = _without(parts, function)
        if not function or not content:
            return And([_plain(p) for p in parts], boost=query.boost)
        return AndMaybe(And([_plain(p) for p in content]), UnionOr([_plain(p) for p in function]))
    return query.apply(lambda q: _required_within(context, q))


def _with_concepts(context: QueryContext, parts: Sequence[Query]) -> list[Query]:
    """Adjacent words that form an expression of a synonym group, as one concept.

    "ośrodek pomocy społecznej" becomes (ośrodek AND pomoc AND społeczny) OR "mops" OR …
    """
    longest = longest_expression(context)
    found: list[Query] = []
    i = 0
    while i < len(parts):
        for size in range(min(longest, len(parts) - i), 1, -1):
            run = parts[i : i + size]
            if not all(isinstance(p, WordQuery) and not p.function for p in run):
                continue
            words: list[WordQuery] = run  # type: ignore[assignment]
            terms = tuple(term for w in words for term in w.sequence)
            others = expansions(context, terms)
            if others:
                found.append(_concept(words, terms, others))
                i += size
                break
        else:
            found.append(parts[i])
            i += 1
    return found


def _concept(
    words: list[WordQuery], terms: tuple[str, ...], others: list[tuple[str, ...]]
) -> WordQuery:
    """Several words searched as one: all of them, or any expression meaning the same."""
    return WordQuery(
        [And([w.as_or() for w in words]), *(synonyms.anywhere(o) for o in others)],
        word=" ".join(w.word for w in words),
        terms=terms,
        required=any(w.required for w in words),
    )


def _plain(query: Query) -> Query:
    """``query`` with every :class:`WordQuery` made a plain ``Or`` Whoosh can normalize."""
    converted: Callable[[Query], Query] = _plain
    if isinstance(query, WordQuery):
        return query.as_or().apply(converted)
    if query is NullQuery or query.is_leaf():
        return query
    return query.apply(converted)


__all__ = ["Matched", "apply_strategy"]
