"""The OpenAPI description: generated from the types the API returns, closed, complete."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypedDict

import jsonschema_rs
import pytest

from indexer.errors import SourceError
from indexer.records import FIELD_ORDER
from indexer.update import UpdateSummary
from search_app.engine.search import FacetValue, SearchResponse
from search_app.web import create_app
from search_app.web.jobs import PUBLIC_FIELDS
from search_app.web.openapi import hit_type, nullable, object_schema, openapi_spec, type_schema

SPEC = openapi_spec()
SCHEMAS = SPEC["components"]["schemas"]
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def validator(name: str):
    """A validator of one component schema (JSON Schema 2020-12), $refs resolved in the spec."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **SPEC}
    return jsonschema_rs.validator_for({**schema, "$ref": f"#/components/schemas/{name}"})


def object_schemas(node: Any, where: str = ""):
    if isinstance(node, dict):
        if node.get("type") == "object" or "object" in (node.get("type") or []):
            yield where, node
        for key, value in node.items():
            yield from object_schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from object_schemas(value, f"{where}/{n}")


def test_every_route_of_the_app_is_described():
    app = create_app({"TESTING": True, "ADMIN_TOKEN": "t" * 20})
    described = {(path, method.upper()) for path, item in SPEC["paths"].items() for method in item}
    routes = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }
    assert routes - described == set()
    assert described - routes == set()


def test_every_response_object_schema_is_closed():
    found = list(object_schemas(SPEC["components"])) + list(object_schemas(SPEC["paths"]))
    with_properties = [(where, s) for where, s in found if "properties" in s]
    assert len(with_properties) > 10
    open_ = [where for where, s in with_properties if s.get("additionalProperties") is not False]
    assert open_ == []


def test_the_schemas_follow_the_dataclasses():
    assert list(SCHEMAS["FacetValue"]["properties"]) == [
        f.name for f in dataclasses.fields(FacetValue)
    ]
    assert "parent" in SCHEMAS["FacetValue"]["properties"]
    assert list(SCHEMAS["SearchResponse"]["properties"]) == [
        f.name for f in dataclasses.fields(SearchResponse)
    ]
    assert list(SCHEMAS["ReindexSummary"]["properties"]) == list(UpdateSummary().to_dict())
    assert SCHEMAS["ReindexSummary"]["required"] == list(UpdateSummary().to_dict())
    assert tuple(SCHEMAS["Job"]["properties"]) == PUBLIC_FIELDS
    assert set(SCHEMAS["Practice"]["properties"]) == set(FIELD_ORDER)
    hit = hit_type()
    if hit is not None:
        assert list(SCHEMAS["Result"]["properties"]) == [f.name for f in dataclasses.fields(hit)]


def test_a_real_update_summary_matches_its_schema():
    summary = UpdateSummary(
        added=["b", "a"],
        failed=[SourceError("x.jsonl", "brak tytułu", line=3, field="title")],
        generation="gen-2",
        documents=2,
        recovered_lock_from=123,
    )
    validator("ReindexSummary").validate(summary.to_dict())
    assert not validator("ReindexSummary").is_valid({**summary.to_dict(), "surprise": 1})


def test_a_search_response_matches_its_schema(small_index):
    client = create_app({"TESTING": True, "INDEX_DIR": str(small_index)}).test_client()
    body = client.get("/api/search?q=rodzina&voivodeship=śląskie").get_json()
    validator("SearchResponse").validate(body)
    assert not validator("SearchResponse").is_valid({**body, "pages": 1})


@dataclasses.dataclass
class Inner:
    n: int


class Shape(TypedDict):
    text: str | None
    pair: tuple[int, str]


@dataclasses.dataclass
class Outer:
    name: str
    score: float | None
    tags: tuple[str, ...]
    inner: list[Inner]
    by_name: dict[str, Inner | None]
    anything: Any
    shape: Shape


def test_type_hints_become_json_schema():
    schema = object_schema(Outer, {Inner: "Inner"}, refine={"name": {"minLength": 1}})
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "score", "tags", "inner", "by_name", "anything", "shape"]
    props = schema["properties"]
    assert props["name"] == {"type": "string", "minLength": 1}
    assert props["score"] == {"type": ["number", "null"]}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["inner"] == {"type": "array", "items": {"$ref": "#/components/schemas/Inner"}}
    assert props["by_name"] == {
        "type": "object",
        "additionalProperties": {
            "anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Inner"}]
        },
    }
    assert props["anything"] == {}
    assert props["shape"]["additionalProperties"] is False
    assert props["shape"]["properties"]["pair"]["prefixItems"] == [
        {"type": "integer"},
        {"type": "string"},
    ]
    assert type_schema(Inner) == {
        "type": "object",
        "required": ["n"],
        "additionalProperties": False,
        "properties": {"n": {"type": "integer"}},
    }
    assert nullable({"type": "string", "enum": ["a"]}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }


def test_an_undocumentable_type_is_an_error():
    with pytest.raises(TypeError, match="No JSON Schema"):
        type_schema(complex)
    with pytest.raises(KeyError, match="no fields"):
        object_schema(Inner, refine={"missing": {}})
