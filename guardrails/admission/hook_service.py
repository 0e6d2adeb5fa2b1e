"""The CloudFormation Lambda Hook as a service: what `lambdas/cfn_hook.py` wires to Powertools.

Environment: `GUARDRAILS_CONFIG` (config source: file, `ssm:<name>` or `s3://bucket/key`, re-read every
`GUARDRAILS_CONFIG_MAX_AGE` seconds; see guardrails/config_source.py), `GUARDRAILS_AUDIT_SINKS`
(comma-separated sink URLs added to `audit.sinks`; the CloudWatch Logs sink is always added in Lambda).
The Decider and the audit trail are built once per container, on the first request, and rebuilt when the
config changes. `answer_hook` never raises: whatever goes wrong is answered FAILED / InternalFailure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from guardrails.config_source import ENV_AUDIT_SINKS, PerConfigVersion, env_list


@dataclass(frozen=True)
class HookService:
    config: Any
    decider: Any
    trail: Any

    @classmethod
    def from_config(cls, config: Any) -> HookService:
        from guardrails.audit import AuditTrail
        from guardrails.decider import Decider

        sinks = [*config.audit.sinks, *env_list(ENV_AUDIT_SINKS)]
        in_lambda = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        key = config.audit.signing_key
        trail = AuditTrail.from_urls(sinks, signing_key=key) if sinks or in_lambda else None
        return cls(config=config, decider=Decider(config), trail=trail)

    def answer(self, event: Any) -> dict[str, Any]:
        from guardrails.admission.cfn_hook import handle_hook_request

        return handle_hook_request(event, decider=self.decider, trail=self.trail, config=self.config)


SERVICE: PerConfigVersion[HookService] = PerConfigVersion(HookService.from_config)
"""The container's hook service."""


def answer_hook(event: Any, logger: Any) -> dict[str, Any]:
    """The hook response to one request (AWS_REFERENCE.md §3); logs the answer to `logger`."""
    from guardrails.admission.response import failure_response

    token = event.get("clientRequestToken", "") if isinstance(event, dict) else ""
    token = token if isinstance(token, str) else ""
    try:
        response = SERVICE.get(logger).answer(event)
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
