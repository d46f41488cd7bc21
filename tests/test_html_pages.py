"""A practice page saved as HTML gives the very record its text page gives.

The seeds exist as text only, so :func:`_page_html` lays each one out as the
site's HTML would: menu and counter chrome, the title, the navigation line
with its links, the abstract in paragraphs and the metric card as a table or a
definition list, multi-line values split by ``<br>``, non-breaking spaces
written as ``&nbsp;``, and a style and scripts whose text must not show.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.bdp_page import parse_html_page, parse_page
from indexer.errors import SourceError
from indexer.html_text import decode_html, html_to_text
from indexer.limits import Limits
from indexer.records import Practice
from indexer.sources import read_file, read_sources
from tests.conftest import LODZ, ZORY

NAV = "Skrót i Metryka"
NAV_LINKS = ("Skrót i Metryka", "Pełna prezentacja", "Załączniki")
CARD = "Metryka praktyki"
WEBSITE = re.compile(r"\bwww\.[\w.-]+")
EMAIL = re.compile(r"\b[\w.-]+@[\w-]+\.[\w.-]+")

HEAD = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="pl">
<head>
{meta}
<title>{title} - Baza Dobrych Praktyk</title>
<style type="text/css">
  body {{ font: 11px Verdana, sans-serif; }}
  .nawigacja:before {{ content: ".: Skrót i Metryka -> "; }}
</style>
<script type="text/javascript">
  document.write("<p>Metryka praktyki</p>");  // .: Skrót i Metryka -> :.
</script>
</head>
<body>
"""
META = {
    None: "",
    "utf-8": '<meta charset="utf-8">',
    "windows-1250": '<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">',
}


# --- the seeds laid out as HTML ------------------------------------------------------


def _page_html(seed: Path, card: str = "table", charset: str | None = "utf-8") -> str:
    """The seed's page as the site's HTML; ``card`` is "table" or "dl"."""
    lines = seed.read_text(encoding="utf-8").split("\n")
    nav = [i for i, line in enumerate(lines) if NAV in line]
    first, last = nav[0], nav[-1]
    title_at = _previous(lines, first)
    category_at = _previous(lines, title_at)
    card_at = lines.index(CARD)
    title = lines[title_at].strip()
    meta = META[charset] if charset in META else f'<meta charset="{charset}">'
    parts = [
        HEAD.format(meta=meta, title=_esc(title)),
        _chrome(lines[:category_at]),
        '<div id="tresc">',
        _category(lines[category_at]),
        f'<h2 class="tytul">{_esc(title)}</h2>',
        _nav(lines[first]),
        _summary(lines[first + 1 : card_at]),
        (_card_table if card == "table" else _card_dl)(lines[card_at + 1 : last]),
        _nav(lines[last]),
        "</div>",
        _footer(lines[last + 1 :]),
        "</body>\n</html>\n",
    ]
    return "\n".join(parts)


def _previous(lines: list[str], before: int) -> int:
    return next(i for i in range(before - 1, -1, -1) if lines[i].strip())


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace("\xa0", "&nbsp;")


def _inline(text: str) -> str:
    """Escaped text with its first word in <strong> and addresses as links."""
    escaped = _esc(text)
    escaped = WEBSITE.sub(lambda m: f'<a href="http://{m[0]}/">{m[0]}</a>', escaped)
    escaped = EMAIL.sub(lambda m: f'<a href="mailto:{m[0]}">{m[0]}</a>', escaped)
    return re.sub(r"^(\w+)", r"<strong>\1</strong>", escaped)


def _groups(lines: list[str]) -> list[list[str]]:
    """Lines split at blank lines."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [group for group in groups if group]


def _chrome(lines: list[str]) -> str:
    """The banner (on one seed), the menu with its sub-items, and the visitor counter."""
    menu, counter = _groups(lines)
    banner = ""
    if menu[0] != "Strona główna":
        banner = f'<div id="naglowek"><h1><a href="/">{_esc(menu[0])}</a></h1></div>\n'
        menu = menu[1:]
    items = "\n".join(
        f'  <li class="pod">&raquo; <a href="#">{_esc(line[2:])}</a></li>'
        if line.startswith("» ")
        else f'  <li><a href="#">{_esc(line)}</a></li>'
        for line in menu
    )
    count, *words = counter
    return (
        f'{banner}<div id="menu"><ul>\n{items}\n</ul></div>\n'
        f'<div class="licznik"><strong>{_esc(count)}</strong><br>\n'
        + "<br>\n".join(_esc(word) for word in words)
        + '<script>licznik("odwiedziny");</script><noscript>Włącz JavaScript</noscript></div>'
    )


def _category(line: str) -> str:
    links = " : ".join(f'<a href="#">{_esc(part)}</a>' for part in line.strip().split(" : "))
    lead = "&nbsp;" if line.startswith("\xa0") else ""
    return f'<div class="sciezka">{lead}{links}</div>'


def _nav(line: str) -> str:
    escaped = _esc(line)
    for label in NAV_LINKS:
        escaped = escaped.replace(label, f'<a href="#">{label}</a>', 1)
    return f'<div class="nawigacja">\n  {escaped}\n</div>'


def _summary(lines: list[str]) -> str:
    """Paragraphs as <p>, their text wrapped in the source as an editor's HTML is."""
    return "\n".join(
        "<p>\n" + _wrapped(_inline(" ".join(group))) + "\n</p>" for group in _groups(lines)
    )


def _wrapped(markup: str) -> str:
    """Markup broken into indented lines at its spaces only (an entity is never cut)."""
    return textwrap.fill(
        markup,
        72,
        initial_indent="  ",
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _entries(lines: list[str]) -> list[list[tuple[str, list[str]]]]:
    """The card's groups of (label, value lines): continuation lines join their entry."""
    groups = []
    for group in _groups(lines):
        entries: list[tuple[str, list[str]]] = []
        for line in group:
            if line.startswith("\xa0"):
                entries[-1][1].append(line)
            else:
                label, _, value = line.partition(":")
                entries.append((label + ":", [value]))
        groups.append(entries)
    return groups


def _value(lines: list[str]) -> str:
    return "<br>\n".join(_inline(line) for line in lines)


def _card_table(lines: list[str]) -> str:
    bodies = "\n".join(
        "<tbody>\n"
        + "\n".join(
            f'<tr><th scope="row">{_esc(label)}</th>\n    <td>{_value(values)}</td></tr>'
            for label, values in entries
        )
        + "\n</tbody>"
        for entries in _entries(lines)
    )
    return f'<table class="metryka">\n<caption>{CARD}</caption>\n{bodies}\n</table>'


def _card_dl(lines: list[str]) -> str:
    lists = "\n".join(
        "<dl>\n"
        + "\n".join(
            f"  <dt><strong>{_esc(label)}</strong></dt>\n  <dd>{_value(values)}</dd>"
            for label, values in entries
        )
        + "\n</dl>"
        for entries in _entries(lines)
    )
    return f'<div class="metryka"><h3>{CARD}</h3>\n{lists}\n</div>'


def _footer(lines: list[str]) -> str:
    """The partners' logos, each caption starting at a line led by a non-breaking space."""
    blocks: list[list[str]] = []
    for line in filter(str.strip, lines):
        if line.startswith("\xa0") or not blocks:
            blocks.append([])
        blocks[-1].append(line)
    return (
        '<div id="stopka">\n'
        + "\n".join(
            f'<div class="partner"><img src="logo.gif" alt="logo partnera">'
            f"{'<br>'.join(_esc(line) for line in block)}</div>"
            for block in blocks
        )
        + "\n</div>"
    )


def _write(tmp_path: Path, seed: Path, data: str | bytes, suffix: str = ".html") -> Path:
    path = tmp_path / f"{seed.stem}{suffix}"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _same(from_html: Practice, seed: Path) -> None:
    """Equal records, ``source`` included (it names the page, not the file read)."""
    from_text = parse_page(seed)
    assert from_html == from_text
    assert from_html.to_dict() == from_text.to_dict()


# --- a saved HTML page gives the text page's record ----------------------------------


@pytest.mark.parametrize("card", ["table", "dl"])
@pytest.mark.parametrize("seed", [ZORY, LODZ], ids=["zory", "lodz"])
def test_an_html_page_gives_the_record_of_its_text_page(tmp_path, seed, card):
    path = _write(tmp_path, seed, _page_html(seed, card))
    practice = parse_html_page(path)
    _same(practice, seed)
    assert practice.source == seed.stem


@pytest.mark.parametrize("seed", [ZORY, LODZ], ids=["zory", "lodz"])
def test_the_chrome_scripts_and_styles_are_not_in_the_text(seed):
    text = html_to_text(_page_html(seed).encode("utf-8"), "x.html")
    assert "document.write" not in text and "font:" not in text and "licznik(" not in text
    assert "Włącz JavaScript" not in text  # <noscript>
    assert text.count("Metryka praktyki") == 1
    assert text.count(NAV) == 2
    assert "\xa0" in text  # kept as the text pages have them
    assert "Baza Dobrych Praktyk" not in text  # the <title>


@pytest.mark.parametrize("seed", [ZORY, LODZ], ids=["zory", "lodz"])
def test_a_windows_1250_page_with_its_meta_charset_and_crlf(tmp_path, seed):
    page = _page_html(seed, "dl", charset="windows-1250").replace("\n", "\r\n")
    data = page.encode("cp1250")
    path = _write(tmp_path, seed, data)
    assert decode_html(data, path)[1] == "cp1250"
    _same(parse_html_page(path), seed)


@pytest.mark.parametrize("seed", [ZORY, LODZ], ids=["zory", "lodz"])
def test_a_windows_1250_page_without_a_meta_charset_is_detected(tmp_path, seed):
    data = _page_html(seed, charset=None).encode("cp1250")
    assert b"charset" not in data
    path = _write(tmp_path, seed, data)
    assert decode_html(data, path)[1] == "cp1250"
    _same(parse_html_page(path), seed)


def test_an_iso_8859_2_page_with_entities_for_what_latin_2_lacks(tmp_path):
    data = _page_html(LODZ, charset="iso-8859-2").encode("iso-8859-2", "xmlcharrefreplace")
    assert b"&#8211;" in data  # the en dash of "2008–2013"
    path = _write(tmp_path, LODZ, data)
    assert decode_html(data, path)[1] == "iso8859-2"
    _same(parse_html_page(path), LODZ)


@pytest.mark.parametrize("label", ["utf-8", "iso-8859-1", "no-such-charset"])
def test_a_wrong_meta_charset_falls_back_to_detection(tmp_path, label):
    data = _page_html(ZORY, charset=label).encode("cp1250")
    path = _write(tmp_path, ZORY, data)
    assert decode_html(data, path)[1] == "cp1250"
    _same(parse_html_page(path), ZORY)


def test_the_byte_order_mark_wins_over_the_meta_charset(tmp_path):
    data = b"\xef\xbb\xbf" + _page_html(ZORY, charset="windows-1250").encode("utf-8")
    path = _write(tmp_path, ZORY, data)
    _same(parse_html_page(path), ZORY)
    utf16 = _page_html(ZORY, charset="windows-1250").encode("utf-16")
    assert decode_html(utf16, path)[1] == "utf-16"
    _same(parse_html_page(_write(tmp_path, ZORY, utf16)), ZORY)


def test_a_meta_charset_after_the_first_kilobyte_is_not_looked_for():
    data = b"<!--" + b"x" * 1100 + b'--><meta charset="iso-8859-2"><p>\xb9\x9c\x9f</p>'
    text, encoding = decode_html(data, "x.html")
    assert (text[-10:], encoding) == ("<p>ąśź</p>", "cp1250")


def test_an_htm_page_is_read_too(tmp_path):
    path = _write(tmp_path, LODZ, _page_html(LODZ), suffix=".htm")
    practice = parse_html_page(path)
    _same(practice, LODZ)
    assert practice.source == LODZ.stem


# --- sources ---------------------------------------------------------------------------


def test_read_sources_finds_html_and_htm_pages_in_a_folder(tmp_path):
    _write(tmp_path, ZORY, _page_html(ZORY, "dl"))
    _write(tmp_path, LODZ, _page_html(LODZ), suffix=".htm")
    (tmp_path / "notatki.md").write_text("nie jest źródłem", encoding="utf-8")
    report = read_sources([tmp_path])
    assert not report.errors, report.errors
    assert report.files == 2
    assert sorted(p.id for p in report.practices) == [ZORY.stem, LODZ.stem]
    assert report.origins[ZORY.stem] == str(tmp_path / f"{ZORY.stem}.html")


def test_the_same_practice_as_text_and_html_is_a_duplicate(tmp_path):
    (tmp_path / ZORY.name).write_bytes(ZORY.read_bytes())
    _write(tmp_path, ZORY, _page_html(ZORY))
    report = read_sources([tmp_path])
    assert len(report.practices) == 1
    (error,) = report.errors
    assert "występuje już" in error.problem


def test_an_unknown_format_names_the_page_formats(tmp_path):
    path = tmp_path / "strona.xhtml"
    path.write_text("<p>x</p>", encoding="utf-8")
    ((_line, error),) = list(read_file(path))
    assert isinstance(error, SourceError)
    assert ".txt, .html lub .htm" in error.problem and ".jsonl" in error.problem


# --- broken pages are one clear error, never a traceback -----------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b" \r\n\t ", b"<html><head><title>Strona</title></head><body></body></html>"],
    ids=["empty", "blank", "no-text"],
)
def test_an_html_page_without_text_names_the_file(tmp_path, data):
    path = tmp_path / "pusta.html"
    path.write_bytes(data)
    with pytest.raises(SourceError, match="nie zawiera tekstu") as info:
        parse_html_page(path)
    assert info.value.path == str(path)
    (error,) = read_sources([tmp_path]).errors
    assert str(error).startswith(f"{path}: ")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x00\x00<html\x00><p>\xff\xfe",
        b"<p><b><i>nie zamkni\xc4\x99te <a href=",
        "<p>zwykła strona, nie BDP</p>".encode(),
    ],
    ids=["binary", "nul", "unclosed", "not-bdp"],
)
def test_a_broken_html_page_is_a_source_error_naming_the_file(tmp_path, data):
    path = tmp_path / "zepsuta.htm"
    path.write_bytes(data)
    report = read_sources([path])
    assert not report.practices
    (error,) = report.errors
    assert isinstance(error, SourceError) and error.path == str(path)


@pytest.mark.parametrize("fraction", [0.55, 0.7, 0.8])
def test_an_html_page_cut_short_is_reported_as_truncated(tmp_path, fraction):
    page = _page_html(ZORY)
    path = _write(tmp_path, ZORY, page[: int(len(page) * fraction)])
    with pytest.raises(SourceError, match=r"(ucięta|niepełna).*zapisz stronę ponownie"):
        parse_html_page(path)


def test_an_error_names_the_line_of_the_shown_text_not_of_the_html_file(tmp_path):
    path = _write(tmp_path, ZORY, _page_html(ZORY).replace("2012-06-04", "04.06.2012"))
    with pytest.raises(SourceError) as info:
        parse_html_page(path)
    error = info.value
    assert error.line is None and error.field == "Data wprowadzenia do BDP"
    assert "04.06.2012" in error.problem and "tekstu widocznego na stronie" in error.problem


def test_an_html_page_larger_than_a_record_is_refused_unread(tmp_path):
    path = _write(tmp_path, ZORY, _page_html(ZORY))
    with pytest.raises(SourceError, match="dopuszczalne najwyżej 1 000"):
        parse_html_page(path, Limits(record_bytes=1000))


def test_a_fifo_named_like_an_html_page_is_reported_not_opened(tmp_path):
    fifo = tmp_path / "potok.html"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="FIFO"):
        parse_html_page(fifo)


@given(st.binary(max_size=400))
def test_any_bytes_give_text_or_a_source_error(data):
    try:
        assert isinstance(html_to_text(data, "x.html"), str)
    except SourceError as error:
        assert error.path == "x.html"


# --- html_to_text: how a browser lays text out ---------------------------------------


def _text(markup: str) -> str:
    return html_to_text(markup.encode("utf-8"), "x.html")


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<div>a</div><div>b</div>", "a\nb"),
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("<h1>Tytuł</h1>tekst", "Tytuł\n\ntekst"),
        ("a<span>b</span><a href='#'>c</a><strong> d</strong>", "abc d"),
        ("<ul><li>jeden</li><li><em>dwa</em> trzy</li></ul>", "jeden\ndwa trzy"),
        ("<section><div><p>x</p></div></section><article>y</article>", "x\n\ny"),
        ("<dl><dt>Klucz:</dt><dd>&nbsp;wartość</dd></dl>", "Klucz:\n\xa0wartość"),
        ("<table><tr><th>A:</th><td>1</td></tr><tr><td></td><td>2</td></tr></table>", "A:\t1\n\t2"),
    ],
)
def test_blocks_start_lines_inline_elements_do_not(markup, text):
    assert _text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("a<br>b", "a\nb"),
        ("a<br><br>b", "a\n\nb"),
        ("<div>a<br></div><div>b</div>", "a\nb"),  # a <br> ending a block adds no line
        ("<div>a<br><br></div>b", "a\n\nb"),
        ("a<br>\n   &nbsp;b", "a\n\xa0b"),  # the continuation lines of the metric card
    ],
)
def test_br_breaks_the_line(markup, text):
    assert _text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>  a \n\t b  </p>", "a b"),
        ("<p>a <b> b </b> c</p>", "a b c"),
        ("<p>a&nbsp; &nbsp;b&nbsp;</p>", "a\xa0 \xa0b\xa0"),
        (
            "<p>&lt;tag&gt; &amp; &bdquo;cudzysłów&rdquo; &#8211; &#x105;</p>",
            "<tag> & „cudzysłów” – ą",
        ),
        ("<pre>\n  a\n    b</pre>c", "  a\n    b\nc"),
    ],
)
def test_whitespace_collapses_as_in_a_browser_and_entities_are_decoded(markup, text):
    assert _text(markup) == text


def test_unrendered_content_is_dropped_but_the_text_after_it_is_not():
    markup = (
        "<html><head><title>T</title><style>p {}</style><script>var a;</script></head>"
        "<body>a<script>b()</script> c<!-- komentarz --> d<noscript>e</noscript>"
        "<template><p>f</p></template><p hidden>g</p><select><option>h</option></select>"
        "<?php echo 1 ?> i</body></html>"
    )
    assert _text(markup) == "a c d i"


def test_no_text_is_empty():
    assert _text("") == ""
    assert _text("<html><body><div> </div><br></body></html>") == ""


def test_deep_nesting_keeps_its_text_and_is_no_recursion_error():
    assert _text("<div><span>" * 500 + "x") == "x"  # libxml2 alone stops at 256 levels
    assert isinstance(_text("<div><span>" * 5000 + "x"), str)
