"""The `guardrails` command line. Imports are lazy so `guardrails --version` stays fast."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from guardrails import __version__

EXIT_PASS, EXIT_VIOLATIONS, EXIT_INPUT_ERROR = 0, 1, 2


def fail_input(message: str) -> click.exceptions.Exit:
    """Print an input/usage error (no traceback) and return the exit-2 exception to raise."""
    click.echo(f"error: {message}", err=True)
    return click.exceptions.Exit(EXIT_INPUT_ERROR)


def parse_parameters(values: tuple[str, ...]) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not Key=Value", param_hint="--parameter")
        parameters[key] = value
    return parameters


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guardrails")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Policy-as-code guardrails for SageMaker and S3."""
    from guardrails.cli.colour import apply_no_color

    apply_no_color(ctx)  # NO_COLOR (https://no-color.org): no styles in any subcommand


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Guardrails config file (YAML)."
)
@click.option(
    "--parameter",
    "-p",
    "parameters",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a CloudFormation parameter (repeatable).",
)
@click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra folder of Rego policies (custom controls) to load beside the bundled ones.",
)
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="GLOB",
    help="Skip files whose path matches this glob while walking folders (repeatable).",
)
@click.option("--show-passed", is_flag=True, help="Also list resources without violations (text format).")
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--audit",
    "audit_sinks",
    multiple=True,
    metavar="SINK",
    help="Record every decision to this audit sink (file://x.jsonl, dynamodb://table, s3://bucket/prefix).",
)
@click.option(
    "--audit-key",
    metavar="URL",
    help="Sign audit records with this key: file://path or kms://<key id, ARN or alias> "
    "(default: audit.signing_key, else GUARDRAILS_AUDIT_KEY).",
)
@click.option(
    "--engine",
    "engine_backend",
    type=click.Choice(["regorus", "opa-server", "opa-go"]),
    help="Policy engine (default: config engine.backend, else regorus; --opa-url alone means opa-server).",
)
@click.option(
    "--opa-url", metavar="URL", help="OPA server deciding with the opa-server engine (http[s]://host:port)."
)
def check(
    paths: tuple[Path, ...],
    output_format: str,
    config_path: Path | None,
    parameters: tuple[str, ...],
    policy_dirs: tuple[Path, ...],
    excludes: tuple[str, ...],
    show_passed: bool,
    output_path: Path | None,
    audit_sinks: tuple[str, ...],
    audit_key: str | None,
    engine_backend: str | None,
    opa_url: str | None,
) -> None:
    """Check templates and API request documents before deployment.

    Exit 0 when no deny violation, 1 when any (or an engine error, or unknown content), 2 for usage
    or input errors (every other file is still judged and reported).
    """
    from guardrails.checking import record_check_run, run_check
    from guardrails.config import ConfigError, load_config
    from guardrails.engine import BundleError, EngineUnavailableError
    from guardrails.engine.cli_options import apply_engine_options
    from guardrails.report import render_json, render_text
    from guardrails.sources.errors import SourceError

    try:
        config = load_config(config_path)
        config.engine.policy_dirs.extend(policy_dirs)
        apply_engine_options(config, engine_backend, opa_url)
        run = run_check(list(paths), config, parse_parameters(parameters), excludes=list(excludes))
    except (ConfigError, SourceError, BundleError, EngineUnavailableError) as exc:
        raise fail_input(str(exc)) from None
    if output_format == "json":
        text = render_json(run)
    else:
        from guardrails.cli.colour import colour_enabled

        colour = output_path is None and colour_enabled(sys.stdout)
        text = render_text(run, colour=colour, show_passed=show_passed)
    if output_path is not None:
        try:
            output_path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise fail_input(f"{output_path}: cannot write the report: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)
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
            raise fail_input(f"audit: {exc}") from None
    for error in run.errors:  # also in the report; stderr names each file that was not judged
        click.echo(f"error: {error}", err=True)
    if run.has_input_errors:
        raise click.exceptions.Exit(EXIT_INPUT_ERROR)
    raise click.exceptions.Exit(EXIT_VIOLATIONS if run.has_deny else EXIT_PASS)


@main.group()
def policy() -> None:
    """Work with the policy bundle."""


@policy.command("test")
@click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra policy folder whose tests run too.",
)
@click.option(
    "--no-default", is_flag=True, help="Test only the --policy-dir folders, not the bundled policies."
)
@click.option("--verbose/--quiet", "-v/-q", default=True, help="Print every test (default) or failures only.")
@click.option(
    "--engine",
    "engine",
    type=click.Choice(["auto", "regorus", "opa-go"]),
    default="auto",
    show_default=True,
    help="auto: regorus, and the OPA Go engine too when it is installed (a test must pass under both).",
)
def policy_test(policy_dirs: tuple[Path, ...], no_default: bool, verbose: bool, engine: str) -> None:
    """Run the Rego unit tests (`test_*` rules); exit 1 on any failure."""
    from guardrails.engine import BundleError, PolicyBundle
    from guardrails.engine.policy_tests import engines_for, run_policy_tests

    engines = engines_for(engine)
    try:
        bundle = PolicyBundle.load(list(policy_dirs), include_default=not no_default)
        results = run_policy_tests(bundle, engines)
    except BundleError as exc:
        raise fail_input(str(exc)) from None
    failed = [r for r in results if not r.passed]
    for r in results:
        if verbose or not r.passed:
            status = click.style("PASS", fg="green") if r.passed else click.style("FAIL", fg="red", bold=True)
            detail = "; ".join(f"{e}: {why}" for e, why in r.failures.items())
            click.echo(f"{status} data.{r.package}.{r.name}{f' ({detail})' if detail else ''}")
    click.echo(f"engines: {', '.join(engines)}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if not results:
        raise fail_input("no policy tests found")
    raise click.exceptions.Exit(1 if failed else 0)


@policy.command("controls")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def policy_controls(output_format: str) -> None:
    """List the controls of the bundled catalog."""
    import json

    from guardrails.engine import PolicyBundle

    catalog = PolicyBundle.load().catalog
    if output_format == "json":
        click.echo(json.dumps([c.model_dump(mode="json") for c in catalog.controls], indent=2))
        return
    for c in catalog.controls:
        click.echo(f"{c.id:<6} {c.severity:<8} {c.default_enforcement:<4}  {c.title}")


@main.group("config")
def config_group() -> None:
    """Work with the configuration file."""


@config_group.command("schema")
def config_schema() -> None:
    """Print the JSON schema of the configuration file."""
    from guardrails.config import config_json_schema

    click.echo(config_json_schema(), nl=False)


@config_group.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
def config_validate(path: Path) -> None:
    """Validate a configuration file; exit 2 with the field named when it is invalid."""
    from guardrails.config import ConfigError, load_config

    try:
        load_config(path)
    except ConfigError as exc:
        raise fail_input(str(exc)) from None
    click.echo(f"{path}: valid")


def _register_subcommands() -> None:
    from guardrails.cli.audit import audit
    from guardrails.cli.handle_event import handle_event
    from guardrails.cli.handle_hook import handle_hook
    from guardrails.cli.package import package
    from guardrails.cli.policy_opa import bundle_group, policy_push
    from guardrails.cli.scan import scan

    main.add_command(audit)
    main.add_command(handle_event)
    main.add_command(handle_hook)
    policy.add_command(policy_push)
    policy.add_command(bundle_group)
    main.add_command(package)
    main.add_command(scan)


_register_subcommands()

if __name__ == "__main__":
    main()
