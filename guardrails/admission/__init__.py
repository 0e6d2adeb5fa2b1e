"""Admission enforcement: the CloudFormation Lambda Hook and the in-process boto3 hook.

from guardrails.admission import handle_hook_request, install

response = handle_hook_request(event, decider=decider, trail=trail)   # Lambda Hook request -> response
hook = install(boto3.Session())                                       # boto3: deny raises GuardrailViolation

Names are imported on first use, so `guardrails.config` can import `AdmissionConfig` without loading the
hooks (and `import guardrails` stays fast).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guardrails.admission.boto3_hook import Boto3Hook, install, not_decidable_by_call
    from guardrails.admission.cfn_hook import handle_hook_request
    from guardrails.admission.config import AdmissionConfig, admission_config
    from guardrails.admission.describe import AwsDescriber, RelatedResourceDescriber
    from guardrails.admission.exceptions import (
        AdmissionError,
        GuardrailEvaluationError,
        GuardrailViolation,
        HookRequestError,
        PayloadFetchError,
        PayloadRejected,
        PayloadUnavailable,
        RequestBlocked,
    )
    from guardrails.admission.hook_models import HookRequest, HookResponse
    from guardrails.admission.payload_fetch import PayloadAccess, fetch_payload

_WHERE = {
    "AdmissionConfig": "config",
    "admission_config": "config",
    "AdmissionError": "exceptions",
    "GuardrailEvaluationError": "exceptions",
    "GuardrailViolation": "exceptions",
    "HookRequestError": "exceptions",
    "PayloadFetchError": "exceptions",
    "PayloadRejected": "exceptions",
    "PayloadUnavailable": "exceptions",
    "PayloadAccess": "payload_fetch",
    "RequestBlocked": "exceptions",
    "AwsDescriber": "describe",
    "RelatedResourceDescriber": "describe",
    "Boto3Hook": "boto3_hook",
    "install": "boto3_hook",
    "not_decidable_by_call": "boto3_hook",
    "handle_hook_request": "cfn_hook",
    "HookRequest": "hook_models",
    "HookResponse": "hook_models",
    "fetch_payload": "payload_fetch",
}

__all__ = [
    "AdmissionConfig",
    "AdmissionError",
    "AwsDescriber",
    "Boto3Hook",
    "GuardrailEvaluationError",
    "GuardrailViolation",
    "HookRequest",
    "HookRequestError",
    "HookResponse",
    "PayloadAccess",
    "PayloadFetchError",
    "PayloadRejected",
    "PayloadUnavailable",
    "RelatedResourceDescriber",
    "RequestBlocked",
    "admission_config",
    "fetch_payload",
    "handle_hook_request",
    "install",
    "not_decidable_by_call",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
