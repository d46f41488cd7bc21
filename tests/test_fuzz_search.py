"""Hostile and random search input: repaired with a Polish note, bounded, never a 500."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Every, NullQuery

from indexer.documents import practice_to_document
from indexer.records import Practice
from indexer.schema import FACETS, TEXT_FIELDS, build_schema
from search_app.engine.query_limits import MAX_EXPANSIONS, MAX_SCANNED_PER_QUERY, bound_query
from search_app.engine.search import (
    CONTROL_CHARS,
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    QUERY_WORD,
    SORTS,
    clean_request,
    parse_query,
    search,
)

QUERY_PIECES = [
    "rodzina", "zastępcza", "Żory", "pomoc", "społeczna", "AND", "OR", "NOT", "ANDNOT", "(", ")",
    '"', "'", "*", "?", "~", "~2", "^", "^3", ":", "title:", "year:", "population_count:",
    "[", "]", "{", "}", "TO", "[a TO z]", "rodzin*", "*ina", "po?oc", "ro*", "\\", "-", "+",
    "\x00", "\x1b[31m", "\ufffd", "<script>", "%FF", "\u202e", "🙂", "ﬁ", "İ",
]  # fmt: skip
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(QUERY_PIECES) | st.text(max_size=8), max_size=25).map(" ".join),
    st.lists(st.sampled_from(QUERY_PIECES), max_size=25).map("".join),
)
RAW_NUMBERS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.text(max_size=12),
    st.sampled_from(["", "1e9", "0x10", " 3 ", "٣", "NaN", "-0", "9" * 5000]),
)
FILTER_NAMES = st.sampled_from(list(FACETS)) | st.text(max_size=10)
FILTERS = st.dictionaries(FILTER_NAMES, st.lists(st.text(max_size=15), max_size=30), max_size=4)
MARK = re.compile(r"</?mark[^>]*>")


@pytest.fixture(scope="module")
def searcher(small_searcher):
    return small_searcher


@given(q=st.text() | QUERIES, page=RAW_NUMBERS, per_page=RAW_NUMBERS, sort=st.text(max_size=12)
       | st.none() | st.sampled_from(list(SORTS)), filters=FILTERS)  # fmt: skip
def test_clean_request_always_gives_a_valid_request(q, page, per_page, sort, filters):
    request, messages = clean_request(q, page=page, per_page=per_page, sort=sort, filters=filters)
    assert 1 <= request.page <= MAX_PAGE
    assert 1 <= request.per_page <= MAX_PER_PAGE
    assert request.sort in SORTS
    assert len(request.q) <= MAX_QUERY_LENGTH and not CONTROL_CHARS.search(request.q)
    assert len(QUERY_WORD.findall(request.q)) <= MAX_QUERY_WORDS
    assert set(request.filters) <= set(FACETS)
    assert all(0 < len(values) <= MAX_FILTER_VALUES for values in request.filters.values())
    assert all(isinstance(m, str) and len(m) < 400 for m in messages)
    if set(filters) - set(FACETS):
        assert any("nieznane filtry" in m for m in messages)


@given(q=QUERIES, page=RAW_NUMBERS, per_page=RAW_NUMBERS, filters=FILTERS,
       sort=st.sampled_from([*SORTS, "zły"]))  # fmt: skip
def test_search_answers_any_input(searcher, q, page, per_page, filters, sort):
    request, _messages = clean_request(q, page=page, per_page=per_page, sort=sort, filters=filters)
    response = search(searcher, request)
    assert 0 <= len(response.results) <= request.per_page
    assert response.total >= len(response.results)
    json.dumps(response.to_dict())
    for hit in response.results:
        for html in (hit["title_html"], hit["snippet"]):
            assert "<" not in MARK.sub("", html)  # only our <mark>, everything else escaped


@pytest.fixture(scope="module")
def wide_searcher():
    """One practice with thousands of distinct words starting "pa": a worst case for patterns."""
    consonants, vowels = "bcdfghklmnprst", "aeiouy"
    words = [f"pa{a}{b}{c}" for a in consonants for b in vowels for c in consonants]
    practice = Practice(id="wide", title="Słownik", summary=" ".join(words), body=" ".join(words))
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        writer.add_document(**practice_to_document(practice))
    with ix.searcher() as searcher:
        yield searcher


def _terms_per_field(query) -> dict[str, int]:
    counts: dict[str, int] = {}
    for field, _text in query.iter_all_terms():
        counts[field] = counts.get(field, 0) + 1
    return counts


@pytest.mark.parametrize("text", ["pa*", "pa?a*", "pa*b", "[pa TO pz]", "summary:pa*"])
def test_patterns_expand_to_a_bounded_number_of_terms(wide_searcher, text):
    messages: list[str] = []
    query = parse_query(wide_searcher, text, messages)
    counts = _terms_per_field(query)
    assert counts and max(counts.values()) <= MAX_EXPANSIONS
    assert set(counts) <= set(TEXT_FIELDS)
    assert any("zbyt wielu słów" in m for m in messages)
    assert wide_searcher.search(query).scored_length() == 1


@pytest.mark.parametrize("text", ["*a", "?a*", "p*", "title:*x", "a?b"])
def test_patterns_without_a_literal_prefix_are_dropped_with_a_note(wide_searcher, text):
    messages: list[str] = []
    query = parse_query(wide_searcher, text, messages)
    assert query is NullQuery or not list(query.iter_all_terms())
    assert any("co najmniej 2" in m for m in messages)


def test_a_query_of_many_patterns_scans_a_bounded_number_of_terms(wide_searcher, monkeypatch):
    scanned = []
    expand_prefix = type(wide_searcher.reader()).expand_prefix

    def counting(reader, fieldname, prefix):
        for btext in expand_prefix(reader, fieldname, prefix):
            scanned.append(btext)
            yield btext

    monkeypatch.setattr(type(wide_searcher.reader()), "expand_prefix", counting)
    messages: list[str] = []
    query = parse_query(wide_searcher, " ".join(f"pa*{c}" for c in "bcdfghklmnprst"), messages)
    assert len(scanned) <= MAX_SCANNED_PER_QUERY
    assert any("zbyt wiele wzorców" in m for m in messages)
    assert wide_searcher.search(query).scored_length() == 1  # the first patterns still count


def test_a_lone_star_means_every_document_without_scanning_terms(wide_searcher):
    assert bound_query(Every("body"), wide_searcher.reader(), []) == Every()


def test_a_narrow_pattern_is_kept_whole(wide_searcher):
    messages: list[str] = []
    query = parse_query(wide_searcher, "pabab*", messages)
    assert messages == [] and 0 < max(_terms_per_field(query).values()) <= 14


@pytest.mark.parametrize(
    "params, note",
    [
        ({"page": "-5"}, "Numer strony musi być w zakresie 1–1000"),
        ({"page": "99999999999999999999999"}, "przyjęto 1000"),
        ({"page": "abc"}, "Numer strony „abc” nie jest liczbą"),
        ({"per_page": "100000"}, "przyjęto 100"),
        ({"per_page": "0"}, "przyjęto 1"),
        ({"sort": "DROP TABLE"}, "Nieznany porządek „DROP TABLE”"),
        ({"kolor": "zielony"}, "Pominięto nieznane filtry: „kolor”"),
        ({"q": "x" * 100_000}, "Zapytanie skrócono do 500 znaków"),
        ({"q": "słowo " * 40}, "Zapytanie skrócono do 32 słów"),
        ({"q": "rodzina\x00\x07\x1b"}, "znaki sterujące"),
        ({"category": [f"k{i}" for i in range(50)]}, "najwyżej 20 wartości"),
    ],
)
def test_bad_parameters_get_200_with_a_polish_note(client, params, note):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200
    assert any(note in m for m in response.get_json()["messages"]), response.get_json()["messages"]
    page = client.get("/", query_string=params)
    assert page.status_code == 200 and note.split("„")[0] in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "raw_query",
    ["q=%FF%FE%FD", "q=%C3%28rodzina", "%FF=%FE", "q=%00%01%7F", "page=%FF&per_page=%C0%AF", "q=%"],
)
def test_invalid_utf8_and_control_characters_in_the_url(client, raw_query):
    for path in ("/api/search", "/"):
        response = client.get(path, environ_overrides={"QUERY_STRING": raw_query})
        assert response.status_code == 200


@pytest.mark.parametrize("raw_path", ["/api/practices/\xff\xfe", "/praktyka/\xc3(", "/api/\x00"])
def test_invalid_utf8_in_the_path_is_a_404_not_a_500(client, raw_path):
    response = client.get("/", environ_overrides={"PATH_INFO": raw_path})
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_wrong_method_is_a_405_in_the_one_json_shape(client, method):
    response = getattr(client, method)("/api/search", data="x" * 10)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["status"] == 405


@pytest.mark.parametrize("url", ["/api/search", "/", "/api/admin/reindex"])
def test_a_huge_body_is_refused_before_it_is_read(client, url):
    response = client.post(url, data=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    if url.startswith("/api/"):
        assert response.get_json() == {
            "error": {"status": 413, "message": "Żądanie jest zbyt duże."}
        }
