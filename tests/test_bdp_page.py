"""The saved BDP pages are read field by field, site chrome dropped."""

from __future__ import annotations

import pytest

from indexer.bdp_page import parse_page
from indexer.errors import SourceError
from tests.conftest import LODZ, ZORY


def test_zory_page_every_field():
    p = parse_page(ZORY)
    assert p.id == "000_3b014753ec2e4c31"
    assert p.category == "Usługi społeczne"
    assert p.subcategory == "Pomoc społeczna"
    assert p.title.startswith("Bo ważny jest dom - kompleksowy")
    assert p.summary.startswith("Celem projektu adresowanego do zawodowych rodzin zastępczych")
    assert p.summary.endswith("wynosi ok. 3 000 zł.")
    assert "1 482,30 zł" in p.summary
    assert "\u00a0" not in p.summary
    assert p.summary.count("\n\n") == 2
    assert p.body == ""
    assert p.date_added == "2012-06-04"
    assert p.date_updated == "2013-07-09"
    assert p.unit_type == "gmina miejska"
    assert p.town == "Żory"
    assert p.county == "żorski"
    assert p.voivodeship == "śląskie"
    assert p.postal_code == "44-240"
    assert p.implementing_unit == "Miejski Ośrodek Pomocy Społecznej w Żorach"
    assert p.street == "Ks. Przemysława 2"
    assert p.phones == ("32 43 42 412", "32 43 43 713")
    assert p.websites == ("www.mops.zory.pl",)
    assert p.emails == ("mops@mops.zory.pl",)
    assert p.population == 60444
    assert p.contacts == (
        "Agnieszka Szewczyk",
        "Wydział Strategii i Rozwoju Miasta",
        "tel. 32 434 82 34",
        "e@mail: sir@um.zory.pl",
    )
    assert p.source == "000_3b014753ec2e4c31"
    assert p.extra == {}


def test_lodz_page_missing_county_and_two_websites():
    p = parse_page(LODZ)
    assert p.id == "001_8428a99dc5593c9b"
    assert p.title == "Program Rozwoju Rodzicielstwa Zastępczego w mieście Łodzi"
    assert (p.category, p.subcategory) == ("Usługi społeczne", "Pomoc społeczna")
    assert p.county is None
    assert p.websites == ("www.uml.lodz.pl", "www.mops.lodz.pl")
    assert p.phones == ()
    assert p.emails == ()
    assert p.population == 781932
    assert p.town == "Łódź"
    assert p.street == "ul. Piotrkowska 149"
    assert p.date_added == "2009-10-05"
    assert p.contacts[0] == "Małgorzata Waśkowska"
    assert p.summary.endswith("z funduszy unijnych – 81 645 zł.")


@pytest.mark.parametrize("page", [ZORY, LODZ])
def test_site_chrome_is_dropped(page):
    p = parse_page(page)
    text = " ".join([p.title, p.summary, *p.contacts])
    for chrome in ("gości odwiedziło", "Mapa Praktyk", "Związek", "Norweski", "Strona główna"):
        assert chrome not in text


def _variant(tmp_path, replace: str, by: str, name: str = "x.txt"):
    text = ZORY.read_text(encoding="utf-8")
    assert replace in text
    path = tmp_path / name
    path.write_text(text.replace(replace, by), encoding="utf-8")
    return path


def test_unknown_metric_key_goes_to_extra(tmp_path):
    path = _variant(tmp_path, "Ulica:", "Nr rejestru:\u00a0 R-12\nUlica:")
    assert parse_page(path).extra == {"Nr rejestru": "R-12"}


def test_population_with_spaces(tmp_path):
    path = _variant(tmp_path, "60.444", "60 444")
    assert parse_page(path).population == 60444


def test_bad_date_names_file_line_and_field(tmp_path):
    path = _variant(tmp_path, "2012-06-04", "04.06.2012")
    with pytest.raises(SourceError) as info:
        parse_page(path)
    message = str(info.value)
    assert str(path) in message
    assert ":39:" in message
    assert "Data wprowadzenia do BDP" in message
    assert "04.06.2012" in message


def test_bad_population_is_reported(tmp_path):
    path = _variant(tmp_path, "60.444", "ok. 60 tys.")
    with pytest.raises(SourceError, match="Liczba mieszkańców"):
        parse_page(path)


def test_not_a_bdp_page(tmp_path):
    path = tmp_path / "notatka.txt"
    path.write_text("To jest zwykła notatka.\n", encoding="utf-8")
    with pytest.raises(SourceError, match="notatka.txt: brak linii nawigacji"):
        parse_page(path)


def test_page_in_an_unknown_encoding_is_rejected_with_a_clear_message(tmp_path):
    path = tmp_path / "koi8.txt"
    path.write_bytes("Żółć i gęś: страница".encode("koi8-r", errors="replace") + b"\x81\x83")
    with pytest.raises(SourceError, match="koi8.txt: nie rozpoznano kodowania.*UTF-8"):
        parse_page(path)


def test_bom_and_crlf_are_tolerated(tmp_path):
    path = tmp_path / "crlf.txt"
    text = ZORY.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert parse_page(path).to_dict() | {"id": "", "source": ""} == parse_page(ZORY).to_dict() | {
        "id": "",
        "source": "",
    }


def _cut(tmp_path, seed, keep: str):
    path = tmp_path / seed.name
    path.write_text(keep, encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", [ZORY, LODZ])
@pytest.mark.parametrize("fraction", [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9])
def test_a_page_cut_short_is_reported_as_truncated(tmp_path, seed, fraction):
    text = seed.read_text(encoding="utf-8")
    path = _cut(tmp_path, seed, text[: int(len(text) * fraction)])
    with pytest.raises(SourceError, match=r"(ucięta|niepełna).*zapisz stronę ponownie") as info:
        parse_page(path)
    assert str(info.value).startswith(str(path))


@pytest.mark.parametrize("seed", [ZORY, LODZ])
def test_every_cut_inside_the_metric_card_is_caught(tmp_path, seed):
    lines = seed.read_text(encoding="utf-8").split("\n")
    start = lines.index("Metryka praktyki")
    end = next(i for i in range(start, len(lines)) if "Skrót i Metryka" in lines[i])
    # Every line of the card kept or not, the next one half there or not, up to
    # (not including) the closing navigation line.
    for keep in range(start, end + 1):
        for partial in {"", lines[keep][: len(lines[keep]) // 2] if keep < end else ""}:
            path = _cut(tmp_path, seed, "\n".join(lines[:keep] + [partial]))
            with pytest.raises(SourceError, match="ucięta|niepełna"):
                parse_page(path)


@pytest.mark.parametrize("seed", [ZORY, LODZ])
def test_a_cut_in_the_partners_footer_loses_nothing_and_is_accepted(tmp_path, seed):
    text = seed.read_text(encoding="utf-8")
    path = _cut(tmp_path, seed, text[: int(len(text) * 0.97)])
    assert parse_page(path) == parse_page(seed)


def test_an_empty_metric_card_is_reported(tmp_path):
    text = ZORY.read_text(encoding="utf-8")
    start = text.index("Metryka praktyki\n") + len("Metryka praktyki\n")
    end = text.index(".: ", start)
    path = _cut(tmp_path, ZORY, text[:start] + "\n" + text[end:])
    with pytest.raises(SourceError, match="jest pusta"):
        parse_page(path)


def test_unicode_line_separators_inside_a_page_do_not_shift_line_numbers(tmp_path):
    path = _variant(tmp_path, "Celem projektu", "Celem\u2028projektu\x85adresowanego\x0c")
    text = path.read_text(encoding="utf-8").replace("2012-06-04", "4.6.2012")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=":39:"):  # as in test_bad_date_names_file_line_…
        parse_page(path)
