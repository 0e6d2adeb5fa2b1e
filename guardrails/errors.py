"""The one exception hierarchy of guardrails: the branch an error belongs to decides what the edge does.

```
GuardrailsError
├── InputError            bad input the user must fix (a file, a field, an event, an option)
│   └── ConfigError       the configuration file or source
├── EngineError           the policy engine could not evaluate (or load) what it was given
├── AwsError              an AWS call failed
│   ├── TransientAwsError     throttling, 5xx, timeouts: a retry can fix it
│   └── PermanentAwsError     access denied, validation...: a retry cannot
├── AuditError            the audit trail (sink, seal, signing key)
└── InfrastructureError   something around the request failed (network, outage, deadline)
```

At the edges:
- the CLI prints any `GuardrailsError` once, without a traceback, and exits 2 (`EXIT_ERROR`);
- a Lambda acknowledges an `InputError` other than a `ConfigError` (the event is recorded as an `error`
  decision; retrying the same bad event cannot help) and raises everything else, so the platform retries
  it and finally hands it to the DLQ. `retryable` says which errors a retry can fix (transient AWS,
  audit sink, infrastructure);
- `admission.fail_open` may only let an `InfrastructureError` (an outage, not the request's content) pass.

Not on a branch: the groupings `AdmissionError` and `PayloadFetchError` (each subclass is on its branch;
never raised as they are), `RuntimeEnforcementError` (a remediation that cannot proceed: its named causes
are subclasses on their branches — RemediationNotEvaluated an EngineError, RemediationNotConfigured a
ConfigError, ResourceGone a PermanentAwsError; raised as it is, no known change would make the policy
pass, and remediation records the step `failed`: it never reaches an edge), and `RequestBlocked` with
`GuardrailViolation` and `GuardrailEvaluationError`: not failures but the boto3 hook stopping the
caller's request, the decision attached (tests/cli/test_error_hierarchy.py holds this list).

The existing classes keep their names and modules (`guardrails.config.ConfigError`,
`guardrails.audit.exceptions.AuditError`, `guardrails.runtime.errors.TransientAwsError`...); they are
re-based here or re-exported from here.
"""

from __future__ import annotations

EXIT_ERROR = 2
"""The CLI exit code of an error (usage, input, engine, AWS, audit): never 0, never 1 (violations)."""


class GuardrailsError(Exception):
    """Base class of every guardrails error."""

    retryable: bool = False
    """A retry of the same invocation can succeed (the platform retries it)."""


class InputError(GuardrailsError):
    """Input the user must fix: a file, field, event or option guardrails cannot read or judge."""


class ConfigError(InputError):
    """The configuration file is unreadable or invalid; the message names the file and the field."""


class EngineError(GuardrailsError):
    """The engine could not evaluate a document; the decision becomes `error`, never a silent pass."""


class InfrastructureError(GuardrailsError):
    """Something the decision depends on failed, not the request's content (network, timeout, outage)."""

    retryable = True


class AwsError(GuardrailsError):
    """An AWS call failed."""


class TransientAwsError(AwsError, InfrastructureError):
    """An AWS call failed in a way a retry can fix (throttling, 5xx, timeouts): the invocation fails."""

    retryable = True

    def __init__(self, operation: str, message: str) -> None:
        super().__init__(f"{operation}: {message}")
        self.operation = operation


class PermanentAwsError(AwsError):
    """An AWS call failed in a way a retry cannot fix (access denied, validation, not found)."""


class AuditError(GuardrailsError):
    """Base class of every audit-trail error."""


def is_retryable(exc: BaseException) -> bool:
    """A retry of the invocation can succeed: the Lambda raises so the platform retries."""
    if isinstance(exc, GuardrailsError):
        return exc.retryable
    from guardrails.infrastructure import is_infrastructure_failure

    return is_infrastructure_failure(exc)


def acknowledged_by_lambda(exc: BaseException) -> bool:
    """A Lambda answers (records and acknowledges) rather than raises: a bad event a retry cannot fix.
    A bad deployment configuration is not the event's fault: raised, the events wait in the retry / DLQ
    until the configuration is fixed."""
    return isinstance(exc, InputError) and not isinstance(exc, ConfigError)


__all__ = [
    "EXIT_ERROR",
    "AuditError",
    "AwsError",
    "ConfigError",
    "EngineError",
    "GuardrailsError",
    "InfrastructureError",
    "InputError",
    "PermanentAwsError",
    "TransientAwsError",
    "acknowledged_by_lambda",
    "is_retryable",
]
