"""The “Mapa praktyk”: voivodeship outlines shaded by the number of practices in each."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

from analyzers.collation import polish_key

# Fixed classes of the number of practices in a voivodeship: (lowest, highest or None).
# Fixed, not stretched between the fewest and the most, so a colour always means the
# same numbers (4 and 5 practices look alike) and a new practice recolours at most its
# own region. The bounds grow about twofold (the 1–2–5 series readers know from money
# and maps): a darker class means roughly twice as many practices, whether the
# collection holds 68 practices (all in 1–5) or the real database's hundreds (tens
# per region), and "51 i więcej" stays the exception rather than the rule.
CLASSES: tuple[tuple[int, int | None], ...] = ((1, 5), (6, 10), (11, 25), (26, 50), (51, None))
# Space above the outlines where the name of the region under the pointer or focus is
# written (in user units of the outlines' drawing).
CAPTION_HEIGHT = 70


@functools.cache
def load_outlines() -> dict[str, Any]:
    """The outlines shipped in ``geo/`` (source and licence in ``geo/LICENSE.md``)."""
    text = files("search_app.web").joinpath("geo/poland_voivodeships.json").read_text("utf-8")
    return json.loads(text)


def map_regions(counts: Mapping[str, int], url_for_value: Callable[[str], str]) -> dict[str, Any]:
    """What the map template draws: each region with its count, class and filter link,
    the legend, and the regions in Polish alphabetical order for the table."""
    outlines = load_outlines()
    regions = []
    for region in outlines["regions"]:
        count = counts.get(region["name"], 0)
        tip = f"{region['name']}: {count} {plural_practices(count)}"
        regions.append(
            {
                "name": region["name"],
                "path": region["path"],
                "x": region["label"][0],
                "y": region["label"][1],
                "count": count,
                "shade": count_class(count),
                # The link's name; its end, ``tip``, is what shows on hover and focus.
                "text": f"Województwo {tip}",
                "tip": tip,
                "url": url_for_value(region["name"]),
            }
        )
    return {
        "width": outlines["width"],
        "height": outlines["height"],
        "caption_height": CAPTION_HEIGHT,
        "regions": regions,
        "by_name": sorted(regions, key=lambda r: polish_key(r["name"])),
        "legend": legend(),
    }


def count_class(count: int) -> int:
    """0 for no practices, else the number (1…) of the fixed class the count falls in.

    >>> [count_class(n) for n in (0, 1, 4, 5, 6, 25, 26, 51, 4000)]
    [0, 1, 1, 1, 2, 3, 4, 5, 5]
    """
    if count <= 0:
        return 0
    for number, (_low, high) in enumerate(CLASSES, start=1):
        if high is None or count <= high:
            return number
    return len(CLASSES)


def legend() -> list[dict[str, Any]]:
    """The legend's entries: class number and the range it stands for, in Polish."""
    entries: list[dict[str, Any]] = [{"shade": 0, "text": "brak"}]
    for number, (low, high) in enumerate(CLASSES, start=1):
        text = f"{low} i więcej" if high is None else f"{low}–{high}"
        entries.append({"shade": number, "text": text})
    return entries


def plural_practices(count: int) -> str:
    """Polish plural: 1 praktyka, 2–4 praktyki (but 12–14 praktyk), 5 praktyk."""
    if count == 1:
        return "praktyka"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "praktyki"
    return "praktyk"
