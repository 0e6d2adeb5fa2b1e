"""Admission enforcement: the CloudFormation Lambda Hook and the in-process boto3 hook.

from guardrails.admission.cfn_hook import handle_hook_request
from guardrails.admission.boto3_hook import install

response = handle_hook_request(event, decider=decider, trail=trail)   # Lambda Hook request -> response
hook = install(boto3.Session())                                       # boto3: deny raises GuardrailViolation

The settings are the `admission:` section of the config file (guardrails.config.AdmissionConfig). The
exceptions callers catch are exported here (they import nothing heavy); everything else is imported from
the module that defines it.
"""

from __future__ import annotations

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

__all__ = [
    "AdmissionError",
    "GuardrailEvaluationError",
    "GuardrailViolation",
    "HookRequestError",
    "PayloadFetchError",
    "PayloadRejected",
    "PayloadUnavailable",
    "RequestBlocked",
]
