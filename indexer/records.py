"""The practice record: one good practice with its metric card, in canonical form.

Every source format is read into :class:`Practice`; the canonical JSON Lines
format is simply :meth:`Practice.to_dict` serialised, one practice per line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

LIST_FIELDS = ("phones", "websites", "emails", "contacts")
OPTIONAL_TEXT_FIELDS = (
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
)


@dataclass(frozen=True)
class Practice:
    """One practice; lists are tuples so a record can't change after parsing."""

    id: str
    title: str
    category: str | None = None
    subcategory: str | None = None
    summary: str = ""
    body: str = ""
    unit_type: str | None = None
    town: str | None = None
    county: str | None = None
    voivodeship: str | None = None
    postal_code: str | None = None
    implementing_unit: str | None = None
    street: str | None = None
    phones: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    population: int | None = None
    contacts: tuple[str, ...] = ()
    date_added: str | None = None
    date_updated: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON object, keys in :data:`FIELD_ORDER`."""
        out: dict[str, Any] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            out[name] = list(value) if name in LIST_FIELDS else value
        out["extra"] = dict(self.extra)
        return out

    def to_json(self) -> str:
        """One canonical JSON Lines line (without the newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def content_hash(self) -> str:
        """A digest of the whole record, to tell a changed practice from an unchanged one."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# The canonical field order, as written by ``bdp export``.
FIELD_ORDER = tuple(f.name for f in fields(Practice))
