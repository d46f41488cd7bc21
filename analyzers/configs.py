"""Named analyzer configurations, compared in ``docs/relevance.md``; the winner is the default.

A configuration says how the text fields are analysed and whether the index
also gets the folded field (queries without diacritics, spelling vocabulary).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from whoosh.analysis import Analyzer, LowercaseFilter, StandardAnalyzer, StopFilter

from analyzers.lemmas import LemmaFilter
from analyzers.polish import (
    HyphenFilter,
    NumberFilter,
    load_stopwords,
    polish_analyzer,
    polish_tokenizer,
)


@dataclass(frozen=True)
class AnalyzerConfig:
    """One way to analyse Polish text; ``folded`` adds the folded field to the schema,
    ``family`` the word-family field (analyzers.families)."""

    name: str
    description: str
    make: Callable[[], Analyzer]
    folded: bool = False
    family: bool = False


def lemma_analyzer(mode: str = "best", stopwords: bool = True) -> Analyzer:
    """Polish tokens replaced by Morfeusz 2 lemmas (unknown words kept as written).

    >>> [t.text for t in lemma_analyzer()("Rodzinach zastępczych w Żorach")]
    ['rodzina', 'zastępczy', 'żory']
    """
    chain = polish_tokenizer() | NumberFilter() | LowercaseFilter() | HyphenFilter()
    if stopwords:
        chain = chain | StopFilter(stoplist=load_stopwords(), minsize=1, renumber=False)
    return chain | LemmaFilter(mode)


def _config(name: str, description: str, make: Callable[[], Analyzer]) -> list[AnalyzerConfig]:
    """The configuration as it is, and with the folded field (name + "+fold")."""
    return [
        AnalyzerConfig(name, description, make),
        AnalyzerConfig(f"{name}+fold", f"{description}; pole bez diakrytyków", make, True),
    ]


ANALYZERS: dict[str, AnalyzerConfig] = {
    config.name: config
    for config in [
        AnalyzerConfig(
            "standard",
            "Whoosh StandardAnalyzer: małe litery, bez stemmingu i stopwords",
            lambda: StandardAnalyzer(stoplist=None),
        ),
        *_config("stempel", "Stempel, tablica domyślna, stopwords", polish_analyzer),
        AnalyzerConfig(
            "stempel-nostop",
            "Stempel, tablica domyślna, bez stopwords",
            lambda: polish_analyzer(stopwords=False),
        ),
        *_config(
            "polimorf", "Stempel, tablica polimorf, stopwords", lambda: polish_analyzer("polimorf")
        ),
        *_config("morfeusz", "Morfeusz 2, najbardziej prawdopodobny lemat", lemma_analyzer),
        AnalyzerConfig(
            "morfeusz+fold+family",
            "Morfeusz 2, najbardziej prawdopodobny lemat; pole bez diakrytyków i pole rodzin"
            " wyrazów",
            lemma_analyzer,
            folded=True,
            family=True,
        ),
        AnalyzerConfig(
            "morfeusz-nostop",
            "Morfeusz 2, najbardziej prawdopodobny lemat, bez stopwords",
            lambda: lemma_analyzer(stopwords=False),
        ),
        AnalyzerConfig(
            "morfeusz-all", "Morfeusz 2, wszystkie lematy", lambda: lemma_analyzer("all")
        ),
        AnalyzerConfig(
            "morfeusz-stempel",
            "Morfeusz 2 (lemat) i Stempel (rdzeń) w jednej pozycji",
            lambda: lemma_analyzer("lemma+stem"),
        ),
    ]
}

DEFAULT_ANALYZER = "morfeusz+fold+family"


def analyzer_config(name: str = DEFAULT_ANALYZER) -> AnalyzerConfig:
    """The named configuration; ValueError (listing the names) for an unknown one."""
    try:
        return ANALYZERS[name]
    except KeyError:
        raise ValueError(
            f"nieznany analizator {name!r}; dostępne: {', '.join(ANALYZERS)}"
        ) from None
