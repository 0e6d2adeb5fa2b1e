"""`guardrails handle-event FILE`: run one EventBridge event through the Lambda's code path locally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_DENY, EXIT_INPUT, EXIT_RETRY = 0, 1, 2, 3


@click.command("handle-event")
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True))
@click.option(
    "--mode", type=click.Choice(["dry-run", "enforce"]), help="Override the configured runtime mode."
)
@click.option("--endpoint-url", help="AWS endpoint (e.g. a local moto_server: http://127.0.0.1:5000).")
@click.option(
    "--region", help="Region of the AWS clients (default: the AWS configuration, else the event's)."
)
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Guardrails config file (YAML)."
)
@click.option("--audit", "audit_sinks", multiple=True, metavar="SINK", help="Also record to this audit sink.")
@click.option(
    "--audit-key",
    metavar="URL",
    help="Sign audit records with this key: file://path or kms://<key id, ARN or alias> "
    "(default: audit.signing_key, else GUARDRAILS_AUDIT_KEY).",
)
def handle_event(
    file: Path,
    mode: str | None,
    endpoint_url: str | None,
    region: str | None,
    config_path: Path | None,
    audit_sinks: tuple[str, ...],
    audit_key: str | None,
) -> None:
    """Decide, remediate and audit one EventBridge event (CloudTrail API call or SageMaker state change).

    Prints the outcome as JSON. Exit 0 when nothing is denied, 1 on a deny decision, 2 for an unreadable
    file, config or malformed event, 3 when AWS or the audit trail failed (the Lambda would be retried) or
    on an internal error. A dry run without AWS credentials decides the event alone (no enrichment; what
    the event does not carry is reported unknown, and the output's `notes` say so).
    """
    try:
        _handle_event(file, mode, endpoint_url, region, config_path, audit_sinks, audit_key)
    except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
        raise
    except Exception as exc:  # noqa: BLE001 - never a traceback; the Lambda would raise and be retried
        raise _fail(EXIT_RETRY, f"internal error: {type(exc).__name__}: {exc}") from None


def _handle_event(
    file: Path,
    mode: str | None,
    endpoint_url: str | None,
    region: str | None,
    config_path: Path | None,
    audit_sinks: tuple[str, ...],
    audit_key: str | None,
) -> None:
    from guardrails.config import load_config
    from guardrails.errors import GuardrailsError, acknowledged_by_lambda
    from guardrails.runtime.service import RuntimeService, outcome_json
    from guardrails.sources.errors import SourceError
    from guardrails.sources.input_files import read_input_text

    try:  # the same size cap and checks as `check` (guardrails.sources.input_files)
        event = json.loads(read_input_text(file, allow_special=True))
    except SourceError as exc:
        raise _fail(EXIT_INPUT, f"cannot read the event: {exc}") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or a number with too many digits
        raise _fail(EXIT_INPUT, f"{file}: cannot read the event: {str(exc)[:200]}") from None
    try:
        config = load_config(config_path)
    except GuardrailsError as exc:
        raise _fail(EXIT_INPUT, str(exc)) from None
    if audit_key:
        config.audit.signing_key = audit_key
    if region is None:
        region = _default_region() or (event.get("region") if isinstance(event, dict) else None)
    offline = _dry_run(mode, config) and not _has_credentials(region)
    try:
        service = RuntimeService.from_config(
            config, sinks=audit_sinks, endpoint_url=endpoint_url, region=region, cloudwatch=False
        )
    except (GuardrailsError, ValueError) as exc:  # a sink URL, signing key or bundle that cannot be used
        raise _fail(EXIT_INPUT, str(exc)) from None
    try:
        outcome = service.handle(
            event,
            mode="dry-run" if offline else mode,  # type: ignore[arg-type]
            file=str(file),
            offline=offline,
        )
    except GuardrailsError as exc:  # what the Lambda acknowledges is bad input; the rest it retries
        code = EXIT_INPUT if acknowledged_by_lambda(exc) else EXIT_RETRY
        raise _fail(code, f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # botocore errors (access denied, endpoint unreachable, no credentials...)
        if type(exc).__module__.startswith("botocore"):
            raise _fail(EXIT_RETRY, f"{type(exc).__name__}: {exc}") from None
        raise
    finally:
        if service.trail is not None:
            service.trail.close()
    click.echo(json.dumps(outcome_json(outcome), indent=2, sort_keys=True))
    for note in outcome.notes:
        click.echo(f"note: {note}", err=True)
    if outcome.malformed:
        raise click.exceptions.Exit(EXIT_INPUT)
    denied = any(d.verdict == "deny" for d in outcome.decisions)
    raise click.exceptions.Exit(EXIT_DENY if denied else EXIT_OK)


def _dry_run(mode: str | None, config: Any) -> bool:
    """Nothing would be changed: `--mode dry-run`, or a dry-run config with no control set to enforce."""
    if mode is not None:
        return mode == "dry-run"
    runtime = config.runtime
    return runtime.mode == "dry-run" and "enforce" not in runtime.controls.values()


def _has_credentials(region: str | None) -> bool:
    """AWS credentials can be found (environment, profile, SSO, container or instance role)."""
    try:
        import boto3

        return boto3.session.Session(region_name=region).get_credentials() is not None
    except Exception:  # noqa: BLE001 - a broken profile is no credentials
        return False


def _default_region() -> str | None:
    try:
        import boto3

        return boto3.session.Session().region_name
    except Exception:  # noqa: BLE001 - e.g. AWS_PROFILE naming a missing profile
        return None


def _fail(code: int, message: str) -> click.exceptions.Exit:
    click.echo(f"error: {message}", err=True)
    return click.exceptions.Exit(code)


if __name__ == "__main__":
    handle_event()
