"""Facet counts from cached per-segment columns stay right across rebuilds and updates."""

from __future__ import annotations

from indexer.build import build_index
from indexer.documents import practice_to_document
from indexer.records import Practice
from indexer.store import LiveIndex, open_index
from search_app.engine import columns
from search_app.engine.search import clean_request, filter_query, search


def practice(number: int, voivodeship: str) -> Practice:
    return Practice(
        id=f"p{number}",
        title=f"Praktyka {number}: pomoc rodzinom",
        category="Usługi społeczne",
        voivodeship=voivodeship,
        date_added="2010-01-01",
    )


def voivodeship_counts(live: LiveIndex, q: str = "", **filters) -> dict[str, int]:
    request, _ = clean_request(q, filters=filters)
    with live.searcher() as searcher:
        response = search(searcher, request)
    return {v.value: v.count for v in response.facets["voivodeship"]}


def test_counts_follow_a_rebuild_with_the_same_live_index(tmp_path):
    live = LiveIndex(tmp_path)
    build_index([practice(1, "śląskie"), practice(2, "śląskie")], tmp_path)
    assert voivodeship_counts(live) == {"śląskie": 2}
    build_index([practice(1, "opolskie"), practice(3, "lubuskie")], tmp_path)
    assert voivodeship_counts(live) == {"opolskie": 1, "lubuskie": 1}


def test_counts_include_a_segment_added_incrementally(tmp_path):
    build_index([practice(1, "śląskie")], tmp_path)
    live = LiveIndex(tmp_path)
    assert voivodeship_counts(live, "pomoc") == {"śląskie": 1}
    ix = open_index(tmp_path)
    with ix.writer() as writer:
        writer.add_document(**practice_to_document(practice(2, "łódzkie")))
    ix.close()
    assert voivodeship_counts(live, "pomoc") == {"śląskie": 1, "łódzkie": 1}


def test_counts_after_a_deletion_leave_out_the_deleted_practice(tmp_path):
    build_index([practice(1, "śląskie"), practice(2, "łódzkie")], tmp_path)
    live = LiveIndex(tmp_path)
    assert voivodeship_counts(live) == {"śląskie": 1, "łódzkie": 1}
    ix = open_index(tmp_path)
    with ix.writer() as writer:
        writer.delete_by_term("id", "p2")
    ix.close()
    assert voivodeship_counts(live) == {"śląskie": 1}


def test_the_cache_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(columns, "MAX_COLUMNS", 3)
    columns.clear()
    for round_ in range(3):
        build_index([practice(round_, "śląskie")], tmp_path)
        voivodeship_counts(LiveIndex(tmp_path))
    assert len(columns._cache) <= 3
    assert len(columns._merged_cache) <= 3


def test_a_filter_that_matches_nothing_gives_no_results(small_index):
    live = LiveIndex(small_index)
    request, _ = clean_request("rodzin", filters={"voivodeship": ["nieistniejące"]})
    with live.searcher() as searcher:
        response = search(searcher, request)
    assert response.total == 0
    assert response.results == []


def test_parent_and_child_pairs_come_from_columns_and_follow_deletions(tmp_path):
    """Choosing many counties and voivodeships costs no search per pair, and a deleted
    practice no longer ties its county to its voivodeship."""
    practices = [
        Practice(id="a", title="A", voivodeship="opolskie", county="brzeski"),
        Practice(id="b", title="B", voivodeship="małopolskie", county="brzeski"),
        Practice(id="c", title="C", voivodeship="śląskie", county="żorski"),
    ]
    build_index(practices, tmp_path)
    ix = open_index(tmp_path)
    with ix.searcher() as searcher:
        assert columns.value_pairs(searcher.reader(), "voivodeship", "county") == {
            ("opolskie", "brzeski"),
            ("małopolskie", "brzeski"),
            ("śląskie", "żorski"),
        }
    with ix.writer() as writer:
        writer.delete_by_term("id", "b")
    with open_index(tmp_path).searcher() as searcher:
        pairs = columns.value_pairs(searcher.reader(), "voivodeship", "county")
        assert ("małopolskie", "brzeski") not in pairs
        searched = []
        original = searcher.search
        searcher.search = lambda *a, **k: searched.append(a) or original(*a, **k)
        flt = filter_query(
            {"voivodeship": ("opolskie", "małopolskie"), "county": ("brzeski",)}, searcher
        )
        assert searched == []
        assert {d for d in searcher.docs_for_query(flt)} == {0}  # opolskie's brzeski only


def test_columns_read_at_once_equal_whooshs_reader(bundled_index, tmp_path):
    """Every facet and sortable column of every segment, read as one block and cut by its
    lengths, gives the values Whoosh's column reader gives one by one; the codes index
    the sorted distinct values."""
    from whoosh.columns import VarBytesColumn

    build_index([practice(n, ["śląskie", "", "łódzkie"][n % 3]) for n in range(7)], tmp_path)
    fast_read = 0
    for index_dir in (bundled_index, tmp_path):
        with open_index(index_dir).searcher() as searcher:
            for leaf, _offset in searcher.reader().leaf_readers():
                for name, field in searcher.schema.items():
                    if not field.column_type:
                        continue
                    expected = list(leaf.column_reader(name))
                    assert columns.column_values(leaf, name) == expected, name
                    fast_read += isinstance(
                        leaf.column_reader(name).raw_column(), VarBytesColumn.Reader
                    )
                    if all(isinstance(v, str) for v in expected):
                        labels, codes = columns._encoded(leaf, name)
                        assert labels == sorted(set(expected))
                        assert [labels[c] for c in codes] == expected
    assert fast_read >= 10
