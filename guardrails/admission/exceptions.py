"""The errors of the admission enforcement point. Each names the field, URL or controls involved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from guardrails.errors import GuardrailsError, InfrastructureError, InputError

if TYPE_CHECKING:
    from guardrails.decision import Decision


class AdmissionError(GuardrailsError):
    """Base class of every admission error: a grouping, each subclass sits on its branch of
    guardrails/errors.py (or is a RequestBlocked outcome); never raised as it is."""


class HookRequestError(AdmissionError, InputError):
    """The hook request is not a CloudFormation Lambda Hook request (missing or malformed field)."""


class PayloadFetchError(AdmissionError):
    """The stack/change-set payload could not be downloaded or is not the expected JSON object: a grouping,
    raised as PayloadRejected (the request's content, an InputError) or PayloadUnavailable (an outage, an
    InfrastructureError)."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(url, message)
        self.url = url
        self.message = message

    def __str__(self) -> str:
        return f"payload {redact_url(self.url)}: {self.message}"


class PayloadRejected(PayloadFetchError, InputError):
    """The payload URL or body is not acceptable (not an allowed https S3 URL, over the size cap, not a
    payload object): the request's own content, blocked whatever `admission.fail_open` says."""


class PayloadUnavailable(PayloadFetchError, InfrastructureError):
    """The payload could not be downloaded (network failure, deadline, HTTP error status): an
    infrastructure failure, which `admission.fail_open` may let pass."""


class RequestBlocked(AdmissionError):
    """The boto3 hook stopped a request before it was sent; `decision` says why. Not a failure of
    guardrails but its outcome, raised into the caller's code: on no branch of guardrails/errors.py."""

    def __init__(self, message: str, decision: Decision, controls: list[str] | None = None) -> None:
        super().__init__(message)
        self.decision = decision
        self.controls: list[str] = (
            sorted(controls)
            if controls is not None
            else sorted({v.control for v in decision.violations if v.counts and v.enforcement == "deny"})
        )
        """The controls that blocked the request."""


class GuardrailViolation(RequestBlocked):
    """A request violates a `deny` control (verdict `deny`). Nothing was sent to AWS."""


class GuardrailEvaluationError(RequestBlocked):
    """A request could not be evaluated (verdict `error`) and `fail_open` is off. Nothing was sent to AWS."""


def redact_url(url: str) -> str:
    """A presigned URL without its query string (the signature is a credential)."""
    return url.split("?", 1)[0]
