"""Infrastructure failures: the only errors `admission.fail_open` may let pass.

An `error` decision has one of two causes:

- the request's own content cannot be judged (a template that does not parse, a malformed field, an engine
  error on that document, a payload URL that is not an allowed https S3 URL, a payload over the size cap):
  the request is blocked (FAILED) whatever the configuration says — otherwise anyone could get an
  arbitrary change through by making it unjudgeable;
- something around the request failed (the payload download, a timeout, an OPA server outage, the audit
  sink): `admission.fail_open` decides whether that blocks.

Raise (or return, for engines) an exception that is an `InfrastructureError` for the second kind; everything
else is the first kind. An engine backend marks its outage by subclassing both its `EngineError` and
`InfrastructureError` (e.g. `class OpaServerUnavailable(EngineError, InfrastructureError)`); the Decider
then flags the decision (`Decision.infrastructure_failure`) and the hooks apply `fail_open` to it.
"""

from __future__ import annotations

from guardrails.errors import InfrastructureError

__all__ = ["InfrastructureError", "is_infrastructure_failure"]


def is_infrastructure_failure(exc: BaseException) -> bool:
    """`exc` is an infrastructure failure (the classification `admission.fail_open` relies on)."""
    if isinstance(exc, InfrastructureError | TimeoutError | ConnectionError):
        return True
    try:
        from botocore.exceptions import ConnectionError as BotocoreConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # pragma: no cover - botocore is a dependency
        return False
    return isinstance(exc, BotocoreConnectionError | HTTPClientError)
