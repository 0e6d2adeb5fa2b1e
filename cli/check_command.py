"""`guardrails check` without click, when the command line is plain.

Importing click and building the command line's groups and commands costs ~36 M instructions (~7 ms), a
tenth of a small check's whole process, for parsing a few options. The console script (cli/console.py)
therefore reads a `check` command line itself when every word of it is plain: options of `check` by their
exact names (`--format json`, `--format=json`, `-o FILE`), values click would accept unchanged, and paths.
Anything else (`--help`, an unknown, misspelt, combined or repeated-where-single option, a value click
would reject or convert, `--`, a missing path, shell completion) returns None, and click parses the whole
command line as before, with its messages. What `check_parameters` returns is what click hands the `check`
command (tests/cli/test_check_command.py compares them), and `run_check_command` is the one body both
run; `run_without_click` ends as click's standalone `main` ends a command (exit codes, error messages,
Ctrl-C, a closed pipe).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

from guardrails.cli.colour import no_color

from guardrails.errors import EXIT_ERROR, GuardrailsError, InputError

FLAGS = {
    "--soft-fail": "soft_fail",
    "--skip-unrecognised": "skip_unrecognised",
    "--quiet": "quiet",
    "-q": "quiet",
    "--compact": "compact",
    "--no-suppressions": "no_suppressions",
    "--show-passed": "show_passed",
}
REPEATABLE = {
    "--format": "output_formats",
    "--parameter": "parameters",
    "-p": "parameters",
    "--policy-dir": "policy_dirs",
    "--exclude": "excludes",
    "--audit": "audit_sinks",
}
SINGLE = {
    "--config": "config_path",
    "--fail-on": "fail_on",
    "--output": "output_path",
    "-o": "output_path",
    "--audit-key": "audit_key",
    "--engine": "engine_backend",
    "--opa-url": "opa_url",
    "--jobs": "jobs",
    "-j": "jobs",
}
"""`check`'s options (cli/main.py) by name: flags, repeatable values and single values."""
PATH_VALUES = frozenset({"policy_dirs", "config_path", "output_path"})
CHOICES = {
    "fail_on": frozenset({"critical", "high", "medium", "low"}),
    "engine_backend": frozenset({"regorus", "opa-server", "opa-go"}),
}


def check_parameters(args: list[str]) -> dict[str, Any] | None:
    """The parameters click would pass to `check` for `args` (what follows `check`), or None when the
    command line is not plain (click then parses it)."""
    params: dict[str, Any] = {name: False for name in FLAGS.values()}
    params.update({name: [] for name in REPEATABLE.values()})
    params.update({name: None for name in SINGLE.values()})
    seen: set[str] = set()
    paths: list[Path] = []
    words = iter(args)
    for word in words:
        if word == "-" or not word.startswith("-"):
            path = _path(word)
            if path is None:
                return None
            paths.append(path)
            continue
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in FLAGS and not equals:
            params[FLAGS[name]] = True
            continue
        dest = REPEATABLE.get(name) or SINGLE.get(name)
        if dest is None:
            return None  # --help, -h, --, an unknown or combined option: click says what is wrong
        if not equals:
            value = next(words, None)  # type: ignore[arg-type]
            if value is None or value.startswith("-"):
                return None  # no value, or one click might read otherwise
        converted = _value(dest, value)
        if converted is None:
            return None
        if dest in REPEATABLE.values():
            params[dest].append(converted)
        elif dest in seen:
            return None
        else:
            seen.add(dest)
            params[dest] = converted
    if not paths:
        return None
    params["paths"] = tuple(paths)
    for dest in REPEATABLE.values():
        params[dest] = tuple(params[dest])
    return params


def _path(value: str) -> Path | None:
    """click.Path(path_type=Path) with its defaults (readable): None when click would refuse it."""
    try:
        os.stat(value)
    except OSError:
        return Path(value)
    except ValueError:
        return None  # a NUL in the name: click's own error
    return Path(value) if os.access(value, os.R_OK) else None


def _value(dest: str, value: str) -> Any:
    if dest in PATH_VALUES:
        return _path(value)
    if dest in CHOICES:
        return value if value in CHOICES[dest] else None
    if dest == "jobs":
        return int(value) if value.isascii() and value.isdigit() and int(value) >= 1 else None
    if dest == "parameters":
        key, sep, _ = value.partition("=")
        return value if sep and key else None  # else click reports --parameter's error
    return value


def echo(message: str, *, err: bool = False, nl: bool = True) -> None:
    """`click.echo(message, err=err, nl=nl)` as a command of cli/main.py runs it: written and flushed as is
    to a UTF-8 text stream when there is no escape sequence for click to strip; click.echo otherwise."""
    stream = sys.stderr if err else sys.stdout
    text = message + "\n" if nl else message
    if (
        text
        and "\x1b" not in text
        and type(stream) is io.TextIOWrapper
        and stream.errors is not None
        and str(stream.encoding).lower() in {"utf-8", "utf8"}
    ):
        stream.write(text)
        stream.flush()
        return
    import click

    click.echo(message, err=err, nl=nl, color=False if no_color() else None)


class InvalidParameter(InputError):
    """A `--parameter` that is not Key=Value (the click command reports it as click's bad parameter)."""

    def __init__(self, item: str) -> None:
        super().__init__(f"{item!r} is not Key=Value")


def parse_parameters(values: tuple[str, ...]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidParameter(item)
        parameters[key] = value
    return parameters


def run_check_command(
    paths: tuple[Path, ...],
    output_formats: tuple[str, ...],
    config_path: Path | None,
    parameters: tuple[str, ...],
    policy_dirs: tuple[Path, ...],
    excludes: tuple[str, ...],
    fail_on: str | None,
    soft_fail: bool,
    quiet: bool,
    compact: bool,
    skip_unrecognised: bool,
    no_suppressions: bool,
    show_passed: bool,
    output_path: Path | None,
    audit_sinks: tuple[str, ...],
    audit_key: str | None,
    engine_backend: str | None,
    opa_url: str | None,
    jobs: int | None,
) -> int:
    """The `check` command (its options: cli/main.py); returns the exit status. Raises a GuardrailsError
    (bad option, config, input, report file, bundle, engine outage, audit) for the caller to print as
    `error: <message>` with exit status 2; InvalidParameter, one of them, for a malformed `--parameter`."""
    from guardrails.cli.precompiled_catalog import seed

    from guardrails.checking import default_jobs, record_check_run, run_check
    from guardrails.config import load_config
    from guardrails.engine.cli_options import apply_engine_options
    from guardrails.report.outputs import parse_output_specs, renderer

    seed()  # the shipped catalog's data, read ahead of time
    outputs = parse_output_specs(output_formats, output_path)
    from guardrails.config_discovery import discover_config
    from guardrails.gate import exit_code

    config_path = config_path or discover_config()
    config = load_config(config_path)
    config.engine.policy_dirs.extend(policy_dirs)
    apply_engine_options(config, engine_backend, opa_url)
    run = run_check(
        list(paths),
        config,
        parse_parameters(parameters),
        excludes=list(excludes),
        apply_suppressions=not no_suppressions,
        config_path=config_path,
        skip_unrecognised=skip_unrecognised,
        jobs=jobs or default_jobs(),
        keep_documents=config.audit.store_input,
        keep=_kept_until_exit(),
    )
    for warning in run.config_warnings:
        echo(f"warning: {warning}", err=True)
    from guardrails.cli.report_writing import write_reports

    options = {"show_passed": show_passed, "quiet": quiet, "compact": compact}
    write_reports(outputs, lambda fmt, colour: renderer(fmt, colour=colour, **options)(run), InputError)
    sinks = [*config.audit.sinks, *audit_sinks]
    if sinks:
        from guardrails.audit import AuditError

        try:
            record_check_run(
                run,
                sinks,
                store_input=config.audit.store_input,
                signing_key=audit_key or config.audit.signing_key,
            )
        except AuditError as exc:  # the gate record is part of the gate: no record, no pass
            raise InputError(f"audit: {exc}") from None
    for error in run.errors:  # also in the report; stderr names each file that was not judged
        echo(f"error: {error}", err=True)
    return exit_code(run, fail_on=fail_on, soft_fail=soft_fail)


def _kept_until_exit() -> list[object] | None:
    """The console script's list of what a check keeps to the end instead of freeing (run_check's `keep`)
    when its process ends with the check (cli/console.py), else None: other callers (tests, `python -m
    guardrails.cli.main`) go on after it and free what they no longer need."""
    console = sys.modules.get("guardrails.cli.console")
    return console.kept_until_exit if console is not None and console.paused_at_start else None


def run_without_click(params: dict[str, Any]) -> int:
    """Run `check` with `params` (from `check_parameters`) and return the exit status, ending as click's
    standalone `main` and the command group (cli/lazy_group.py) end a command: a GuardrailsError is
    `error: <message>` and 2; Ctrl-C or end of input a new line, "Aborted!" and 1; a closed pipe 1, later
    flushes silenced; a click exception (none is raised on this path) as click shows it."""
    try:
        return run_check_command(**params)
    except GuardrailsError as exc:
        echo(f"error: {exc}", err=True)
        return EXIT_ERROR
    except (EOFError, KeyboardInterrupt):
        from gettext import gettext

        import click

        click.echo(file=sys.stderr)
        click.echo(gettext("Aborted!"), file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno != 32:  # EPIPE
            raise
        from click import utils

        pacify = getattr(utils, "_PacifyFlushWrapper", None) or utils.PacifyFlushWrapper  # type: ignore[attr-defined]
        sys.stdout = pacify(sys.stdout)
        sys.stderr = pacify(sys.stderr)
        return 1
    except Exception as exc:
        click = sys.modules.get("click")
        if click is None or not isinstance(exc, click.ClickException | click.exceptions.Abort):
            raise
        if isinstance(exc, click.exceptions.Abort):
            from gettext import gettext

            click.echo(gettext("Aborted!"), file=sys.stderr)
            return 1
        exc.show()
        return int(exc.exit_code)
