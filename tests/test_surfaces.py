"""Texts analysed word by word for snippets give exactly the tokens of the analyzer's chain."""

from __future__ import annotations

import pytest
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter

from analyzers import ANALYZERS, surfaces
from analyzers.configs import lemma_analyzer
from analyzers.polish import TOKEN_PATTERN
from analyzers.surfaces import index_tokens
from indexer.store import open_index

TRICKY = [
    "Współpraca JST-NGO i jst‐ngo (łącznik U+2010) w Żorach, w Żorach.",
    "Budżet 2 774 345 zł, w tym 1 482,30 zł i 60.444 m² oraz 3,5 etatu.",
    "MOPS, GOPS i PCPR: a--b, -x, y-, opiekuńczo-wychowawczej -- i w i z.",
    "",
    "   ",
    "Ósemka ÓSEMKA ósemkę; ĄĘŚĆ ąęść!!! 12345678901234567890",
    "ą" * 45 + " długie słowo, dłuższe niż te, które się pamięta",
    "ą" * 45 + " długie słowo ponad granicę pamięci podręcznej",
]


def chain_tokens(analyzer, text):
    return [
        (t.text, t.stopped, t.startchar, t.endchar, t.pos)
        for t in analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    ]


@pytest.fixture(scope="module")
def bundled_texts(bundled_index):
    with open_index(bundled_index).searcher() as searcher:
        records = [stored["record"] for stored in searcher.all_stored_fields()]
    texts = [r.get(name) or "" for r in records for name in ("title", "summary", "body")]
    assert len(texts) > 30 and sum(map(len, texts)) > 50_000
    return texts


@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_every_configuration_gives_the_chains_tokens(name, bundled_texts):
    analyzer = ANALYZERS[name].make()
    for text in [*TRICKY, *bundled_texts]:
        assert index_tokens(analyzer, text) == chain_tokens(analyzer, text), text[:80]
    # And again, every word now remembered.
    for text in [*TRICKY, *bundled_texts]:
        assert index_tokens(analyzer, text) == chain_tokens(analyzer, text), text[:80]


def test_the_default_chain_is_taken_word_by_word():
    assert surfaces._word_analysis(lemma_analyzer()) is not None


@pytest.mark.parametrize(
    "analyzer",
    [
        # Renumbering counts the stopwords before a token: not a per-word filter.
        RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | StopFilter(stoplist={"w", "i"}),
        # Gaps: the tokens are what lies between the expression's matches.
        RegexTokenizer(r"\s+", gaps=True) | LowercaseFilter(),
    ],
)
def test_other_chains_are_run_as_they_are(analyzer):
    assert surfaces._word_analysis(analyzer) is None
    text = "Dom w Żorach i dom w Łodzi"
    assert index_tokens(analyzer, text) == chain_tokens(analyzer, text)


def test_remembered_words_stay_bounded(monkeypatch, bundled_texts):
    monkeypatch.setattr(surfaces, "WORDS_HELD", 50)
    analyzer = lemma_analyzer(stopwords=False)
    words = surfaces._word_analysis(analyzer)
    for text in bundled_texts:
        assert index_tokens(analyzer, text) == chain_tokens(analyzer, text)
        assert len(words.words) <= 50
