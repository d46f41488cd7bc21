"""Finding words typed without Polish letters through the index's folded field.

Only query words whose analysed form is in none of the text fields go to the
folded field: a correctly typed query is searched exactly as it would be
without the folded field (measured: querying it for every word costs ~2%
nDCG@10), while "zory", "lodzi" or "samorzadow" still find their documents.
The work per query (words, dictionary look-ups, the time) is capped by a
:class:`~search_app.engine.budget.QueryBudget`; past it the remaining words stay as typed.
"""

from __future__ import annotations

import itertools
import math
import re

from whoosh.query import Query, Term
from whoosh.searching import Searcher

from analyzers import fold
from analyzers.lemmas import is_dictionary_word
from indexer.schema import FOLDED_FIELD, TEXT_FIELDS
from search_app.engine.budget import QueryBudget

# Words, but not wildcard patterns ("rodz*", "szk?ła") nor field names ("title:").
# A "?" ending a word is punctuation (see search.QUESTION_MARK), inside one a wildcard.
WORD = re.compile(r"(?<![\w*?])\w+(?:-\w+)*(?![\w*:]|\?\w)")

# What each ASCII letter may stand for when Polish is typed without diacritics.
RESTORE = {"a": "aą", "c": "cć", "e": "eę", "l": "lł", "n": "nń", "o": "oó", "s": "sś", "z": "zźż"}
# Words with more spellings than this are matched by their folded form only.
MAX_SPELLINGS = 512


def in_text_fields(searcher: Searcher, word: str, budget: QueryBudget | None = None) -> bool:
    """Whether any analysed form of ``word`` is a term of a text field.

    Remembered in ``budget`` for the rest of the request: respelling, correction and
    the folded queries each ask about the same words.
    """
    if budget is not None and word in budget.known:
        return budget.known[word]
    found = _in_text_fields(searcher, word)
    if budget is not None:
        budget.known[word] = found
    return found


def _in_text_fields(searcher: Searcher, word: str) -> bool:
    reader = searcher.reader()
    analyzer = searcher.schema[TEXT_FIELDS[0]].analyzer
    terms = [t.text for t in analyzer(word, mode="query")]
    return any((name, term) in reader for term in terms for name in TEXT_FIELDS)


def restore_diacritics(searcher: Searcher, text: str, budget: QueryBudget | None = None) -> str:
    """``text`` with words typed without Polish letters spelt as the index most likely means.

    In a query with no Polish letter at all, every word may be respelt: "musze"
    is a word too (a fly's), but "muszę" is far more common in the index. In a
    query typed with Polish letters only words the text fields don't know are.
    A word is replaced by the spelling whose analysed form is in the most
    documents; ties keep the word as typed.
    """
    if FOLDED_FIELD not in searcher.schema:
        return text
    budget = budget or QueryBudget()
    typed_without = fold(text) == text.lower()
    parts: list[str] = []
    last = 0
    for match in itertools.islice(WORD.finditer(text), budget.max_words):
        word = match.group()
        lower = word.lower()
        if not budget.fits(lower):
            continue
        if not typed_without and (
            not budget.spend_lookups() or in_text_fields(searcher, lower, budget)
        ):
            continue
        spellings = with_diacritics(searcher, lower, budget)
        # best_spelling analyses every spelling, and two document counts follow.
        if not spellings or not budget.spend_lookups(len(spellings) + 2):
            continue
        best = best_spelling(searcher, spellings)
        if document_count(searcher, best) <= document_count(searcher, lower):
            continue
        if word[:1].isupper():
            best = best[:1].upper() + best[1:]
        parts.append(text[last : match.start()] + best)
        last = match.end()
    return "".join(parts) + text[last:]


def best_spelling(searcher: Searcher, spellings: list[str]) -> str:
    """The spelling whose analysed form is in most documents; ties go to more Polish letters.

    ("szkół" and "szkoł" are both forms of "szkoła"; people who drop diacritics drop them all.)
    """
    return max(
        spellings,
        key=lambda s: (document_count(searcher, s), len(s) - len(s.encode("ascii", "ignore"))),
    )


def document_count(searcher: Searcher, word: str) -> int:
    """How many documents hold the analysed form of ``word`` in their best text field."""
    reader = searcher.reader()
    analyzer = searcher.schema[TEXT_FIELDS[0]].analyzer
    terms = [t.text for t in analyzer(word, mode="query")]
    return max(
        (reader.doc_frequency(name, term) for term in terms for name in TEXT_FIELDS), default=0
    )


def folded_queries(searcher: Searcher, text: str, budget: QueryBudget | None = None) -> list[Query]:
    """Queries for the words of ``text`` the text fields do not know.

    Each such word is looked for in the folded field, and its spellings with
    Polish letters found in the index ("samorzadow" -> "samorządów") are
    analysed and looked for in the text fields, so inflected forms match too.
    """
    if FOLDED_FIELD not in searcher.schema:
        return []
    budget = budget or QueryBudget()
    reader = searcher.reader()
    text_analyzer = searcher.schema[TEXT_FIELDS[0]].analyzer
    queries: dict[tuple[str, str], Query] = {}
    for match in itertools.islice(WORD.finditer(text), budget.max_words):
        word = match.group().lower()
        if not budget.fits(word) or not budget.spend_lookups():
            continue
        if in_text_fields(searcher, word, budget):
            continue
        folded = fold(word)
        if (FOLDED_FIELD, folded) in reader:
            queries.setdefault((FOLDED_FIELD, folded), Term(FOLDED_FIELD, folded))
        for restored in with_diacritics(searcher, word, budget):
            if not budget.spend_lookups():
                break
            for token in text_analyzer(restored, mode="query"):
                for name in TEXT_FIELDS:
                    if (name, token.text) in reader:
                        queries.setdefault((name, token.text), Term(name, token.text))
    return list(queries.values())


def with_diacritics(searcher: Searcher, word: str, budget: QueryBudget | None = None) -> list[str]:
    """Spellings with Polish letters that fold to ``word``: "samorzadow" -> ["samorządów"].

    A spelling counts if Morfeusz knows it, so forms absent from the text
    ("zwrocicie" -> "zwrócicie") are restored too. Each spelling tried is a
    dictionary look-up taken from ``budget``; none are tried if they don't fit.
    """
    if fold(word) != word:
        return []
    choices = [RESTORE.get(ch, ch) for ch in word]
    count = math.prod(len(c) for c in choices)
    if count > MAX_SPELLINGS or (budget is not None and not budget.spend_lookups(count)):
        return []
    spellings = ("".join(letters) for letters in itertools.product(*choices))
    return [s for s in spellings if s != word and is_dictionary_word(s)]
