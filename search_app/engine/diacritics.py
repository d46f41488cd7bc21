"""Finding words typed without Polish letters through the index's folded field.

Only query words whose analysed form is in none of the text fields go to the
folded field: a correctly typed query is searched exactly as it would be
without the folded field (measured: querying it for every word costs ~2%
nDCG@10), while "zory", "lodzi" or "samorzadow" still find their documents.
The words come from the query's parse tree (:mod:`~search_app.engine.understanding`);
the work per query (words, dictionary look-ups, the time) is capped by the
context's :class:`~search_app.engine.budget.QueryBudget`; past it the remaining
words stay as typed.
"""

from __future__ import annotations

from analyzers import fold, spelling_count, spellings
from analyzers.lemmas import is_dictionary_word
from indexer.schema import TEXT_FIELDS
from search_app.engine.budget import QueryBudget
from search_app.engine.context import QueryContext

# Words with more spellings than this are matched by their folded form only.
MAX_SPELLINGS = 512


def in_text_fields(context: QueryContext, word: str) -> bool:
    """Whether any analysed form of ``word`` is a term of a text field.

    Remembered in the budget for the rest of the request: respelling, correction and
    the folded queries each ask about the same words.
    """
    known = context.budget.known
    if word not in known:
        reader = context.reader
        known[word] = any(
            (name, term) in reader for term in context.analysed(word) for name in TEXT_FIELDS
        )
    return known[word]


def respelt(context: QueryContext, word: str, typed_without: bool) -> str | None:
    """``word`` spelt as the index most likely means it, or None to keep it as typed.

    In a query with no Polish letter at all (``typed_without``), every word may be
    respelt: "musze" is a word too (a fly's), but "muszę" is far more common in the
    index. In a query typed with Polish letters only words the text fields don't
    know are. A word is replaced by the spelling whose analysed form is in the most
    documents; ties keep the word as typed.
    """
    budget = context.budget
    lower = word.lower()
    if not budget.fits(lower):
        return None
    if not typed_without and (not budget.spend_lookups() or in_text_fields(context, lower)):
        return None
    candidates = with_diacritics(lower, budget)
    # best_spelling analyses every spelling, and two document counts follow.
    if not candidates or not budget.spend_lookups(len(candidates) + 2):
        return None
    best = best_spelling(context, candidates)
    # A word Morfeusz doesn't know ("slask") takes its Polish spelling ("śląsk") even
    # when the index lacks that form: the thesaurus or the folded field may still find
    # it, and a correction would turn it into another word or another form ("śląską").
    if is_dictionary_word(lower) and document_count(context, best) <= document_count(
        context, lower
    ):
        return None
    if document_count(context, best) < document_count(context, lower):
        return None
    return best[:1].upper() + best[1:] if word[:1].isupper() else best


def best_spelling(context: QueryContext, candidates: list[str]) -> str:
    """The spelling whose analysed form is in most documents; ties go to more Polish letters.

    ("szkół" and "szkoł" are both forms of "szkoła"; people who drop diacritics drop them all.)
    """
    return max(
        candidates,
        key=lambda s: (document_count(context, s), len(s) - len(s.encode("ascii", "ignore"))),
    )


def document_count(context: QueryContext, word: str) -> int:
    """How many documents hold the analysed form of ``word`` in their best text field."""
    reader = context.reader
    return max(
        (
            reader.doc_frequency(name, term)
            for term in context.analysed(word)
            for name in TEXT_FIELDS
        ),
        default=0,
    )


def with_diacritics(word: str, budget: QueryBudget | None = None) -> list[str]:
    """Spellings with Polish letters that fold to ``word``: "samorzadow" -> ["samorządów"].

    A spelling counts if Morfeusz knows it, so forms absent from the text
    ("zwrocicie" -> "zwrócicie") are restored too. Each spelling tried is a
    dictionary look-up taken from ``budget``; none are tried if they don't fit.
    """
    if fold(word) != word:
        return []
    count = spelling_count(word)
    if count > MAX_SPELLINGS or (budget is not None and not budget.spend_lookups(count)):
        return []
    return [s for s in spellings(word) if s != word and is_dictionary_word(s)]
