"""The JSON API: search, practices, health, one error shape."""

from __future__ import annotations

import pytest

from indexer.schema import FACETS


def test_search_response_shape(client):
    data = client.get("/api/search?q=rodzina").get_json()
    assert {"query", "total", "page", "per_page", "results", "facets", "suggestion"} <= set(data)
    assert set(data["facets"]) == set(FACETS)
    hit = data["results"][0]
    for key in (
        "id",
        "title",
        "snippet",
        "score",
        "category",
        "subcategory",
        "town",
        "county",
        "voivodeship",
        "unit_type",
        "date_added",
        "date_updated",
    ):
        assert key in hit
    assert {"value", "count", "selected"} <= set(data["facets"]["voivodeship"][0])


def test_repeated_facet_parameters_are_ored(client):
    data = client.get("/api/search?voivodeship=śląskie&voivodeship=łódzkie").get_json()
    assert data["total"] == 3


def test_practice_record(client):
    data = client.get("/api/practices/000_3b014753ec2e4c31").get_json()
    assert data["population"] == 60444
    assert data["county"] == "żorski"
    assert len(data["phones"]) == 2
    assert data["date_added"] == "2012-06-04"
    lodz = client.get("/api/practices/001_8428a99dc5593c9b").get_json()
    assert lodz["county"] is None and len(lodz["websites"]) == 2 and lodz["population"] == 781932


@pytest.mark.parametrize("url", ["/api/practices/nie-ma", "/api/nie-ma"])
def test_errors_share_one_json_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == 404
    assert body["error"]["message"]


@pytest.mark.parametrize(
    "query",
    ['"niedomknięty cudzysłów', "title:(", "AND OR NOT", "*", "((((", "a" * 5000, "\x00\x07"],
)
def test_odd_queries_never_fail(client, query):
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 200
    assert "results" in response.get_json()


def test_health(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["documents"] == 6


def test_missing_index_is_503_with_instructions(tmp_path):
    from search_app.web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()
    for url in ("/healthz", "/api/search?q=x"):
        response = client.get(url)
        assert response.status_code == 503
        assert set(response.get_json()) == {"error"}
        assert "bdp index build" in response.get_json()["error"]["message"]
