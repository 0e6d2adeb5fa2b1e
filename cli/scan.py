"""`guardrails scan`: judge what already exists in AWS (one account, many accounts, or the organisation)."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

EXIT_PASS, EXIT_VIOLATIONS, EXIT_INPUT_ERROR = 0, 1, 2
SINCE = re.compile(r"^(\d+)([dhm])$")


def _fail(message: str) -> click.exceptions.Exit:
    click.echo(f"error: {message}", err=True)
    return click.exceptions.Exit(EXIT_INPUT_ERROR)


def parse_since(value: str) -> timedelta | None:
    """`30d`, `12h`, `90m`; `all` judges every ended job whatever its age."""
    if value == "all":
        return None
    match = SINCE.match(value.strip())
    if not match:
        raise click.BadParameter(f"{value!r} is not like 30d, 12h, 90m or all", param_hint="--since")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})


def parse_kinds(values: tuple[str, ...]) -> list[str]:
    from guardrails.scan.inventory import scannable_kinds

    known = {k.type: k.type for k in scannable_kinds()}
    short = {t.rsplit("::", 1)[-1]: t for t in known}
    if not values:
        return list(known)
    chosen: list[str] = []
    for item in (part.strip() for value in values for part in value.split(",")):
        if not item:
            continue
        kind = known.get(item) or short.get(item)
        if kind is None:
            raise click.BadParameter(
                f"{item!r} is not a kind a scan can list (one of: {', '.join(sorted(short))})",
                param_hint="--kinds",
            )
        if kind not in chosen:
            chosen.append(kind)
    return chosen


@click.command()
@click.option(
    "--region", "regions", multiple=True, help="Region to scan (repeatable; default: the session's)."
)
@click.option(
    "--kinds",
    "kinds",
    multiple=True,
    metavar="KIND[,KIND]",
    help="Resource kinds to scan (CloudFormation type or its last part, e.g. TrainingJob,Bucket); "
    "default: every kind that can be listed.",
)
@click.option(
    "--since",
    "since",
    default="30d",
    show_default=True,
    help="Ended jobs (completed, failed, stopped) changed within this window are judged too; 'all'.",
)
@click.option(
    "--accounts",
    "accounts_file",
    type=click.Path(path_type=Path),
    help="YAML/JSON file: accounts: [{account_id, role_arn, external_id, regions}].",
)
@click.option(
    "--organization",
    "org_role",
    metavar="ROLE_NAME",
    help="Scan every active account of the organisation through this role name.",
)
@click.option(
    "--external-id", help="External id for the assumed roles (--organization; default in --accounts)."
)
@click.option(
    "--format",
    "output_formats",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help="Report format, as for check: text (default), json, sarif, junit, github, asff; repeatable, "
    "FORMAT=FILE writes that report to FILE.",
)
@click.option(
    "--securityhub",
    is_flag=True,
    help="Import the findings into Security Hub (each account/region its own), resolving fixed ones.",
)
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Guardrails config file (YAML)."
)
@click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra folder of Rego policies (custom controls).",
)
@click.option("--show-passed", is_flag=True, help="Also list resources without violations (text format).")
@click.option("--output", "-o", "output_path", type=click.Path(path_type=Path), help="Write the report here.")
@click.option(
    "--audit", "audit_sinks", multiple=True, metavar="SINK", help="Record every decision to this sink."
)
@click.option("--audit-key", metavar="URL", help="Sign audit records with this key (file://, kms://).")
@click.option("--remediate", is_flag=True, help="Remediate deny violations as the runtime handler does.")
@click.option(
    "--mode",
    type=click.Choice(["dry-run", "enforce"]),
    default="dry-run",
    show_default=True,
    help="With --remediate: report what would be done, or do it.",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Parallel AWS reads."
)
@click.option("--endpoint-url", help="AWS endpoint override (moto_server, LocalStack).", hidden=True)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bars on stderr (default: when a terminal)."
)
def scan(
    regions: tuple[str, ...],
    kinds: tuple[str, ...],
    since: str,
    accounts_file: Path | None,
    org_role: str | None,
    external_id: str | None,
    output_formats: tuple[str, ...],
    securityhub: bool,
    config_path: Path | None,
    policy_dirs: tuple[Path, ...],
    show_passed: bool,
    output_path: Path | None,
    audit_sinks: tuple[str, ...],
    audit_key: str | None,
    remediate: bool,
    mode: str,
    concurrency: int,
    endpoint_url: str | None,
    progress: bool | None,
) -> None:
    """Scan existing SageMaker resources and S3 buckets against the controls.

    Exit 0 when no deny violation, 1 when any, 2 when an account, region, listing or resource could not be
    read (everything else is still judged and reported).
    """
    import boto3

    from guardrails.config import load_config
    from guardrails.decider import Decider
    from guardrails.report.outputs import parse_output_specs
    from guardrails.scan.counting import ApiCallCounter
    from guardrails.scan.runner import ScanOptions, run_scan
    from guardrails.scan.targets import load_accounts_file, organization_accounts

    if accounts_file is not None and org_role is not None:
        raise _fail("--accounts and --organization are exclusive")
    # A GuardrailsError (bad option, accounts file, config, bundle) exits 2 at the CLI's edge.
    outputs = parse_output_specs(output_formats, output_path)
    window = parse_since(since)
    chosen = parse_kinds(kinds)
    session = boto3.session.Session()
    region_list = list(regions) or ([session.region_name] if session.region_name else [])
    counter = ApiCallCounter()
    targets = None
    if accounts_file is not None:  # before the engine is compiled: a bad file fails fast
        targets = load_accounts_file(accounts_file)
    if not region_list and not (targets and all(t.regions for t in targets)):
        raise _fail("no region: pass --region or configure a default region")
    config = load_config(config_path)
    config.engine.policy_dirs.extend(policy_dirs)
    decider = Decider(config)
    if org_role is not None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            targets = organization_accounts(
                session, org_role, endpoint_url=endpoint_url, external_id=external_id, counter=counter
            )
        except (ClientError, BotoCoreError) as exc:  # no account list: nothing can be scanned
            raise _fail(f"organizations:ListAccounts failed: {exc}") from None
    options = ScanOptions(
        regions=region_list, kinds=chosen, since=window, concurrency=concurrency, endpoint_url=endpoint_url
    )
    show_progress = sys.stderr.isatty() if progress is None else progress
    bars = _Bars() if show_progress else None
    try:
        result = run_scan(
            targets,
            options,
            decider,
            base_session=session,
            counter=counter,
            progress=bars.advance if bars else None,
        )
    finally:
        if bars:
            bars.stop()
    actions: dict[int, Any] = {}
    if remediate:
        from guardrails.scan.remediate import remediate as run_remediation

        actions = run_remediation(result, decider, config.runtime, mode)  # type: ignore[arg-type]
    hub_errors: list[str] = []
    if securityhub:  # before the reports: its API calls are part of the summary
        from guardrails.scan.securityhub import import_scan

        imported = import_scan(result, decider.bundle.catalog)
        hub_errors = imported.errors
        click.echo(
            f"securityhub: {imported.imported} finding(s) imported, {imported.resolved} resolved "
            f"({', '.join(imported.groups) or 'no account/region'})",
            err=True,
        )
    from guardrails.cli.report_writing import write_reports

    from guardrails.scan.report import scan_renderer

    write_reports(
        outputs,
        lambda fmt, colour: scan_renderer(fmt, colour=colour, show_passed=show_passed)(result, actions),
        _fail,
    )
    sinks = [*config.audit.sinks, *audit_sinks]
    if sinks:
        from guardrails.audit import AuditError
        from guardrails.scan.audit import record_scan

        try:
            record_scan(
                result,
                sinks,
                actions,
                store_input=config.audit.store_input,
                signing_key=audit_key or config.audit.signing_key,
            )
        except AuditError as exc:
            raise _fail(f"audit: {exc}") from None
    for error in [*result.run.errors, *hub_errors]:
        click.echo(f"error: {error}", err=True)
    if result.run.has_input_errors or hub_errors:
        raise click.exceptions.Exit(EXIT_INPUT_ERROR)
    raise click.exceptions.Exit(EXIT_VIOLATIONS if result.run.has_deny else EXIT_PASS)


class _Bars:
    """rich progress bars on stderr, one per (account/region, kind): resources read and the rate."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} read"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[tuple[str, str], Any] = {}
        self._progress.start()

    def advance(self, shard: str, kind: str, done: int) -> None:
        key = (shard, kind)
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task(
                f"{shard} {kind.rsplit('::', 1)[-1]}", total=None, rate=""
            )
        task_id = self._tasks[key]
        self._progress.advance(task_id, done)
        task = self._progress.tasks[task_id]
        speed = task.speed
        self._progress.update(task_id, rate=f"{speed:.1f}/s" if speed else "")

    def stop(self) -> None:
        self._progress.stop()
