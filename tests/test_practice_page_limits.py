"""The practice page and „Podobne praktyki” for every accepted record: any ``extra``, any size."""

from __future__ import annotations

import json
import random
import re

import pytest

from indexer.build import build_index
from indexer.limits import Limits
from indexer.records import Practice
from indexer.sources import read_sources
from search_app.engine import related
from search_app.engine.related import RELATED_TEXT_CHARS
from search_app.web import create_app

LIMITS = Limits()

# Every JSON type as an ``extra`` value, and the text the metric card shows for it.
EXTRA_VALUES = {
    "tekst": ("Nr rejestru R-12", "Nr rejestru R-12"),
    "calkowita": (2012, "2012"),
    "ujemna": (-7, "-7"),
    "ulamek": (0.25, "0.25"),
    "duza": (1e300, "1e+300"),
    "prawda": (True, "tak"),
    "falsz": (False, "nie"),
    "nic": (None, "—"),
    "lista": (["32 434 82 34", 5, None], "32 434 82 34, 5, —"),
    "pusta": ([], ""),
    "obiekt": ({"rok": 2012, "kwoty": [1, 2.5]}, "rok: 2012; kwoty: [1, 2.5]"),
    "zagniezdzone": ([{"a": [True]}], '{"a": [true]}'),
}


@pytest.fixture(scope="module")
def extra_client(tmp_path_factory):
    """An index of practices read from JSON Lines, one per ``extra`` type."""
    root = tmp_path_factory.mktemp("extra")
    source = root / "extra.jsonl"
    lines = [
        json.dumps({"id": f"x-{name}", "title": f"Praktyka {name}", "extra": {"Pole": value}})
        for name, (value, _shown) in EXTRA_VALUES.items()
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_sources([source])
    assert not report.errors and len(report.practices) == len(EXTRA_VALUES)
    build_index(report.practices, root / "index")
    return create_app({"TESTING": True, "INDEX_DIR": str(root / "index")}).test_client()


@pytest.mark.parametrize("name", list(EXTRA_VALUES))
def test_every_json_type_in_extra_renders(extra_client, name):
    value, shown = EXTRA_VALUES[name]
    response = extra_client.get(f"/praktyka/x-{name}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    card = html.split('id="metryka"')[1].split("</dl>")[0]
    shown_html = shown.replace('"', "&#34;")
    assert f"<dt>Pole</dt><dd>{shown_html}</dd>" in card
    api = extra_client.get(f"/api/practices/x-{name}").get_json()
    assert api["extra"] == {"Pole": value}


def _words(size: int, seed: int) -> str:
    """Plain Polish-looking text of exactly ``size`` characters, in paragraphs."""
    rng = random.Random(seed)
    vocabulary = "gmina powiat rodzina szkoła pomoc budżet mieszkańcy projekt dzieci sport".split()
    text = " ".join(rng.choice(vocabulary) for _ in range(size // 5 + 10))
    text = re.sub(r"(\S+ ){60}", lambda m: m[0] + "\n\n", text)
    return text[:size].strip().ljust(size, "x")


@pytest.fixture(scope="module")
def size_index(tmp_path_factory):
    """A normal practice, one at every size limit, and one over them (an index built earlier)."""
    normal = Practice(
        id="zwykla", title="Pomoc rodzinie", summary=_words(600, 1), body=_words(2_000, 2)
    )
    largest = Practice(
        id="najwieksza",
        title="T" * LIMITS.title_chars,
        summary=_words(LIMITS.summary_chars, 3),
        body=_words(LIMITS.body_chars, 4),
    )
    oversized = Practice(
        id="za-duza", title="Za duża", summary="wstęp", body=_words(LIMITS.body_chars * 5, 5)
    )
    index_dir = tmp_path_factory.mktemp("sizes")
    build_index([normal, largest, oversized], index_dir)
    return index_dir


@pytest.fixture()
def size_client(size_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(size_index)}).test_client()


def test_page_of_the_largest_record_grows_only_by_its_text(size_client):
    normal = size_client.get("/praktyka/zwykla").get_data(as_text=True)
    largest = size_client.get("/praktyka/najwieksza").get_data(as_text=True)
    text = LIMITS.title_chars * 2 + LIMITS.summary_chars + LIMITS.body_chars  # title twice
    # Characters; the rest is a <p> per paragraph of about 400 characters.
    assert len(largest) - len(normal) <= text * 1.1
    assert "zbyt długi" not in largest  # nothing was cut: it is within the limits


def test_a_longer_record_from_an_older_index_is_shown_cut_to_the_limit(size_client):
    html = size_client.get("/praktyka/za-duza").get_data(as_text=True)
    assert len(html) <= LIMITS.body_chars * 1.1  # of a body 5 times longer
    assert "Tekst jest zbyt długi" in html
    assert 'href="/api/practices/za-duza"' in html


@pytest.fixture()
def analysed(monkeypatch) -> list[int]:
    """The length of every text „Podobne praktyki” analyses for key terms."""
    lengths: list[int] = []
    original = related.key_terms

    def spy(reader, text):
        lengths.append(len(text))
        return original(reader, text)

    monkeypatch.setattr(related, "key_terms", spy)
    return lengths


def test_similar_analyses_a_bounded_start_of_any_practice(size_client, analysed):
    answers = {}
    for practice_id in ("zwykla", "najwieksza", "za-duza"):
        response = size_client.get(f"/api/practices/{practice_id}/similar")
        assert response.status_code == 200
        answers[practice_id] = response.get_data()
    normal, largest, oversized = analysed
    # The normal practice is analysed whole; the others only up to the same bound,
    # although one is 100 and the other 500 times longer.
    assert normal == len("Pomoc rodzinie") + 600 + 2_000 + 2
    assert largest == oversized == RELATED_TEXT_CHARS
    # The answer is a handful of short summaries whatever the practice's size.
    assert max(len(a) for a in answers.values()) <= 4 * len(answers["zwykla"]) + 2_000
