"""The OpenAPI 3 description of the JSON API, served at ``/api/openapi.json``.

The response schemas are generated from the types the API serialises — the
engine's dataclasses (:class:`SearchResponse`, :class:`FacetValue`, the hit
type), :class:`UpdateSummary`, the job shape (:class:`jobs.PublicJob`) and the
canonical practice record — by :func:`type_schema`, so a field added there is
documented here; the limits (facets, sorts, page sizes) come from the same
constants the API uses. Every object schema with properties is closed
(``additionalProperties: false``), and ``tests/test_fuzz_api.py`` runs
schemathesis against the spec, which checks every response against it.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from pathlib import PurePath
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

from indexer.records import Practice
from indexer.schema import FACETS
from indexer.status import IndexStatus
from indexer.update import UpdateSummary
from search_app.analytics import Report
from search_app.analytics.reports import DEFAULT_LIMIT, MAX_LIMIT
from search_app.analytics.settings import MAX_DAYS
from search_app.engine import search as engine
from search_app.engine.attachments import HitFile, SnippetSource
from search_app.engine.search import (
    MATCH_MODES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    RESULT_FIELDS,
    SORTS,
    FacetValue,
    SearchResponse,
)
from search_app.web.admin import DEFAULT_DAYS, AdminStatus
from search_app.web.analytics import CLICK_PARAM
from search_app.web.downloads import KIND_TYPES, PublicFile
from search_app.web.feeds import CSV_MAX_ROWS, CSV_TYPE, FEED_ENTRIES, FEED_TYPE
from search_app.web.jobs import JOB_ID, KEEP_JOBS, MODES, STATUSES, PublicJob

SCHEMAS = "#/components/schemas/"
NULLABLE_TEXT = {"type": ["string", "null"]}

# --- Type hints -> JSON Schema ----------------------------------------------------------

SIMPLE_TYPES: dict[Any, dict] = {
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
    type(None): {"type": "null"},
    None: {"type": "null"},
    Any: {},
}
SEQUENCES = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Iterable)
MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def ref(name: str) -> dict:
    return {"$ref": SCHEMAS + name}


def nullable(schema: dict) -> dict:
    """``schema`` or null."""
    kind = schema.get("type")
    if isinstance(kind, str) and "$ref" not in schema:
        out = {**schema, "type": [kind, "null"]}
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    return {"anyOf": [{"type": "null"}, schema]}


def type_schema(hint: Any, refs: typing.Mapping[Any, str] | None = None) -> dict:
    """The JSON Schema of a type hint: str/int/float/bool/None/Any, ``X | None`` (nullable),
    lists and tuples (arrays), dicts (objects of values), Literal (enum), dataclasses and
    TypedDicts (closed objects, or a ``$ref`` when named in ``refs``)."""
    refs = refs or {}
    if hint in refs:
        return ref(refs[hint])
    if hint in SIMPLE_TYPES:
        return dict(SIMPLE_TYPES[hint])
    if isinstance(hint, type) and issubclass(hint, PurePath):
        return {"type": "string"}
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        options = [type_schema(a, refs) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"anyOf": options}
        return nullable(schema) if type(None) in args else schema
    if origin is Literal:
        return {"enum": list(args)}
    if origin is tuple and args and args[-1] is not Ellipsis:
        items = [type_schema(a, refs) for a in args]
        return {
            "type": "array",
            "prefixItems": items,
            "minItems": len(items),
            "maxItems": len(items),
        }
    if origin in SEQUENCES or hint in SEQUENCES:
        return {"type": "array", "items": type_schema(args[0] if args else Any, refs)}
    if origin in MAPPINGS or hint in MAPPINGS:
        return {
            "type": "object",
            "additionalProperties": type_schema(args[1] if args else Any, refs),
        }
    if dataclasses.is_dataclass(hint) or is_typeddict(hint):
        return object_schema(hint, refs)
    raise TypeError(f"No JSON Schema for the type {hint!r}")


def object_schema(
    cls: type,
    refs: typing.Mapping[Any, str] | None = None,
    *,
    override: typing.Mapping[str, dict] | None = None,
    refine: typing.Mapping[str, dict] | None = None,
    description: str | None = None,
) -> dict:
    """A closed object schema from a dataclass's fields or a TypedDict's keys.

    ``override`` replaces a field's generated schema; ``refine`` adds keywords
    (limits, enums, descriptions) to it. Every field is required: ``asdict`` and
    the job files always write every key.
    """
    hints = get_type_hints(cls)
    if dataclasses.is_dataclass(cls):
        names = [f.name for f in dataclasses.fields(cls)]
    else:
        names = list(hints)
    unknown = set(override or {}).union(refine or {}) - set(names)
    if unknown:
        raise KeyError(f"{cls.__name__} has no fields {sorted(unknown)}")
    properties = {}
    for name in names:
        schema = (override or {}).get(name) or type_schema(hints[name], refs)
        properties[name] = {**schema, **(refine or {}).get(name, {})}
    schema = {"type": "object"}
    if description:
        schema["description"] = description
    return {**schema, "required": names, "additionalProperties": False, "properties": properties}


def closed(schema: Any) -> Any:
    """``schema`` with ``additionalProperties: false`` on every object that lists properties
    and says nothing of others (for schemas this module does not generate)."""
    if isinstance(schema, dict):
        out = {key: closed(value) for key, value in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [closed(value) for value in schema]
    return schema


# --- The response schemas ---------------------------------------------------------------

ERROR = {
    "type": "object",
    "description": "Jeden kształt każdego błędu API.",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "additionalProperties": False,
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string", "minLength": 1},
                # Only a refused thesaurus (PUT /api/admin/synonyms, 422): its problems.
                "problems": {"type": "array", "items": ref("ThesaurusProblem")},
            },
        }
    },
}

# The engine's hits, while they are plain dicts (``search._result``); a ``Hit`` dataclass,
# when ``SearchResponse.results`` is typed with one, is documented from its fields instead.
RESULT_DICT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "title_html", "snippet", "score", *RESULT_FIELDS],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "title_html": {"type": "string"},
        "snippet": {"type": "string"},
        "score": {"type": ["number", "null"]},
        **{name: NULLABLE_TEXT for name in RESULT_FIELDS},
    },
}
RESULT_DESCRIPTIONS = {
    "title_html": {"description": "Tytuł (HTML, zaznaczenia w <mark>)."},
    "snippet": {"description": "Fragment (HTML, zaznaczenia w <mark>)."},
    "snippet_source": {
        "description": "Skąd pochodzi fragment, gdy z załącznika (tytuł, numer `n`, strona"
        " PDF lub null); null, gdy z opisu praktyki."
    },
    "attachments": {"description": "Załączniki praktyki w kolejności rekordu."},
}
DOWNLOAD = "/praktyka/{practice_id}/zalaczniki/{n}"
# The attachment types of a hit, documented apart: the hit is generated from its dataclass.
RESULT_REFS = {HitFile: "ResultAttachment", SnippetSource: "SnippetSource"}
KIND_DESCRIPTION = (
    "Rodzaj odczytanego pliku (pdf, docx, odt, rtf, doc, txt); null, gdy tekstu nie odczytano."
)
URL_DESCRIPTION = (
    f"Adres pobrania ({DOWNLOAD}); 404, gdy pliku nie ma albo zmienił się od indeksowania."
)
FILE_REFINE: dict[str, dict[str, Any]] = {
    "n": {"minimum": 0, "description": "Numer załącznika (od 0) w adresie pobrania."},
    "title": {"description": "Nazwa pliku pokazywana czytelnikom."},
    "kind": {"description": KIND_DESCRIPTION},
    "size": {"minimum": 0, "description": "Rozmiar w bajtach."},
    "pages": {"minimum": 0, "description": "Liczba stron (PDF); null dla innych formatów."},
    "ocr": {"description": "true: skan, tekst rozpoznany OCR."},
}


def hit_type() -> type | None:
    """The dataclass of one search result, if the engine has one."""
    (item,) = get_args(get_type_hints(SearchResponse)["results"]) or (None,)
    if isinstance(item, type) and dataclasses.is_dataclass(item):
        return item
    hit = getattr(engine, "Hit", None)
    return hit if isinstance(hit, type) and dataclasses.is_dataclass(hit) else None


def result_schema() -> dict:
    hit = hit_type()
    if hit is None:
        schema: dict[str, Any] = dict(RESULT_DICT)
    else:
        names = {f.name for f in dataclasses.fields(hit)}
        refine = {k: v for k, v in RESULT_DESCRIPTIONS.items() if k in names}
        schema = object_schema(hit, RESULT_REFS, refine=refine)
        # Fields the hit types as Any are practice fields: typed as in the record.
        record = practice_schema()["properties"]
        for name, value in schema["properties"].items():
            if value == {} and name in record:
                schema["properties"][name] = record[name]
    properties = {
        name: {**value, **RESULT_DESCRIPTIONS.get(name, {})}
        for name, value in schema["properties"].items()
    }
    return {**schema, "properties": properties}


def result_attachment_schema() -> dict:
    """A hit's attachment: its public metadata, and the download URL the API adds."""
    schema = object_schema(
        HitFile,
        refine=FILE_REFINE,
        description="Załącznik wyniku (bez położenia pliku na dysku).",
    )
    schema["properties"]["url"] = {"type": "string", "description": URL_DESCRIPTION}
    schema["required"] = [*schema["required"], "url"]
    return schema


def snippet_source_schema() -> dict:
    return object_schema(
        SnippetSource,
        refine={
            "attachment": {"description": "Tytuł załącznika, z którego pochodzi fragment."},
            "n": {"minimum": 0, "description": "Numer załącznika (jak w `attachments`)."},
            "page": {"minimum": 1, "description": "Strona PDF; null dla innych formatów."},
        },
    )


def practice_file_schema() -> dict:
    return object_schema(
        PublicFile,
        refine={
            **FILE_REFINE,
            "sha256": {
                "pattern": "^[0-9a-f]{64}$",
                "description": "SHA-256 zaindeksowanego pliku; null, gdy go nie znaleziono.",
            },
            "text_indexed": {"description": "true: tekst pliku jest przeszukiwany."},
            "problem": {"description": "Dlaczego tekstu nie odczytano (po polsku) albo null."},
            "url": {
                "description": f"{URL_DESCRIPTION} null: pliku nie znaleziono podczas indeksowania."
            },
        },
        description="Załącznik praktyki, jak go zaindeksowano.",
    )


def practice_detail_schema() -> dict:
    """The canonical record with ``files`` after ``attachments``, as /api/practices/<id>
    returns it; the record's own schema (``Practice``) stays that of ``bdp export``."""
    record = practice_schema()
    files = {
        "type": "array",
        "items": ref("PracticeFile"),
        "description": "Załączniki praktyki, jak je zaindeksowano, z adresami pobrania"
        " (w kolejności `attachments`).",
    }
    properties: dict[str, Any] = {}
    for name, value in record["properties"].items():
        properties[name] = value
        if name == "attachments":
            properties["files"] = files
    properties.setdefault("files", files)
    return {
        **record,
        "description": "Praktyka w formacie kanonicznym (jak w `bdp export`) oraz `files`:"
        " jej załączniki, jak je zaindeksowano.",
        "required": list(properties),
        "properties": properties,
    }


def search_response_schema() -> dict:
    facet_values = {"type": "array", "items": ref("FacetValue")}
    results = {"type": "array", "items": ref("Result"), "maxItems": MAX_PER_PAGE}
    return object_schema(
        SearchResponse,
        override={
            "results": results,
            "facets": {
                "type": "object",
                "required": list(FACETS),
                "additionalProperties": False,
                "properties": {name: facet_values for name in FACETS},
            },
        },
        refine={
            "query": {"maxLength": MAX_QUERY_LENGTH},
            "total": {"minimum": 0},
            "page": {"minimum": 1, "maximum": MAX_PAGE},
            "per_page": {"minimum": 1, "maximum": MAX_PER_PAGE},
            "sort": {"enum": list(SORTS)},
            "suggestion": {
                "description": "Zapytanie z poprawionymi literówkami; `corrected` mówi, czy"
                " wyniki są dla niego (przy correct=0 jest tylko podpowiedzią)."
            },
            "relaxed": {
                "description": "Słowa zapytania, których wyniki nie muszą zawierać: żadna"
                " praktyka nie zawierała wszystkich (match=auto)."
            },
            "unknown": {
                "description": "Słowa zapytania nieznane w indeksie w żadnej formie (żadna"
                " praktyka ich nie zawiera); bez słów funkcyjnych, fraz i słów wykluczonych."
            },
            "messages": {
                "description": "Polskie uwagi o tym, co poprawiono w żądaniu lub zapytaniu."
            },
        },
    )


def facet_value_schema() -> dict:
    return object_schema(
        FacetValue,
        refine={
            "count": {"minimum": 0},
            "parent": {"description": "Wartość fasety nadrzędnej (kategoria, województwo)."},
        },
    )


def practice_schema() -> dict:
    """The canonical record: ``indexer.fields.practice_json_schema()`` when it exists,
    else generated from :class:`indexer.records.Practice`."""
    try:
        from indexer.fields import practice_json_schema
    except ModuleNotFoundError as exc:
        if exc.name != "indexer.fields":
            raise
        return object_schema(
            Practice,
            refine={"id": {"minLength": 1}, "population": {"minimum": 0}},
            description="Praktyka w formacie kanonicznym (jak `bdp export`).",
        )
    schema = {k: v for k, v in practice_json_schema().items() if k not in ("$schema", "$id")}
    return closed(schema)


# ``UpdateSummary.to_dict()`` keys that are not a field or a property of the same type.
SOURCE_ERROR = {
    "type": "object",
    "required": ["path", "line", "field", "message"],
    "additionalProperties": False,
    "properties": {
        "path": {"type": "string"},
        "line": {"type": ["integer", "null"]},
        "field": NULLABLE_TEXT,
        "message": {"type": "string"},
    },
}


def reindex_summary_schema() -> dict:
    """The keys of ``UpdateSummary().to_dict()``, typed by the field or property of that name."""
    sample = UpdateSummary().to_dict()
    hints = get_type_hints(UpdateSummary)
    counts = {
        "type": "object",
        "required": list(sample["counts"]),
        "additionalProperties": False,
        "properties": {name: {"type": "integer", "minimum": 0} for name in sample["counts"]},
    }
    overrides: dict[str, dict[str, Any]] = {
        "counts": counts,
        "failed": {"type": "array", "items": SOURCE_ERROR},
        "attachment_problems": {"type": "array", "items": SOURCE_ERROR},
    }
    refine: dict[str, dict[str, Any]] = {
        "documents": {"minimum": 0},
        "published": {
            "description": "false: błędne źródła bez allow_errors, nic nie opublikowano."
        },
    }
    properties: dict[str, dict[str, Any]] = {}
    for key in sample:
        attribute = getattr(UpdateSummary, key, None)
        if key in overrides:
            schema = overrides[key]
        elif key in hints:
            schema = type_schema(hints[key])
        elif isinstance(attribute, property):
            schema = type_schema(get_type_hints(attribute.fget)["return"])
        else:
            raise TypeError(f"UpdateSummary.to_dict() key {key!r} has no type to document")
        properties[key] = {**schema, **refine.get(key, {})}
    return {
        "type": "object",
        "description": "Podsumowanie jak z `bdp index update --json`.",
        "required": list(sample),
        "additionalProperties": False,
        "properties": properties,
    }


def job_schema() -> dict:
    return object_schema(
        PublicJob,
        override={"summary": nullable(ref("ReindexSummary"))},
        refine={
            "id": {"pattern": JOB_ID.pattern},
            "status": {"enum": list(STATUSES)},
            "mode": {
                "enum": list(MODES),
                "description": "update: tylko zmienione praktyki; rebuild: cały indeks od nowa.",
            },
            "pid": {"minimum": 0},
            "progress": {
                "description": "Zapisane praktyki / wszystkie do zapisania (null przed planem)."
            },
        },
        description=(
            "Zadanie odświeżenia indeksu. done: opublikowano (ewentualnie bez błędnych źródeł, "
            "gdy allow_errors); failed: nic nie opublikowano, powód w message; interrupted: "
            "proces zadania zakończył się przed końcem pracy."
        ),
    )


# --- The editors' status and search report (search_app/web/admin.py) -------------------


def index_status_schema() -> dict:
    return object_schema(
        IndexStatus,
        refine={
            "generation": {"description": "Nazwa działającej generacji indeksu."},
            "published": {
                "format": "date-time",
                "description": "Kiedy ją opublikowano (czas zmiany pliku CURRENT, UTC).",
            },
            "documents": {"minimum": 0, "description": "Liczba praktyk w indeksie."},
            "problem": {"description": "Dlaczego indeksu nie da się odczytać (po polsku)."},
        },
        description="Działający indeks.",
    )


def admin_status_schema() -> dict:
    return object_schema(
        AdminStatus,
        {IndexStatus: "IndexStatus", PublicJob: "Job"},
        override={"failed_sources": nullable({"type": "array", "items": SOURCE_ERROR})},
        refine={
            "last_update": {
                "description": "Ostatnie zakończone zadanie odświeżania (z podsumowaniem) albo"
                " null. Zmian z wiersza poleceń (bdp index …) tu nie widać."
            },
            "failed_sources": {
                "description": "Błędne źródła ostatniego zadania: plik, wiersz, pole, opis;"
                " null, gdy nie ma podsumowania."
            },
            "running": {"description": "Zadanie trwające teraz (postęp w `progress`) albo null."},
        },
        description="Stan indeksu i jego odświeżania.",
    )


def analytics_report_schema() -> dict:
    """``build_report(...).to_dict()``: the Report's fields, times as ISO strings, and the
    click-through rate (a property ``to_dict`` adds)."""
    moment = {"type": "string", "format": "date-time"}
    schema = object_schema(
        Report,
        override={"since": moment, "until": moment},
        refine={
            "days": {"minimum": 1, "maximum": MAX_DAYS},
            "exists": {"description": "false: dziennika jeszcze nie ma (raport jest pusty)."},
            "zero_result_queries": {
                "description": "Zapytania bez wyników; `correction`: ostatnia poprawka"
                " literówek, pod którą je wyszukano."
            },
            "unknown_words": {"description": "Słowa zapytań nieznane w indeksie."},
            "daily": {"description": "Każdy dzień okresu (UTC), także bez wyszukiwań."},
        },
        description=(
            "Raport dziennika wyszukiwań za ostatnie `days` dni (jak `bdp analytics --json`)."
        ),
    )
    schema["properties"]["click_through_rate"] = {
        "type": "number",
        "minimum": 0,
        "maximum": 1,
        "description": "Udział wyszukiwań z co najmniej jednym kliknięciem wyniku.",
    }
    schema["required"] = [*schema["required"], "click_through_rate"]
    return schema


JOB_RESPONSE = {
    "type": "object",
    "required": ["job"],
    "additionalProperties": False,
    "properties": {"job": ref("Job")},
}

# The suggestions and similar practices are dicts built in search_app/engine/suggest.py and
# related.py (no dataclass to generate from); the fuzz test checks them against these.
LINKED_PRACTICE = {
    "type": "object",
    "required": ["id", "title", "url"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string"},
    },
}
SIMILAR_PRACTICE = {
    "type": "object",
    "required": ["id", "title", "category", "subcategory", "town", "voivodeship", "url"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        **{name: NULLABLE_TEXT for name in ("category", "subcategory", "town", "voivodeship")},
        "url": {"type": "string"},
    },
}

SUGGESTIONS = {
    "type": "object",
    "required": ["query", "titles", "terms"],
    "additionalProperties": False,
    "properties": {
        "query": {"type": "string"},
        "titles": {"type": "array", "items": LINKED_PRACTICE},
        "terms": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["term", "query"],
                "additionalProperties": False,
                "properties": {"term": {"type": "string"}, "query": {"type": "string"}},
            },
        },
    },
}

SIMILAR = {
    "type": "object",
    "required": ["id", "results"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "results": {"type": "array", "items": SIMILAR_PRACTICE},
    },
}

COUNT = {"type": "integer", "minimum": 0}
CACHE_FIGURES = {
    "type": "object",
    "description": "Pamięć podręczna odpowiedzi tego procesu roboczego (każdy ma własną).",
    "required": [
        "enabled",
        "hits",
        "misses",
        "not_modified",
        "stored",
        "evicted",
        "cleared",
        "entries",
        "bytes",
        "max_entries",
        "max_bytes",
    ],
    "additionalProperties": False,
    "properties": {
        "enabled": {"type": "boolean"},
        "hits": COUNT,
        "misses": COUNT,
        "not_modified": COUNT,
        "stored": COUNT,
        "evicted": COUNT,
        "cleared": COUNT,
        "entries": COUNT,
        "bytes": COUNT,
        "max_entries": COUNT,
        "max_bytes": COUNT,
    },
}
HEALTH = {
    "type": "object",
    "required": ["status", "documents", "generation", "cache"],
    "additionalProperties": False,
    "properties": {
        "status": {"type": "string", "enum": ["ok"]},
        "documents": {"type": "integer", "minimum": 0},
        "generation": NULLABLE_TEXT,
        "cache": CACHE_FIGURES,
    },
}


PRACTICE_ID = {
    "name": "practice_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1},
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _file(description: str) -> dict:
    binary = {"schema": {"type": "string", "format": "binary"}}
    types = dict.fromkeys(sorted({*KIND_TYPES.values(), "application/octet-stream"}), binary)
    return {"description": description, "content": types}


def _error(description: str) -> dict:
    return _json(ref("Error"), description)


def _json_with_location(schema: dict, description: str) -> dict:
    response = _json(schema, description)
    response["headers"] = {
        "Location": {"description": "Adres stanu zadania.", "schema": {"type": "string"}}
    }
    return response


def _error_with_location(description: str) -> dict:
    return _json_with_location(ref("Error"), description)


def _flag_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"1/true/tak: {description}",
        "schema": {"type": "string"},
    }


def _int_param(name: str, default: int, maximum: int, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "integer", "default": default, "minimum": 1, "maximum": maximum},
    }


def _facet_param(name: str, label: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"Filtr: {label}. Powtarzalny; kilka wartości łączy się przez LUB.",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string"}},
    }


def search_parameters() -> list[dict]:
    """The query parameters of /api/search and of the search page /."""
    return [
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": (
                "Zapytanie. Wyniki zawierają wszystkie istotne słowa (w dowolnej formie, także"
                " bez polskich znaków, lub ich synonimy). Składnia: „fraza w cudzysłowie”,"
                " AND/I, OR/LUB, NOT/BEZ, -słowo (wyklucza), +słowo (zawsze wymagane),"
                " nawiasy, pole:wartość (np. województwo:śląskie, tytuł:biblioteka),"
                f" wzorce „rodzin*”. Dłuższe niż {MAX_QUERY_LENGTH} znaków jest skracane."
            ),
            "schema": {"type": "string"},
        },
        {
            "name": "match",
            "in": "query",
            "required": False,
            "description": (
                "Które słowa zapytania muszą wystąpić: auto (domyślnie) — wszystkie istotne,"
                " a gdy ma je mniej niż 10 praktyk (i słów jest co najmniej 3), wystarczy"
                " część z nich, nie mniej niż 2 (lista w `relaxed`, uwaga w `messages`);"
                " all — wszystkie; any — dowolne z nich. Nieznana wartość: auto (z uwagą)."
            ),
            "schema": {"type": "string", "enum": list(MATCH_MODES), "default": "auto"},
        },
        {
            "name": "correct",
            "in": "query",
            "required": False,
            "description": (
                "1 (domyślnie): słowa z literówkami są wyszukiwane po poprawieniu"
                " (`suggestion`, `corrected` = true); 0: wyszukiwane tak, jak je wpisano,"
                " a poprawka jest tylko podpowiadana."
            ),
            "schema": {"type": "string", "enum": ["0", "1"], "default": "1"},
        },
        _int_param("page", 1, MAX_PAGE, "Numer strony."),
        _int_param("per_page", 10, MAX_PER_PAGE, "Liczba wyników na stronie."),
        {
            "name": "sort",
            "in": "query",
            "required": False,
            "description": "Porządek; nieznany zastępuje trafność (z uwagą).",
            "schema": {"type": "string", "enum": list(SORTS)},
        },
        *(_facet_param(name, label) for name, label in FACETS.items()),
    ]


# --- A search's feed and export (search_app/web/feeds.py) -------------------------------


def feed_paths() -> dict[str, Any]:
    """``/feed.atom`` and ``/api/search.csv``: the search's parameters, other content types."""

    def parameters(*ignored: str) -> list[dict]:
        return [p for p in search_parameters() if p["name"] not in ignored]

    text = {"schema": {"type": "string"}}
    retry_after = {
        "Retry-After": {"description": "Po ilu sekundach ponowić.", "schema": {"type": "integer"}}
    }
    not_in_full = (
        "Brak indeksu albo wyszukiwania nie dało się wykonać w całości (zbyt wiele długich"
        " zapytań naraz, przekroczony czas): nagłówek Retry-After."
    )
    return {
        "/feed.atom": {
            "get": {
                "operationId": "searchFeed",
                "summary": "Kanał Atom wyszukiwania: najnowsze pasujące praktyki",
                "description": (
                    f"Parametry jak strony wyszukiwania (bez page, per_page i sort): najwyżej"
                    f" {FEED_ENTRIES} praktyk, od ostatnio dodanych. Identyfikator wpisu to"
                    " adres strony praktyki. Wartości spoza zakresu są poprawiane jak na"
                    " stronie (uwagi w podtytule kanału). Nie trafia do dziennika wyszukiwań."
                    " Błędy jako strona HTML."
                ),
                "parameters": parameters("page", "per_page", "sort"),
                "responses": {
                    "200": {
                        "description": "Kanał Atom 1.0 (nagłówek ETag).",
                        "content": {FEED_TYPE: text},
                    },
                    "304": {"description": "Kanał się nie zmienił (If-None-Match)."},
                    "400": _html("Żądanie, którego nie da się odczytać."),
                    "503": {**_html(not_in_full), "headers": retry_after},
                },
            }
        },
        "/api/search.csv": {
            "get": {
                "operationId": "searchCsv",
                "summary": "Wszystkie wyniki wyszukiwania jako CSV",
                "description": (
                    "Parametry jak /api/search (page i per_page nie mają znaczenia): każda"
                    " pasująca praktyka w kolejności `sort`, jeden wiersz z polami metryki,"
                    " adresem praktyki i informacją o załącznikach. UTF-8 z BOM, średnik"
                    " między komórkami, każda komórka w cudzysłowie, listy łączone „; ”;"
                    " komórka zaczynająca się od =, +, -, @ (też tabulatora, powrotu karetki)"
                    f" dostaje na początku apostrof. Najwyżej {CSV_MAX_ROWS} wierszy;"
                    " X-Total-Count: liczba pasujących praktyk. Nie trafia do dziennika"
                    " wyszukiwań."
                ),
                "parameters": parameters("page", "per_page"),
                "responses": {
                    "200": {
                        "description": "Plik CSV (Content-Disposition: attachment, filename*).",
                        "headers": {
                            "Content-Disposition": {
                                "description": "Nazwa pliku (RFC 6266, filename* w UTF-8).",
                                "schema": {"type": "string"},
                            },
                            "X-Total-Count": {
                                "description": "Liczba praktyk pasujących do wyszukiwania.",
                                "schema": {"type": "integer", "minimum": 0},
                            },
                        },
                        "content": {CSV_TYPE: text},
                    },
                    "400": _error("Żądanie, którego nie da się odczytać."),
                    "503": {**_error(not_in_full), "headers": retry_after},
                },
            }
        },
    }


# --- The editors' thesaurus (search_app/web/admin_synonyms.py) -------------------------

THESAURUS_PROBLEM = {
    "type": "object",
    "required": ["line", "message"],
    "additionalProperties": False,
    "properties": {
        "line": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "Numer wiersza (od 1); null: problem całego tekstu.",
        },
        "message": {"type": "string", "minLength": 1},
    },
}
PREVIEW_SIDE = {
    "type": "object",
    "required": ["total", "results"],
    "additionalProperties": False,
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title"],
                "additionalProperties": False,
                "properties": {"id": {"type": "string"}, "title": {"type": "string"}},
            },
        },
    },
}
PREVIEW_FILTER = {
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
}
THESAURUS_SCHEMAS: dict[str, dict[str, Any]] = {
    "ThesaurusProblem": THESAURUS_PROBLEM,
    "Thesaurus": {
        "type": "object",
        "required": ["text", "groups", "etag"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "description": "Cały plik słownika."},
            "groups": {"type": "integer", "minimum": 0, "description": "Liczba grup."},
            "etag": {"type": "string", "description": "SHA-256 pliku (do If-Match)."},
        },
    },
    "ThesaurusUpdate": {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {"text": {"type": "string", "description": "Nowy tekst całego pliku."}},
    },
    "ThesaurusSaved": {
        "type": "object",
        "required": ["groups", "etag", "previous", "changed"],
        "additionalProperties": False,
        "properties": {
            "groups": {"type": "integer", "minimum": 0},
            "etag": {"type": "string"},
            "previous": {
                "type": ["string", "null"],
                "description": "Kopia poprzedniej wersji (względem katalogu słownika, np."
                " synonimy.wersje/synonimy-20260101T120000000000Z.txt); null, gdy nic nie"
                " zapisano albo pliku nie było.",
            },
            "changed": {"type": "boolean", "description": "false: tekst był już w pliku."},
        },
    },
    "ThesaurusPreviewRequest": {
        "type": "object",
        "required": ["text", "q"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "description": "Proponowany tekst słownika."},
            "q": {"type": "string", "minLength": 1, "description": "Zapytanie do porównania."},
            "filters": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: PREVIEW_FILTER for name in FACETS},
            },
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
    },
    "ThesaurusPreviewSide": PREVIEW_SIDE,
    "ThesaurusPreview": {
        "type": "object",
        "required": ["query", "current", "proposed", "problems"],
        "additionalProperties": False,
        "properties": {
            "query": {"type": "string"},
            "current": ref("ThesaurusPreviewSide"),
            "proposed": ref("ThesaurusPreviewSide"),
            "problems": {"type": "array", "items": ref("ThesaurusProblem")},
        },
    },
}


def thesaurus_paths() -> dict[str, Any]:
    """``/api/admin/synonyms`` (GET, PUT) and ``/api/admin/synonyms/preview`` (POST)."""
    etag = {"ETag": {"description": "SHA-256 pliku słownika.", "schema": {"type": "string"}}}
    common = {
        "401": _error("Brak poprawnego tokenu."),
        "404": _error("Serwer bez tokenu redakcji: funkcja wyłączona."),
        "429": _error("Zbyt wiele żądań (nagłówek Retry-After)."),
    }
    bad_body = _error("Treść nie jest obiektem JSON o opisanych polach.")
    return {
        "/api/admin/synonyms": {
            "get": {
                "operationId": "thesaurus",
                "summary": "Słownik synonimów do edycji (redakcja)",
                "security": [{"bearer": []}],
                "responses": {
                    "200": {**_json(ref("Thesaurus"), "Plik słownika."), "headers": etag},
                    **common,
                },
            },
            "put": {
                "operationId": "saveThesaurus",
                "summary": "Zapis słownika synonimów (redakcja)",
                "description": (
                    "Sprawdza tekst (błędy z numerami wierszy: 422, nic nie zapisano), zapisuje"
                    " plik atomowo, poprzednią wersję zachowuje w katalogu synonimy.wersje"
                    " (10 ostatnich). Wyszukiwarka używa nowych grup bez ponownego"
                    " uruchamiania. Wymaga If-Match z ETagiem z GET (albo *)."
                ),
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "If-Match",
                        "in": "header",
                        # Needed (428 without it), but 428 is the answer, not a 400.
                        "required": False,
                        "description": (
                            "Wymagany: ETag wersji, którą redaktor zmienia; * nadpisuje każdą."
                        ),
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("ThesaurusUpdate")}},
                },
                "responses": {
                    "200": {**_json(ref("ThesaurusSaved"), "Zapisano."), "headers": etag},
                    "400": bad_body,
                    **common,
                    "412": _error("Ktoś inny zmienił słownik od pobrania (ETag nieaktualny)."),
                    "413": _error("Treść żądania jest zbyt duża."),
                    "422": _error("Słownik ma błędy: lista `problems` z numerami wierszy."),
                    "428": _error("Brak nagłówka If-Match."),
                    "503": _error("Nie udało się zapisać pliku (np. brak miejsca, zajęty)."),
                },
            },
        },
        "/api/admin/synonyms/preview": {
            "post": {
                "operationId": "previewThesaurus",
                "summary": "Podgląd: wyniki zapytania z obecnym i z proponowanym słownikiem",
                "description": "Nic nie zapisuje. `problems`: błędy proponowanego tekstu.",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("ThesaurusPreviewRequest")}},
                },
                "responses": {
                    "200": _json(ref("ThesaurusPreview"), "Wyniki obok siebie."),
                    "400": bad_body,
                    **common,
                    "413": _error("Treść żądania jest zbyt duża."),
                    "503": _error("Brak indeksu."),
                },
            }
        },
    }


def panel_paths() -> dict[str, Any]:
    """The editors' panel, ``/redakcja`` (search_app/web/panel.py): HTML pages and forms.

    Only with ``BDP_ADMIN_TOKEN`` (404 otherwise). Without a signed-in session every
    page answers 303 to the login form; every POST needs the form's CSRF token (400).
    """
    login = {"description": "Do logowania.", "headers": _location("Formularz logowania.")}
    signed_out = {"303": login}
    off = _html("Serwer bez tokenu redakcji: panel wyłączony.")
    csrf = _html("Brak lub błędny token CSRF formularza.")
    too_large = _html("Treść żądania jest zbyt duża.")

    def form(*fields: str, required: tuple[str, ...] = ()) -> dict:
        schema = {
            "type": "object",
            "properties": {name: {"type": "string"} for name in ("csrf_token", *fields)},
            "required": ["csrf_token", *required],
            "additionalProperties": False,
        }
        return {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }

    def page(operation: str, summary: str, responses: dict, description: str = "") -> dict:
        item: dict[str, Any] = {"operationId": operation, "summary": summary}
        if description:
            item["description"] = description
        item["responses"] = {"404": off, **signed_out, **responses}
        return item

    return {
        "/redakcja/logowanie": {
            "get": page(
                "panelLogin",
                "Panel redakcji: formularz logowania tokenem (HTML)",
                {
                    "200": _html("Formularz."),
                    "303": {"description": "Już zalogowano.", "headers": _location("Panel.")},
                },
            ),
            "post": {
                "operationId": "panelSignIn",
                "summary": "Panel redakcji: logowanie (HTML)",
                "description": (
                    "Poprawny token zaczyna nową sesję (nowy identyfikator, ciasteczko HttpOnly,"
                    " SameSite=Strict, Secure przy HTTPS). Każda próba z jednego adresu liczy"
                    " się do limitu BDP_ADMIN_AUTH_FAILURES; ponad nim 429."
                ),
                "requestBody": form("token", required=("token",)),
                "responses": {
                    "303": {"description": "Zalogowano.", "headers": _location("Panel.")},
                    "400": csrf,
                    "403": _html("Nieprawidłowy token."),
                    "404": off,
                    "413": too_large,
                    "429": _html("Zbyt wiele prób logowania (nagłówek Retry-After)."),
                    "503": _html("Nie udało się zapisać sesji."),
                },
            },
        },
        "/redakcja/wylogowanie": {
            "post": {
                "operationId": "panelSignOut",
                "summary": "Panel redakcji: wylogowanie (HTML)",
                "description": "Kończy sesję: kopia ciasteczka przestaje działać.",
                "requestBody": form(),
                "responses": {"303": login, "400": csrf, "404": off, "413": too_large},
            }
        },
        "/redakcja": {
            "get": page(
                "panelStatus",
                "Panel redakcji: stan indeksu, ostatnie zadanie, uruchamianie zadań (HTML)",
                {"200": _html("Stan indeksu.")},
            )
        },
        "/redakcja/zadania": {
            "post": {
                "operationId": "panelStartJob",
                "summary": "Panel redakcji: uruchomienie odświeżenia lub przebudowy (HTML)",
                "requestBody": form("mode", "prune", "allow_errors"),
                "responses": {
                    "303": {
                        "description": "Zadanie uruchomione albo brak sesji (logowanie).",
                        "headers": _location("Strona zadania albo formularz logowania."),
                    },
                    "400": _html("Brak lub błędny token CSRF, nieznany rodzaj zadania."),
                    "404": off,
                    "409": _html("Trwa już inne zadanie: strona je opisuje."),
                    "413": too_large,
                    "429": _html("Zbyt wiele uruchomień (nagłówek Retry-After)."),
                    "503": _html("Nie udało się uruchomić zadania."),
                },
            }
        },
        "/redakcja/zadania/{job_id}": {
            "get": page(
                "panelJob",
                "Panel redakcji: postęp i wynik zadania (HTML)",
                {
                    "200": _html("Zadanie."),
                    "404": _html("Nie ma takiego zadania (albo panel wyłączony)."),
                },
                description=(
                    "Póki zadanie trwa, strona odświeża się co 2 s (meta refresh; bez"
                    " JavaScriptu), chyba że podano odswiezanie=0."
                ),
            )
            | {
                "parameters": [
                    {
                        "name": "job_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1},
                    },
                    {
                        "name": "odswiezanie",
                        "in": "query",
                        "required": False,
                        "description": "0: bez automatycznego odświeżania.",
                        "schema": {"type": "string"},
                    },
                ]
            }
        },
        "/redakcja/statystyki": {
            "get": page(
                "panelAnalytics",
                "Panel redakcji: statystyki wyszukiwań z wykresem dziennym (HTML)",
                {
                    "200": _html("Raport."),
                    "400": _html("Parametr dni spoza zakresu albo nie jest liczbą."),
                    "503": _html("Dziennika nie da się odczytać."),
                },
            )
            | {
                "parameters": [
                    {
                        "name": "dni",
                        "in": "query",
                        "required": False,
                        "description": "Z ilu ostatnich dni (odnośniki: 7, 30, 90).",
                        "schema": {"type": "integer", "default": 30, "minimum": 1},
                    }
                ]
            }
        },
        "/redakcja/synonimy": {
            "get": page(
                "panelThesaurus",
                "Panel redakcji: edycja słownika synonimów (HTML)",
                {"200": _html("Słownik w polu tekstowym.")},
            ),
            "post": {
                "operationId": "panelSaveThesaurus",
                "summary": "Panel redakcji: zapis słownika synonimów (HTML)",
                "requestBody": form("text", "etag", "q"),
                "responses": {
                    "303": {
                        "description": "Zapisano albo brak sesji (logowanie).",
                        "headers": _location("Strona słownika albo formularz logowania."),
                    },
                    "400": csrf,
                    "404": off,
                    "409": _html("Ktoś inny zmienił słownik od wczytania (nic nie zapisano)."),
                    "413": too_large,
                    "422": _html("Słownik ma błędy: lista z numerami wierszy (nic nie zapisano)."),
                    "429": _html("Zbyt wiele zapisów."),
                    "503": _html("Nie udało się zapisać pliku."),
                },
            },
        },
        "/redakcja/synonimy/podglad": {
            "post": {
                "operationId": "panelPreviewThesaurus",
                "summary": "Panel redakcji: wyniki zapytania z obecnym i proponowanym słownikiem",
                "requestBody": form("text", "etag", "q"),
                "responses": {
                    "200": _html("Podgląd obok siebie (nic nie zapisano)."),
                    "303": login,
                    "400": csrf,
                    "404": off,
                    "413": too_large,
                    "422": _html("Brak zapytania."),
                    "503": _html("Brak indeksu."),
                },
            }
        },
    }


def _location(description: str) -> dict:
    return {"Location": {"description": description, "schema": {"type": "string"}}}


# The operations answered from the response cache (search_app/web/cache.py), with
# ETag, Cache-Control and X-Cache, and 304 to If-None-Match.
CACHED_OPERATIONS = (
    "search",
    "practice",
    "similar",
    "suggest",
    "openapi",
    "searchPage",
    "helpPage",
    "aboutPage",
    "accessibilityStatement",
    "practicePage",
    "searchFeed",
)
CACHE_HEADERS = {
    "ETag": {
        "description": "Wersja odpowiedzi (generacja indeksu, słownik synonimów i żądanie); "
        "słaby (W/) na stronie wyników, której odnośniki niosą identyfikator wyszukiwania.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "public, no-cache: pośrednik może przechować odpowiedź, ale pyta "
        "o nią za każdym razem (If-None-Match). no-store: odpowiedź niepełna (wyszukiwanie "
        "przerwane po przekroczeniu limitu czasu, podpowiedzi sprzed zbudowania słownika) "
        "— nikt jej nie przechowuje, nie ma też ETag.",
        "schema": {"type": "string", "enum": ["public, no-cache", "no-store"]},
    },
    "X-Cache": {
        "description": "hit: odpowiedź z pamięci podręcznej procesu; miss: obliczona teraz.",
        "schema": {"type": "string", "enum": ["hit", "miss"]},
    },
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETag posiadanej wersji: gdy się nie zmieniła, odpowiedź 304 bez treści.",
    "schema": {"type": "string"},
}


def with_http_caching(spec: dict[str, Any]) -> dict[str, Any]:
    """Mark the cached operations: their validator headers and their 304."""
    for item in spec["paths"].values():
        operation = item.get("get")
        if operation is None or operation["operationId"] not in CACHED_OPERATIONS:
            continue
        operation["parameters"] = [*operation.get("parameters", []), IF_NONE_MATCH]
        responses = operation["responses"]
        responses["200"] = {**responses["200"], "headers": CACHE_HEADERS}
        responses["304"] = {"description": "Bez zmian od wersji o podanym ETag."}
    return spec


def openapi_spec() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return with_http_caching(_spec())


def _spec() -> dict[str, Any]:
    unavailable = _error("Brak indeksu; komunikat podaje polecenie, które go buduje.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "BDP Search API",
            "version": "1.0",
            "description": (
                "Wyszukiwarka Bazy Dobrych Praktyk samorządów lokalnych. Wartości parametrów "
                "spoza zakresu są poprawiane (odpowiedź 200 z uwagą w `messages`); każdy "
                'błąd ma kształt `{"error": {"status", "message"}}`.'
            ),
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Wyszukiwanie praktyk z fasetami",
                    "parameters": search_parameters(),
                    "responses": {
                        "200": _json(ref("SearchResponse"), "Strona wyników."),
                        "400": _error("Żądanie, którego nie da się odczytać."),
                        "503": unavailable,
                    },
                }
            },
            **feed_paths(),
            "/api/practices/{practice_id}": {
                "get": {
                    "operationId": "practice",
                    "summary": "Jedna praktyka w formacie kanonicznym",
                    "parameters": [PRACTICE_ID],
                    "responses": {
                        "200": _json(ref("PracticeDetail"), "Praktyka z załącznikami."),
                        "404": _error("Nie ma praktyki o tym identyfikatorze."),
                        "503": unavailable,
                    },
                }
            },
            "/api/practices/{practice_id}/similar": {
                "get": {
                    "operationId": "similar",
                    "summary": "Podobne praktyki",
                    "parameters": [PRACTICE_ID],
                    "responses": {
                        "200": _json(ref("Similar"), "Podobne."),
                        "404": _error("Nie ma praktyki o tym identyfikatorze."),
                        "503": unavailable,
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Podpowiedzi podczas pisania: słowa i frazy z tekstów, tytuły",
                    "description": (
                        "Słownik podpowiedzi powstaje w tle po opublikowaniu nowego"
                        " indeksu (kilka sekund). Do tego czasu podpowiedzi pochodzą z"
                        " poprzedniego indeksu albo są puste i nie trafiają do pamięci"
                        " podręcznej."
                    ),
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(ref("Suggestions"), "Podpowiedzi."),
                        "503": unavailable,
                    },
                }
            },
            "/api/admin/reindex": {
                "post": {
                    "operationId": "reindex",
                    "summary": "Odświeżenie indeksu ze źródeł jako zadanie w tle (redakcja)",
                    "description": (
                        "Istnieje tylko, gdy serwer ma ustawiony BDP_ADMIN_TOKEN (inaczej 404). "
                        "Token w nagłówku `Authorization: Bearer …`. Odpowiada od razu (202) "
                        "zadaniem i nagłówkiem `Location` z adresem jego stanu. Po kilku błędnych "
                        "tokenach z jednego adresu kolejne błędne dostają 429; poprawny token "
                        "nie jest blokowany przez cudze pomyłki."
                    ),
                    "security": [{"bearer": []}],
                    "parameters": [
                        _flag_param("prune", "usuń praktyki, których nie ma w źródłach."),
                        _flag_param(
                            "allow_errors",
                            "opublikuj dobre źródła mimo błędnych (inaczej nic nie zmieniaj).",
                        ),
                        {
                            "name": "mode",
                            "in": "query",
                            "required": False,
                            "description": (
                                "update (domyślnie): tylko praktyki nowe i zmienione; rebuild:"
                                " cały indeks od nowa, jak `bdp index build` (prune bez znaczenia)."
                            ),
                            "schema": {"type": "string", "enum": list(MODES), "default": "update"},
                        },
                    ],
                    "responses": {
                        "202": _json_with_location(
                            ref("JobResponse"),
                            "Zadanie przyjęte; stan pod adresem z `Location`.",
                        ),
                        "400": _error("Nieznana wartość `mode`."),
                        "401": _error("Brak poprawnego tokenu."),
                        "404": _error("Serwer bez tokenu redakcji: funkcja wyłączona."),
                        "409": _error_with_location(
                            "Trwa już inne zadanie odświeżania; `Location` wskazuje jego stan."
                        ),
                        "413": _error("Treść żądania jest zbyt duża."),
                        "429": _error("Zbyt wiele żądań (nagłówek Retry-After)."),
                        "503": _error("Nie udało się uruchomić zadania (np. brak miejsca)."),
                    },
                }
            },
            "/api/admin/jobs/{job_id}": {
                "get": {
                    "operationId": "reindexJob",
                    "summary": "Stan zadania odświeżania: postęp i wynik (redakcja)",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {
                            "name": "job_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1},
                        }
                    ],
                    "responses": {
                        "200": _json(ref("JobResponse"), "Zadanie."),
                        "401": _error("Brak poprawnego tokenu."),
                        "404": _error(
                            f"Nie ma takiego zadania (przechowywanych jest {KEEP_JOBS} ostatnich)."
                        ),
                        "429": _error("Zbyt wiele prób z błędnym tokenem (Retry-After)."),
                    },
                }
            },
            "/api/admin/status": {
                "get": {
                    "operationId": "adminStatus",
                    "summary": "Stan indeksu, ostatniego i trwającego odświeżania (redakcja)",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": _json(ref("AdminStatus"), "Stan."),
                        "401": _error("Brak poprawnego tokenu."),
                        "404": _error("Serwer bez tokenu redakcji: funkcja wyłączona."),
                        "429": _error("Zbyt wiele żądań (nagłówek Retry-After)."),
                    },
                }
            },
            "/api/admin/analytics": {
                "get": {
                    "operationId": "adminAnalytics",
                    "summary": "Raport dziennika wyszukiwań (redakcja)",
                    "description": (
                        "Najczęstsze zapytania, zapytania bez wyników, poprawki literówek, słowa"
                        " nieznane w indeksie, klikalność wyników i wyszukiwania dzień po dniu."
                        " Dziennik nie zawiera adresów IP, nagłówków User-Agent ani ciasteczek."
                    ),
                    "security": [{"bearer": []}],
                    "parameters": [
                        _int_param("days", DEFAULT_DAYS, MAX_DAYS, "Z ilu ostatnich dni."),
                        _int_param(
                            "limit", DEFAULT_LIMIT, MAX_LIMIT, "Najwięcej wierszy w zestawieniu."
                        ),
                    ],
                    "responses": {
                        "200": _json(ref("AnalyticsReport"), "Raport."),
                        "400": _error("Parametr spoza zakresu albo nie jest liczbą."),
                        "401": _error("Brak poprawnego tokenu."),
                        "404": _error("Serwer bez tokenu redakcji: funkcja wyłączona."),
                        "429": _error("Zbyt wiele żądań (nagłówek Retry-After)."),
                        "503": _error("Dziennika nie da się odczytać (uszkodzony, zablokowany)."),
                    },
                }
            },
            **thesaurus_paths(),
            **panel_paths(),
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "Ten opis API (OpenAPI 3.1)",
                    "responses": {
                        "200": _json({"type": "object"}, "Opis OpenAPI."),
                    },
                }
            },
            "/": {
                "get": {
                    "operationId": "searchPage",
                    "summary": "Strona wyszukiwania (HTML)",
                    "parameters": search_parameters(),
                    "responses": {
                        "200": _html("Strona wyników."),
                        "303": {
                            "description": (
                                "Strona dalsza niż ostatnia: przekierowanie na ostatnią,"
                                " która o tym informuje (parametr poza=<żądana strona>)."
                            ),
                            "headers": _location("Ostatnia strona wyników."),
                        },
                        "400": _html("Żądanie, którego nie da się odczytać."),
                        "503": _html("Brak indeksu."),
                    },
                }
            },
            "/jak-szukac": {
                "get": {
                    "operationId": "helpPage",
                    "summary": "Jak szukać: składnia zapytań z przykładami (HTML)",
                    "responses": {"200": _html("Pomoc do wyszukiwania.")},
                }
            },
            "/o-bazie": {
                "get": {
                    "operationId": "aboutPage",
                    "summary": "O bazie: czym jest BDP, kto prowadzi wyszukiwarkę (HTML)",
                    "responses": {"200": _html("Informacje o bazie i jej operatorze.")},
                }
            },
            "/deklaracja-dostepnosci": {
                "get": {
                    "operationId": "accessibilityStatement",
                    "summary": "Deklaracja dostępności strony (HTML)",
                    "responses": {"200": _html("Deklaracja dostępności.")},
                }
            },
            "/praktyka/{practice_id}": {
                "get": {
                    "operationId": "practicePage",
                    "summary": "Strona jednej praktyki (HTML)",
                    "parameters": [
                        PRACTICE_ID,
                        {
                            "name": CLICK_PARAM,
                            "in": "query",
                            "required": False,
                            "description": (
                                "Kliknięcie wyniku wyszukiwania (`<id wyszukiwania>.<pozycja>`,"
                                " z linków strony wyników): zapisywane w dzienniku wyszukiwań,"
                                " po czym odpowiedź 303 prowadzi na adres bez tego parametru."
                            ),
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": _html("Praktyka."),
                        "303": {
                            "description": "Kliknięcie zapisane; `Location`: adres praktyki"
                            " bez parametru `z`.",
                            "headers": {
                                "Location": {
                                    "description": "Adres praktyki.",
                                    "schema": {"type": "string"},
                                }
                            },
                        },
                        "404": _html("Nie ma praktyki o tym identyfikatorze."),
                        "503": _html("Brak indeksu."),
                    },
                }
            },
            DOWNLOAD: {
                "get": {
                    "operationId": "attachment",
                    "summary": "Pobranie załącznika praktyki",
                    "description": (
                        "Plik `n` (od 0, kolejność `attachments`), jeśli jest taki sam jak"
                        " w chwili indeksowania (rozmiar i SHA-256, też w ETag). Zawsze jako"
                        " załącznik (Content-Disposition z filename*), obsługuje Range"
                        " i żądania warunkowe. Błędy jako strona HTML."
                    ),
                    "parameters": [
                        PRACTICE_ID,
                        {
                            "name": "n",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 0},
                        },
                    ],
                    "responses": {
                        "200": _file("Plik załącznika."),
                        "206": _file("Część pliku (nagłówek Range)."),
                        "304": {"description": "Plik się nie zmienił (If-None-Match)."},
                        "404": _html(
                            "Nie ma takiej praktyki lub załącznika, pliku nie ma na serwerze"
                            " albo zmienił się od indeksowania."
                        ),
                        "416": _html("Zakres spoza pliku."),
                        "503": _html("Brak indeksu."),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Stan usługi i liczba praktyk w indeksie",
                    "responses": {
                        "200": _json(ref("Health"), "Indeks dostępny."),
                        "503": _json(ref("Error"), "Brak indeksu."),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": ERROR,
                "SearchResponse": search_response_schema(),
                "Result": result_schema(),
                "FacetValue": facet_value_schema(),
                "ResultAttachment": result_attachment_schema(),
                "SnippetSource": snippet_source_schema(),
                "Practice": practice_schema(),
                "PracticeDetail": practice_detail_schema(),
                "PracticeFile": practice_file_schema(),
                "Health": HEALTH,
                "Suggestions": SUGGESTIONS,
                "Similar": SIMILAR,
                "ReindexSummary": reindex_summary_schema(),
                "Job": job_schema(),
                "JobResponse": JOB_RESPONSE,
                **THESAURUS_SCHEMAS,
                "IndexStatus": index_status_schema(),
                "AdminStatus": admin_status_schema(),
                "AnalyticsReport": analytics_report_schema(),
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
