"""Output safety: hostile text in queries and in practices is shown, never run; security headers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from indexer.build import build_index
from indexer.records import Practice
from search_app.web import create_app
from search_app.web.security import external_url, relative_location

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
MARK_BREAK = "</mark><script>alert(2)</script><mark>"
TEMPLATE = '{{ "zaq" ~ "xsw" }}'  # would show as zaqxsw if data were ever rendered as a template
PAYLOADS = (SCRIPT, IMG, MARK_BREAK, "<svg onload=alert(3)>", TEMPLATE)

HOSTILE = Practice(
    id="xss-1",
    title=f"Rodzina zastępcza {SCRIPT} rodzina {IMG}",
    category=f"Usługi {SCRIPT}",
    subcategory=f"Pomoc {IMG}",
    summary=f"Rodzina i rodziny zastępcze {MARK_BREAK} rodzina. {SCRIPT} Rodzinie pomagamy.",
    body=f"Rodzina {IMG} <svg onload=alert(3)> rodzinna.",
    unit_type=f"gmina {SCRIPT}",
    town=f"Żory {IMG}",
    county="żorski",
    voivodeship=f"śląskie {SCRIPT}",
    implementing_unit=f"MOPS {SCRIPT}",
    street=f"ul. {IMG}",
    phones=(f"32 {IMG}",),
    websites=(
        "javascript:alert(4)",
        " JavaScript:alert(5)",
        "data:text/html,<script>alert(6)</script>",
        f"www.example.pl/{IMG}",
        "www.example.pl/strona?a=1&b=2",
    ),
    emails=(f"a@b.pl{IMG}",),
    population=1000,
    contacts=(f"Jan {SCRIPT}", TEMPLATE),
    date_added="2012-01-01",
    extra={f"Pole {SCRIPT}": f"wartość {IMG}", "Lista": [SCRIPT, IMG]},
)


class _Audit(HTMLParser):
    """Collects what would execute in a browser: scripts, event handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "base"):
            sources = dict(attrs).get("src") or ""
            if not (tag == "script" and sources.startswith("/static/")):
                self.problems.append(f"<{tag}> {attrs}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value:
                if value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("hostile-index")
    build_index([HOSTILE], index_dir)
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?q=rodzina",
        "/?q=rodzina+zastępcza&voivodeship=" + "śląskie " + SCRIPT,
        "/?q=alert",
        "/?q=script",
        "/?q=img+onerror",
        "/praktyka/xss-1",
        "/praktyka/xss-1?powrot=javascript:alert(1)",
        "/praktyka/xss-1?powrot=/?q=" + SCRIPT,
    ],
)
def test_hostile_practice_fields_are_escaped_in_pages(hostile_client, url):
    response = hostile_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert audit(html) == []
    assert "zaqxsw" not in html


def test_highlighted_snippets_mark_words_but_escape_markup(hostile_client):
    hit = hostile_client.get("/api/search?q=rodzina").get_json()["results"][0]
    for html in (hit["title_html"], hit["snippet"]):
        assert "<mark" in html
        assert audit(html) == []
        assert "&lt;script&gt;" in html or "&lt;img" in html or "&lt;/mark&gt;" in html
    assert "</mark><script>" not in hit["snippet"]


def test_script_urls_from_practices_are_not_links(hostile_client):
    html = hostile_client.get("/praktyka/xss-1").get_data(as_text=True)
    assert "javascript:alert(4)" in html  # shown as text ...
    assert 'href="javascript' not in html.lower()  # ... never as a link
    assert 'href="http://www.example.pl/strona?a=1&amp;b=2"' in html


def test_the_audit_sees_what_would_run():
    for payload in (
        SCRIPT,
        IMG,
        MARK_BREAK,
        "<svg onload=alert(3)>",
        '<a href=" javascript:x">',
        "<iframe src=x>",
        '<p style="x">',
    ):
        assert audit(payload), payload
    assert audit('<script src="/static/app.js"></script>') == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_queries_are_escaped_everywhere(hostile_client, payload):
    for url in ("/", "/api/nie-ma-takiego-adresu", "/nie-ma-takiej-strony"):
        response = hostile_client.get(url, query_string={"q": payload, payload: payload})
        html = response.get_data(as_text=True)
        assert audit(html) == []
    api = hostile_client.get("/api/search", query_string={"q": payload, payload: "x"})
    assert api.status_code == 200 and api.mimetype == "application/json"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_practice_ids_are_escaped_in_404s(hostile_client, payload):
    page = hostile_client.get("/praktyka/" + payload.replace("/", "%2F"))
    assert page.status_code == 404
    assert audit(page.get_data(as_text=True)) == []
    api = hostile_client.get("/api/practices/" + payload.replace("/", "%2F"))
    assert api.status_code == 404 and api.mimetype == "application/json"


@pytest.mark.parametrize("url", ["/", "/praktyka/xss-1", "/api/search", "/healthz", "/nie-ma"])
def test_security_headers_on_every_response(hostile_client, url):
    headers = hostile_client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


def test_templates_have_no_inline_scripts_or_styles():
    from pathlib import Path

    from search_app.web import __file__ as package

    templates = Path(package).parent / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        problems = [p for p in audit(text) if "url_for('static'" not in p]
        assert problems == [], template.name
        assert "<style" not in text, template.name


def test_no_debug_mode_even_with_flask_debug(monkeypatch, small_index):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"INDEX_DIR": str(small_index)})
    assert app.debug is False

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body == {"error": {"status": 500, "message": "Wystąpił nieoczekiwany błąd serwera."}}
    assert "secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "address, expected",
    [
        ("www.zory.pl", "http://www.zory.pl"),
        ("https://uml.lodz.pl/a?b=1", "https://uml.lodz.pl/a?b=1"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,x", None),
        ("vbscript:x", None),
        ("//evil.example", None),
        ("http://", None),
    ],
)
def test_external_url_allows_only_web_addresses(address, expected):
    assert external_url(address) == expected


FORGED = "evil.example"
# Redirects Werkzeug builds from the Host (merged slashes), 404s, errors, pages, the API.
HOST_PROBES = [
    ("get", "/praktyka//x"),
    ("get", "/praktyka//xss-1"),
    ("get", "/api//search?q=rodzina"),
    ("get", "//evil.example/"),
    ("get", "/static//style.css"),
    ("get", "/api/search/"),
    ("get", "/api/search?q=rodzina"),
    ("get", "/nie-ma"),
    ("get", "/api/nie-ma"),
    ("get", "/praktyka/nie-ma"),
    ("get", "/"),
    ("get", "/healthz"),
    ("delete", "/api/search"),
    ("post", "/api/admin/reindex"),
]
TOKEN = "token-redakcji-do-testu-hosta"


@pytest.fixture()
def host_client(tmp_path):
    index_dir = tmp_path / "ix"
    build_index([HOSTILE], index_dir)
    config = {"ADMIN_TOKEN": TOKEN, "SOURCES": [], "ADMIN_LOCK_TIMEOUT": 0.1}
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), **config}).test_client()


def _forged_host_requests(client, host):
    for method, url in HOST_PROBES:
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
            yield url, getattr(client, method)(url, headers={"Host": host, **headers})


def test_a_forged_host_never_appears_in_a_response_header(host_client):
    redirects = 0
    for url, response in _forged_host_requests(host_client, FORGED):
        for name, value in response.headers.items():
            assert FORGED not in value, (url, name, value)
        location = response.headers.get("Location")
        if location:
            assert location.startswith("/") and not location.startswith("//"), (url, location)
        redirects += response.status_code == 308
    assert redirects >= 4  # the probes did exercise Werkzeug's redirects


def test_merged_slash_redirects_are_relative_and_polish(host_client):
    response = host_client.get("/praktyka//xss-1", headers={"Host": FORGED})
    assert response.status_code == 308
    assert response.headers["Location"] == "/praktyka/xss-1"
    body = response.get_data(as_text=True)
    assert FORGED not in body and "Adres zmienił się" in body
    followed = host_client.get(response.headers["Location"])
    assert followed.status_code == 200


@pytest.mark.parametrize(
    "location, expected",
    [
        ("http://evil.example/praktyka/x?a=1#b", "/praktyka/x?a=1#b"),
        ("https://bdp.example//evil.example/x", "/evil.example/x"),
        ("http://bdp.example/\\\\evil.example", "/evil.example"),
        ("http://bdp.example", "/"),
    ],
)
def test_relative_location_never_names_a_host(location, expected):
    assert relative_location(location) == expected


def test_trusted_hosts_refuse_other_hosts_in_polish(small_index, monkeypatch):
    monkeypatch.setenv("BDP_TRUSTED_HOSTS", "bdp.example, .gmina.pl")
    client = create_app({"TESTING": True, "INDEX_DIR": str(small_index)}).test_client()
    for url in ("/api/search?q=rodzina", "/", "/praktyka//x"):
        refused = client.get(url, headers={"Host": FORGED})
        assert refused.status_code == 400, url
        body = refused.get_data(as_text=True)
        assert FORGED not in body and "BDP_TRUSTED_HOSTS" in body
        assert all(FORGED not in value for value in refused.headers.values())
    api = client.get("/api/search", headers={"Host": FORGED}).get_json()
    assert api["error"]["status"] == 400
    assert client.get("/api/search", headers={"Host": "bdp.example"}).status_code == 200
    assert client.get("/", headers={"Host": "www.gmina.pl:8080"}).status_code == 200


def test_without_trusted_hosts_any_host_is_served(small_index, monkeypatch):
    monkeypatch.delenv("BDP_TRUSTED_HOSTS", raising=False)
    app = create_app({"TESTING": True, "INDEX_DIR": str(small_index)})
    assert app.config["TRUSTED_HOSTS"] is None
    assert app.test_client().get("/api/search", headers={"Host": FORGED}).status_code == 200
