"""The runtime enforcement point: EventBridge events -> decisions, remediation, audit, alerts.

from guardrails.runtime import AwsClients, RuntimeConfig, process_event

outcome = process_event(event, decider=Decider(), trail=trail, clients=AwsClients(), config=RuntimeConfig())

Exports are resolved lazily: `guardrails.config` imports `guardrails.runtime.config` without pulling in
the engine, boto3 or the audit trail.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ActionResult": "guardrails.runtime.remediation.base",
    "AwsClients": "guardrails.runtime.clients",
    "EventOutcome": "guardrails.runtime.processor",
    "RemediationNotConfigured": "guardrails.runtime.errors",
    "RemediationNotEvaluated": "guardrails.runtime.errors",
    "ResourceGone": "guardrails.runtime.errors",
    "ResourceOutcome": "guardrails.runtime.processor",
    "RuntimeConfig": "guardrails.runtime.config",
    "RuntimeEnforcementError": "guardrails.runtime.errors",
    "RuntimeMode": "guardrails.runtime.config",
    "RuntimeService": "guardrails.runtime.service",
    "TransientAwsError": "guardrails.runtime.errors",
    "process_event": "guardrails.runtime.processor",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'guardrails.runtime' has no attribute {name!r}")
    return getattr(import_module(module), name)
