"""The index schema: the fields of a practice document, their boosts, facets and bands.

Apart from storage, so that building documents and searching them know the
schema without knowing where or how generations are kept.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from analyzers import DEFAULT_ANALYZER, analyzer_config

# Field boosts: a word in the title says more than one in the metric card.
TITLE_BOOST = 4.0
SUMMARY_BOOST = 2.0
BODY_BOOST = 1.0
METADATA_BOOST = 0.7
# The folded field only rescues words typed without diacritics or not inflected
# as in the text; it must not outweigh the analysed fields.
FOLDED_BOOST = 0.5

TEXT_FIELDS = ("title", "summary", "body", "metadata")
# Distinct words of all the text fields, folded and as written (analyzers.folding); present
# when the analyzer configuration asks for it.
FOLDED_FIELD = "folded"

# Facet name -> Polish label; every facet is a stored, sortable ID field.
FACETS = {
    "category": "Kategoria",
    "subcategory": "Podkategoria",
    "voivodeship": "Województwo",
    "county": "Powiat",
    "unit_type": "Typ jednostki",
    "year": "Rok dodania",
    "population": "Liczba mieszkańców",
}

# Population bands: (facet value, label, lower bound inclusive, upper bound exclusive).
POPULATION_BANDS = (
    ("0-5k", "< 5 tys.", 0, 5_000),
    ("5k-20k", "5–20 tys.", 5_000, 20_000),
    ("20k-100k", "20–100 tys.", 20_000, 100_000),
    ("100k-500k", "100–500 tys.", 100_000, 500_000),
    ("500k+", "> 500 tys.", 500_000, None),
)


def build_schema(analyzer: str = DEFAULT_ANALYZER) -> Schema:
    """The schema of a practice document (pickled into the index with its analyzer).

    ``analyzer`` names a configuration in ``analyzers.ANALYZERS``.
    """
    config = analyzer_config(analyzer)
    text = config.make()
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, field_boost=TITLE_BOOST),
        summary=TEXT(analyzer=text, field_boost=SUMMARY_BOOST),
        body=TEXT(analyzer=text, field_boost=BODY_BOOST),
        metadata=TEXT(analyzer=text, field_boost=METADATA_BOOST),
        category=ID(stored=True, sortable=True),
        subcategory=ID(stored=True, sortable=True),
        voivodeship=ID(stored=True, sortable=True),
        county=ID(stored=True, sortable=True),
        unit_type=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        population=ID(stored=True, sortable=True),
        population_count=NUMERIC(int, bits=64, sortable=True),
        date_added=ID(stored=True, sortable=True),
        date_updated=ID(stored=True, sortable=True),
        content_hash=ID(stored=True),
        record=STORED(),
    )
    if config.folded:
        schema.add(FOLDED_FIELD, KEYWORD(lowercase=False, scorable=True, field_boost=FOLDED_BOOST))
    return schema


def population_band(population: int | None) -> str | None:
    """The facet value of a population, e.g. 60444 -> "20k-100k"."""
    if population is None:
        return None
    for value, _label, low, high in POPULATION_BANDS:
        if population >= low and (high is None or population < high):
            return value
    return None


def facet_label(facet: str, value: str) -> str:
    """How a facet value is shown to people (population bands have Polish labels)."""
    if facet == "population":
        for band, label, _low, _high in POPULATION_BANDS:
            if band == value:
                return label
    return value
