"""Morfeusz 2 lemmas, folding and the named configurations: the hard cases of issue #3."""

from __future__ import annotations

import gzip
import itertools
import pickle
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import analyzers.lemmas as lemmas_module
from analyzers import ANALYZERS, DEFAULT_ANALYZER, analyzer_config, fold, folded_words
from analyzers.configs import lemma_analyzer
from analyzers.lemmas import FREQUENCIES, best_lemma, lemma_frequencies, lemmas
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


def test_folded_field_holds_each_word_folded():
    indexed = folded_words("W Żorach i w Łodzi, w Łodzi, rodziny").split()
    assert sorted(indexed) == ["lodzi", "rodziny", "zorach"]  # "w", "i": stopwords


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
    assert DEFAULT_ANALYZER == "morfeusz+fold+family"
    assert toc < 20_000


# Forms whose reading in public-administration text is not in doubt; Morfeusz gives
# each two or more lemmas. Several went to a rare lemma before the frequency table.
EVERYDAY_LEMMAS = {
    "mam": "mieć",
    "mamy": "mieć",
    "mają": "mieć",
    "ile": "ile",
    "działa": "działać",
    "dostawa": "dostawa",
    "była": "być",
    "były": "być",
    "lata": "rok",
    "lat": "rok",
    "latach": "rok",
    "rady": "rada",
    "radzie": "rada",
    "gminy": "gmina",
    "mieście": "miasto",
    "kraje": "kraj",
    "połowie": "połowa",
    "spraw": "sprawa",
    "prawa": "prawo",
    "zadania": "zadanie",
    "wsparcia": "wsparcie",
    "życia": "życie",
    "może": "móc",
}


@pytest.mark.parametrize(("word", "lemma"), sorted(EVERYDAY_LEMMAS.items()))
def test_ambiguous_forms_get_their_everyday_lemma(word, lemma):
    assert best_lemma(word) == lemma


@pytest.mark.parametrize(
    "forms",
    [
        ("rachunek", "rachunki", "rachunków"),
        ("zakup", "zakupy", "zakupów"),
        ("środek", "środki", "środków"),
        ("droga", "drogi", "dróg"),
        ("usługa", "usługi", "usług"),
    ],
)
def test_singular_and_plural_share_one_lemma(forms):
    """A pluralia tantum lexeme ("zakupy") must not split a noun's paradigm."""
    assert {best_lemma(form) for form in forms} == {forms[0]}


def test_the_frequency_table_decides_the_ranking(monkeypatch):
    table = lemma_frequencies()
    assert len(table) > 5_000
    assert table["mieć"] > table["mama"]
    assert lemma_frequencies() is table  # read once
    try:
        lemmas.cache_clear()
        best_lemma.cache_clear()
        monkeypatch.setattr(lemmas_module, "_frequencies", {})
        assert best_lemma("mam") == "mama"  # without it: Morfeusz order, longest prefix
        monkeypatch.setattr(lemmas_module, "_frequencies", {"mieć": 1.0, "mama": 2.0})
        lemmas.cache_clear()
        best_lemma.cache_clear()
        assert best_lemma("mam") == "mama"
    finally:
        monkeypatch.undo()
        lemmas.cache_clear()
        best_lemma.cache_clear()
    assert best_lemma("mam") == "mieć"


def test_the_frequency_table_is_read_once_by_concurrent_first_users(monkeypatch):
    reads = []
    real_read = lemmas_module.read_frequencies

    def counting_read(path):
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr(lemmas_module, "_frequencies", None)
    monkeypatch.setattr(lemmas_module, "read_frequencies", counting_read)
    start = threading.Barrier(8)

    def first_use():
        start.wait()
        return lemma_frequencies()

    with ThreadPoolExecutor(8) as pool:
        tables = list(pool.map(lambda _: first_use(), range(8)))
    assert len(reads) == 1
    assert all(table is tables[0] for table in tables)


def test_the_frequency_table_says_how_it_was_made():
    with gzip.open(FREQUENCIES, "rt", encoding="utf-8") as handle:
        header = [line for line in itertools.islice(handle, 10) if line.startswith("#")]
    text = "".join(header)
    assert "scripts/make_lemma_frequencies.py" in text
    assert "wordfreq" in text and "morfeusz2" in text


def test_wordfreq_is_not_needed_to_lemmatize():
    """wordfreq builds the table; the search engine must run without it."""
    code = (
        "import sys; from analyzers.lemmas import best_lemma; "
        "assert best_lemma('mam') == 'mieć'; "
        "assert 'wordfreq' not in sys.modules, 'wordfreq imported'"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=60)


def test_negated_active_participles_keep_their_negation():
    """Blind people ("osoby niewidzące") are not everyone who "widzi", and the reverse."""
    negated = {best_lemma(form) for form in ("niewidzący", "niewidzące", "niewidzących")}
    assert len(negated) == 1
    assert negated.isdisjoint({best_lemma("widzi"), best_lemma("widzący")})
    assert best_lemma("niesłyszących") != best_lemma("słyszy")


def test_negated_passive_participles_keep_the_verb():
    """A text on "nieocieplone szkoły" is about insulating schools."""
    assert best_lemma("nieocieplone") == best_lemma("ocieplono") == "ocieplić"
