"""Dates as Polish readers write them: ``2012-06-04`` -> ``4 czerwca 2012``."""

from __future__ import annotations

import datetime as dt

# The month in the genitive, as a day of it is written ("4 czerwca").
MONTHS_GENITIVE: tuple[str, ...] = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)


def polish_date(value: str | dt.date | None) -> str:
    """``"2012-06-04"`` (or a date) as ``"4 czerwca 2012"``; None or not a date: ``""``.

    Strings must be ISO dates (``RRRR-MM-DD``, the records' format); a datetime gives its day.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if len(text) != 10 or not text.isascii():
            return ""
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            return ""
    if not isinstance(value, dt.date):
        return ""
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year}"
