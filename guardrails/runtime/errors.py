"""Runtime errors. A transient one is raised to the platform so EventBridge retries the event."""

from __future__ import annotations

from guardrails.errors import GuardrailsError, PermanentAwsError, TransientAwsError


class RuntimeEnforcementError(GuardrailsError):
    """A remediation cannot proceed (not configured, cannot be evaluated, would not fix the control)."""


class ResourceGone(RuntimeEnforcementError, PermanentAwsError):
    """The resource no longer exists (deleted since the event)."""


__all__ = ["ResourceGone", "RuntimeEnforcementError", "TransientAwsError"]
