"""Decoding source files: UTF-8 (with or without BOM), or the legacy Polish code pages.

Polish sites of the BDP era often saved pages in Windows-1250 or ISO-8859-2.
The two share most Polish letters (ć ę ł ń ó ż) but not ą, ś, ź and their
capitals, so the one that yields more Polish letters and fewer stray symbols
is the file's encoding. A file that is neither, or that is UTF-8 with a broken
byte, is rejected with a message naming the file (and the line).
"""

from __future__ import annotations

import os
import stat
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


def read_source_text(path: Path, max_bytes: int | None = None) -> str:
    """A source file's text in any supported encoding (see :func:`read_source_bytes`)."""
    return decode_source(read_source_bytes(path, max_bytes), path)[0]


def read_source_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """A source file's bytes.

    Only a regular file is read: a FIFO would block forever and a device could
    stream without end. The file is opened non-blocking and checked again on
    the open descriptor, so a path swapped for a FIFO after
    :func:`regular_file_problem` cannot hang the build either. With
    ``max_bytes``, a larger file is refused before it is read.
    """
    problem = regular_file_problem(path)
    if problem:
        raise SourceError(path, problem)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise SourceError(path, f"nie można odczytać pliku: {exc.strerror or exc}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(path, _not_regular(info.st_mode))
        if max_bytes is not None and info.st_size > max_bytes:
            raise SourceError(path, _too_big(info.st_size, max_bytes))
        try:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
        except OSError as exc:
            raise SourceError(path, f"nie można odczytać pliku: {exc.strerror or exc}") from exc
    if max_bytes is not None and len(data) > max_bytes:  # grew while being read
        raise SourceError(path, _too_big(len(data), max_bytes))
    return data


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a readable regular file (in Polish), or None when it is one.

    Only ``stat`` is called (symbolic links followed): nothing is opened.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "plik nie istnieje"
    except OSError as exc:
        return f"nie można odczytać pliku: {exc.strerror or exc}"
    if stat.S_ISREG(info.st_mode):
        return None
    return _not_regular(info.st_mode)


def source_lines(text: str) -> list[str]:
    r"""Lines split at ``\n`` only, a ``\r`` before it dropped; numbered as editors count them.

    ``str.splitlines`` also splits at U+2028, U+0085, form feeds and more, which
    may stand inside a JSON string or a page's text: a record would be cut in two
    and every later line number would be wrong.

    >>> source_lines("a\r\nb\u2028c\n")
    ['a', 'b\u2028c']
    """
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        kind = "katalog"
    elif stat.S_ISFIFO(mode):
        kind = "potok (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "urządzenie"
    elif stat.S_ISSOCK(mode):
        kind = "gniazdo"
    else:
        kind = "plik specjalny"
    return f"to nie jest zwykły plik, tylko {kind}; źródłem może być tylko zwykły plik"


def _too_big(size: int, most: int) -> str:
    return f"plik ma {grouped(size)} bajtów, dopuszczalne najwyżej {grouped(most)}"


def grouped(number: int) -> str:
    """A number with its thousands spaced, as Polish writes them: 2 097 152."""
    return f"{number:,}".replace(",", " ")


def _polish_score(text: str) -> int:
    """Polish letters minus characters that only a wrong code page produces."""
    score = 0
    for char in text:
        if char in POLISH_LETTERS:
            score += 1
        elif ord(char) > 127 and char not in TYPOGRAPHY:
            score -= 1
    return score
