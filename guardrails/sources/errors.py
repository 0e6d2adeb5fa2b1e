"""The error every source adapter raises for input it cannot read or that is not valid."""

from __future__ import annotations

from guardrails.errors import InputError


class SourceError(InputError):
    """Unreadable or invalid input: malformed YAML/JSON, a template without `Resources`, a binary file...

    `str()` reads `<file>[:<line>]: <message>` so the CLI can print it as is (exit code 2) and the
    CloudFormation hook can return it as an `InternalFailure` message.
    """

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        super().__init__(file, message, line)
        self.file = file
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"
