"""Finding words typed without Polish letters through the index's folded field.

Only query words whose analysed form is in none of the text fields go to the
folded field: a correctly typed query is searched exactly as it would be
without the folded field (measured: querying it for every word costs ~2%
nDCG@10), while "zory", "lodzi" or "samorzadow" still find their documents.
"""

from __future__ import annotations

import re

from whoosh.query import Query, Term
from whoosh.searching import Searcher

from indexer.store import FOLDED_FIELD, TEXT_FIELDS

WORD = re.compile(r"\w+(?:-\w+)*")


def in_text_fields(searcher: Searcher, word: str) -> bool:
    """Whether any analysed form of ``word`` is a term of a text field."""
    reader = searcher.reader()
    analyzer = searcher.schema[TEXT_FIELDS[0]].analyzer
    terms = [t.text for t in analyzer(word, mode="query")]
    return any((name, term) in reader for term in terms for name in TEXT_FIELDS)


def folded_queries(searcher: Searcher, text: str) -> list[Query]:
    """Folded-field terms for the words of ``text`` the text fields do not know."""
    if FOLDED_FIELD not in searcher.schema:
        return []
    reader = searcher.reader()
    analyzer = searcher.schema[FOLDED_FIELD].analyzer
    queries: dict[str, Query] = {}
    for match in WORD.finditer(text):
        word = match.group().lower()
        if in_text_fields(searcher, word):
            continue
        for token in analyzer(word, mode="query"):
            if (FOLDED_FIELD, token.text) in reader:
                queries.setdefault(token.text, Term(FOLDED_FIELD, token.text))
    return list(queries.values())
