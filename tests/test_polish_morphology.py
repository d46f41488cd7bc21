"""Morfeusz 2 lemmas, folding and the named configurations: the hard cases of issue #3."""

from __future__ import annotations

import pickle

import pytest

from analyzers import ANALYZERS, DEFAULT_ANALYZER, analyzer_config, fold, folded_words
from analyzers.configs import lemma_analyzer
from indexer.build import build_index
from indexer.records import Practice


def lemma_texts(text: str) -> list[str]:
    return [t.text for t in lemma_analyzer()(text)]


def test_inflected_forms_reach_one_lemma():
    assert lemma_texts("rodzinach zastępczych") == lemma_texts("rodzina zastępcza")
    assert lemma_texts("szkół") == lemma_texts("szkoła")
    assert lemma_texts("samorządów") == lemma_texts("samorząd")


def test_town_names_in_the_locative_reach_the_nominative():
    assert lemma_texts("w Żorach") == lemma_texts("Żory")
    assert lemma_texts("w Łodzi") == lemma_texts("Łódź")


def test_acronyms_are_not_stemmed():
    assert lemma_texts("PCPR GOPS NGO OZE JST") == ["pcpr", "gops", "ngo", "oze", "jst"]


def test_folding_covers_every_polish_letter():
    assert fold("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż") == "acelnoszz acelnoszz"


def test_folded_field_holds_each_word_with_polish_letters_folded():
    indexed = folded_words("W Żorach i w Łodzi, w Łodzi").split()
    assert sorted(indexed) == ["lodzi", "zorach"]  # "w", "i": stopwords


def test_folded_stopwords_are_stopwords():
    assert lemma_texts("sie juz ktory") == []


@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_every_configuration_pickles_small(name):
    analyzer = analyzer_config(name).make()
    [t.text for t in analyzer("ładuje słowniki")]  # resources are now loaded in this process
    assert len(pickle.dumps(analyzer)) < 10_000


def test_unknown_configuration_lists_the_known_ones():
    with pytest.raises(ValueError, match="morfeusz"):
        analyzer_config("nie-ma-takiego")


def test_index_table_of_contents_stays_small(tmp_path):
    build_index([Practice(id="p1", title="Żory", body="Rodziny zastępcze")], tmp_path)
    generation = (tmp_path / "CURRENT").read_text().strip()
    toc = sum(p.stat().st_size for p in (tmp_path / generation).glob("*.toc"))
    assert DEFAULT_ANALYZER == "morfeusz+fold"
    assert toc < 20_000
