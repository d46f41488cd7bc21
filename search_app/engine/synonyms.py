"""Query-time synonyms and abbreviations from the editable file ``data/synonimy.txt``.

Each line of the file is a group of expressions that mean the same; a query
containing one of them (compared after analysis, so any inflected form
counts) also searches for the others, as phrases in the text fields.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from whoosh.query import Or, Phrase, Query, Term

from indexer.schema import TEXT_FIELDS
from search_app.engine.context import QueryContext

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "data" / "synonimy.txt"

# Words of a multi-word synonym may be this far apart ("ośrodek pomocy społecznej"
# also matches "ośrodka miejskiej pomocy społecznej").
PHRASE_SLOP = 2


@functools.cache
def load_synonyms(path: Path = SYNONYMS_FILE) -> tuple[tuple[str, ...], ...]:
    """Groups of equivalent expressions; "#" starts a comment, commas separate expressions."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        group = tuple(dict.fromkeys(e.strip() for e in line.split(",") if e.strip()))
        if len(group) > 1:
            groups.append(group)
    return tuple(groups)


def synonym_queries(
    context: QueryContext, words: Iterable[str], path: Path = SYNONYMS_FILE
) -> list[Query]:
    """Queries for the synonyms of every expression of a group the query's ``words`` contain.

    ``words`` are the query's words and phrases in order, as the parse tree has them.
    """

    def terms(phrase: str) -> tuple[str, ...]:
        return tuple(context.analysed(phrase))

    query_terms = terms(" ".join(words))
    wanted: dict[tuple[str, ...], None] = {}
    for group in load_synonyms(path):
        variants = [terms(expression) for expression in group]
        if any(v and _contains(query_terms, v) for v in variants):
            wanted.update((v, None) for v in variants if v and not _contains(query_terms, v))
    return [_anywhere(variant) for variant in wanted]


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _anywhere(words: tuple[str, ...]) -> Query:
    if len(words) == 1:
        return Or([Term(name, words[0]) for name in TEXT_FIELDS])
    return Or([Phrase(name, list(words), slop=PHRASE_SLOP) for name in TEXT_FIELDS])
