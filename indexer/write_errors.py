"""Failures while writing a new generation, worded for the editor who started the write."""

from __future__ import annotations


class IndexWriteError(Exception):
    """Writing the new generation failed; nothing was published, the live index serves on.

    ``practice_id`` names the practice at fault when one is known.
    """

    def __init__(self, message: str, *, practice_id: str | None = None) -> None:
        super().__init__(message)
        self.practice_id = practice_id


class WriteInterrupted(BaseException):
    """A signal (SIGTERM, SIGHUP) asked a writing command to stop.

    A BaseException like KeyboardInterrupt, so that no ``except Exception``
    swallows it on the way out and every cleanup (``finally``) runs.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
