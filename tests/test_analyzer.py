"""The Polish analyzer: the same tokens at index and query time, light in the schema."""

from __future__ import annotations

import pickle

from analyzers import polish_analyzer


def texts(text: str) -> list[str]:
    return [t.text for t in polish_analyzer()(text)]


def test_inflected_forms_share_stems():
    assert texts("rodzinach zastępczych")[1] == texts("rodzina zastępcza")[1]
    assert texts("rodzinnego") == texts("rodzinne")


def test_lowercase_and_stopwords():
    assert texts("W Żorach i w Łodzi") == [texts("żorach")[0], texts("łodzi")[0]]


def test_numbers_are_kept_whole():
    assert texts("w 2008 roku wydano 2 774 345 zł") == ["2008", "wydać", "2774345"]
    assert "60.444" in texts("60.444 mieszkańców")
    assert "1482,30" in texts("do 1\u00a0482,30 zł")


def test_hyphenated_compounds_whole_and_in_parts():
    by_text = {t.text: t.pos for t in polish_analyzer()("Współpraca JST-NGO", positions=True)}
    assert by_text["jst-ngo"] == by_text[texts("jst")[0]]
    assert by_text["ngo"] == by_text["jst-ngo"] + 1


def test_short_words_are_not_garbled():
    assert texts("ul ok dr") == []  # stopwords
    assert texts("a e dom") == ["a", "e", "dom"]


def test_analyzer_pickles_without_the_stemmer_table():
    analyzer = polish_analyzer()
    texts("ładuje tablicę")  # the table is now loaded in this process
    assert len(pickle.dumps(analyzer)) < 10_000
    assert pickle.loads(pickle.dumps(analyzer)) == analyzer
