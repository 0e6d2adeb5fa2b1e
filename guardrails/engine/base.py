"""The Evaluator interface every policy engine backend implements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from guardrails.engine.bundle import PolicyBundle
from guardrails.errors import EngineError as EngineError  # re-exported: its historical home
from guardrails.errors import InfrastructureError
from guardrails.lazy_exports import lazy_exports
from guardrails.validation import validate

if TYPE_CHECKING:
    from guardrails.engine.policy_tests import PolicyTestResult as PolicyTestResult  # re-exported


class EngineUnavailableError(InfrastructureError):
    """The engine cannot decide at all (an OPA server down, slow, or holding another bundle).

    An infrastructure failure, raised out of `evaluate_many`, never turned into a per-document `error`
    verdict: `check` exits 2, the CloudFormation hook fails closed (unless `admission.fail_open`: an
    InfrastructureError), the boto3 hook raises, the runtime Lambda raises so EventBridge retries the event.
    """


@dataclass(slots=True)
class Finding:
    """One raw violation as the Rego bundle reports it, before configuration and exemptions."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}

    control: str
    message: str
    path: str | None = None
    unknown: bool = False
    default_enforcement: str | None = None
    via: str | None = None
    """For composite controls (SM-17, SM-19): the control that failed in the referenced document."""


class Evaluator(Protocol):
    name: str
    version: str
    bundle: PolicyBundle

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        """Findings for one canonical document; raises EngineError."""
        ...

    def evaluate_many(self, documents: Iterable[dict[str, Any]]) -> list[list[Finding] | EngineError]:
        """Findings per document, in order; a failing document yields its EngineError in place."""
        ...

    def run_tests(self) -> list[PolicyTestResult]:
        """Run every `test_*` rule of the bundle's test files."""
        ...


def parse_findings(raw: Any) -> list[Finding]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise EngineError(f"policy entry point returned {type(raw).__name__}, expected a set of findings")
    try:
        return [_plain_finding(item) or validate(Finding, item) for item in raw]
    except ValueError as exc:
        raise EngineError(f"policy returned a malformed finding: {exc}") from exc


def _plain_finding(item: Any) -> Finding | None:
    """The Finding of `item` when it has exactly the declared types (str control and message; str or null
    path, default_enforcement, via; bool unknown), which validation would return unchanged; None for
    anything else, which pydantic then validates (coercions, errors): a `check` of well-typed findings
    never imports pydantic (guardrails/validation.py). Built positionally (the field order of Finding):
    a check makes thousands."""
    if type(item) is not dict:
        return None
    get = item.get
    control, message, unknown = get("control"), get("message"), get("unknown", False)
    path, default_enforcement, via = get("path"), get("default_enforcement"), get("via")
    if (
        type(control) is not str
        or type(message) is not str
        or type(unknown) is not bool
        or (path is not None and type(path) is not str)
        or (default_enforcement is not None and type(default_enforcement) is not str)
        or (via is not None and type(via) is not str)
    ):
        return None
    return Finding(control, message, path, unknown, default_enforcement, via)


# `PolicyTestResult` lives in guardrails/engine/policy_tests.py (`policy test` only), imported on first use:
# a check does not create its class.
__getattr__ = lazy_exports(__name__, {"PolicyTestResult": "guardrails.engine.policy_tests"})
