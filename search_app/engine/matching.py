"""The matching strategy: which of a query's words a practice must contain.

Like Meilisearch's ``matchingStrategy`` and Elasticsearch's ``minimum_should_match``,
designed for Polish questions:

- ``all``: every content word is required, each through any of its variants
  (:mod:`~search_app.engine.variants`); function words ("jak", "mogę", "nasz")
  only add to the score where they occur;
- ``auto`` (the default): as ``all``; if nothing matches, the least informative
  content words (those in the most practices) stop being required, one at a
  time, at most half of them and never below two, and the page says which;
- ``any``: any one word is enough (the parser OR-s them).

Words required or dropped still rank the results: the required part is an
``And``, the rest an ``Or`` that adds to the score (``AndMaybe``), so ranking
stays BM25F with coordination, and totals and facets count the result set.
Several words a synonym group names together ("ośrodek pomocy społecznej")
count as one, which its other expressions ("mops") also match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from whoosh.query import And, AndMaybe, NullQuery, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from indexer.schema import TEXT_FIELDS
from search_app.engine.context import QueryContext
from search_app.engine.variants import (
    SYNONYM_BOOST,
    WordQuery,
    anywhere,
    expansions,
    longest_expression,
)

# Relax when fewer practices than this match every content word.
RELAX_BELOW = 1
# At most half of a query's content words may stop being required ...
MAX_RELAXED_SHARE = 1 / 2
# ... and at least this many stay required (relaxing never falls back to "any word");
MIN_REQUIRED = 2
# each word dropped costs one more evaluation of the query, so at most this many are.
MAX_RELAXED = 3


@dataclass
class Matched:
    """The query to run, and the typed words it does not require after relaxing."""

    query: Query
    relaxed: list[str] = field(default_factory=list)


def apply_strategy(
    context: QueryContext, query: Query, match: str, restrict: Query | None = None
) -> Matched:
    """``query`` (from the parser, unnormalized) with the strategy ``match`` applied.

    ``restrict`` (the filters) bounds the set whose size decides relaxing.
    """
    if match == "any":
        return Matched(_plain(query).normalize())
    if not isinstance(query, And):
        return Matched(_required_within(context, query).normalize())
    parts = [q for q in query.subqueries if q is not NullQuery]  # NullQuery: a stopword
    units = _with_concepts(context, [_required_within(context, q) for q in parts])
    function = [u for u in units if isinstance(u, WordQuery) and u.function]
    content = _without(units, function)
    if not content:  # a query of function words only: they are all it has
        content, function = function, []
    reader = context.reader
    absent = [unit for unit in content if _absent(reader, unit)]
    unread = _not_understood(context, absent)
    content = _without(content, unread)
    if len(absent) > len(unread):
        # A required word no practice contains: nothing matches, and relaxing (which
        # drops the most common words first) cannot help. Nothing is evaluated.
        return Matched(_nothing())
    relaxed: list[WordQuery] = []
    if match == "auto":
        relaxed = _relaxed(context.searcher, content, restrict)
    relaxed = [*unread, *relaxed]
    required = _without(content, relaxed)
    optional = [*relaxed, *function]
    if not required:
        return Matched(Or([_plain(u) for u in optional]).normalize(), [u.word for u in unread])
    built: Query = And([_plain(u) for u in required])
    if optional:
        built = AndMaybe(built, Or([_plain(u) for u in optional]))
    return Matched(built.normalize(), [u.word for u in relaxed])


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


def _relaxed(searcher: Searcher, content: list[Query], restrict: Query | None) -> list[WordQuery]:
    """The content words to stop requiring: none unless too few practices match them all."""
    limit = int(len(content) * MAX_RELAXED_SHARE)
    limit = min(limit, len(content) - MIN_REQUIRED, MAX_RELAXED)
    droppable = [u for u in content if isinstance(u, WordQuery) and not u.required]
    if limit <= 0 or not droppable:
        return []
    reader = searcher.reader()
    droppable.sort(key=lambda u: -_frequency(reader, u))
    relaxed: list[WordQuery] = []
    while len(relaxed) < limit and droppable:
        kept = [_plain(u) for u in _without(content, relaxed)]
        if _has_at_least(searcher, And(kept), restrict, RELAX_BELOW):
            break
        relaxed.append(droppable.pop(0))
    if relaxed:
        kept = [_plain(u) for u in _without(content, relaxed)]
        if not _has_at_least(searcher, And(kept), restrict, 1):
            return []  # relaxing found nothing either: keep the query as typed
    return relaxed


def _without(items: Sequence[Query], removed: Sequence[Query]) -> list[Query]:
    """``items`` but those in ``removed``, by identity (equal words may recur in a query)."""
    gone = {id(item) for item in removed}
    return [item for item in items if id(item) not in gone]


def _frequency(reader, word: WordQuery) -> int:
    """In how many practices the word's own analysed form is (in its most common field)."""
    return max(
        (reader.doc_frequency(name, term) for term in word.terms for name in TEXT_FIELDS),
        default=0,
    )


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
    return False


def _nothing() -> Query:
    """A query no document matches, cheap to run (NullQuery would vanish inside an And)."""
    return Term(TEXT_FIELDS[0], "\x00")


def _has_at_least(searcher: Searcher, query: Query, restrict: Query | None, count: int) -> bool:
    if restrict is not None:
        query = And([query, restrict])
    docs = searcher.docs_for_query(query.normalize())
    return len(list(islice(docs, count))) >= count


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
        return AndMaybe(And([_plain(p) for p in content]), Or([_plain(p) for p in function]))
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
        [And([w.as_or() for w in words]), *(anywhere(o, SYNONYM_BOOST) for o in others)],
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
