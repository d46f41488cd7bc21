"""The home page's map (issue #15): fixed classes with a legend, colours that keep their
contrast, each region's name on hover and focus, and the text alternative."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from search_app.web import create_app
from search_app.web.map import CLASSES, count_class, legend, map_regions
from tests.conftest import live_server, new_page
from tests.test_a11y import contrast
from tests.test_browser import DESKTOP, PHONE

STYLE = Path(__file__).resolve().parent.parent / "search_app" / "web" / "static" / "style.css"
WHITE = [255, 255, 255]

# --- Classes and legend -----------------------------------------------------------------


def test_four_and_five_practices_fall_in_the_same_class():
    assert count_class(4) == count_class(5) != count_class(0)


def test_classes_are_fixed_not_stretched_between_the_fewest_and_the_most():
    few = map_regions({"opolskie": 4, "śląskie": 5}, lambda name: name)
    many = map_regions({"opolskie": 4, "śląskie": 500}, lambda name: name)
    shade = {r["name"]: r["shade"] for r in few["regions"]}
    assert shade["opolskie"] == shade["śląskie"] == 1
    assert {r["name"]: r["shade"] for r in many["regions"]}["opolskie"] == 1
    assert shade["mazowieckie"] == 0  # none: a class of its own


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (1, 1), (5, 1), (6, 2), (10, 2), (11, 3), (25, 3), (26, 4), (50, 4), (51, 5)],
)
def test_count_class_bounds(count, expected):
    assert count_class(count) == expected


def test_every_count_falls_in_exactly_one_legend_class():
    ranges = [(0, 0), *CLASSES]
    for count in range(0, 2000):
        inside = [
            i
            for i, (low, high) in enumerate(ranges)
            if low <= count and (high is None or count <= high)
        ]
        assert inside == [count_class(count)], count
    assert [entry["text"] for entry in legend()] == [
        "brak",
        "1–5",
        "6–10",
        "11–25",
        "26–50",
        "51 i więcej",
    ]


# --- Colours ----------------------------------------------------------------------------


def css_colours() -> dict[str, list[int]]:
    text = STYLE.read_text(encoding="utf-8")
    found = re.findall(r"--([\w-]+):\s*#([0-9a-fA-F]{6})\b", text)
    return {name: [int(h[i : i + 2], 16) for i in (0, 2, 4)] for name, h in found}


def test_labels_and_outlines_contrast_with_every_class():
    colours = css_colours()
    shades = [colours[f"shade-{n}"] for n in range(len(CLASSES) + 1)]
    for shade in shades:
        # Counts and outlines are drawn in --ink on every class.
        assert contrast(colours["ink"], shade) >= 4.5
    # Swatches and regions are outlined in --ink: they stand out from the white card.
    assert contrast(colours["ink"], WHITE) >= 3
    # Neighbouring classes are different colours.
    assert len({tuple(s) for s in shades}) == len(shades)


def test_hover_and_focus_keep_the_fill():
    rules = re.findall(r"\.region:(?:hover|focus)[^{]*\{([^}]*)\}", STYLE.read_text("utf-8"))
    assert rules and not any("fill" in rule for rule in rules)


# --- The page ---------------------------------------------------------------------------


def home(client):
    return lxml.html.fromstring(client.get("/").get_data(as_text=True))


def test_the_legend_is_visible_text(bundled_client):
    doc = home(bundled_client)
    (items,) = doc.xpath("//ul[@class='legend']")
    assert items.get("aria-hidden") is None
    assert [li.text_content().strip() for li in items.xpath("li")] == [e["text"] for e in legend()]


def test_each_region_is_a_named_link_with_a_title_and_a_tip(bundled_client):
    regions = home(bundled_client).xpath("//*[local-name()='svg']/*[local-name()='a']")
    assert len(regions) == 16
    for region in regions:
        name = region.get("aria-label")
        assert re.fullmatch(r"Województwo [\w-]+: \d+ praktyk[ai]?", name), name
        tip = region.xpath("*[local-name()='text'][@class='tip']")[0].text_content()
        assert name.endswith(tip) and tip.split(":")[0] in name
        assert region.xpath("*[local-name()='title']")[0].text_content() == name
    # Each count is written on its region, outside the links (their names say it).
    counts = home(bundled_client).xpath("//*[local-name()='g'][@class='counts']/*")
    assert [c.text_content() for c in counts] == [
        r.get("aria-label").rsplit(": ", 1)[1].split()[0] for r in regions
    ]


def test_the_map_has_a_table_of_the_voivodeships(bundled_client):
    doc = home(bundled_client)
    rows = doc.xpath("//details[@class='map-table']//tbody/tr")
    assert len(rows) == 16
    names = [row.xpath("th/a")[0].text_content() for row in rows]
    assert names[:3] == ["dolnośląskie", "kujawsko-pomorskie", "lubelskie"]
    assert names.index("łódzkie") == names.index("lubuskie") + 1  # Polish order
    counts = [int(row.xpath("td")[0].text_content()) for row in rows]
    assert sum(counts) == 68
    assert rows[0].xpath("th/a")[0].get("href") == "/?voivodeship=dolno%C5%9Bl%C4%85skie"


# --- In a browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index)})
    with live_server(app) as address:
        yield address


def focused_region(page) -> str | None:
    return page.evaluate(
        "() => document.activeElement.closest('svg.poland a')?.getAttribute('aria-label')"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_tab_reaches_a_region_and_shows_its_name(browser, base_url, viewport, tmp_path):
    context, page, _errors = new_page(browser, base_url, viewport)
    try:
        page.goto("/")
        tips = page.locator("svg.poland text.tip")
        assert tips.count() == 16
        assert all(not tip.is_visible() for tip in tips.all())
        for _ in range(120):
            page.keyboard.press("Tab")
            if focused_region(page):
                break
        name = focused_region(page)
        assert name and name.startswith("Województwo ")
        region = page.locator(f"svg.poland a[aria-label='{name}']")
        tip = region.locator("text.tip")
        assert tip.is_visible() and name.endswith(tip.text_content())
        # Only the focused region's name shows, inside the map's box.
        assert sum(t.is_visible() for t in tips.all()) == 1
        box, svg = tip.bounding_box(), page.locator("svg.poland").bounding_box()
        assert box and svg
        assert svg["x"] <= box["x"] and box["x"] + box["width"] <= svg["x"] + svg["width"]
        # The fill keeps its class; the outline thickens.
        path = region.locator("path")
        assert path.evaluate("el => parseFloat(getComputedStyle(el).strokeWidth)") >= 6
        shot = tmp_path / f"map-focus-{viewport['width']}.png"
        page.locator("section.map-card").screenshot(path=shot)
        assert shot.exists() and shot.stat().st_size > 0
    finally:
        context.close()


def test_hover_shows_the_name_and_keeps_the_colour(browser, base_url, tmp_path):
    context, page, _errors = new_page(browser, base_url, DESKTOP)
    try:
        page.goto("/")
        region = page.locator("svg.poland a[aria-label^='Województwo mazowieckie']")
        path = region.locator("path")
        fill = path.evaluate("el => getComputedStyle(el).fill")
        width = path.evaluate("el => parseFloat(getComputedStyle(el).strokeWidth)")
        path.hover()
        tip = region.locator("text.tip")
        tip.wait_for(state="visible")
        assert tip.text_content().startswith("mazowieckie: ")
        assert path.evaluate("el => getComputedStyle(el).fill") == fill
        assert path.evaluate("el => parseFloat(getComputedStyle(el).strokeWidth)") > width
        shot = tmp_path / "map-hover-1280.png"
        page.locator("section.map-card").screenshot(path=shot)
        assert shot.exists() and shot.stat().st_size > 0
    finally:
        context.close()


def test_choosing_a_region_names_it_in_the_heading(browser, base_url):
    context, page, _errors = new_page(browser, base_url, PHONE)
    try:
        page.goto("/")
        page.locator("svg.poland a[aria-label^='Województwo małopolskie'] path").click()
        page.wait_for_url("**voivodeship=*")
        heading = " ".join(page.locator("#wyniki").inner_text().split())
        assert heading == "Praktyki w województwie małopolskim — 4 praktyki"
    finally:
        context.close()
