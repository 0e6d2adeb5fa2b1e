"""Runtime errors. A transient one is raised to the platform so EventBridge retries the event."""

from __future__ import annotations

from guardrails.errors import ConfigError, EngineError, GuardrailsError, PermanentAwsError, TransientAwsError


class RuntimeEnforcementError(GuardrailsError):
    """A remediation cannot proceed; the action is recorded `failed` with this message.

    Not a branch of its own (guardrails/errors.py): the causes differ, and each cause a remediation can
    name raises a subclass on its branch (RemediationNotEvaluated, RemediationNotConfigured, ResourceGone).
    Raised as it is, it means no change the remediation knows would make the policy pass; remediation
    catches it (and its subclasses) around each step and records the failed action, so it never reaches
    an edge."""


class RemediationNotEvaluated(RuntimeEnforcementError, EngineError):
    """The engine could not evaluate the state a remediation decides from (or would put)."""


class RemediationNotConfigured(RuntimeEnforcementError, ConfigError):
    """The setting a remediation needs (`runtime.kms_key_id`) is missing or would not fix the control."""


class ResourceGone(RuntimeEnforcementError, PermanentAwsError):
    """The resource no longer exists (deleted since the event)."""


__all__ = [
    "RemediationNotConfigured",
    "RemediationNotEvaluated",
    "ResourceGone",
    "RuntimeEnforcementError",
    "TransientAwsError",
]
