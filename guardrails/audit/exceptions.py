"""The errors of the audit trail. Each names the sink (its URL) and, for AWS, the error code."""

from __future__ import annotations

from guardrails.errors import AuditError as AuditError  # re-exported: its historical home
from guardrails.errors import InputError


class SinkURLError(AuditError, InputError, ValueError):
    """An audit sink URL that cannot be used (unknown scheme, missing table or bucket, bad option)."""


class AuditSinkError(AuditError):
    """A sink operation failed; `sink` is the sink URL, `code` the AWS error code or OS error name.
    Retryable: the invocation fails so the platform retries it (no record is silently lost)."""

    retryable = True

    def __init__(self, sink: str, message: str, code: str | None = None) -> None:
        super().__init__(sink, message, code)
        self.sink = sink
        self.message = message
        self.code = code

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"audit sink {self.sink}: {self.message}{code}"


class AuditWriteError(AuditSinkError):
    """A record could not be stored. Never skipped: the operation that produced the decision fails."""


class AuditReadError(AuditSinkError):
    """The records of a sink could not be read (unreachable, access denied, no such table or bucket)."""


class SealError(AuditError):
    """A seal cannot be read or written, or is not a seal."""
