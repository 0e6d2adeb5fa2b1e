"""The `guardrails` command line. Imports are lazy so `guardrails --version` stays fast."""

from __future__ import annotations

import os
from pathlib import Path

# pydantic looks for third-party plugins (entry points of every installed distribution, through
# importlib.metadata: ~0.02 s CPU, a tenth of a small `check`) the first time it builds a model schema.
# guardrails' models use none; an explicit setting is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import click  # noqa: E402
from guardrails.cli.lazy_group import LazyGroup  # noqa: E402

from guardrails import __version__  # noqa: E402

EXIT_PASS, EXIT_VIOLATIONS, EXIT_INPUT_ERROR = 0, 1, 2


def fail_input(message: str) -> click.exceptions.Exit:
    """Print an input/usage error (no traceback) and return the exit-2 exception to raise."""
    click.echo(f"error: {message}", err=True)
    return click.exceptions.Exit(EXIT_INPUT_ERROR)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy_subcommands={
        "audit": "guardrails.cli.audit:audit",
        "handle-event": "guardrails.cli.handle_event:handle_event",
        "handle-hook": "guardrails.cli.handle_hook:handle_hook",
        "package": "guardrails.cli.package:package",
        "scan": "guardrails.cli.scan:scan",
    },
)
@click.version_option(__version__, prog_name="guardrails")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Policy-as-code guardrails for SageMaker and S3."""
    from guardrails.cli.colour import apply_no_color

    if ctx.invoked_subcommand != "check":  # check keeps the start-up pause to its end (cli/console.py)
        from guardrails.cli.console import resume_collection

        resume_collection()

    apply_no_color(ctx)  # NO_COLOR (https://no-color.org): no styles in any subcommand


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_formats",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help="Report format: text (default), json, sarif, junit, github, asff; repeatable, "
    "FORMAT=FILE writes that report to FILE (e.g. --format text --format sarif=results.sarif).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Guardrails config file (YAML). Default: the first .guardrails.yaml or guardrails.yaml from the "
    "current folder up to the repository root.",
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
    metavar="PATTERN",
    help="Skip files and folders matching this gitignore-style pattern (repeatable; e.g. 'cdk.out/', "
    "'**/test-*.yaml', '!keep.yaml').",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low"]),
    help="Exit 1 only for deny violations of this severity or higher (default: any deny violation).",
)
@click.option(
    "--soft-fail",
    is_flag=True,
    help="Exit 0 even with violations (reports are still written; input and engine errors still fail).",
)
@click.option(
    "--skip-unrecognised",
    is_flag=True,
    help="Skip a file named on the command line that is not a template, plan, request or event (as in a "
    "folder walk) instead of failing; for hooks that pass every changed .yaml/.json file.",
)
@click.option("--quiet", "-q", is_flag=True, help="Text and github reports: failures only.")
@click.option("--compact", is_flag=True, help="Text report: one line per violation.")
@click.option(
    "--no-suppressions",
    is_flag=True,
    help="Ignore inline suppressions (template Metadata, Terraform tags): show what would fail without them.",
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
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Judge files in this many processes (default: the CPU count; one file: one process). "
    "The report is the same, in the same order, as with --jobs 1.",
)
def check(
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
) -> None:
    """Check templates, Terraform plans and API request documents before deployment (`-`: stdin).

    Exit 0 when no deny violation, 1 when any (or an engine error, or unknown content), 2 for usage
    or input errors (every other file is still judged and reported).
    """
    # The body is shared with the console script's click-free path (cli/check_command.py).
    from guardrails.cli.check_command import InvalidParameter, run_check_command

    try:
        code = run_check_command(
            paths,
            output_formats,
            config_path,
            parameters,
            policy_dirs,
            excludes,
            fail_on,
            soft_fail,
            quiet,
            compact,
            skip_unrecognised,
            no_suppressions,
            show_passed,
            output_path,
            audit_sinks,
            audit_key,
            engine_backend,
            opa_url,
            jobs,
        )
    except InvalidParameter as exc:
        raise click.BadParameter(str(exc), param_hint="--parameter") from None
    raise click.exceptions.Exit(code)


@main.group(
    cls=LazyGroup,
    lazy_subcommands={
        "push": "guardrails.cli.policy_opa:policy_push",
        "bundle": "guardrails.cli.policy_opa:bundle_group",
    },
)
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
    from guardrails.engine import PolicyBundle
    from guardrails.engine.policy_tests import engines_for, run_policy_tests

    engines = engines_for(engine)
    bundle = PolicyBundle.load(list(policy_dirs), include_default=not no_default)
    results = run_policy_tests(bundle, engines)
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
    from guardrails.json_data import json_data

    catalog = PolicyBundle.load().catalog
    if output_format == "json":
        click.echo(json.dumps([json_data(c, exclude_none=False) for c in catalog.controls], indent=2))
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
    from guardrails.config import load_config
    from guardrails.config_discovery import check_against_catalog
    from guardrails.engine import PolicyBundle

    config = load_config(path)
    catalog = PolicyBundle.load(config.engine.policy_dirs).catalog
    warnings = check_against_catalog(config, catalog, path)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{path}: valid")


if __name__ == "__main__":
    main()
