"""Where Polish sentences end, as character offsets, for snippets.

A full stop ends a sentence only when a new one can start after it: "ok. 3 000 zł",
"m.in. w szkołach", "60. roku życia" and "kat. C" go on. The rules, in order:

- a blank line always ends a sentence (a paragraph ends whatever it ends with);
- "." "!" "?" "…" (and any closing quotes or brackets after them) followed by
  whitespace end a sentence unless a lowercase letter comes next;
- abbreviations that always lead on to something (:data:`LEADING`: "ul.",
  "np.", "tzw.", "dr", "prof."…) never end one; those that may also close a
  sentence (:data:`CLOSING`: "r.", "tys.", "zł", "itd."…) do before a capital;
- a single capital ("J. Kowalski") is an initial, unless the word before it
  takes a letter or numeral ("kat. C.", "etap I."): then it may end a sentence;
- before a digit, a full stop after a number or an abbreviation does not end one
  ("latach 60. 70.", "2009 r. 15 osób"); after any other word it does;
- nor does one after "tys.", "mln." or "mld." before an acronym ("100 tys. RLM").

Decimals and dates ("3.5 mln", "11.06.2013") have no space after the stop, so
they never split. A single line break ends a sentence only before a capital,
a digit or a list bullet (a heading or a list item, not a wrapped line).
Everything runs in one pass over the text, looking back a few characters at each
candidate stop.
"""

from __future__ import annotations

import re

# Abbreviations (lowercase, without the final stop) that always lead on to what
# follows: titles, address parts, references, "for example" and the like.
LEADING = frozenset(
    """
    al ang art bł dot doc dr ds dyr gen gm godz hab im inż k kat ks lek lit m.in m.st
    marsz mec mgr mjr nt np nr ob ok os p pn pkt pl płk poz por pow prof przew pt
    red rys st sp str sygn sz św tab tel tj tzn tzw ul ust wg woj ws ww zob zw łac
    """.split()
)

# Abbreviations that may also close a sentence: "w 2009 r. Projekt…" ends at "r.".
# Listed so that a digit after them does not start a new sentence ("r. 15 osób").
CLOSING = frozenset(
    """
    br cdn cm ew etc gr ha in itd itp jw kg km kw m mies min mld mln n.e n.p.m
    o.o p.n.e proc r s s.c szt tys tyg ub ub.r w zł
    """.split()
)

# Abbreviations of quantities, which an acronym may follow as the unit ("tys. RLM").
QUANTITIES = frozenset({"tys", "mln", "mld"})

# Words after which a single capital is a category or a numeral, not an initial.
LETTER_TAKERS = frozenset(
    """
    blok bloku budynek budynku część części edycja edycji etap etapu faza fazy
    grupa grupie grupy grupę kat kategoria kategorii kategorię klasa klasie klasy
    klasę lit litera miejsce miejscu nagroda nagrody opcja opcji plan planu pkt
    poziom poziomu punkt punktu rozdział rozdziału schemat sektor sektora segment
    segmentu stopień stopnia strefa strefie strefy tom typ typu wariant wariantu
    witamina witaminy witaminę załącznik załącznika
    """.split()
)

# Words that lead on to the next one: a fragment cut right after them dangles
# ("… wynosi ok. …", "… w …"); one-letter words ("w", "z", "i", "o", "a") too.
LEADING_WORDS = frozenset(
    """
    albo ani bez czy dla do jak ku lub na nad niż od oraz po pod przez przy za ze we że
    """.split()
)

# A place a sentence may end: a run of stops (with closing quotes or brackets)
# before whitespace, or a line break. Runs are matched from their start only and
# never given back, so a long run of dots costs linear time, not quadratic.
_CANDIDATE = re.compile(r"(?<![.!?…])[.!?…]++[\"'”»’)\]]*+(?=\s)|\n")
_SPACE = re.compile(r"\s*")
# The word a stop ends, dots inside it included ("m.in", "11.06.2013").
_WORD_BEFORE = re.compile(r"(?<![\w.])[\w.]*\w$")
_PREVIOUS_WORD = re.compile(r"(\w+)\.?\s+$")
_WORD_AFTER = re.compile(r"\w+")
_BULLET = "-–—•*·"
# How far back a word before a stop is looked for: longer words are no abbreviation.
_LOOK_BACK = 24


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of each sentence, without the whitespace around it.

    >>> sentence_spans("Ala ma kota. Kot ma Alę.")
    [(0, 12), (13, 24)]
    """
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        if end <= start or not _ends_sentence(text, match):
            continue
        if text[match.start()] == "\n":
            end = match.start()
        span_end = len(text[start:end].rstrip()) + start
        if span_end > start:
            spans.append((start, span_end))
        start = _skip_space(text, match.end())
    if start < len(text):
        end = len(text.rstrip())
        if end > start:
            spans.append((start, end))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see :func:`sentence_spans`).

    >>> sentences("Koszt wyniósł ok. 3 000 zł. Prowadzą je m.in. szkoły, tj. 5 placówek.")
    ['Koszt wyniósł ok. 3 000 zł.', 'Prowadzą je m.in. szkoły, tj. 5 placówek.']
    >>> sentences("Przyjęto 11.06.2013 r. uchwałę. Kwota: 3.5 mln.")
    ['Przyjęto 11.06.2013 r. uchwałę.', 'Kwota: 3.5 mln.']
    >>> sentences("Prowadzi go J. Kowalski. Zobacz też!")
    ['Prowadzi go J. Kowalski.', 'Zobacz też!']
    """
    return [text[start:end] for start, end in sentence_spans(text)]


def dangles(word: str) -> bool:
    """Whether a fragment cut right after ``word`` would leave it hanging.

    >>> [w for w in ("w", "ok.", "np.", "oraz", "zł.", "gminie", "3") if dangles(w)]
    ['w', 'ok.', 'np.', 'oraz']
    """
    key = word.rstrip(".").lower()
    return (len(key) == 1 and key.isalpha()) or key in LEADING or key in LEADING_WORDS


def _skip_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether the stop (or line break) ``match`` ends a sentence."""
    after = _skip_space(text, match.end())
    if after >= len(text):
        return True
    gap = text[match.end() : after]
    if text[match.start()] == "\n":
        gap = "\n" + gap
    if gap.count("\n") >= 2:
        return True  # a paragraph
    following = text[after]
    if text[match.start()] == "\n":
        if following in _BULLET:
            return True
        last = text[max(0, match.start() - _LOOK_BACK) : match.start()].rstrip()[-1:]
        return (following.isupper() or following.isdigit()) and last not in ".,;-–("
    if following.islower():
        return False
    stops = match.group().rstrip("\"'”»’)]")
    if stops != ".":
        return True  # "!", "?", "…", "..."
    before = _WORD_BEFORE.search(text, max(0, match.start() - _LOOK_BACK), match.start())
    if before is None:
        return True  # after a bracket, a quote, a symbol
    word = before.group()
    key = word.lower()
    if key in LEADING:
        return False
    if following.isdigit():
        return not (key in CLOSING or word.replace(".", "").isdigit())
    if key in QUANTITIES and _is_acronym(_WORD_AFTER.match(text, after)):
        return False  # "100 tys. RLM", "2 mln. PLN": a unit, not a new sentence
    if len(word) == 1 and word.isupper():
        previous = _PREVIOUS_WORD.search(text, max(0, before.start() - _LOOK_BACK), before.start())
        return previous is not None and previous.group(1).lower() in LETTER_TAKERS
    return True


def _is_acronym(word: re.Match[str] | None) -> bool:
    return word is not None and len(word.group()) > 1 and word.group().isupper()
