"""Syntax the parser cannot handle is searched as plain words, with a Polish note (issue #11).

Whoosh marks such places with an ``error`` attribute on query nodes (text given to a
NUMERIC field), and query understanding marks unclosed brackets and field names with
nothing after them the same way.
"""

from __future__ import annotations

import json

import pytest
from whoosh.query import NullQuery, Term, Wildcard

from search_app.engine.context import QueryContext
from search_app.engine.search import RESULT_FIELDS, Hit, clean_request, search
from search_app.engine.understanding import UnderstandingPlugin, has_syntax_error, parser_for
from tests.conftest import run_search

NOTE = "Nie rozpoznano składni zapytania — szukam podanych słów."
SEEDS = {"000_3b014753ec2e4c31", "001_8428a99dc5593c9b"}


@pytest.fixture(scope="module")
def searcher(small_searcher):
    return small_searcher


run = run_search


@pytest.mark.parametrize("q", ["title:(", "population_count:abc", "title:", "(rodziny"])
def test_broken_syntax_is_noted(searcher, q):
    assert NOTE in run(searcher, q).messages


@pytest.mark.parametrize(
    "q",
    [
        "title:( rodziny zastępcze",
        "population_count:abc rodziny zastępcze",
        "rodziny zastępcze title:",
    ],
)
def test_broken_syntax_searches_the_plain_words(searcher, q):
    response = run(searcher, q)
    assert NOTE in response.messages
    assert SEEDS <= {hit.id for hit in response.results}


@pytest.mark.parametrize(
    "q",
    [
        "rodziny zastępcze",
        "title:rodzina",
        '"rodziny zastępcze"',
        "(rodziny OR seniorzy) AND NOT Kraków",
        "rodzin*",
        "Jak zostać rodziną zastępczą?",
        "population_count:[1000 TO 50000]",
        "Jak to działa:",
        "rodziny (seniorzy)",
    ],
)
def test_valid_syntax_gets_no_note(searcher, q):
    assert NOTE not in run(searcher, q).messages


def test_errors_are_found_on_any_node(searcher):
    context = QueryContext(searcher)
    parser = parser_for(context)
    query = parser.parse("rodziny (seniorzy OR population_count:abc)", normalize=False)
    assert has_syntax_error(query)
    assert not has_syntax_error(parser.parse("rodziny (seniorzy OR title:gmina)", normalize=False))


def test_the_shared_null_query_is_never_marked(searcher):
    run(searcher, "title:(")
    run(searcher, "population_count:abc")
    assert getattr(NullQuery, "error", None) is None
    assert NOTE not in run(searcher, "w na i").messages


@pytest.mark.parametrize("q", ["title:(", "population_count:abc"])
def test_api_answers_broken_syntax_with_the_note(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert NOTE in response.get_json()["messages"]


def test_api_searches_the_plain_words_of_broken_syntax(client):
    response = client.get(
        "/api/search", query_string={"q": "population_count:abc rodziny zastępcze"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert NOTE in body["messages"]
    assert SEEDS <= {hit["id"] for hit in body["results"]}


def test_question_mark_after_a_phrase_keeps_the_phrase(searcher):
    with_mark = run(searcher, '"rodziny zastępcze"?')
    assert [h.id for h in with_mark.results] == [
        h.id for h in run(searcher, '"rodziny zastępcze"').results
    ]
    assert with_mark.total >= 1


def test_question_mark_inside_a_word_stays_a_wildcard(searcher):
    assert run(searcher, "rodzin?").total == run(searcher, "rodzin").total
    context = QueryContext(searcher)
    parser = parser_for(context)
    parser.add_plugin(UnderstandingPlugin(context, "zast?pcze szk?ła? rodzin??"))
    query = parser.parse("zast?pcze szk?ła? rodzin??")
    patterns = {q.text for q in query.leaves() if isinstance(q, Wildcard)}
    assert patterns == {"zast?pcze", "szk?ła"}
    assert {q.text for q in query.leaves() if isinstance(q, Term)} >= {"rodzina"}


def test_results_are_typed_hits_that_serialize_as_before(searcher):
    response = run(searcher, "rodziny zastępcze")
    hit = response.results[0]
    assert isinstance(hit, Hit)
    assert hit["title"] == hit.title  # the dict form still reads
    first = response.to_dict()["results"][0]
    assert list(first) == [
        "id",
        "title",
        "title_html",
        "snippet",
        "snippet_source",
        "score",
        *RESULT_FIELDS,
        "attachments",
    ]
    assert json.loads(json.dumps(response.to_dict()))["results"][0] == first


def test_request_notes_come_first_in_the_answer(searcher):
    request, notes = clean_request("rodziny", page="abc")
    assert notes and request.notes == tuple(notes)
    response = search(searcher, request)
    assert response.messages[: len(notes)] == notes
