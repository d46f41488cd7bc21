"""Extract the voivodeship outlines of Poland from the jvectormap-content npm package.

Run once by hand (no build step): ``npm pack jvectormap-content@0.2.0``, unpack it, then
``python scripts/extract_map.py package/pl-mill.js`` writes
``search_app/web/geo/poland_voivodeships.json`` (see ``search_app/web/geo/LICENSE.md``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUTPUT = (
    Path(__file__).resolve().parent.parent
    / "search_app"
    / "web"
    / "geo"
    / "poland_voivodeships.json"
)

# ISO 3166-2:PL code -> the voivodeship as the BDP metric cards name it.
VOIVODESHIPS = {
    "PL-DS": "dolnośląskie",
    "PL-KP": "kujawsko-pomorskie",
    "PL-LU": "lubelskie",
    "PL-LB": "lubuskie",
    "PL-LD": "łódzkie",
    "PL-MA": "małopolskie",
    "PL-MZ": "mazowieckie",
    "PL-OP": "opolskie",
    "PL-PK": "podkarpackie",
    "PL-PD": "podlaskie",
    "PL-PM": "pomorskie",
    "PL-SL": "śląskie",
    "PL-SK": "świętokrzyskie",
    "PL-WN": "warmińsko-mazurskie",
    "PL-WP": "wielkopolskie",
    "PL-ZP": "zachodniopomorskie",
}


def polygons(path: str) -> list[list[tuple[float, float]]]:
    """The absolute vertices of each ring of a path made of M, l and Z commands."""
    rings: list[list[tuple[float, float]]] = []
    x = y = 0.0
    for command, numbers in re.findall(r"([MlZ])([^MlZ]*)", path):
        values = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
        pairs = list(zip(values[::2], values[1::2], strict=True))
        if command == "M":
            x, y = pairs[0]
            rings.append([(x, y)])
            pairs = pairs[1:]
        for dx, dy in pairs:
            x, y = x + dx, y + dy
            rings[-1].append((x, y))
    return rings


def centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Area and centroid of a polygon (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return abs(area), cx / (6 * area), cy / (6 * area)


def main(source: str) -> None:
    text = Path(source).read_text(encoding="utf-8")
    width = float(re.search(r"width: ([\d.]+)", text).group(1))
    height = float(re.search(r"height: ([\d.]+)", text).group(1))
    regions = []
    for code, path in re.findall(r'"(PL-[A-Z]{2})": \{\s*path: "([^"]+)"', text):
        _area, x, y = max(centroid(ring) for ring in polygons(path))
        regions.append(
            {
                "code": code,
                "name": VOIVODESHIPS[code],
                "path": path,
                "label": [round(x, 1), round(y, 1)],
            }
        )
    regions.sort(key=lambda r: r["name"])
    data = {
        "source": "npm: jvectormap-content@0.2.0, pl-mill.js (Miller projection)",
        "width": width,
        "height": round(height, 1),
        "regions": regions,
    }
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(regions)} regions -> {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1])
