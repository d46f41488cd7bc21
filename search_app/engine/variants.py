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

from collections.abc import Sequence
from typing import Any

from whoosh.query import ConstantScoreQuery, Or, Phrase, Query, Term

from analyzers import fold
from analyzers.families import family_key
from analyzers.function_words import is_function_word
from indexer.schema import FAMILY_FIELD, FOLDED_FIELD, TEXT_FIELDS
from search_app.engine import synonyms
from search_app.engine.context import QueryContext
from search_app.engine.diacritics import in_text_fields, with_diacritics

# What a match through the word family alone adds to a practice's score (a match of
# the word itself in a text field scores from about 1 to 10).
FAMILY_SCORE = 0.3
# A word in more of the practices than this finds little more through its relatives,
# and its family's long posting list is read for every query (measured: the same
# nDCG@10 on both collections, a tenth off the 10k query p95).
FAMILY_MAX_SHARE = 0.2


class WordQuery(Or):
    """The variants of one query word; see the module's docstring.

    ``function`` marks a function word (never required), ``required`` a word typed
    with "+" (never dropped when relaxing), ``terms`` its analysed forms and
    ``sequence`` its terms one per position (as synonym expressions are compared).
    """

    def __init__(
        self,
        subqueries: Sequence[Query],
        boost: float = 1.0,
        *,
        word: str = "",
        terms: tuple[str, ...] = (),
        sequence: tuple[str, ...] = (),
        function: bool = False,
        required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(list(subqueries), boost=boost, **kwargs)
        self.word = word
        self.terms = terms
        self.sequence = sequence or terms
        self.function = function
        self.required = required

    def as_or(self) -> Query:
        """A plain ``Or`` of the variants, for Whoosh to normalize and run."""
        return VariantsOr(self.subqueries, boost=self.boost)


class UnionOr(Or):
    """An ``Or`` always matched as a tree of unions.

    On segments of up to 5,000 documents Whoosh would preload an ``Or`` into arrays
    of the segment's size, scoring every posting of every part: for the optional
    function words of a query ("mających" -> "mieć") that was a third of the ranking
    time at 10,000 practices, where the tree scores only the documents the required
    words match. The array's results also differ from the tree's on a few allegro-faq
    questions: docs/relevance.md was measured with the tree.
    """

    matcher_type = Or.DEFAULT_MATCHER


class VariantsOr(UnionOr):
    """The ``Or`` of one word's variants."""


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
    # The word as one term per position ("kujawsko-pomorskie": kujawsko, pomorski),
    # as synonym expressions are analysed.
    sequence = synonyms.sequence(context.analyzer, word)
    if fieldname is None:
        variants.extend(_folded(context, word))
        variants.extend(_family(context, terms))
        if expand:
            variants.extend(_synonyms(context, sequence))
    return WordQuery(
        variants,
        word=word,
        terms=terms,
        sequence=sequence,
        function=is_function_word(word, terms[:1]),
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


class _ConstantScore(ConstantScoreQuery):
    """Whoosh's ConstantScoreQuery with the ``boost`` its compound queries read when
    they flatten (the class lacks it)."""

    boost = 1.0

    def with_boost(self, boost: float) -> Query:
        return _ConstantScore(self.child, self.score * boost)

    def __str__(self) -> str:
        return f"{self.child}={self.score}"


def _family(context: QueryContext, terms: tuple[str, ...]) -> list[Query]:
    """The word's family in the family field, for a word in at most
    :data:`FAMILY_MAX_SHARE` of the practices (scored with a low constant)."""
    if not context.family or len(terms) != 1:
        return []
    key = family_key(terms[0])
    if not key:
        return []
    reader = context.reader
    if max(reader.doc_frequency(name, terms[0]) for name in TEXT_FIELDS) > (
        FAMILY_MAX_SHARE * reader.doc_count_all()
    ):
        return []
    # A constant score: BM25 would read every relative's field length to score a match
    # that only widens the word's reach (a fifth of the query time at 10k practices).
    return [_ConstantScore(Term(FAMILY_FIELD, key), FAMILY_SCORE)]


def _synonyms(context: QueryContext, terms: tuple[str, ...]) -> list[Query]:
    """The other expressions of every synonym group with ``terms`` as an expression."""
    return [synonyms.anywhere(expansion) for expansion in expansions(context, terms)]


def expansions(context: QueryContext, terms: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The analysed expressions that mean the same as the analysed expression ``terms``."""
    if not terms:
        return []
    analysed = synonyms.analysed_groups(context.analyzer, synonyms.load_synonyms())
    wanted: dict[tuple[str, ...], None] = {}
    for variant, group in analysed.by_first_term.get(terms[0], ()):
        if variant == terms:
            wanted.update((other, None) for other in analysed.groups[group] if other != terms)
    return list(wanted)


def longest_expression(context: QueryContext) -> int:
    """How many words the longest synonym expression has (for scanning a query)."""
    analysed = synonyms.analysed_groups(context.analyzer, synonyms.load_synonyms())
    return max((len(v) for group in analysed.groups for v in group), default=0)


def nothing() -> Query:
    """A query matching no document, cheap to run (NullQuery would vanish inside an And)."""
    return Term(TEXT_FIELDS[0], "\x00")
