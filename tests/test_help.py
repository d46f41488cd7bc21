"""The "Jak szukać" help: the page, the links to it, its examples, the README's syntax table."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from whoosh.qparser import plugins

from search_app.engine.context import QueryContext
from search_app.engine.matching import MIN_REQUIRED, RELAX_BELOW
from search_app.engine.understanding import FIELD_ALIASES, OPERATORS, SignPlugin, parser_for
from tests.conftest import ROOT

HELP = "/jak-szukac"
README = ROOT / "README.md"

# Every plugin of the query parser, with how the README's "Jak szukać" table writes the
# syntax it adds. A plugin missing here is syntax nobody documented: add it to the
# README (and to the page) first, then here.
DOCUMENTED_SYNTAX: dict[type, tuple[str, ...]] = {
    plugins.WhitespacePlugin: (),
    plugins.MultifieldPlugin: (),  # spreads words over the text fields: no syntax
    plugins.OperatorsPlugin: (),  # its words: test_the_readme_names_every_operator_word
    plugins.FieldAliasPlugin: (),  # its names: test_the_readme_names_every_field_name
    plugins.FieldsPlugin: ("`pole:wartość`",),
    plugins.PhrasePlugin: ('`"fraza w cudzysłowie"`',),
    plugins.SingleQuotePlugin: ("`pole:'kilka słów'`",),
    plugins.GroupPlugin: ("`( )`",),
    plugins.WildcardPlugin: ("`rodzin*`", "`szk?ła`"),
    plugins.RangePlugin: ("`pole:[od TO do]`", "`pole:{od TO do}`"),
    plugins.BoostPlugin: ("`słowo^2`",),
    plugins.EveryPlugin: ("`*:*`",),
    SignPlugin: ("`+słowo`", "`-słowo`"),
}
SIGNS = {SignPlugin.Plus: "+słowo", SignPlugin.Minus: "-słowo"}
# The operators the project configured (Whoosh adds ANDNOT, ANDMAYBE and REQUIRE on its own).
OWN_OPERATORS = {"and", "or", "not"}


class Links(HTMLParser):
    """Every link of a page: its href, attributes, text and the elements it sits in."""

    CONTAINERS = {"main", "footer", "form", "nav", "table"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.ids: set[str] = set()
        self._open: list[str] = []
        self._link: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag in self.CONTAINERS:
            self._open.append(tag)
        if tag == "a":
            self._link = {
                "href": attributes.get("href") or "",
                "attrs": attributes,
                "text": "",
                "within": tuple(self._open),
            }

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self._link["text"] = " ".join(self._link["text"].split())
            self.links.append(self._link)
            self._link = None
        elif tag in self.CONTAINERS and self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data


def links_of(client, url: str) -> Links:
    response = client.get(url)
    assert response.status_code in (200, 404), url
    return Links(response.get_data(as_text=True))


def is_example(link: dict) -> bool:
    return "example" in link["attrs"].get("class", "").split()


def help_links(links: Links, within: str) -> list[dict]:
    return [link for link in links.links if link["href"] == HELP and within in link["within"]]


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Jak szukać\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def operator_words(tagger) -> set[str]:
    """The words an operator tagger accepts: the capitals of its pattern, escapes removed."""
    return set(re.findall(r"[A-Z]+", re.sub(r"\\.", "", tagger.expr.pattern)))


@pytest.fixture(scope="module")
def parser(bundled_searcher):
    return parser_for(QueryContext(bundled_searcher))


@pytest.fixture(scope="module")
def operators(parser) -> dict[str, set[str]]:
    """Operator words by kind ("and", "or", "not", ...) of the parser's operator plugins."""
    found: dict[str, set[str]] = {}
    for plugin in parser.plugins:
        if isinstance(plugin, plugins.OperatorsPlugin):
            for tagger, _priority in plugin.ops:
                found.setdefault(tagger.memo, set()).update(operator_words(tagger))
    return found


def field_names() -> set[str]:
    return {name for field, aliases in FIELD_ALIASES.items() for name in (field, *aliases)}


# The page


def test_the_help_page_has_its_heading_and_polish_title(bundled_client):
    response = bundled_client.get(HELP)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="pl">' in html
    assert "<h1>Jak szukać</h1>" in html
    assert html.count("<h1") == 1
    assert "<title>Jak szukać — Baza Dobrych Praktyk</title>" in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert not re.search(r"\s(on[a-z]+|style)=", html)


@pytest.mark.parametrize("url", ["/", "/?q=rodzina&voivodeship=śląskie"])
def test_the_search_page_links_to_the_help_next_to_the_search_box(bundled_client, url):
    links = links_of(bundled_client, url)
    near_the_box = help_links(links, "form")
    assert [link["text"] for link in near_the_box] == ["Jak szukać?"]
    assert "main" in near_the_box[0]["within"]


@pytest.mark.parametrize("url", ["/", "/praktyka/000_3b014753ec2e4c31", HELP, "/praktyka/nie-ma"])
def test_every_page_links_to_the_help_in_its_footer(bundled_client, url):
    assert [link["text"] for link in help_links(links_of(bundled_client, url), "footer")] == [
        "Jak szukać"
    ]


def test_every_example_runs_and_finds_what_the_page_says(bundled_client):
    examples = [link for link in links_of(bundled_client, HELP).links if is_example(link)]
    assert len(examples) >= 30
    kinds = {link["attrs"]["data-expect"] for link in examples}
    assert kinds == {"results", "relaxed", "corrected", "as-typed"}
    failed = []
    for link in examples:
        href, expect = link["href"], link["attrs"]["data-expect"]
        parts = urlsplit(href)
        assert parts.path in ("/", "/api/search"), href
        assert link["text"].startswith(("Szukaj: ", "Przykład w API: ")), link["text"]
        if bundled_client.get(href).status_code != 200:
            failed.append((href, "status"))
            continue
        body = bundled_client.get(f"/api/search?{parts.query}").get_json()
        shown = {
            "results": body["total"] > 0,
            "relaxed": body["total"] > 0 and bool(body["relaxed"]),
            "corrected": body["total"] > 0 and body["corrected"],
            "as-typed": not body["corrected"] and body["suggestion"] is not None,
        }[expect]
        if not shown:
            failed.append((link["text"], expect, body["total"], body["relaxed"], body["messages"]))
    assert failed == []


def test_the_other_links_of_the_help_page_work(bundled_client):
    links = links_of(bundled_client, HELP)
    others = [link for link in links.links if not is_example(link)]
    anchors = [link["href"][1:] for link in others if link["href"].startswith("#")]
    assert {"zwykle", "literowki", "operatory", "pola", "filtry", "api"} <= set(anchors)
    assert set(anchors) <= links.ids
    pages = {link["href"] for link in others if link["href"].startswith("/")}
    assert "/api/openapi.json" in pages
    for href in pages:
        assert bundled_client.get(href).status_code == 200, href


def test_the_page_names_every_field_name_and_operator(bundled_client, operators):
    html = bundled_client.get(HELP).get_data(as_text=True)
    assert [name for name in sorted(field_names()) if f"<code>{name}:</code>" not in html] == []
    own = set().union(*(operators[kind] for kind in OWN_OPERATORS))
    assert [word for word in sorted(own) if f"<code>{word}</code>" not in html] == []
    assert [sign for sign in SIGNS.values() if f"<code>{sign}</code>" not in html] == []


# The README


def test_the_readme_points_to_the_help_page():
    section = readme_section()
    assert f"`{HELP}`" in section
    assert "`match=auto|all|any`" in section and "`correct=0`" in section


def test_the_readme_names_every_operator_word(operators):
    words = set().union(*operators.values())
    assert {"AND", "I", "ORAZ", "OR", "LUB", "ALBO", "NOT", "BEZ"} <= words
    section = readme_section()
    assert [word for word in sorted(words) if f"`{word}`" not in section] == []


def test_the_readme_names_every_field_name():
    section = readme_section()
    assert {"tytuł", "miejscowość", "miasto", "województwo", "region", "powiat", "rok"} <= (
        field_names()
    )
    assert [name for name in sorted(field_names()) if f"`{name}:`" not in section] == []


def test_the_readme_documents_the_syntax_of_every_parser_plugin(parser):
    section = readme_section()
    kinds = {type(plugin) for plugin in parser.plugins}
    assert OPERATORS in parser.plugins
    assert kinds - set(DOCUMENTED_SYNTAX) == set(), "undocumented query syntax"
    missing = [token for kind in kinds for token in DOCUMENTED_SYNTAX[kind] if token not in section]
    assert missing == []


def test_the_readme_documents_every_sign():
    signs = {tagger.fn for tagger, _priority in SignPlugin().taggers(None)}
    assert signs == set(SIGNS), "a new sign: document it in the README and on the page"
    section = readme_section()
    assert [sign for sign in SIGNS.values() if f"`{sign}`" not in section] == []


def test_the_relaxing_threshold_is_stated_as_the_engine_has_it(client):
    page = client.get("/jak-szukac").get_data(as_text=True)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mniej niż {RELAX_BELOW} praktyk" in page
    assert f"mniej niż {MIN_REQUIRED}" in page
    assert f"mniej niż {RELAX_BELOW} praktyk" in " ".join(readme.split())
