"""Polish alphabetical order (analyzers/collation.py) and where facet values use it."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analyzers.collation import ALPHABET, polish_key
from bdp.cli import main
from tests.conftest import run_search

POLISH_ALPHABET = "a ą b c ć d e ę f g h i j k l ł m n ń o ó p q r s ś t u v w x y z ź ż".split()

# The 16 voivodeships in the official (TERYT) alphabetical order.
VOIVODESHIPS = [
    "dolnośląskie",
    "kujawsko-pomorskie",
    "lubelskie",
    "lubuskie",
    "łódzkie",
    "małopolskie",
    "mazowieckie",
    "opolskie",
    "podkarpackie",
    "podlaskie",
    "pomorskie",
    "śląskie",
    "świętokrzyskie",
    "warmińsko-mazurskie",
    "wielkopolskie",
    "zachodniopomorskie",
]


def polish_sorted(words):
    return sorted(words, key=polish_key)


def test_the_alphabet_is_the_polish_one():
    assert list(ALPHABET) == POLISH_ALPHABET


@pytest.mark.parametrize("case", [str.lower, str.upper], ids=["lower", "upper"])
def test_every_letter_comes_after_the_one_before_it(case):
    letters = [case(letter) for letter in POLISH_ALPHABET]
    for before, after in zip(letters, letters[1:], strict=False):
        assert polish_key(before) < polish_key(after), (before, after)
    shuffled = letters[:]
    random.Random(15).shuffle(shuffled)
    assert polish_sorted(shuffled) == letters


def test_every_letter_sorts_case_insensitively_lower_case_first():
    letters = [c for letter in POLISH_ALPHABET for c in (letter, letter.upper())]
    shuffled = letters[:]
    random.Random(15).shuffle(shuffled)
    assert polish_sorted(shuffled) == letters
    for letter, next_letter in zip(POLISH_ALPHABET, POLISH_ALPHABET[1:], strict=False):
        # The letter's capital still comes before the next letter in either case.
        assert polish_key(letter.upper()) < polish_key(next_letter)
        assert polish_key(letter) < polish_key(next_letter.upper())


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("małopolskie", "mazowieckie"),
        ("łódzkie", "opolskie"),
        ("lubuskie", "łódzkie"),
        ("Łódź", "Maków"),
        ("Lwów", "Łódź"),
        ("zamek", "źdźbło"),
        ("źdźbło", "żaba"),
        ("Żary", "Żywiec"),
        ("osa", "ósemka"),
        ("ósemka", "pies"),
        ("sad", "Śląsk"),
        ("sz", "ś"),
        ("cz", "ć"),
        ("ez", "ę"),
        ("nz", "ń"),
        ("az", "ą"),
    ],
)
def test_examples(before, after):
    assert polish_key(before) < polish_key(after)


def test_the_voivodeships_in_the_official_order():
    shuffled = VOIVODESHIPS[:]
    random.Random(15).shuffle(shuffled)
    assert polish_sorted(shuffled) == VOIVODESHIPS
    assert polish_sorted(reversed(VOIVODESHIPS)) == VOIVODESHIPS
    capitalised = [name.capitalize() for name in VOIVODESHIPS]
    assert polish_sorted(reversed(capitalised)) == capitalised
    # A plain code-point sort gets them wrong: ł and ś after z.
    assert sorted(VOIVODESHIPS) != VOIVODESHIPS


def test_case_only_breaks_ties():
    assert polish_sorted(["Łódź", "łódź", "ŁÓDŹ", "łódzki"]) == ["łódzki", "łódź", "Łódź", "ŁÓDŹ"]
    assert polish_key("Zabrze") < polish_key("zamość") < polish_key("Żory")


def test_spaces_and_hyphens_separate_words():
    # A space and a hyphen weigh the same: word by word, "Nowy-Dwór" before "Nowy Sącz".
    assert polish_sorted(["Nowyx", "Nowy Targ", "Nowy Sącz", "Nowy-Dwór"]) == [
        "Nowy-Dwór",
        "Nowy Sącz",
        "Nowy Targ",
        "Nowyx",
    ]
    assert polish_sorted(["kujawskie", "kujawsko-pomorskie", "kujawsko pomorskie"]) == [
        "kujawskie",
        "kujawsko pomorskie",
        "kujawsko-pomorskie",
    ]
    assert polish_key("Bielsko–Biała") < polish_key("Bielskob")  # an en dash too


def test_digits_before_letters_other_characters_after():
    assert polish_sorted(["b", "(a)", "a", "1", "0", "ą"]) == ["0", "1", "a", "ą", "b", "(a)"]
    assert polish_key("rok 2024") < polish_key("rok drugi")


def test_foreign_accents_sort_with_their_base_letter():
    assert polish_sorted(["f", "é", "e", "ę"]) == ["e", "é", "ę", "f"]
    assert polish_key("Müller") < polish_key("Mz")


def test_equivalent_spellings_sort_together():
    decomposed = "s\u0301la\u0328skie"  # ś and ą with combining marks
    assert polish_key(decomposed)[:3] == polish_key("śląskie")[:3]
    assert polish_sorted([decomposed, "zachodniopomorskie", "świętokrzyskie"]) == [
        decomposed,
        "świętokrzyskie",
        "zachodniopomorskie",
    ]


@given(st.lists(st.text(max_size=8), max_size=12))
def test_the_order_is_total_and_stable(words):
    expected = polish_sorted(words)
    assert polish_sorted(reversed(words)) == expected
    for a, b in zip(expected, expected[1:], strict=False):
        assert polish_key(a) <= polish_key(b)
        assert (polish_key(a) == polish_key(b)) == (a == b)


@given(st.text(alphabet=ALPHABET + ALPHABET.upper() + " -", max_size=10))
def test_case_never_outweighs_a_letter(word):
    assert polish_key(word.lower())[0] == polish_key(word.upper())[0]


def _in_order(values):
    """Most practices first; equal counts in the official order."""
    return sorted(values, key=lambda v: (-v.count, VOIVODESHIPS.index(v.value)))


@pytest.mark.parametrize("q", ["", "budżet", "szkoła", "rada"])
def test_voivodeship_facet_ties_come_in_polish_order(bundled_searcher, q):
    values = run_search(bundled_searcher, q).facets["voivodeship"]
    assert values == _in_order(values)
    counts = [v.count for v in values]
    assert len(set(counts)) < len(counts)  # the bundled data has ties to break


def test_voivodeship_facet_on_the_bundled_data(bundled_searcher):
    values = run_search(bundled_searcher).facets["voivodeship"]
    assert [v.value for v in values] == [
        # Five practices each, then four each: ł after l and ś after s, not after z.
        "dolnośląskie",
        "łódzkie",
        "opolskie",
        "śląskie",
        "kujawsko-pomorskie",
        "lubelskie",
        "lubuskie",
        "małopolskie",
        "mazowieckie",
        "podkarpackie",
        "podlaskie",
        "pomorskie",
        "świętokrzyskie",
        "warmińsko-mazurskie",
        "wielkopolskie",
        "zachodniopomorskie",
    ]
    assert [v.count for v in values] == [5] * 4 + [4] * 12


def test_api_voivodeship_facet_order(bundled_client):
    facet = bundled_client.get("/api/search").get_json()["facets"]["voivodeship"]
    pairs = [(item["count"], item["value"]) for item in facet]
    assert pairs == sorted(pairs, key=lambda pair: (-pair[0], VOIVODESHIPS.index(pair[1])))
    assert [value for _count, value in pairs][:4] == [
        "dolnośląskie",
        "łódzkie",
        "opolskie",
        "śląskie",
    ]


def test_cli_stats_list_voivodeships_in_polish_order(runner, bundled_index):
    args = ["--index-dir", str(bundled_index), "index", "stats", "--json"]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)["facets"]["voivodeship"]
    pairs = [(count, value) for value, count in counts.items()]
    assert pairs == sorted(pairs, key=lambda pair: (-pair[0], VOIVODESHIPS.index(pair[1])))
