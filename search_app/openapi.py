"""The OpenAPI 3 description of the JSON API, served at ``/api/openapi.json``.

Built from the same constants the API uses (facets, sorts, limits), so it
cannot drift from them; ``tests/test_fuzz_api.py`` runs schemathesis against
it, which checks every response against these schemas.
"""

from __future__ import annotations

from typing import Any

from indexer.records import FIELD_ORDER, LIST_FIELDS
from indexer.store import FACETS
from search_app.search import (
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    RESULT_FIELDS,
    SORTS,
)

NULLABLE_TEXT = {"type": ["string", "null"]}

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
            },
        }
    },
}

FACET_VALUE = {
    "type": "object",
    "required": ["value", "label", "count", "selected"],
    "properties": {
        "value": {"type": "string"},
        "label": {"type": "string"},
        "count": {"type": "integer", "minimum": 0},
        "selected": {"type": "boolean"},
    },
}

RESULT = {
    "type": "object",
    "required": ["id", "title", "title_html", "snippet", "score"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "title_html": {"type": "string", "description": "Tytuł (HTML, zaznaczenia w <mark>)."},
        "snippet": {"type": "string", "description": "Fragment (HTML, zaznaczenia w <mark>)."},
        "score": {"type": ["number", "null"]},
        **{name: NULLABLE_TEXT for name in RESULT_FIELDS},
    },
}

SEARCH_RESPONSE = {
    "type": "object",
    "required": [
        "query",
        "total",
        "page",
        "per_page",
        "sort",
        "results",
        "facets",
        "suggestion",
        "messages",
    ],
    "properties": {
        "query": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "sort": {"type": "string", "enum": list(SORTS)},
        "results": {"type": "array", "items": RESULT, "maxItems": MAX_PER_PAGE},
        "facets": {
            "type": "object",
            "required": list(FACETS),
            "properties": {name: {"type": "array", "items": FACET_VALUE} for name in FACETS},
        },
        "suggestion": NULLABLE_TEXT,
        "messages": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Polskie uwagi o tym, co poprawiono w żądaniu lub zapytaniu.",
        },
    },
}

PRACTICE = {
    "type": "object",
    "required": list(FIELD_ORDER),
    "properties": {
        **{name: NULLABLE_TEXT for name in FIELD_ORDER},
        "id": {"type": "string"},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "body": {"type": "string"},
        **{name: {"type": "array", "items": {"type": "string"}} for name in LIST_FIELDS},
        "population": {"type": ["integer", "null"], "minimum": 0},
        "extra": {"type": "object"},
    },
}

LINKED_PRACTICE = {
    "type": "object",
    "required": ["id", "title", "url"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string"},
    },
}

SUGGESTIONS = {
    "type": "object",
    "required": ["query", "titles", "terms"],
    "properties": {
        "query": {"type": "string"},
        "titles": {"type": "array", "items": LINKED_PRACTICE},
        "terms": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["term", "query"],
                "properties": {"term": {"type": "string"}, "query": {"type": "string"}},
            },
        },
    },
}

SIMILAR = {
    "type": "object",
    "required": ["id", "results"],
    "properties": {
        "id": {"type": "string"},
        "results": {"type": "array", "items": LINKED_PRACTICE},
    },
}

REINDEX_SUMMARY = {
    "type": "object",
    "required": ["counts", "changed", "documents"],
    "properties": {
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "changed": {"type": "boolean"},
        "documents": {"type": ["integer", "null"], "minimum": 0},
    },
}

HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "error"]},
        "documents": {"type": "integer", "minimum": 0},
        "generation": NULLABLE_TEXT,
        "message": {"type": "string"},
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


def _error(description: str) -> dict:
    return _json({"$ref": "#/components/schemas/Error"}, description)


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


def openapi_spec() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
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
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "description": (
                                "Zapytanie (składnia Whoosh: frazy, AND/OR/NOT, wzorce „rodzin*”);"
                                f" dłuższe niż {MAX_QUERY_LENGTH} znaków jest skracane."
                            ),
                            "schema": {"type": "string"},
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
                    ],
                    "responses": {
                        "200": _json(
                            {"$ref": "#/components/schemas/SearchResponse"}, "Strona wyników."
                        ),
                        "400": _error("Żądanie, którego nie da się odczytać."),
                        "503": unavailable,
                    },
                }
            },
            "/api/practices/{practice_id}": {
                "get": {
                    "operationId": "practice",
                    "summary": "Jedna praktyka w formacie kanonicznym",
                    "parameters": [PRACTICE_ID],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Practice"}, "Praktyka."),
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
                        "200": _json({"$ref": "#/components/schemas/Similar"}, "Podobne."),
                        "404": _error("Nie ma praktyki o tym identyfikatorze."),
                        "503": unavailable,
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Podpowiedzi podczas pisania: tytuły i słowa",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Suggestions"}, "Podpowiedzi."),
                        "503": unavailable,
                    },
                }
            },
            "/api/admin/reindex": {
                "post": {
                    "operationId": "reindex",
                    "summary": "Odświeżenie indeksu ze źródeł (redakcja)",
                    "description": (
                        "Istnieje tylko, gdy serwer ma ustawiony BDP_ADMIN_TOKEN (inaczej 404). "
                        "Token w nagłówku `Authorization: Bearer …`; najwyżej kilka żądań na "
                        "minutę z jednego adresu (429 z Retry-After)."
                    ),
                    "security": [{"bearer": []}],
                    "parameters": [
                        {
                            "name": "prune",
                            "in": "query",
                            "required": False,
                            "description": "1/true/tak: usuń praktyki, których nie ma w źródłach.",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(
                            {"$ref": "#/components/schemas/ReindexSummary"},
                            "Podsumowanie jak z `bdp index update --json`.",
                        ),
                        "401": _error("Brak poprawnego tokenu."),
                        "404": _error("Serwer bez tokenu redakcji: funkcja wyłączona."),
                        "409": _error("Indeks zmienia właśnie inny proces."),
                        "429": _error("Zbyt wiele żądań."),
                        "503": unavailable,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Stan usługi i liczba praktyk w indeksie",
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Health"}, "Indeks dostępny."),
                        "503": _json({"$ref": "#/components/schemas/Health"}, "Brak indeksu."),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": ERROR,
                "SearchResponse": SEARCH_RESPONSE,
                "Practice": PRACTICE,
                "Health": HEALTH,
                "Suggestions": SUGGESTIONS,
                "Similar": SIMILAR,
                "ReindexSummary": REINDEX_SUMMARY,
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
