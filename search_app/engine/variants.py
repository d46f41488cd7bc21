"""One query word and the ways a practice may contain it.

A word matches a practice through any of its variants, in any text field:

- its analysed form (the Morfeusz lemma, so any inflected form matches);
- for a word the text fields don't know, its folded form in the folded field
  and its spellings with Polish letters ("samorzadow" -> "samorządów");
- the expressions of its synonym groups (``data/synonimy.txt``), scored lower;
- its word family (derivational relatives), scored lower, when the index has one.

The variants of a word are one :class:`WordQuery`, an ``Or`` that remembers the
word, so that the matching strategy (:mod:`~search_app.engine.matching`) can
require it, make it optional, or drop it, and so that negating a word (``-word``,
``NOT word``) excludes exactly the practices the word alone would find.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from whoosh.query import Or, Phrase, Query, Term

from analyzers import fold
from analyzers.function_words import is_function_word
from indexer.schema import FOLDED_FIELD, TEXT_FIELDS
from search_app.engine import synonyms
from search_app.engine.context import QueryContext
from search_app.engine.diacritics import in_text_fields, with_diacritics

# Synonyms rank below the words as typed: a practice that uses the query's own word
# is the surer hit. (synonyms.SYNONYM_BOOST when the module defines it.)
SYNONYM_BOOST: float = getattr(synonyms, "SYNONYM_BOOST", 0.5)
# Words of a multi-word synonym may be this far apart.
PHRASE_SLOP = getattr(synonyms, "PHRASE_SLOP", 2)


class WordQuery(Or):
    """The variants of one query word; see the module's docstring.

    ``function`` marks a function word (never required), ``required`` a word typed
    with "+" (never dropped when relaxing), ``terms`` its analysed forms.
    """

    def __init__(
        self,
        subqueries: Sequence[Query],
        boost: float = 1.0,
        *,
        word: str = "",
        terms: tuple[str, ...] = (),
        function: bool = False,
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(list(subqueries), boost=boost, **kwargs)
        self.word = word
        self.terms = terms
        self.function = function
        self.required = required

    def as_or(self) -> Query:
        """A plain ``Or`` of the variants, for Whoosh to normalize and run."""
        return Or(self.subqueries, boost=self.boost)


def word_query(
    context: QueryContext, word: str, fieldname: str | None = None, expand: bool = True
) -> WordQuery | None:
    """The variants of ``word`` (as understood: respelt, corrected), or None for a stopword.

    ``fieldname`` limits the word to one text field (``title:gmina``); a fielded word
    is matched by its analysed form only. Without ``expand`` only the analysed form
    and the folded spellings count (no synonyms).
    """
    terms = tuple(dict.fromkeys(context.analysed(word)))
    if not terms:
        return None
    fields = (fieldname,) if fieldname else TEXT_FIELDS
    variants = _analysed(terms, fields, compound="-" in word)
    if fieldname is None:
        variants.extend(_folded(context, word))
        if expand:
            variants.extend(_synonyms(context, terms))
    return WordQuery(
        variants, word=word, terms=terms, function=is_function_word(word, terms[:1])
    )


def _analysed(terms: tuple[str, ...], fields: Sequence[str], compound: bool) -> list[Query]:
    """The analysed forms: a hyphenated compound whole, or its parts as a phrase."""
    if compound and len(terms) > 1:
        whole, parts = terms[0], terms[1:]
        found: list[Query] = [Term(name, whole) for name in fields]
        if len(parts) > 1:
            found.extend(Phrase(name, list(parts)) for name in fields)
        return found
    return [Term(name, term) for term in terms for name in fields]


def _folded(context: QueryContext, word: str) -> list[Query]:
    """For a word the text fields don't know: its folded form and its Polish spellings.

    A correctly typed word is searched exactly as typed: querying the folded field
    for every word cost ~2% nDCG@10 (measured).
    """
    lower = word.lower()
    budget = context.budget
    if not context.folded or not budget.fits(lower) or not budget.spend_lookups():
        return []
    if in_text_fields(context, lower):
        return []
    reader = context.reader
    found: dict[tuple[str, str], Query] = {}
    folded = fold(lower)
    if (FOLDED_FIELD, folded) in reader:
        found[(FOLDED_FIELD, folded)] = Term(FOLDED_FIELD, folded)
    for restored in with_diacritics(lower, budget):
        if not budget.spend_lookups():
            break
        for term in context.analysed(restored):
            for name in TEXT_FIELDS:
                if (name, term) in reader:
                    found.setdefault((name, term), Term(name, term))
    return list(found.values())


def _synonyms(context: QueryContext, terms: tuple[str, ...]) -> list[Query]:
    """The other expressions of every synonym group with ``terms`` as an expression."""
    return [
        anywhere(expansion, SYNONYM_BOOST) for expansion in expansions(context, terms)
    ]


def expansions(context: QueryContext, terms: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The analysed expressions that mean the same as the analysed expression ``terms``."""
    table = _expression_table(context)
    wanted: dict[tuple[str, ...], None] = {}
    for group in table.get(terms, ()):
        wanted.update((expression, None) for expression in group if expression != terms)
    return list(wanted)


def longest_expression(context: QueryContext) -> int:
    """How many words the longest synonym expression has (for scanning a query)."""
    return max((len(terms) for terms in _expression_table(context)), default=0)


def anywhere(terms: tuple[str, ...], boost: float = 1.0) -> Query:
    """An analysed expression in any text field: a term, or a phrase with some slop."""
    if len(terms) == 1:
        return Or([Term(name, terms[0]) for name in TEXT_FIELDS], boost=boost)
    return Or(
        [Phrase(name, list(terms), slop=PHRASE_SLOP) for name in TEXT_FIELDS], boost=boost
    )


_tables: list[tuple[Any, Any, dict]] = []
_tables_lock = threading.Lock()


def _expression_table(context: QueryContext) -> dict[tuple[str, ...], list[list[tuple[str, ...]]]]:
    """Analysed expression -> the analysed groups it belongs to, per synonyms file and analyzer.

    Analysing every expression of the thesaurus takes milliseconds, so it is done once
    per loaded file (a reload gives a new groups object) and analyzer configuration
    (every searcher unpickles its own, equal, analyzer).
    """
    groups = synonyms.load_synonyms()
    analyzer = context.analyzer
    with _tables_lock:
        for cached_groups, cached_analyzer, table in _tables:
            if cached_groups is groups and cached_analyzer == analyzer:
                return table
    table = {}
    for group in groups:
        analysed = [tuple(context.analysed(expression)) for expression in group]
        analysed = [terms for terms in dict.fromkeys(analysed) if terms]
        if len(analysed) < 2:
            continue
        for terms in analysed:
            table.setdefault(terms, []).append(analysed)
    with _tables_lock:
        del _tables[:-3]  # old files and analyzer configurations
        _tables.append((groups, analyzer, table))
    return table
