"""The OpenAPI 3 description of the JSON API, served at ``/api/openapi.json``.

Built from the same constants the API uses (facets, sorts, limits), so it
cannot drift from them; ``tests/test_fuzz_api.py`` runs schemathesis against
it, which checks every response against these schemas.
"""

from __future__ import annotations

from typing import Any

from indexer.records import FIELD_ORDER, LIST_FIELDS
from indexer.schema import FACETS
from search_app.engine.search import (
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    RESULT_FIELDS,
    SORTS,
)
from search_app.web.jobs import JOB_ID, KEEP_JOBS, PUBLIC_FIELDS, STATUSES

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
    "description": "Podsumowanie jak z `bdp index update --json`.",
    "required": ["counts", "changed", "published", "failed", "documents"],
    "properties": {
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "changed": {"type": "boolean"},
        "published": {
            "type": "boolean",
            "description": "false: błędne źródła bez allow_errors, nic nie opublikowano.",
        },
        "failed": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "line", "field", "message"],
                "properties": {
                    "path": {"type": "string"},
                    "line": {"type": ["integer", "null"]},
                    "field": NULLABLE_TEXT,
                    "message": {"type": "string"},
                },
            },
        },
        "documents": {"type": ["integer", "null"], "minimum": 0},
    },
}

JOB = {
    "type": "object",
    "description": (
        "Zadanie odświeżenia indeksu. done: opublikowano (ewentualnie bez błędnych źródeł, "
        "gdy allow_errors); failed: nic nie opublikowano, powód w message; interrupted: "
        "proces zadania zakończył się przed końcem pracy."
    ),
    "required": list(PUBLIC_FIELDS),
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": JOB_ID.pattern},
        "status": {"type": "string", "enum": list(STATUSES)},
        "created": {"type": "string"},
        "started": NULLABLE_TEXT,
        "finished": NULLABLE_TEXT,
        "pid": {"type": ["integer", "null"]},
        "prune": {"type": "boolean"},
        "allow_errors": {"type": "boolean"},
        "progress": {
            "type": "object",
            "description": "Zapisane praktyki / wszystkie do zapisania (null przed planem).",
            "required": ["written", "total"],
            "properties": {
                "written": {"type": "integer", "minimum": 0},
                "total": {"type": ["integer", "null"], "minimum": 0},
            },
        },
        "summary": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ReindexSummary"}]},
        "message": NULLABLE_TEXT,
    },
}

JOB_RESPONSE = {
    "type": "object",
    "required": ["job"],
    "additionalProperties": False,
    "properties": {"job": {"$ref": "#/components/schemas/Job"}},
}

HEALTH = {
    "type": "object",
    "required": ["status", "documents", "generation"],
    "additionalProperties": False,
    "properties": {
        "status": {"type": "string", "enum": ["ok"]},
        "documents": {"type": "integer", "minimum": 0},
        "generation": NULLABLE_TEXT,
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


def _json_with_location(schema: dict, description: str) -> dict:
    response = _json(schema, description)
    response["headers"] = {
        "Location": {"description": "Adres stanu zadania.", "schema": {"type": "string"}}
    }
    return response


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
                    ],
                    "responses": {
                        "202": _json_with_location(
                            {"$ref": "#/components/schemas/JobResponse"},
                            "Zadanie przyjęte; stan pod adresem z `Location`.",
                        ),
                        "401": _error("Brak poprawnego tokenu."),
                        "404": _error("Serwer bez tokenu redakcji: funkcja wyłączona."),
                        "409": _error(
                            "Trwa już inne zadanie odświeżania; `Location` wskazuje jego stan."
                        ),
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
                        "200": _json({"$ref": "#/components/schemas/JobResponse"}, "Zadanie."),
                        "401": _error("Brak poprawnego tokenu."),
                        "404": _error(
                            f"Nie ma takiego zadania (przechowywanych jest {KEEP_JOBS} ostatnich)."
                        ),
                        "429": _error("Zbyt wiele prób z błędnym tokenem (Retry-After)."),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Stan usługi i liczba praktyk w indeksie",
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Health"}, "Indeks dostępny."),
                        "503": _json({"$ref": "#/components/schemas/Error"}, "Brak indeksu."),
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
                "Job": JOB,
                "JobResponse": JOB_RESPONSE,
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
