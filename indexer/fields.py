"""The field registry: every field of a practice record, declared once.

Everything else is derived from :data:`FIELDS`:

- the record lists of :mod:`indexer.records` (``FIELD_ORDER``, ``LIST_FIELDS``,
  ``OPTIONAL_TEXT_FIELDS``) and so the canonical JSON Lines order,
- the index schema (:func:`indexer.schema.build_schema`), its text fields and boosts,
  and its facets with their Polish labels (``indexer.schema.FACETS``),
- the index document (:func:`indexer.documents.practice_to_document`),
- the fields of a search result (``search_app.engine.search.RESULT_FIELDS``),
- the metric card of the practice page (``search_app.web.views``),
- the JSON Schema of a canonical record (:func:`practice_json_schema`, the OpenAPI
  ``Practice`` component).

Adding a field
--------------
Add one :class:`Field` to :data:`FIELDS`, at the position it takes in the canonical
record, *and* the same attribute, in the same position, to the hand-written
:class:`indexer.records.Practice` dataclass (kept by hand so that type checkers see
its attributes). ``tests/test_field_registry.py::
test_the_practice_dataclass_has_the_registry_fields_in_order`` fails until both agree.
Then rebuild the index (``bdp index build``): a new schema needs a new generation.

Readers of source formats: JSON Lines reads and checks an optional text, a list of
texts, a date (:data:`DATE_FIELDS`) or a boolean (:data:`BOOLEAN_FIELDS`) with no
further change (``indexer.jsonl`` and ``indexer.limits`` use the lists derived here);
a web address is an optional text checked as one once ``indexer.jsonl.URL_FIELDS``
names it; an integer or object field needs its own check in
``indexer.jsonl.practice_from_dict``; a value read from saved BDP pages needs its label
in ``indexer.bdp_page.METRIC_KEYS``.

This module imports nothing from the index library, the engine or the web layer,
so any of them (and the OpenAPI description) can read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

# JSON kinds of a record field.
TEXT: Final = "text"  # a string, never null ("" when empty)
OPTIONAL_TEXT: Final = "optional_text"  # a string or null
TEXTS: Final = "texts"  # a list of strings ([] when empty)
INTEGER: Final = "integer"  # a non-negative integer or null
DATE: Final = "date"  # "YYYY-MM-DD" or null
OBJECT: Final = "object"  # a JSON object ({} when empty)
BOOLEAN: Final = "boolean"  # true or false (false when absent)
# A list of files ([] when empty): {"path": relative to the source's folder, "title": shown}.
# Searched through the text extracted from the files (indexer.attachments).
FILES: Final = "files"
Kind = Literal["text", "optional_text", "texts", "integer", "date", "object", "files", "boolean"]
KINDS = (TEXT, OPTIONAL_TEXT, TEXTS, INTEGER, DATE, OBJECT, FILES, BOOLEAN)

# The text field of the metric-card values (category, town, contacts …), searched
# with the lowest boost: a word in the title says more than one in the metric card.
METADATA = "metadata"
METADATA_BOOST = 0.7

# Links the practice page makes of the values of a list field.
Link = Literal["phone", "web", "email"]

# Population bands: (facet value, label, lower bound inclusive, upper bound exclusive).
POPULATION_BANDS = (
    ("0-5k", "< 5 tys.", 0, 5_000),
    ("5k-20k", "5–20 tys.", 5_000, 20_000),
    ("20k-100k", "20–100 tys.", 20_000, 100_000),
    ("100k-500k", "100–500 tys.", 100_000, 500_000),
    ("500k+", "> 500 tys.", 500_000, None),
)


def population_band(population: int | None) -> str | None:
    """The facet value of a population, e.g. 60444 -> "20k-100k"."""
    if population is None:
        return None
    for value, _label, low, high in POPULATION_BANDS:
        if population >= low and (high is None or population < high):
            return value
    return None


def with_attachments(files: Any) -> str | None:
    """The attachments facet: practices with any attachment, or no value."""
    return ATTACHED if files else None


# The value of the attachments facet.
ATTACHED = "z załącznikami"


def year(date: str | None) -> str | None:
    """The year of an ISO date, e.g. "2012-03-05" -> "2012"."""
    return date[:4] if date else None


@dataclass(frozen=True)
class Facet:
    """A facet made from one field: a stored, sortable column of the index.

    ``value`` turns the field's value into the facet value (the value itself when
    None); ``position`` orders the facets wherever they are listed (API, page, CLI).
    """

    name: str
    label: str
    position: int
    value: Callable[[Any], str | None] | None = None


@dataclass(frozen=True)
class Field:
    """One field of a practice record and every use of it.

    - ``label``: how people see it (Polish); ``card``: shown in the metric card of
      the practice page under that label, ``link``: what a list's values link to there.
    - ``text``: searched as text: in a text field of its own (``text == name``,
      weighted by ``boost``) or in :data:`METADATA` with the other metric-card values.
    - ``key``: the unique id of the index document.
    - ``column``: kept in the index as a stored, sortable column under its own name
      ("" when absent), for sorting and filtering (dates).
    - ``facet``: a facet made from it; ``number_column``: a sortable integer column.
    - ``result``: returned with every search result, at this position among the
      result fields (None: not returned); ``similar``: returned with every similar
      practice (“Podobne praktyki”).
    """

    name: str
    label: str
    kind: Kind
    required: bool = False
    text: str | None = None
    boost: float | None = None
    key: bool = False
    column: bool = False
    facet: Facet | None = None
    number_column: str | None = None
    result: int | None = None
    similar: bool = False
    card: bool = False
    link: Link | None = None

    @property
    def is_list(self) -> bool:
        return self.kind == TEXTS


FIELDS: tuple[Field, ...] = (
    Field("id", "Identyfikator", TEXT, required=True, key=True, similar=True),
    Field("title", "Tytuł", TEXT, required=True, text="title", boost=4.0, similar=True),
    Field(
        "category",
        "Kategoria",
        OPTIONAL_TEXT,
        text=METADATA,
        facet=Facet("category", "Kategoria", 1),
        result=1,
        similar=True,
    ),
    Field(
        "subcategory",
        "Podkategoria",
        OPTIONAL_TEXT,
        text=METADATA,
        facet=Facet("subcategory", "Podkategoria", 2),
        result=2,
        similar=True,
    ),
    Field("summary", "Skrót", TEXT, text="summary", boost=2.0),
    Field("body", "Opis", TEXT, text="body", boost=1.0),
    # Below the body: an attachment (a resolution, a form, a report) is about the
    # practice, but less directly than its own description.
    Field(
        "attachments",
        "Załączniki",
        FILES,
        text="attachments",
        boost=0.5,
        facet=Facet("has_attachments", "Załączniki", 8, with_attachments),
    ),
    Field(
        "unit_type",
        "Typ jednostki",
        OPTIONAL_TEXT,
        text=METADATA,
        facet=Facet("unit_type", "Typ jednostki", 5),
        result=6,
        card=True,
    ),
    Field(
        "town",
        "Miejscowość",
        OPTIONAL_TEXT,
        text=METADATA,
        # A column too: the engine reads the towns to tell a place word from a topic.
        column=True,
        result=3,
        similar=True,
        card=True,
    ),
    Field(
        "county",
        "Powiat",
        OPTIONAL_TEXT,
        text=METADATA,
        facet=Facet("county", "Powiat", 4),
        result=4,
        card=True,
    ),
    Field(
        "voivodeship",
        "Województwo",
        OPTIONAL_TEXT,
        text=METADATA,
        facet=Facet("voivodeship", "Województwo", 3),
        result=5,
        card=True,
        similar=True,
    ),
    Field("postal_code", "Kod pocztowy", OPTIONAL_TEXT, card=True),
    Field("implementing_unit", "Jednostka wdrażająca", OPTIONAL_TEXT, text=METADATA, card=True),
    Field("street", "Ulica", OPTIONAL_TEXT, text=METADATA, card=True),
    Field("phones", "Telefon", TEXTS, card=True, link="phone"),
    Field("websites", "Witryna internetowa", TEXTS, card=True, link="web"),
    Field("emails", "Adres e-mail", TEXTS, card=True, link="email"),
    Field(
        "population",
        "Liczba mieszkańców",
        INTEGER,
        facet=Facet("population", "Liczba mieszkańców", 7, population_band),
        number_column="population_count",
        result=10,
        card=True,
    ),
    Field("contacts", "Osoby kontaktowe", TEXTS, text=METADATA, card=True),
    Field(
        "date_added",
        "Data wprowadzenia do BDP",
        DATE,
        column=True,
        facet=Facet("year", "Rok dodania", 6, year),
        result=7,
        card=True,
    ),
    Field("date_updated", "Data aktualizacji", DATE, column=True, result=8, card=True),
    Field("source", "Źródło", OPTIONAL_TEXT),
    # The address of the practice's original page (an absolute http(s) URL), linked
    # from the practice page; never made up: only a source that names it has one.
    Field("source_url", "Strona źródłowa", OPTIONAL_TEXT),
    # Demonstration data, not a real BDP entry: its people, phones and addresses are
    # invented, so the page says so and links none of them; results carry the mark.
    Field("sample", "Dane przykładowe", BOOLEAN, result=9),
    Field("extra", "Dodatkowe informacje", OBJECT),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


# --- Derived lists --------------------------------------------------------------------

# The canonical field order, as written by ``bdp export``.
FIELD_ORDER = tuple(f.name for f in FIELDS)
REQUIRED_FIELDS = tuple(f.name for f in FIELDS if f.required)
LIST_FIELDS = tuple(f.name for f in FIELDS if f.kind == TEXTS)
DATE_FIELDS = tuple(f.name for f in FIELDS if f.kind == DATE)
BOOLEAN_FIELDS = tuple(f.name for f in FIELDS if f.kind == BOOLEAN)
# Strings or null in JSON: dates are such strings too (checked further as dates).
OPTIONAL_TEXT_FIELDS = tuple(f.name for f in FIELDS if f.kind in (OPTIONAL_TEXT, DATE))
# Values searched together in the metadata text field, in record order.
METADATA_FIELDS = tuple(f.name for f in FIELDS if f.text == METADATA)
# Text field -> boost: the fields of their own, then the metadata.
TEXT_BOOSTS = {
    **{f.name: f.boost for f in FIELDS if f.text == f.name and f.boost is not None},
    METADATA: METADATA_BOOST,
}
TEXT_FIELDS = tuple(TEXT_BOOSTS)
# Stored, sortable columns of a field's own value (not facets): field names.
COLUMN_FIELDS = tuple(f.name for f in FIELDS if f.column)
# Facet name -> the field it is made from, in facet order.
FACET_FIELDS = {
    facet.name: field
    for facet, field in sorted(
        ((f.facet, f) for f in FIELDS if f.facet is not None), key=lambda pair: pair[0].position
    )
}
# Facet name -> Polish label, in facet order.
FACET_LABELS = {name: field.facet.label for name, field in FACET_FIELDS.items()}  # type: ignore[union-attr]
# Fields returned with each search result besides id, title, snippet and score.
RESULT_FIELDS = tuple(
    f.name for f in sorted((f for f in FIELDS if f.result), key=lambda f: f.result or 0)
)
# Fields returned with each similar practice.
SIMILAR_FIELDS = tuple(f.name for f in FIELDS if f.similar)
# Own text fields (title, summary, body): where similar practices are looked for; not
# the attachments, whose forms and tables would outweigh what a practice is about.
OWN_TEXT_FIELDS = tuple(f.name for f in FIELDS if f.text == f.name and f.kind != FILES)
# The metric card of the practice page: field name -> label; single values first
# (in record order), then the lists.
CARD_VALUES = {f.name: f.label for f in FIELDS if f.card and not f.is_list}
CARD_LISTS = {f.name: f.label for f in FIELDS if f.card and f.is_list}


def facet_values(record: Any) -> dict[str, str | None]:
    """Facet name -> facet value of a practice (any object with the fields as attributes)."""
    out = {}
    for name, field in FACET_FIELDS.items():
        value = getattr(record, field.name)
        out[name] = field.facet.value(value) if field.facet.value else value  # type: ignore[union-attr]
    return out


# --- JSON Schema ----------------------------------------------------------------------

_JSON_TYPES: dict[str, dict[str, Any]] = {
    TEXT: {"type": "string"},
    OPTIONAL_TEXT: {"type": ["string", "null"]},
    TEXTS: {"type": "array", "items": {"type": "string"}},
    INTEGER: {"type": ["integer", "null"], "minimum": 0},
    DATE: {"type": ["string", "null"], "format": "date"},
    OBJECT: {"type": "object"},
    BOOLEAN: {"type": "boolean"},
    FILES: {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["path", "title"],
            "properties": {
                "path": {
                    "type": "string",
                    "description": "Ścieżka względem katalogu źródła (pliku .jsonl lub strony).",
                },
                "title": {"type": "string", "description": "Nazwa pokazywana czytelnikom."},
            },
            "additionalProperties": False,
        },
    },
}


def field_json_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one field's value in a canonical record."""
    schema = {**_JSON_TYPES[field.kind], "description": field.label}
    if field.required:
        schema["minLength"] = 1
    return schema


def practice_json_schema() -> dict[str, Any]:
    """The JSON Schema of a canonical record (``bdp export``, ``/api/practices/<id>``).

    Every field is always present (null, "", [] or {} when empty) and no other is
    allowed: extra data lives in ``extra``.
    """
    return {
        "type": "object",
        "description": "Praktyka w formacie kanonicznym (jak w `bdp export`).",
        "required": list(FIELD_ORDER),
        "properties": {f.name: field_json_schema(f) for f in FIELDS},
        "additionalProperties": False,
    }


def check_registry(fields: tuple[Field, ...] = FIELDS) -> list[str]:
    """What is wrong with a registry (in English, for tests); [] when it is consistent."""
    problems = []
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        problems.append(f"duplicate field names: {names}")
    if [f.name for f in fields if f.key] != ["id"]:
        problems.append("exactly one key field, id")
    facets = [f.facet for f in fields if f.facet]
    if len({f.name for f in facets}) != len(facets):
        problems.append("duplicate facet names")
    if {f.name for f in facets} & {f.text for f in fields}:
        problems.append("a facet named like a text field would replace it in the schema")
    if len({f.position for f in facets}) != len(facets):
        problems.append("duplicate facet positions")
    results = [f.result for f in fields if f.result is not None]
    if len(set(results)) != len(results):
        problems.append("duplicate result positions")
    for f in fields:
        if f.kind not in KINDS:
            problems.append(f"{f.name}: unknown kind {f.kind!r}")
        if f.text not in (None, METADATA, f.name):
            problems.append(f"{f.name}: text is {METADATA!r} or the field's own name")
        if (f.text == f.name) != (f.boost is not None):
            problems.append(f"{f.name}: a text field of its own needs a boost, and only it")
        if f.text is not None and f.kind not in (TEXT, OPTIONAL_TEXT, TEXTS, FILES):
            problems.append(f"{f.name}: only texts are searched as text")
        if f.link is not None and not f.is_list:
            problems.append(f"{f.name}: only list fields have links")
    return problems
