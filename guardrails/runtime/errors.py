"""Runtime errors. A transient one is raised to the platform so EventBridge retries the event."""

from __future__ import annotations


class RuntimeEnforcementError(Exception):
    """Base class of the runtime enforcement point's errors."""


class TransientAwsError(RuntimeEnforcementError):
    """An AWS call failed in a way a retry can fix (throttling, 5xx, timeouts): the invocation fails."""

    def __init__(self, operation: str, message: str) -> None:
        super().__init__(f"{operation}: {message}")
        self.operation = operation


class ResourceGone(RuntimeEnforcementError):
    """The resource no longer exists (deleted since the event)."""
