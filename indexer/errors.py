"""The domain errors of BDP Search, each worded in Polish for the person who has to act.

Everything the CLI and the web layer report to people derives from
:class:`BdpError`, so each maps them in one place (the CLI's group, the app's
error handler) instead of catching them command by command.
"""

from __future__ import annotations

from pathlib import Path


class BdpError(Exception):
    """A failure whose message (Polish) tells an editor or a visitor what to do."""


class SourceError(BdpError):
    """A practice that could not be read: names the file, line and field at fault."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = f"pole „{self.field}”: {self.problem}" if self.field else self.problem
        return f"{where}: {what}"


class AttachmentProblem(SourceError):
    """An attachment left out of the index (its practice is indexed without it)."""


class IndexMissingError(BdpError):
    """There is no usable index where one was expected; says how to build it."""

    def __init__(self, index_dir: Path | str, detail: str = "") -> None:
        self.index_dir = str(index_dir)
        message = (
            f"Brak indeksu w katalogu {self.index_dir}"
            + (f" ({detail})" if detail else "")
            + ". Zbuduj go poleceniem: bdp index build"
        )
        super().__init__(message)


class IndexBusyError(BdpError):
    """Another writer held the index for longer than we were willing to wait."""

    def __init__(self, index_dir: Path | str, timeout: float, holder: dict | None) -> None:
        self.index_dir = str(index_dir)
        self.timeout = timeout
        self.holder = holder
        who = ""
        if holder and holder.get("pid"):
            who = f" (proces {holder['pid']}"
            who += f", od {holder['since']})" if holder.get("since") else ")"
        super().__init__(
            f"Indeks w katalogu {self.index_dir} jest właśnie zmieniany przez inny proces{who}. "
            f"Czekano {timeout:g} s — spróbuj ponownie, gdy tamta operacja się zakończy."
        )


class IndexWriteError(BdpError):
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


class LimitSettingError(BdpError, ValueError):
    """A ``BDP_MAX_*`` setting that is not a positive whole number within its ceiling."""
