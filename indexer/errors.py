"""Errors in source files, worded for the editor who has to fix them."""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
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
