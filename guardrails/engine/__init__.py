"""Policy engines: the Evaluator interface and its backends."""

from guardrails.engine.base import EngineError, Evaluator, Finding, PolicyTestResult
from guardrails.engine.bundle import BundleError, Catalog, ControlInfo, PolicyBundle

__all__ = [
    "BundleError",
    "Catalog",
    "ControlInfo",
    "EngineError",
    "Evaluator",
    "Finding",
    "PolicyBundle",
    "PolicyTestResult",
    "create_evaluator",
]


def create_evaluator(bundle: PolicyBundle, backend: str = "regorus") -> Evaluator:
    """The evaluator for `backend`; imported lazily so unused backends cost nothing at start-up."""
    if backend == "regorus":
        from guardrails.engine.regorus_backend import RegorusEvaluator

        return RegorusEvaluator(bundle)
    if backend == "opa-go":
        from guardrails.engine.opa_go import OpaGoEvaluator

        return OpaGoEvaluator(bundle)
    raise BundleError(f"unknown engine backend {backend!r} (available: regorus, opa-go)")
