"""The error every source adapter raises for unreadable or invalid input."""

from __future__ import annotations


class SourceError(Exception):
    """Invalid input, named by file (and line when known)."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"
