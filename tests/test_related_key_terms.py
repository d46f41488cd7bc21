"""Similar practices' key terms: Whoosh's Bo1 model, with term frequencies remembered."""

from __future__ import annotations

from indexer.store import open_index
from search_app.engine import related
from search_app.engine.related import KEY_TERMS, key_terms, related_text


def test_key_terms_equal_whooshs_for_every_bundled_practice(bundled_index):
    with open_index(bundled_index).searcher() as searcher:
        for stored in searcher.all_stored_fields():
            text = related_text(stored["record"])
            expected = searcher.key_terms_from_text("body", text, numterms=KEY_TERMS)
            assert key_terms(searcher.reader(), text) == expected


def test_a_page_seen_again_asks_the_term_dictionary_nothing(bundled_index, monkeypatch):
    related._frequencies.clear()
    with open_index(bundled_index).searcher() as searcher:
        reader = searcher.reader()
        text = related_text(next(searcher.all_stored_fields())["record"])
        asked: list[tuple] = []
        frequency = reader.frequency
        monkeypatch.setattr(
            reader, "frequency", lambda *term: asked.append(term) or frequency(*term)
        )
        first = key_terms(reader, text)
        assert asked  # the first page looks its words up
        asked.clear()
        assert key_terms(reader, text) == first
        assert asked == []


def test_remembered_frequencies_stay_bounded(bundled_index, monkeypatch):
    monkeypatch.setattr(related, "_frequencies", related.LRUCache(maxsize=50))
    with open_index(bundled_index).searcher() as searcher:
        for stored in searcher.all_stored_fields():
            key_terms(searcher.reader(), related_text(stored["record"]))
    assert len(related._frequencies) <= 50
