"""Policy engines: the Evaluator interface and its backends."""

from guardrails.engine.base import EngineError, EngineUnavailableError, Evaluator, Finding, PolicyTestResult
from guardrails.engine.bundle import BundleError, Catalog, ControlInfo, PolicyBundle
from guardrails.engine.opa_settings import OpaServerSettings

__all__ = [
    "BundleError",
    "Catalog",
    "ControlInfo",
    "EngineError",
    "EngineUnavailableError",
    "Evaluator",
    "Finding",
    "PolicyBundle",
    "PolicyTestResult",
    "create_evaluator",
]


def create_evaluator(
    bundle: PolicyBundle, backend: str = "regorus", opa: OpaServerSettings | None = None
) -> Evaluator:
    """The evaluator for `backend`; imported lazily so unused backends cost nothing at start-up.
    `opa`: the settings of the opa-server backend (its URL, token, TLS, timeout, retries)."""
    if backend == "regorus":
        from guardrails.engine.regorus_backend import RegorusEvaluator

        return RegorusEvaluator(bundle)
    if backend == "opa-go":
        from guardrails.engine.opa_go import OpaGoEvaluator

        return OpaGoEvaluator(bundle)
    if backend == "opa-server":
        from guardrails.engine.opa_server import OpaServerEvaluator

        return OpaServerEvaluator(bundle, opa or OpaServerSettings())
    raise BundleError(f"unknown engine backend {backend!r} (available: regorus, opa-server, opa-go)")
