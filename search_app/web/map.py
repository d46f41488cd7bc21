"""The “Mapa praktyk”: voivodeship outlines shaded by the number of practices in each."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

SHADES = 4


@functools.cache
def load_outlines() -> dict[str, Any]:
    """The outlines shipped in ``geo/`` (source and licence in ``geo/LICENSE.md``)."""
    text = files("search_app.web").joinpath("geo/poland_voivodeships.json").read_text("utf-8")
    return json.loads(text)


def map_regions(counts: Mapping[str, int], url_for_value: Callable[[str], str]) -> dict[str, Any]:
    """What the map template draws: each region with its count, shade and filter link."""
    outlines = load_outlines()
    present = [count for count in counts.values() if count > 0]
    low, high = min(present, default=0), max(present, default=0)
    regions = []
    for region in outlines["regions"]:
        count = counts.get(region["name"], 0)
        regions.append(
            {
                "name": region["name"],
                "path": region["path"],
                "x": region["label"][0],
                "y": region["label"][1],
                "count": count,
                "shade": shade(count, low, high),
                "url": url_for_value(region["name"]),
            }
        )
    return {"width": outlines["width"], "height": outlines["height"], "regions": regions}


def shade(count: int, low: int, high: int) -> int:
    """0 for no practices, else 1..SHADES in equal steps from the fewest to the most.

    >>> [shade(n, 2, 10) for n in (0, 2, 5, 10)]
    [0, 1, 2, 4]
    """
    if count <= 0:
        return 0
    if high <= low:
        return SHADES // 2
    return 1 + min(SHADES - 1, int(SHADES * (count - low) / (high - low + 1)))


def plural_practices(count: int) -> str:
    """Polish plural: 1 praktyka, 2–4 praktyki (but 12–14 praktyk), 5 praktyk."""
    if count == 1:
        return "praktyka"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "praktyki"
    return "praktyk"
