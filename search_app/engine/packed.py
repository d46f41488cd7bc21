"""Many short strings held as one UTF-8 buffer and its offsets.

A Python string costs about 50 bytes of header besides its characters (twice
the characters when one of them is a Polish letter); a practice title kept per
practice at 100,000 practices is then tens of megabytes per worker. Packed, a
string costs its UTF-8 bytes and a 4-byte offset, and is decoded when read.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable


class PackedStrings:
    """A list of strings that only grows: ``append``, ``len``, ``[i]``, a substring test.

    >>> titles = PackedStrings(["Budżet obywatelski", "Rodzina zastępcza"])
    >>> titles.append("Ośrodek Pomocy Społecznej")
    >>> len(titles), titles[1], titles[-1]
    (3, 'Rodzina zastępcza', 'Ośrodek Pomocy Społecznej')
    >>> titles.contains(0, "żet"), titles.contains(0, "Rodzina")
    (True, False)
    """

    def __init__(self, strings: Iterable[str] = ()) -> None:
        self._data = bytearray()
        self._offsets = array("Q", [0])
        for text in strings:
            self.append(text)

    def append(self, text: str) -> None:
        self._data += text.encode("utf-8")
        self._offsets.append(len(self._data))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        return self._data[self._offsets[index] : self._offsets[index + 1]].decode("utf-8")

    def contains(self, index: int, needle: str) -> bool:
        """Whether string ``index`` contains ``needle``, without decoding it."""
        start, end = self._offsets[index], self._offsets[index + 1]
        return self._data.find(needle.encode("utf-8"), start, end) >= 0
