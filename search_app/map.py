"""The “Mapa praktyk”: voivodeship outlines shaded by the number of practices in each."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

SHADES = 4


@functools.cache
def load_outlines() -> dict[str, Any]:
    """The outlines shipped in ``geo/`` (source and licence in ``geo/LICENSE.md``)."""
    text = files("search_app").joinpath("geo/poland_voivodeships.json").read_text("utf-8")
    return json.loads(text)


def map_regions(counts: Mapping[str, int], url_for_value: Callable[[str], str]) -> dict[str, Any]:
    """What the map template draws: each region with its count, shade and filter link."""
    outlines = load_outlines()
    most = max(counts.values(), default=0)
    regions = [
        {
            "name": region["name"],
            "path": region["path"],
            "x": region["label"][0],
            "y": region["label"][1],
            "count": counts.get(region["name"], 0),
            "shade": _shade(counts.get(region["name"], 0), most),
            "url": url_for_value(region["name"]),
        }
        for region in outlines["regions"]
    ]
    return {"width": outlines["width"], "height": outlines["height"], "regions": regions}


def _shade(count: int, most: int) -> int:
    """0 for no practices, else 1..SHADES in proportion to the busiest voivodeship."""
    if count <= 0 or most <= 0:
        return 0
    return max(1, math.ceil(SHADES * count / most))


def plural_practices(count: int) -> str:
    """Polish plural: 1 praktyka, 2–4 praktyki (but 12–14 praktyk), 5 praktyk."""
    if count == 1:
        return "praktyka"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "praktyki"
    return "praktyk"
