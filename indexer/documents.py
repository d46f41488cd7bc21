"""Turning a practice record into the fields of an index document (per the field registry)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from analyzers import folded_words
from analyzers.families import family_words
from indexer.attachments import AttachedFile, indexed_hash
from indexer.fields import COLUMN_FIELDS, FIELDS, FILES, METADATA, METADATA_FIELDS, facet_values
from indexer.records import Practice
from indexer.schema import FAMILY_FIELD, FILE_PAGES_FIELD, FILES_FIELD, FOLDED_FIELD

__all__ = ["METADATA_FIELDS", "practice_to_document", "schema_document"]


def practice_to_document(practice: Practice, files: Sequence[AttachedFile] = ()) -> dict[str, Any]:
    """The Whoosh document for a practice; absent facet values are empty strings.

    ``files`` are its attachments as read (:func:`indexer.attachments.prepare_attachments`):
    their text is searched in the attachments field, below the body.

    Metric-card values searched as text (with the lowest boost) — "Żory", "żorski",
    "Miejski Ośrodek Pomocy Społecznej w Żorach", "gmina miejska", the contacts … —
    are joined, in record order, into the one metadata text field.
    """
    metadata: list[str | None] = []
    for name in METADATA_FIELDS:
        value = getattr(practice, name)
        metadata.extend(value if isinstance(value, tuple) else [value])
    metadata_text = "\n".join(value for value in metadata if value)
    doc: dict[str, Any] = {}
    texts: list[str] = []
    for field in FIELDS:
        if field.key:
            doc[field.name] = getattr(practice, field.name)
        if field.kind == FILES:
            doc[field.name] = "\n\n".join(file.text for file in files if file.pages)
            texts.append(doc[field.name])
        elif field.text == field.name:
            doc[field.name] = getattr(practice, field.name)
            texts.append(doc[field.name])
        if field.number_column and getattr(practice, field.name) is not None:
            doc[field.number_column] = getattr(practice, field.name)
    doc[METADATA] = metadata_text
    texts.append(metadata_text)
    # Every text field again, folded and unstemmed (used if the schema has the field).
    doc[FOLDED_FIELD] = folded_words("\n".join(texts))
    doc[FAMILY_FIELD] = family_words("\n".join(texts))
    doc["content_hash"] = indexed_hash(practice, [file.digest for file in files])
    doc["record"] = practice.to_dict()
    doc[FILES_FIELD] = [file.metadata() for file in files]
    doc[FILE_PAGES_FIELD] = [file.pages for file in files]
    columns = facet_values(practice)
    columns.update((name, getattr(practice, name)) for name in COLUMN_FIELDS)
    # Every sortable field gets a value ("" when absent) so that every segment
    # has every column: Whoosh's MultiReader.column_reader skips segments
    # without the column and then misplaces the documents of later segments,
    # which breaks facet counts once updates have added small segments.
    doc.update({name: value or "" for name, value in columns.items()})
    return doc


def schema_document(
    practice: Practice, names: Collection[str], files: Sequence[AttachedFile] = ()
) -> dict[str, Any]:
    """The document restricted to the fields the index's schema has.

    An index built with an analyzer configuration without the folded field has no
    such field, and Whoosh refuses a document naming a field it does not know.
    """
    return {k: v for k, v in practice_to_document(practice, files).items() if k in names}
