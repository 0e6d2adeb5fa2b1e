"""`guardrails handle-hook FILE`: run the CloudFormation Lambda Hook's code path locally.

Prints the response JSON the Lambda would return. Exit 0 when `hookStatus` is SUCCESS, 1 when FAILED
(NonCompliant, or InternalFailure: engine error, refused or unreachable payload URL, audit failure, an
internal error), 2 when the request or payload file is unreadable or not a hook request/payload (the
response is still printed when there is one). Never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

EXIT_SUCCESS, EXIT_FAILED, EXIT_INPUT_ERROR = 0, 1, 2


def _fail(message: str) -> click.exceptions.Exit:
    from guardrails.cli.main import fail_input

    return fail_input(message)


def _read_json(path: Path, what: str) -> Any:
    from guardrails.sources.errors import SourceError
    from guardrails.sources.input_files import read_input_text

    try:  # the same size cap and checks as `check` (guardrails.sources.input_files)
        return json.loads(read_input_text(path, allow_special=True))
    except SourceError as exc:
        raise _fail(f"cannot read {what}: {exc}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _fail(f"{path}: {what} is not valid JSON: {exc}") from None
    except ValueError as exc:  # a number with too many digits
        raise _fail(f"{path}: {what} is not readable JSON: {str(exc)[:120]}") from None


@click.command("handle-hook")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="Guardrails config file (YAML)."
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
    "--payload-file",
    type=click.Path(path_type=Path),
    help="STACK / CHANGE_SET payload object to use instead of downloading the request's payload URL.",
)
def handle_hook(
    file: Path,
    config_path: Path | None,
    audit_sinks: tuple[str, ...],
    audit_key: str | None,
    payload_file: Path | None,
) -> None:
    """Evaluate a CloudFormation Lambda Hook request FILE (JSON) and print the hook response.

    Exit 0 SUCCESS, 1 FAILED (also an internal error), 2 unreadable or invalid input files.
    """
    try:
        _handle_hook(file, config_path, audit_sinks, audit_key, payload_file)
    except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
        raise
    except Exception as exc:  # noqa: BLE001 - never a traceback; the hook would answer FAILED
        click.echo(f"error: internal error: {type(exc).__name__}: {exc}", err=True)
        raise click.exceptions.Exit(EXIT_FAILED) from None


def _handle_hook(
    file: Path,
    config_path: Path | None,
    audit_sinks: tuple[str, ...],
    audit_key: str | None,
    payload_file: Path | None,
) -> None:
    from guardrails.admission import HookRequestError
    from guardrails.admission.cfn_hook import handle_hook_request, parse_hook_request
    from guardrails.config import load_config
    from guardrails.decider import Decider
    from guardrails.errors import GuardrailsError

    event = _read_json(file, "hook request")
    fetch = None
    if payload_file is not None:
        payload = _read_json(payload_file, "payload")
        if not isinstance(payload, dict):
            raise _fail(f"{payload_file}: the payload must be a JSON object, not {type(payload).__name__}")

        def fetch(url: str) -> dict[str, Any]:
            return payload

    try:
        config = load_config(config_path)
        decider = Decider(config)
    except GuardrailsError as exc:
        raise _fail(str(exc)) from None
    trail = None
    sinks = [*config.audit.sinks, *audit_sinks]
    if sinks:
        from guardrails.audit import AuditTrail

        try:
            trail = AuditTrail.from_urls(
                sinks, cloudwatch=False, signing_key=audit_key or config.audit.signing_key
            )
        except (GuardrailsError, ValueError) as exc:
            raise _fail(f"audit: {exc}") from None
    invalid_request = None
    try:
        parse_hook_request(event)
    except HookRequestError as exc:
        invalid_request = exc
    try:
        response = handle_hook_request(event, decider=decider, trail=trail, config=config, fetch=fetch)
    finally:
        if trail is not None:
            trail.close()
    click.echo(json.dumps(response, indent=2))
    if invalid_request is not None:
        raise _fail(f"{file}: {invalid_request}")
    if payload_file is not None:
        _check_payload(payload_file, event, payload)
    raise click.exceptions.Exit(EXIT_SUCCESS if response.get("hookStatus") == "SUCCESS" else EXIT_FAILED)


def _check_payload(path: Path, event: Any, payload: dict[str, Any]) -> None:
    """A --payload-file that is not a stack / change-set payload, or whose template does not parse, is
    an input error (exit 2)."""
    from pydantic import ValidationError

    from guardrails.admission.hook_models import ChangeSetPayload, StackPayload
    from guardrails.sources.cloudformation import SourceError, parse_template_text

    target = (event.get("requestData") or {}).get("targetType") if isinstance(event, dict) else None
    model = {"STACK": StackPayload, "CHANGE_SET": ChangeSetPayload}.get(str(target))
    if model is None:
        return
    try:
        parsed = model.model_validate(payload)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise _fail(f"{path}: not a {target} payload: {where}: {problem['msg']}") from None
    if isinstance(parsed.template, str):
        try:
            parse_template_text(parsed.template, f"{path}#template")
        except SourceError as exc:
            raise _fail(str(exc)) from None
