"""The field registry (indexer.fields): every practice field declared once, the rest derived."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import MISSING, fields

import pytest

from indexer import fields as registry
from indexer.documents import practice_to_document
from indexer.fields import FIELD_ORDER, FIELDS, check_registry, practice_json_schema
from indexer.records import LIST_FIELDS, OPTIONAL_TEXT_FIELDS, Practice
from indexer.schema import FACETS, TEXT_FIELDS, build_schema
from indexer.sources import DEFAULT_SOURCES, read_sources
from search_app.engine.related import RELATED_FIELDS
from search_app.engine.search import RESULT_FIELDS
from search_app.web.views import RECORD_LABELS
from tests.conftest import ROOT

# The annotation of the Practice attribute for each JSON kind.
ANNOTATIONS = {
    registry.TEXT: "str",
    registry.OPTIONAL_TEXT: "str | None",
    registry.DATE: "str | None",
    registry.TEXTS: "tuple[str, ...]",
    registry.INTEGER: "int | None",
    registry.OBJECT: "dict[str, Any]",
    registry.FILES: "tuple[Attachment, ...]",
    registry.BOOLEAN: "bool",
}


def test_the_registry_is_consistent():
    assert check_registry() == []


def test_the_practice_dataclass_has_the_registry_fields_in_order():
    """Practice is written out by hand (for type checkers): it must repeat the registry.

    A field added to indexer.fields.FIELDS must be added to indexer.records.Practice
    too, at the same position, with the type and default of its kind.
    """
    attributes = fields(Practice)
    assert [a.name for a in attributes] == list(FIELD_ORDER)
    for attribute, field in zip(attributes, FIELDS, strict=True):
        assert attribute.type == ANNOTATIONS[field.kind], field.name
        has_default = attribute.default is not MISSING or attribute.default_factory is not MISSING
        assert has_default != field.required, field.name


def test_the_derived_lists_keep_what_people_and_clients_see():
    """Labels, facets (and their order), boosts and result fields as before the registry."""
    assert FACETS == {
        "category": "Kategoria",
        "subcategory": "Podkategoria",
        "voivodeship": "Województwo",
        "county": "Powiat",
        "unit_type": "Typ jednostki",
        "year": "Rok dodania",
        "population": "Liczba mieszkańców",
        "has_attachments": "Załączniki",
    }
    assert list(FACETS) == list(registry.FACET_LABELS)
    assert registry.TEXT_BOOSTS == {
        "title": 4.0,
        "summary": 2.0,
        "body": 1.0,
        "attachments": 0.5,
        "metadata": 0.7,
    }
    assert TEXT_FIELDS == ("title", "summary", "body", "attachments", "metadata")
    assert RELATED_FIELDS == ("title", "summary", "body")
    assert RESULT_FIELDS == (
        "category",
        "subcategory",
        "town",
        "county",
        "voivodeship",
        "unit_type",
        "date_added",
        "date_updated",
        "sample",
        "population",
    )
    assert registry.SIMILAR_FIELDS == (
        "id",
        "title",
        "category",
        "subcategory",
        "town",
        "voivodeship",
    )
    assert registry.METADATA_FIELDS == (
        "category",
        "subcategory",
        "unit_type",
        "town",
        "county",
        "voivodeship",
        "implementing_unit",
        "street",
        "contacts",
    )
    assert LIST_FIELDS == ("phones", "websites", "emails", "contacts")
    assert OPTIONAL_TEXT_FIELDS == (
        "category",
        "subcategory",
        "unit_type",
        "town",
        "county",
        "voivodeship",
        "postal_code",
        "implementing_unit",
        "street",
        "date_added",
        "date_updated",
        "source",
        "source_url",
    )
    assert list(RECORD_LABELS.items()) == [
        ("unit_type", "Typ jednostki"),
        ("town", "Miejscowość"),
        ("county", "Powiat"),
        ("voivodeship", "Województwo"),
        ("postal_code", "Kod pocztowy"),
        ("implementing_unit", "Jednostka wdrażająca"),
        ("street", "Ulica"),
        ("population", "Liczba mieszkańców"),
        ("date_added", "Data wprowadzenia do BDP"),
        ("date_updated", "Data aktualizacji"),
    ]
    assert registry.CARD_LISTS == {
        "phones": "Telefon",
        "websites": "Witryna internetowa",
        "emails": "Adres e-mail",
        "contacts": "Osoby kontaktowe",
    }


def test_the_schema_holds_the_registry_fields():
    schema = build_schema()
    assert set(schema.names()) == {
        "id",
        "title",
        "summary",
        "body",
        "attachments",
        "metadata",
        "folded",
        "family",
        *FACETS,
        "population_count",
        "town",
        "date_added",
        "date_updated",
        "content_hash",
        "record",
        "files",
        "file_pages",
    }
    for name, boost in registry.TEXT_BOOSTS.items():
        assert schema[name].format.field_boost == boost
    for name in (*FACETS, "date_added", "date_updated"):
        assert schema[name].stored and schema[name].column_type is not None, name
    assert schema["id"].unique


def test_a_document_fills_every_column_of_the_schema():
    report = read_sources([DEFAULT_SOURCES / "bdp"])
    practice = report.practices[0]
    doc = practice_to_document(practice)
    assert doc["record"] == practice.to_dict()
    assert doc["metadata"].splitlines()[:2] == [practice.category, practice.subcategory]
    assert doc["year"] == practice.date_added[:4]
    assert doc["population_count"] == practice.population
    assert set(doc) <= set(build_schema().names())


def test_every_bundled_record_matches_the_json_schema():
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = practice_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["required"] == list(FIELD_ORDER) == list(schema["properties"])
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    report = read_sources([DEFAULT_SOURCES])
    assert report.practices
    for practice in report.practices:
        record = practice.to_dict()
        assert validator.is_valid(record), (practice.id, list(validator.iter_errors(record))[:1])
    record = report.practices[0].to_dict()
    assert not validator.is_valid({**record, "rating": 5})
    assert not validator.is_valid({**record, "date_added": "5 marca 2012"})
    assert not validator.is_valid({**record, "population": -1})
    assert not validator.is_valid({key: v for key, v in record.items() if key != "source"})
    assert not validator.is_valid({**record, "sample": None})
    assert not validator.is_valid({**record, "sample": "tak"})


# Adding a field is one Field in indexer/fields.py plus the same attribute in the
# hand-written Practice dataclass (indexer/records.py). The script makes exactly these
# two edits to the files' text, loads the edited modules in a fresh interpreter, then
# reads JSON Lines, builds an index and serves it, reporting what it sees.
ADD_A_FIELD = r"""
import json, sys, types
from pathlib import Path

import indexer

def load_edited(name, path, anchor, addition):
    source = Path(path).read_text(encoding="utf-8")
    assert source.count(anchor) == 1, (path, anchor)
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source.replace(anchor, addition + anchor), path, "exec"), module.__dict__)
    setattr(indexer, name.rpartition(".")[2], module)
    return module

fields = load_edited(
    "indexer.fields",
    "indexer/fields.py",
    '    Field("source", ',
    '    Field("programme", "Program", OPTIONAL_TEXT, text=METADATA, '
    'facet=Facet("programme", "Program", 9), result=10, card=True),\n',
)
load_edited(
    "indexer.records",
    "indexer/records.py",
    "    source: str | None",
    "    programme: str | None = None\n",
)

from indexer.build import build_index
from indexer.schema import build_schema
from indexer.sources import read_sources
from search_app.web import create_app

tmp = Path(sys.argv[1])
source = tmp / "practices.jsonl"
records = [
    {"id": "z-programem", "title": "Budżet obywatelski", "programme": "Fundusz Sołecki Plus"},
    {"id": "bez-programu", "title": "Budżet obywatelski w mieście"},
]
lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
source.write_text(lines, encoding="utf-8")
report = read_sources([source])
assert not report.errors, report.errors
build_index(report.practices, tmp / "index")
client = create_app({"TESTING": True, "INDEX_DIR": str(tmp / "index")}).test_client()
search = client.get("/api/search", query_string={"q": "sołecki"}).get_json()
browse = client.get("/api/search", query_string={"programme": "Fundusz Sołecki Plus"}).get_json()
print(json.dumps({
    "schema": sorted(build_schema().names()),
    "record": client.get("/api/practices/z-programem").get_json(),
    "other": client.get("/api/practices/bez-programu").get_json(),
    "found": [hit["id"] for hit in search["results"]],
    "result": search["results"][0] if search["results"] else None,
    "facet": browse["facets"].get("programme"),
    "filtered": [hit["id"] for hit in browse["results"]],
    "page": client.get("/praktyka/z-programem").get_data(as_text=True),
    "json_schema": fields.practice_json_schema(),
    "openapi": client.get("/api/openapi.json").get_json(),
}, ensure_ascii=False))
"""


def test_adding_a_field_to_the_registry_reaches_index_api_page_and_json_schema(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", ADD_A_FIELD, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert "programme" in seen["schema"]
    record = seen["record"]
    assert record["programme"] == "Fundusz Sołecki Plus"
    assert list(record)[-5:] == ["programme", "source", "source_url", "sample", "extra"]
    assert seen["other"]["programme"] is None
    # Searched as metric-card text, returned with results, a facet with its values.
    assert seen["found"] == ["z-programem"]
    assert seen["result"]["programme"] == "Fundusz Sołecki Plus"
    assert [(v["value"], v["count"]) for v in seen["facet"]] == [("Fundusz Sołecki Plus", 1)]
    assert seen["filtered"] == ["z-programem"]
    # The metric card shows it under its Polish label.
    assert "<dt>Program</dt>" in seen["page"]
    assert "<dd>Fundusz Sołecki Plus</dd>" in seen["page"]
    schema = seen["json_schema"]
    assert schema["properties"]["programme"] == {
        "type": ["string", "null"],
        "description": "Program",
    }
    assert "programme" in schema["required"]
    assert schema["additionalProperties"] is False
    served = seen["openapi"]["components"]["schemas"]
    assert served["Practice"]["properties"]["programme"] == schema["properties"]["programme"]
    assert "programme" in served["Result"]["properties"]  # a result field too
