"""Writing the reports of a run: every `--format FORMAT[=FILE]` to its file, or to standard output."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from guardrails.cli.check_command import echo
from guardrails.cli.colour import colour_enabled

from guardrails.report.outputs import OutputSpec, OutputSpecError


def write_reports(
    outputs: Iterable[OutputSpec],
    render: Callable[[str, bool], str],
    fail: Callable[[str], Exception],
) -> None:
    """`render(format, colour)` for each spec (colour only on a terminal, never into a file); a format
    that cannot render or a file that cannot be written is an input error through `fail` (exit 2)."""
    for spec in outputs:
        colour = spec.path is None and colour_enabled(sys.stdout)
        try:
            text = render(spec.format, colour)
        except OutputSpecError as exc:
            raise fail(str(exc)) from None
        if spec.path is None:
            echo(text, nl=False)
            continue
        try:
            spec.path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise fail(f"{spec.path}: cannot write the report: {exc.strerror or exc}") from None
