"""Policy engines: the Evaluator interface and its backends.

The names below are imported on first use (`__getattr__`): importing a submodule of the package, such as
guardrails.engine.opa_settings for the configuration, does not load the evaluator interface, the policy
bundle and what they import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guardrails.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from guardrails.engine.base import EngineError, EngineUnavailableError, Evaluator, Finding
    from guardrails.engine.bundle import BundleError, Catalog, ControlInfo, PolicyBundle
    from guardrails.engine.opa_settings import OpaServerSettings
    from guardrails.engine.policy_tests import PolicyTestResult

_HOMES = {
    "EngineError": "guardrails.engine.base",
    "EngineUnavailableError": "guardrails.engine.base",
    "Evaluator": "guardrails.engine.base",
    "Finding": "guardrails.engine.base",
    "PolicyTestResult": "guardrails.engine.policy_tests",
    "BundleError": "guardrails.engine.bundle",
    "Catalog": "guardrails.engine.bundle",
    "ControlInfo": "guardrails.engine.bundle",
    "PolicyBundle": "guardrails.engine.bundle",
    "OpaServerSettings": "guardrails.engine.opa_settings",
}

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
        from guardrails.engine.opa_settings import OpaServerSettings

        return OpaServerEvaluator(bundle, opa or OpaServerSettings())
    from guardrails.engine.bundle import BundleError

    raise BundleError(f"unknown engine backend {backend!r} (available: regorus, opa-server, opa-go)")


__getattr__ = lazy_exports(__name__, _HOMES)
