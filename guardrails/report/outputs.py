"""`check --format NAME[=FILE]` (repeatable): which report goes where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guardrails.errors import InputError
from guardrails.report.model import CheckRun

FORMATS = ("text", "json", "sarif", "junit", "github", "asff")


class OutputSpecError(InputError, ValueError):
    """A --format value that is not NAME or NAME=FILE with a known NAME, or two reports on stdout."""


@dataclass(frozen=True)
class OutputSpec:
    """One `--format NAME[=FILE]`: a report format and where it goes."""

    format: str
    path: Path | None = None
    """None: standard output (or --output)."""


def parse_output_specs(
    values: tuple[str, ...] | list[str], default_path: Path | None = None
) -> list[OutputSpec]:
    specs: list[OutputSpec] = []
    for value in values or ("text",):
        name, sep, target = value.partition("=")
        name = name.strip().lower()
        if name not in FORMATS:
            raise OutputSpecError(f"unknown format {name!r} in {value!r} (choose from {', '.join(FORMATS)})")
        if sep and not target:
            raise OutputSpecError(f"{value!r}: give a file after '=' (or drop '=' for standard output)")
        specs.append(OutputSpec(name, Path(target) if sep else None))
    to_stdout = [s for s in specs if s.path is None]
    if len(to_stdout) > 1:
        names = ", ".join(s.format for s in to_stdout)
        raise OutputSpecError(f"only one report can go to standard output (got {names}); use NAME=FILE")
    if default_path is not None and to_stdout:
        specs = [OutputSpec(s.format, default_path) if s.path is None else s for s in specs]
    return specs


def renderer(
    name: str, *, colour: bool, show_passed: bool, quiet: bool = False, compact: bool = False
) -> Callable[[CheckRun], str]:
    if name == "text":
        from guardrails.report.text_report import render_text

        return lambda run: render_text(
            run, colour=colour, show_passed=show_passed, quiet=quiet, compact=compact
        )
    if name == "json":
        from guardrails.report.json_report import render_json

        return render_json
    if name == "sarif":
        from guardrails.report.sarif import render_sarif

        return render_sarif
    if name == "junit":
        from guardrails.report.junit import render_junit

        return render_junit
    if name == "github":
        from guardrails.report.github import render_github

        return lambda run: render_github(run, quiet=quiet)
    if name == "asff":
        return _render_asff
    raise OutputSpecError(f"unknown format {name!r}")


def _render_asff(run: CheckRun) -> str:
    from guardrails.report.asff import AsffError, render_asff

    try:
        return render_asff(run)
    except AsffError as exc:
        raise OutputSpecError(str(exc)) from None
