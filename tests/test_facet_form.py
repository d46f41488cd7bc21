"""The filters as a real form (issue #15): a GET form of checkboxes in fieldsets, which
works without JavaScript, with "Pokaż więcej" for long lists and a results heading that
names the filters in force."""

from __future__ import annotations

from urllib.parse import parse_qsl

import lxml.html
import pytest

from indexer.schema import FACETS
from search_app.web.views import VISIBLE_VALUES, results_title


def page(client, url: str, **params):
    response = client.get(url, query_string=params or None)
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def facet_form(doc):
    (form,) = doc.xpath("//form[@data-facets]")
    return form


def checked(form) -> list[tuple[str, str]]:
    return [
        (box.name, box.get("value")) for box in form.xpath(".//input[@type='checkbox'][@checked]")
    ]


def fieldset(doc, name: str):
    (found,) = doc.xpath(f"//fieldset[@class='facet'][@aria-labelledby='facet-{name}']")
    return found


def heading(doc) -> str:
    return " ".join(doc.get_element_by_id("wyniki").text_content().split())


def total(doc) -> int:
    return int(doc.get_element_by_id("wyniki").xpath("strong")[0].text)


# --- Structure --------------------------------------------------------------------------


def test_each_facet_is_a_fieldset_of_labelled_checkboxes(client):
    doc = page(client, "/", q="rodzina")
    form = facet_form(doc)
    assert form.get("method") == "get" and form.get("action") == "/"
    sets = form.xpath(".//fieldset[@class='facet']")
    assert len(sets) >= 4
    for group in sets:
        (legend,) = group.xpath("legend")
        (title,) = legend.xpath("h3")
        assert group.get("aria-labelledby") == title.get("id")
        assert title.text_content() in FACETS.values()
    boxes = form.xpath(".//input[@type='checkbox']")
    ids = [box.get("id") for box in boxes]
    assert len(ids) == len(set(ids)) and all(ids)
    for box in boxes:
        assert box.name in FACETS
        (label,) = form.xpath(f".//label[@for='{box.get('id')}']")
        # The label names the value and its count ("śląskie 5 praktyk").
        assert label.xpath(".//span[@class='facet-label']")[0].text_content().strip()
        assert label.xpath(".//span[@class='count']")[0].text_content().split()[0].isdigit()
    # No links dressed as checkboxes any more, and a button that applies the form.
    assert not doc.xpath("//a[contains(@class, 'facet-link')]")
    (button,) = form.xpath(".//button")
    assert button.get("type") == "submit" and button.text_content() == "Zastosuj filtry"


def test_the_form_keeps_the_query_sort_and_page_size_but_not_the_page(bundled_client):
    doc = page(
        bundled_client,
        "/",
        q="pomoc",
        voivodeship="śląskie",
        sort="oldest",
        per_page="20",
        match="all",
        page="1",
    )
    form = facet_form(doc)
    hidden = [(i.name, i.value) for i in form.xpath(".//input[@type='hidden']")]
    assert sorted(hidden) == [
        ("match", "all"),
        ("per_page", "20"),
        ("q", "pomoc"),
        ("sort", "oldest"),
    ]
    assert checked(form) == [("voivodeship", "śląskie")]


# --- Without JavaScript: the form's own submission -----------------------------------------


def submit(client, form, add=(), remove=()):
    """The page a browser gets for ``form`` with boxes ticked (``add``) or cleared
    (``remove``): a GET of the form's action with its fields, as without JavaScript."""
    values = [pair for pair in form.form_values() if pair not in remove] + list(add)
    response = client.get(form.get("action"), query_string=values)
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_ticking_a_box_and_applying_filters_without_javascript(bundled_client):
    start = page(bundled_client, "/", q="pomoc", page="2", per_page="5")
    before = total(start)
    form = facet_form(start)
    category = fieldset(start, "category").xpath(".//input[@type='checkbox']")[0]
    value = category.get("value")
    after = submit(bundled_client, form, add=[("category", value)])
    assert 0 < total(after) < before
    assert checked(facet_form(after)) == [("category", value)]
    # The query and page size are kept, the page starts again at 1.
    assert after.get_element_by_id("q").value == "pomoc"
    assert after.xpath("//ol[@id='lista-wynikow']")[0].get("start") == "1"
    # Clearing the box and applying again gives the first results back.
    again = submit(bundled_client, facet_form(after), remove=[("category", value)])
    assert total(again) == before and checked(facet_form(again)) == []


def test_the_submitted_url_is_a_plain_get_of_the_form_fields(bundled_client):
    doc = page(bundled_client, "/", q="pomoc")
    values = [*facet_form(doc).form_values(), ("voivodeship", "opolskie")]
    query = "&".join(f"{name}={value}" for name, value in values)
    response = bundled_client.get("/?" + query)
    assert response.status_code == 200
    assert parse_qsl(query) == [("q", "pomoc"), ("voivodeship", "opolskie")]
    assert "Wyniki dla „pomoc” w województwie opolskim" in response.get_data(as_text=True)


def test_subcategories_are_checkboxes_under_their_chosen_category(bundled_client):
    doc = page(bundled_client, "/", category="Usługi społeczne")
    (parent,) = fieldset(doc, "category").xpath(
        ".//li[input[@name='category'][@value='Usługi społeczne']]"
    )
    assert parent.xpath("input")[0].get("checked") is not None
    children = parent.xpath(".//ul[@class='children']//input[@type='checkbox']")
    assert children and all(box.name == "subcategory" for box in children)
    (culture,) = [box for box in children if box.get("value") == "Kultura"]
    after = submit(bundled_client, facet_form(doc), add=[("subcategory", "Kultura")])
    assert sorted(checked(facet_form(after))) == [
        ("category", "Usługi społeczne"),
        ("subcategory", "Kultura"),
    ]
    crumbs = [c.text_content() for c in after.xpath("//li[@class='hit']//p[@class='crumbs']")]
    assert crumbs and all("Kultura" in c for c in crumbs)
    assert culture.get("id")


# --- "Pokaż więcej" ---------------------------------------------------------------------


def test_a_long_list_shows_eight_values_and_folds_the_rest(bundled_client):
    doc = page(bundled_client, "/")
    group = fieldset(doc, "voivodeship")
    shown = group.xpath("ul/li/input")
    (more,) = group.xpath("details[@class='more']")
    folded = more.xpath("ul/li/input")
    assert len(shown) == VISIBLE_VALUES and len(folded) == 16 - VISIBLE_VALUES
    assert more.get("open") is None  # folded values are not rendered, so not tabbable
    assert more.xpath("summary")[0].text_content() == f"Pokaż więcej ({len(folded)})"


def test_a_chosen_value_is_never_folded_away(bundled_client):
    folded = fieldset(page(bundled_client, "/"), "voivodeship").xpath(
        "details[@class='more']/ul/li/input"
    )
    chosen = folded[-1].get("value")
    group = fieldset(page(bundled_client, "/", voivodeship=chosen), "voivodeship")
    assert chosen in [box.get("value") for box in group.xpath("ul/li/input[@checked]")]
    still_folded = group.xpath("details[@class='more']/ul/li/input")
    assert chosen not in [box.get("value") for box in still_folded]
    assert len(still_folded) == len(folded) - 1


def test_a_short_list_has_no_show_more(bundled_client):
    doc = page(bundled_client, "/")
    assert not fieldset(doc, "has_attachments").xpath("details")


# --- The results heading ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "Wszystkie praktyki — 68 praktyk"),
        ({"voivodeship": "mazowieckie"}, "Praktyki w województwie mazowieckim — 4 praktyki"),
        ({"voivodeship": "łódzkie"}, "Praktyki w województwie łódzkim — 5 praktyk"),
        ({"category": "Dialog społeczny"}, "Kategoria: Dialog społeczny — 6 praktyk"),
    ],
)
def test_the_heading_names_the_chosen_filter(bundled_client, params, expected):
    assert heading(page(bundled_client, "/", **params)) == expected


def test_the_heading_names_the_query_and_the_filters(bundled_client):
    doc = page(bundled_client, "/", q="pomoc", voivodeship="śląskie")
    assert heading(doc).startswith("Wyniki dla „pomoc” w województwie śląskim — ")
    doc = page(bundled_client, "/", q="pomoc", voivodeship="śląskie", category="Usługi społeczne")
    assert heading(doc).startswith(
        "Wyniki dla „pomoc” (Kategoria: Usługi społeczne; Województwo: śląskie) — "
    )


@pytest.mark.parametrize(
    ("name", "locative"),
    [
        ("dolnośląskie", "dolnośląskim"),
        ("kujawsko-pomorskie", "kujawsko-pomorskim"),
        ("warmińsko-mazurskie", "warmińsko-mazurskim"),
        ("świętokrzyskie", "świętokrzyskim"),
    ],
)
def test_every_voivodeship_name_takes_its_locative(name, locative):
    assert results_title("", {"voivodeship": [name]}) == f"Praktyki w województwie {locative}"


def test_a_value_that_is_no_voivodeship_is_named_plainly():
    assert results_title("", {"voivodeship": ["Mazowsze"]}) == "Województwo: Mazowsze"
