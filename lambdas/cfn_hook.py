"""CloudFormation Lambda Hook entry point: `guardrails.lambdas.cfn_hook.handler`.

Environment: `GUARDRAILS_CONFIG` (path of the config file, optional), `GUARDRAILS_AUDIT_SINKS`
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


_runtime: _Runtime | None = None


def _get_runtime() -> _Runtime:
    global _runtime
    if _runtime is None:
        from pathlib import Path

        from guardrails.audit import AuditTrail
        from guardrails.config import load_config
        from guardrails.decider import Decider

        path = os.environ.get("GUARDRAILS_CONFIG")
        config = load_config(Path(path) if path else None)
        extra = [u.strip() for u in os.environ.get("GUARDRAILS_AUDIT_SINKS", "").split(",") if u.strip()]
        sinks = [*config.audit.sinks, *extra]
        key = config.audit.signing_key
        in_lambda = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        trail = AuditTrail.from_urls(sinks, signing_key=key) if sinks or in_lambda else None
        _runtime = _Runtime(config=config, decider=Decider(config), trail=trail)
    return _runtime


@logger.inject_lambda_context(correlation_id_path="clientRequestToken", log_event=False)
def handler(event: Any, context: Any) -> dict[str, Any]:
    from guardrails.admission import handle_hook_request
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
