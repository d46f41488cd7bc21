"""Turning a practice record into the fields of an index document."""

from __future__ import annotations

from typing import Any

from analyzers import folded_words
from indexer.records import Practice
from indexer.schema import FOLDED_FIELD, population_band

# Metric-card values searched as text (with the lowest boost): "Żory", "żorski",
# "Miejski Ośrodek Pomocy Społecznej w Żorach", "gmina miejska" …
METADATA_FIELDS = (
    "category",
    "subcategory",
    "unit_type",
    "town",
    "county",
    "voivodeship",
    "implementing_unit",
    "street",
)


def practice_to_document(practice: Practice) -> dict[str, Any]:
    """The Whoosh document for a practice; absent facet values are empty strings."""
    metadata = [getattr(practice, name) for name in METADATA_FIELDS]
    metadata.extend(practice.contacts)
    metadata_text = "\n".join(value for value in metadata if value)
    doc: dict[str, Any] = {
        "id": practice.id,
        "title": practice.title,
        "summary": practice.summary,
        "body": practice.body,
        "metadata": metadata_text,
        # Every text field again, folded and unstemmed (used if the schema has the field).
        FOLDED_FIELD: folded_words(
            "\n".join((practice.title, practice.summary, practice.body, metadata_text))
        ),
        "content_hash": practice.content_hash(),
        "record": practice.to_dict(),
    }
    facets = {
        "category": practice.category,
        "subcategory": practice.subcategory,
        "voivodeship": practice.voivodeship,
        "county": practice.county,
        "unit_type": practice.unit_type,
        "year": practice.date_added[:4] if practice.date_added else None,
        "population": population_band(practice.population),
        "date_added": practice.date_added,
        "date_updated": practice.date_updated,
    }
    # Every sortable field gets a value ("" when absent) so that every segment
    # has every column: Whoosh's MultiReader.column_reader skips segments
    # without the column and then misplaces the documents of later segments,
    # which breaks facet counts once updates have added small segments.
    doc.update({name: value or "" for name, value in facets.items()})
    if practice.population is not None:
        doc["population_count"] = practice.population
    return doc
