"""CloudFormation Lambda Hook entry point: `guardrails.lambdas.cfn_hook.handler`.

Environment: `GUARDRAILS_CONFIG` (config source: file, `ssm:<name>` or `s3://bucket/key`, re-read every
`GUARDRAILS_CONFIG_MAX_AGE` seconds; see guardrails/config_source.py), `GUARDRAILS_AUDIT_SINKS`
(comma-separated sink URLs added to `audit.sinks`; the CloudWatch Logs sink is always added in Lambda).
The Decider and the audit trail are built once per container, on the first request. This function
never raises: whatever goes wrong is answered FAILED / InternalFailure (fail closed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "guardrails-cfn-hook"))


@dataclass
class _Runtime:
    config: Any
    decider: Any
    trail: Any
    version: str


_runtime: _Runtime | None = None
_config_source: Any = None


def _get_runtime() -> _Runtime:
    """Decider and trail for the current config; rebuilt when the config source's text changes."""
    global _runtime, _config_source
    from guardrails.audit import AuditTrail
    from guardrails.config_source import ConfigSource, with_deployment_defaults
    from guardrails.decider import Decider

    if _config_source is None:
        _config_source = ConfigSource.from_environment()
    loaded = _config_source.get()
    if _runtime is None or _runtime.version != loaded.version:
        config = with_deployment_defaults(loaded.config)
        extra = [u.strip() for u in os.environ.get("GUARDRAILS_AUDIT_SINKS", "").split(",") if u.strip()]
        sinks = [*config.audit.sinks, *extra]
        key = config.audit.signing_key
        in_lambda = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        trail = AuditTrail.from_urls(sinks, signing_key=key) if sinks or in_lambda else None
        _runtime = _Runtime(config=config, decider=Decider(config), trail=trail, version=loaded.version)
        logger.info("guardrails config loaded", extra={"origin": loaded.origin, "version": loaded.version})
    return _runtime


@logger.inject_lambda_context(correlation_id_path="clientRequestToken", log_event=False)
def handler(event: Any, context: Any) -> dict[str, Any]:
    from guardrails.admission.cfn_hook import handle_hook_request
    from guardrails.admission.response import failure_response

    token = event.get("clientRequestToken", "") if isinstance(event, dict) else ""
    token = token if isinstance(token, str) else ""
    try:
        runtime = _get_runtime()
        response = handle_hook_request(
            event, decider=runtime.decider, trail=runtime.trail, config=runtime.config
        )
    except Exception as exc:  # never raise at the edge: answer fail closed
        logger.exception("guardrails hook failed")
        return failure_response(token, f"InternalFailure: guardrails could not evaluate: {exc}").to_wire()
    data = event.get("requestData") if isinstance(event, dict) else None
    logger.info(
        "guardrails hook answered",
        extra={
            "hook_status": response.get("hookStatus"),
            "error_code": response.get("errorCode"),
            "target": data.get("targetName") if isinstance(data, dict) else None,
            "annotations": len(response.get("annotations", [])),
        },
    )
    return response
