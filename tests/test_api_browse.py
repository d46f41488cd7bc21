"""The JSON API behind the search page: facets (several values, disjunctive, nested)
and related practices (suggestions while typing: tests/test_suggest.py)."""

from __future__ import annotations


def facet(data, name):
    return {v["value"]: v for v in data["facets"][name]}


def test_several_values_of_one_facet_with_a_query(bundled_client):
    one = bundled_client.get("/api/search?q=pomoc&voivodeship=opolskie").get_json()
    two = bundled_client.get(
        "/api/search?q=pomoc&voivodeship=opolskie&voivodeship=wielkopolskie"
    ).get_json()
    assert 0 < one["total"] < two["total"]
    assert {hit["voivodeship"] for hit in two["results"]} == {"opolskie", "wielkopolskie"}
    # Counts of the chosen facet ignore its own selection: both show what they add.
    counts = facet(two, "voivodeship")
    assert counts["opolskie"]["selected"] and counts["wielkopolskie"]["selected"]
    assert counts["opolskie"]["count"] + counts["wielkopolskie"]["count"] == two["total"]
    assert counts["łódzkie"]["count"] > 0 and not counts["łódzkie"]["selected"]
    # Other facets are counted within the selection.
    assert sum(v["count"] for v in two["facets"]["category"]) == two["total"]


def test_disjunctive_counts_match_the_searches_they_lead_to(bundled_client):
    data = bundled_client.get("/api/search?unit_type=powiat&year=2010").get_json()
    for value, entry in facet(data, "year").items():
        if value == "2010":
            continue
        both = bundled_client.get(
            "/api/search", query_string={"unit_type": "powiat", "year": ["2010", value]}
        ).get_json()
        assert both["total"] == data["total"] + entry["count"]


def test_child_facet_values_name_their_parent(bundled_client):
    data = bundled_client.get("/api/search?category=Usługi+społeczne").get_json()
    subcategories = facet(data, "subcategory")
    assert "Kultura" in subcategories
    assert {v["parent"] for v in subcategories.values()} == {"Usługi społeczne"}
    counties = bundled_client.get("/api/search?voivodeship=opolskie").get_json()
    assert {v["parent"] for v in counties["facets"]["county"]} == {"opolskie"}
    assert all(v["parent"] is None for v in data["facets"]["category"])


def test_similar_practices(bundled_client):
    data = bundled_client.get("/api/practices/000_3b014753ec2e4c31/similar").get_json()
    ids = [p["id"] for p in data["results"]]
    assert ids[0] == "001_8428a99dc5593c9b"  # the other foster-family practice
    assert "000_3b014753ec2e4c31" not in ids
    missing = bundled_client.get("/api/practices/nie-ma/similar")
    assert missing.status_code == 404 and "error" in missing.get_json()


def test_a_filter_value_typed_loosely_is_read_as_the_value_it_names(bundled_client):
    exact = bundled_client.get("/api/search?voivodeship=śląskie").get_json()
    for typed in ("slaskie", "Śląsk", "SLASKIE"):
        data = bundled_client.get(f"/api/search?voivodeship={typed}").get_json()
        assert data["total"] == exact["total"] > 0
        assert any("odczytano jako „śląskie”" in m for m in data["messages"])
    unknown = bundled_client.get("/api/search?voivodeship=atlantyda").get_json()
    assert unknown["total"] == 0
    assert any("nie ma wartości „atlantyda”" in m for m in unknown["messages"])
