"""The pages about the site: "O bazie" and the accessibility statement (deklaracja dostępności).

Who runs the search, and whom to write to, come from the configuration (``BDP_OPERATOR_*``,
``BDP_ACCESSIBILITY_*``, ``BDP_STATEMENT_*``); until the operator sets them the pages show
the demo defaults below, each saying which variable replaces it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app, render_template

from analyzers.dates import polish_date

bp = Blueprint("pages", __name__)
bp.add_app_template_filter(polish_date, "data_pl")

# Demo values, marked as such on the pages; create_app starts the configuration with them.
OPERATOR_DEFAULTS: dict[str, str] = {
    "OPERATOR_NAME": "Operator przykładowy — ustaw BDP_OPERATOR_NAME",
    "OPERATOR_ADDRESS": "Adres przykładowy — ustaw BDP_OPERATOR_ADDRESS",
    "ACCESSIBILITY_CONTACT_NAME": "Osoba przykładowa — ustaw BDP_ACCESSIBILITY_CONTACT_NAME",
    "ACCESSIBILITY_EMAIL": "dostepnosc@example.pl",
    "ACCESSIBILITY_PHONE": "555 000 000",
    "STATEMENT_PUBLISHED": "2026-01-01",
    "STATEMENT_UPDATED": "2026-01-01",
}
# The keys that hold dates (RRRR-MM-DD, as the statement's template wants them).
DATE_KEYS = ("STATEMENT_PUBLISHED", "STATEMENT_UPDATED")


def parse_operator_config(config: dict[str, Any], prefix: str) -> None:
    """Strip the values; blank ones fall back to the demo; a malformed date stops the start."""
    for key, default in OPERATOR_DEFAULTS.items():
        value = config.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        config[key] = str(value).strip() if value is not None and str(value).strip() else default
    for key in DATE_KEYS:
        try:
            dt.date.fromisoformat(config[key])
            valid = len(config[key]) == 10
        except ValueError:
            valid = False
        if not valid:
            raise ValueError(
                f"{prefix}_{key} musi być datą w postaci RRRR-MM-DD (np. 2026-01-31),"
                f" a jest: {config[key]!r}."
            )


def operator(config: Mapping[str, Any]) -> dict[str, Any]:
    """The operator's data for the templates, and the ``BDP_*`` names still at their demo value."""
    values = {key.lower(): config[key] for key in OPERATOR_DEFAULTS}
    demo = [f"BDP_{key}" for key, default in OPERATOR_DEFAULTS.items() if config[key] == default]
    return {**values, "demo": demo}


@bp.get("/o-bazie")
def about():
    """What the Baza Dobrych Praktyk is, who runs this search, how to add a practice."""
    return render_template("about.html", operator=operator(current_app.config))


@bp.get("/deklaracja-dostepnosci")
def accessibility():
    """The accessibility statement, in the structure of the official template."""
    return render_template("accessibility.html", operator=operator(current_app.config))
