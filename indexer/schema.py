"""The index schema: the fields of a practice document, built from the field registry.

Apart from storage, so that building documents and searching them know the
schema without knowing where or how generations are kept.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema

from analyzers import DEFAULT_ANALYZER, analyzer_config
from indexer.fields import (
    COLUMN_FIELDS,
    FACET_LABELS,
    FIELDS,
    POPULATION_BANDS,
    TEXT_BOOSTS,
    TEXT_FIELDS,
    population_band,
)

# The fields, their boosts and facets are declared in the field registry
# (indexer.fields); these names stay here for the engine, the CLI and the tests.
__all__ = [
    "FACETS",
    "FAMILY_FIELD",
    "FILES_FIELD",
    "FILE_PAGES_FIELD",
    "FOLDED_FIELD",
    "POPULATION_BANDS",
    "TEXT_FIELDS",
    "build_schema",
    "facet_label",
    "population_band",
]

# The folded field only rescues words typed without diacritics or not inflected
# as in the text; it must not outweigh the analysed fields.
FOLDED_BOOST = 0.5

# Distinct words of all the text fields, folded and as written (analyzers.folding); present
# when the analyzer configuration asks for it.
FOLDED_FIELD = "folded"

# Distinct word-family keys of all the text fields (analyzers.families): derivational
# relatives ("kajak", "kajakowy") and the forms of unknown words share a key. A match
# here only widens a word's reach; it must score well below the word itself.
FAMILY_FIELD = "family"
FAMILY_BOOST = 0.3

# Stored with each document: its attachments' metadata, and their text by page.
FILES_FIELD = "files"
FILE_PAGES_FIELD = "file_pages"

# Facet name -> Polish label, in the order facets are listed; every facet is a
# stored, sortable ID field.
FACETS = FACET_LABELS


def build_schema(analyzer: str = DEFAULT_ANALYZER) -> Schema:
    """The schema of a practice document (pickled into the index with its analyzer).

    ``analyzer`` names a configuration in ``analyzers.ANALYZERS``.
    """
    config = analyzer_config(analyzer)
    text = config.make()
    fields: dict[str, FieldType] = {}
    for field in FIELDS:
        if field.key:
            fields[field.name] = ID(stored=True, unique=True)
        if field.number_column:
            fields[field.number_column] = NUMERIC(int, bits=64, sortable=True)
    # title, summary, body (each with its boost) and metadata: every text field.
    for name, boost in TEXT_BOOSTS.items():
        fields[name] = TEXT(analyzer=text, field_boost=boost)
    # Facets (values as shown, e.g. the year or population band) and the columns of
    # a field's own value (dates): stored, sortable IDs.
    for name in (*FACETS, *COLUMN_FIELDS):
        fields[name] = ID(stored=True, sortable=True)
    fields["content_hash"] = ID(stored=True)
    fields["record"] = STORED()
    # Each attachment as indexed (name, type, size, pages, sha256, OCR …), and its text
    # page by page, for the snippet that names the file and the page.
    fields[FILES_FIELD] = STORED()
    fields[FILE_PAGES_FIELD] = STORED()
    schema = Schema(**fields)
    if config.folded:
        schema.add(FOLDED_FIELD, KEYWORD(lowercase=False, scorable=True, field_boost=FOLDED_BOOST))
    if config.family:
        schema.add(FAMILY_FIELD, KEYWORD(lowercase=False, scorable=True, field_boost=FAMILY_BOOST))
    return schema


def facet_label(facet: str, value: str) -> str:
    """How a facet value is shown to people (population bands have Polish labels)."""
    if facet == "population":
        for band, label, _low, _high in POPULATION_BANDS:
            if band == value:
                return label
    return value
