"""What understanding one query needs: the searcher, its text analyzer, the budget, the notes.

One :class:`QueryContext` is made per request and handed to respelling
(:mod:`~search_app.engine.diacritics`), correction (:mod:`~search_app.engine.spelling`),
synonyms and the query parser, instead of each of them fetching the analyzer
and reader again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from whoosh.analysis import Analyzer
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from indexer.schema import FAMILY_FIELD, FOLDED_FIELD, TEXT_FIELDS
from search_app.engine.budget import QueryBudget


@dataclass
class QueryContext:
    """One request's searcher, text analyzer and :class:`QueryBudget`, and its notes.

    ``messages`` collects the Polish notes for the user; query understanding
    appends to it.
    """

    searcher: Searcher
    budget: QueryBudget = field(default_factory=QueryBudget)
    messages: list[str] = field(default_factory=list)
    # The query's syntax was broken and it was searched as plain words.
    plain: bool = False

    @cached_property
    def reader(self) -> IndexReader:
        return self.searcher.reader()

    @cached_property
    def analyzer(self) -> Analyzer:
        """The text fields' analyzer (they all share one)."""
        return self.searcher.schema[TEXT_FIELDS[0]].analyzer

    @property
    def folded(self) -> bool:
        """Whether the index has the folded field (words typed without Polish letters)."""
        return FOLDED_FIELD in self.searcher.schema

    @property
    def family(self) -> bool:
        """Whether the index has the word-family field (derivational relatives)."""
        return FAMILY_FIELD in self.searcher.schema

    def analysed(self, text: str) -> list[str]:
        """The terms the text fields would search for ``text``."""
        return [token.text for token in self.analyzer(text, mode="query")]
