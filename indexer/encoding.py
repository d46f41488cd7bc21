"""Decoding source files: UTF-8 (with or without BOM), or the legacy Polish code pages.

Polish sites of the BDP era often saved pages in Windows-1250 or ISO-8859-2.
The two share most Polish letters (ć ę ł ń ó ż) but not ą, ś, ź and their
capitals, so the one that yields more Polish letters and fewer stray symbols
is the file's encoding. A file that is neither, or that is UTF-8 with a broken
byte, is rejected with a message naming the file (and the line).
"""

from __future__ import annotations

from pathlib import Path

from indexer.errors import SourceError

LEGACY_ENCODINGS = ("cp1250", "iso-8859-2")
POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Non-ASCII characters expected in Polish text besides its letters; anything else
# (C1 controls, ±, ¶, ¼, š, Ľ …) is a sign of the wrong code page.
TYPOGRAPHY = frozenset("\u00a0„”“‘’«»–—…•·°§×©®€éüöäáíú")
# UTF-8 encodings of Polish letters: finding them in a file that is not valid UTF-8
# means a UTF-8 file with a damaged byte, not a legacy code page.
UTF8_POLISH = tuple(letter.encode("utf-8") for letter in POLISH_LETTERS)


def decode_source(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode a source file's bytes; returns the text and the encoding it was in."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if any(sequence in data for sequence in UTF8_POLISH):
        line = data.count(b"\n", 0, utf8_error.start) + 1
        raise SourceError(
            path,
            f"plik w UTF-8 zawiera błędny bajt 0x{data[utf8_error.start]:02X} "
            f"(bajt {utf8_error.start}); popraw go lub zapisz plik ponownie jako UTF-8",
            line=line,
        )
    scored = []
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((_polish_score(text), encoding, text))
    scored.sort(reverse=True)
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        _score, encoding, text = scored[0]
        return text, encoding
    if len(scored) == 2 and scored[0][2] == scored[1][2] and scored[0][0] > 0:
        return scored[0][2], scored[0][1]
    raise SourceError(
        path,
        "nie rozpoznano kodowania pliku (oczekiwano UTF-8, Windows-1250 lub ISO-8859-2); "
        "zapisz go jako UTF-8",
    )


def read_source_text(path: Path) -> str:
    """A source file's text, whatever supported encoding it is in."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"nie można odczytać pliku: {exc.strerror or exc}") from exc
    return decode_source(data, path)[0]


def _polish_score(text: str) -> int:
    """Polish letters minus characters that only a wrong code page produces."""
    score = 0
    for char in text:
        if char in POLISH_LETTERS:
            score += 1
        elif ord(char) > 127 and char not in TYPOGRAPHY:
            score -= 1
    return score
