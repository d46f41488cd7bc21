"""The practice record: one good practice with its metric card, in canonical form.

Every source format is read into :class:`Practice`; the canonical JSON Lines
format is simply :meth:`Practice.to_dict` serialised, one practice per line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from indexer.fields import BY_NAME, FIELD_ORDER, FILES, LIST_FIELDS, OPTIONAL_TEXT_FIELDS

# The record lists come from the field registry (indexer.fields): a field is declared there.
__all__ = [
    "FIELD_ORDER",
    "Attachment",
    "ID_PATTERN",
    "ID_RULE",
    "LIST_FIELDS",
    "OPTIONAL_TEXT_FIELDS",
    "Practice",
    "id_problem",
    "url_problem",
]

# A practice id goes into URLs (/praktyka/<id>) and file names (pages are named
# after theirs): ASCII letters, digits, ".", "_" and "-", starting with a letter
# or digit, at most 128 characters. So no "/" (404), no "..", no 5,000-character
# request lines (414), and nothing that needs quoting.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
ID_RULE = (
    "dozwolone są litery A–Z i a–z (bez polskich znaków), cyfry oraz „.”, „_” i „-”, "
    "najwyżej 128 znaków, na początku litera lub cyfra"
)

# Characters str.splitlines() breaks lines at. json.dumps already escapes the
# ASCII ones (\n, \r, \x0b, \x0c, \x1c-\x1e); these three it writes raw, and a
# reader or editor splitting at them would cut a practice in two.
_RAW_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_RAW_LINE_BREAK = re.compile("[\x85\u2028\u2029]")


def id_problem(practice_id: str) -> str | None:
    """Why ``practice_id`` cannot be a practice id (in Polish), or None when it can.

    >>> id_problem("000_3b014753ec2e4c31") is None
    True
    >>> id_problem("a/b")[:28]
    'niedozwolony identyfikator: '
    """
    if ID_PATTERN.fullmatch(practice_id):
        return None
    shown = practice_id if len(practice_id) <= 40 else practice_id[:40] + "…"
    return f"niedozwolony identyfikator: {shown!r} ({len(practice_id)} znaków); {ID_RULE}"


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a page's address (in Polish), or None when it can.

    Only an absolute http(s) address: the page links it, so ``javascript:``, a path
    or a bare "www.…" must never get there.

    >>> url_problem("https://www.zory.pl/praktyka") is None
    True
    >>> print(url_problem("www.zory.pl"))
    oczekiwano pełnego adresu http:// albo https://, jest 'www.zory.pl'
    """
    if is_http_url(url):
        return None
    shown = url if len(url) <= 60 else url[:60] + "…"
    return f"oczekiwano pełnego adresu http:// albo https://, jest {shown!r}"


def is_http_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) address with a host, a valid port and no
    spaces or control characters: the only kind of address a page may link."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class Attachment:
    """One attached file of a practice, as its source names it.

    ``path`` is relative to the source's folder (the folder of the .jsonl file or of
    the page); ``location`` is where the reader found it on disk, known only to the
    indexer (never written out, not part of the record's identity).
    """

    path: str
    title: str
    location: str | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "title": self.title}


@dataclass(frozen=True)
class Practice:
    """One practice; lists are tuples so a record can't change after parsing.

    Written out by hand (so type checkers know its attributes), it repeats the field
    registry :data:`indexer.fields.FIELDS`: a field added there must be added here too,
    at the same position. ``tests/test_field_registry.py::
    test_the_practice_dataclass_has_the_registry_fields_in_order`` checks they agree.
    """

    id: str
    title: str
    category: str | None = None
    subcategory: str | None = None
    summary: str = ""
    body: str = ""
    attachments: tuple[Attachment, ...] = ()
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
    source_url: str | None = None
    sample: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON object, keys in :data:`FIELD_ORDER`."""
        out: dict[str, Any] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            if name in LIST_FIELDS:
                value = list(value)
            elif BY_NAME[name].kind == FILES:
                value = [item.to_dict() for item in value]
            out[name] = value
        out["extra"] = dict(self.extra)
        return out

    def to_json(self) -> str:
        """One canonical JSON Lines line (without the newline), with no line break inside.

        Every character ``str.splitlines`` splits at is written as ``\\uXXXX``, so
        any reader or editor sees exactly one line per practice.
        """
        line = json.dumps(self.to_dict(), ensure_ascii=False)
        return _RAW_LINE_BREAK.sub(lambda match: _RAW_LINE_BREAKS[match[0]], line)

    def content_hash(self) -> str:
        """A digest of the whole record, to tell a changed practice from an unchanged one."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
