"""Polish alphabetical order: a pure-Python sort key (no ICU needed).

``polish_key`` orders strings the way a Polish dictionary does:

* letters in the Polish alphabet order
  a ą b c ć d e ę f g h i j k l ł m n ń o ó p q r s ś t u v w x y z ź ż;
* case-insensitively: case only breaks ties (lower case first, as ICU does);
* word separators (white space, hyphens and dashes) before everything else, so
  strings compare word by word ("Nowy Sącz" before "Nowyx", "a-b" before "ab");
* digits before letters, digit by digit (no numeric value: "10" before "2");
* other letters (Latin letters with foreign diacritics sort as their base letter:
  "é" as "e", just after it on ties); letters of other scripts after the Latin
  ones; every other character (punctuation, symbols) last; invisible formatting
  characters (soft hyphens, zero-width joiners) count only on ties.

The key is a tuple compared level by level: the letters, then foreign accents,
then case, then the text itself, so the order is total and stable (two strings
share a key only if they are equal) and canonically equivalent spellings
(a precomposed "ą" and "a" + combining ogonek) sort together.

>>> sorted(["mazowieckie", "małopolskie", "opolskie", "łódzkie"], key=polish_key)
['łódzkie', 'małopolskie', 'mazowieckie', 'opolskie']
>>> sorted(["Żory", "zamość", "Źródło", "Zabrze"], key=polish_key)
['Zabrze', 'zamość', 'Źródło', 'Żory']
>>> sorted(["ab", "Ab", "a b", "a-b", "a1", "a!"], key=polish_key)
['a b', 'a-b', 'a1', 'ab', 'Ab', 'a!']
"""

from __future__ import annotations

import functools
import unicodedata

ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"

# Weights per class; a class's range never reaches the next class's start.
_SEPARATOR = 0
_DIGIT = 10  # + the digit's value (0-9)
_LETTER = 100  # + the letter's place in ALPHABET
_OTHER_LETTER = 1_000  # + the code point (letters outside the Polish alphabet)
_OTHER = _OTHER_LETTER + 0x110000  # + the code point (punctuation, symbols, ...)

_LETTERS = {letter: _LETTER + place for place, letter in enumerate(ALPHABET)}

PolishKey = tuple[tuple[int, ...], tuple[str, ...], tuple[int, ...], str]


def _weights(char: str) -> tuple[int, str]:
    """A lower-case character's primary weight and its foreign accents (if any)."""
    if char in _LETTERS:
        return _LETTERS[char], ""
    if char.isspace() or unicodedata.category(char) == "Pd":  # "-", "–", "—"...
        return _SEPARATOR, ""
    if char.isdecimal():
        return _DIGIT + unicodedata.decimal(char), ""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base in _LETTERS:  # é, ü, ö, ç...: the base letter, the accent on ties
        return _LETTERS[base], marks
    if char.isalpha():
        return _OTHER_LETTER + ord(char), ""
    return _OTHER + ord(char), ""


@functools.lru_cache(maxsize=65536)
def polish_key(text: str) -> PolishKey:
    """A sort key putting strings in Polish alphabetical order (see the module's notes).

    >>> sorted(["Ła", "la", "łA", "ła", "La"], key=polish_key)
    ['la', 'La', 'ła', 'łA', 'Ła']
    >>> polish_key("a\\u0328")[:3] == polish_key("ą")[:3]  # ogonek as a combining mark
    True
    """
    composed = unicodedata.normalize("NFC", text)
    primary: list[int] = []
    accents: list[str] = []
    cases: list[int] = []
    for char in composed:
        if unicodedata.category(char) == "Cf":  # soft hyphens, zero-width joiners: ignored
            continue
        lower = char.lower()
        if len(lower) != 1:  # "İ" lowers to two characters: keep it as it is
            lower = char
        weight, marks = _weights(lower)
        primary.append(weight)
        accents.append(marks)
        cases.append(0 if lower == char else 1)
    return tuple(primary), tuple(accents), tuple(cases), text
