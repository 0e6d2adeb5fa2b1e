"""Backend on the real OPA Go engine, in process (PyPI `opa-golib-python-bindings`).

Used as the oracle of the differential tests (regorus vs OPA) and by `guardrails policy test`; also a
backend of its own (`create_evaluator(bundle, "opa-go")`). The package declares Python >= 3.12 but works
on 3.11: install it with `pip install --ignore-requires-python opa-golib-python-bindings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

from guardrails.engine.base import EngineError, Finding, parse_findings
from guardrails.engine.bundle import (
    BATCH_RULE,
    ENTRY_RULE,
    BundleError,
    PolicyBundle,
    engine_modules,
    test_rules,
)
from guardrails.engine.policy_tests import PolicyTestResult

DISTRIBUTION = "opa-golib-python-bindings"
INSTALL_HINT = f"pip install --ignore-requires-python {DISTRIBUTION}"
DEFAULT_BATCH_SIZE = 250
"""Documents per OPA evaluation: one query over a list input instead of one per document."""


class OpaGoNotInstalledError(BundleError):
    """The engine's package is not installed (a setup error: exit 2, never a silent fallback)."""


def opa_go_available() -> bool:
    try:
        import opa_bindings  # noqa: F401
    except ImportError:
        return False
    return True


def _opa_bindings() -> Any:
    try:
        import opa_bindings
    except ImportError as exc:
        raise OpaGoNotInstalledError(
            f"the OPA Go engine is not installed ({exc}); install it with: {INSTALL_HINT}"
        ) from exc
    return opa_bindings


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class OpaGoEvaluator:
    """Evaluator on an embedded OPA Go engine. The engine serialises its evaluations (it is thread-safe)."""

    name = "opa-go"

    def __init__(self, bundle: PolicyBundle, *, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self._opa = _opa_bindings()
        self.bundle = bundle
        try:
            self.version = package_version(DISTRIBUTION)
        except PackageNotFoundError:  # imported from a source tree
            self.version = "unknown"
        self.batch_size = batch_size
        self._engine = self._compile({**bundle.modules, **engine_modules()})

    def _compile(self, modules: dict[str, str]) -> Any:
        engine = self._opa.OpaEngine()
        if self.bundle.data:  # bundle data (policies/data/*.json), as regorus loads it
            engine.add_data(self.bundle.data)
        for name, text in modules.items():
            try:
                engine.add_policy(name, text)
            except self._opa.OpaError as exc:
                raise BundleError(f"policy {name} does not parse: {exc.message}") from exc
        try:  # OPA compiles when the first query is prepared
            engine.eval_document(BATCH_RULE.removeprefix("data."), {"documents": []})
        except self._opa.OpaError as exc:
            raise BundleError(f"policy bundle does not compile under OPA: {exc.message}") from exc
        return engine

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        try:
            raw = self._engine.eval_document(ENTRY_RULE.removeprefix("data."), document)
        except self._opa.OpaUndefinedError as exc:  # no entry point: an error, never "no findings"
            raise EngineError(f"policy entry point {ENTRY_RULE} is undefined") from exc
        except self._opa.OpaError as exc:
            raise EngineError(exc.message) from exc
        return parse_findings(raw)

    def evaluate_many(self, documents: Iterable[dict[str, Any]]) -> list[list[Finding] | EngineError]:
        results: list[list[Finding] | EngineError] = []
        for chunk in _chunks(list(documents), self.batch_size):
            try:
                raw = self._engine.eval_document(BATCH_RULE.removeprefix("data."), {"documents": chunk})
            except self._opa.OpaError:
                # One failing document fails the whole query: evaluate this chunk one by one so only
                # the failing documents carry the error.
                results.extend(self._one_by_one(chunk))
                continue
            if not isinstance(raw, list) or len(raw) != len(chunk):
                results.extend(self._one_by_one(chunk))
                continue
            for item in raw:
                try:
                    results.append(parse_findings(item))
                except EngineError as exc:
                    results.append(exc)
        return results

    def _one_by_one(self, documents: list[dict[str, Any]]) -> list[list[Finding] | EngineError]:
        results: list[list[Finding] | EngineError] = []
        for document in documents:
            try:
                results.append(self.evaluate(document))
            except EngineError as exc:
                results.append(exc)
        return results

    def run_tests(self) -> list[PolicyTestResult]:
        engine = self._compile({**self.bundle.modules, **engine_modules(), **self.bundle.tests})
        by_package: dict[str, list[str]] = {}
        for package, rule in test_rules(self.bundle):
            by_package.setdefault(package, []).append(rule)
        results: list[PolicyTestResult] = []
        for package, rules in by_package.items():
            # Each distinct query is prepared (compiled) once, which costs far more than evaluating it:
            # read the whole test package in one query, and only on an error query its tests one by one.
            try:
                values = engine.eval_document(package)
            except self._opa.OpaError:
                values = None
            if isinstance(values, dict):
                for rule in rules:
                    passed = values.get(rule) is True
                    results.append(
                        PolicyTestResult(package, rule, passed, None if passed else "undefined/false")
                    )
                continue
            for rule in rules:
                results.append(self._run_test(engine, package, rule))
        return results

    def _run_test(self, engine: Any, package: str, rule: str) -> PolicyTestResult:
        try:
            passed = engine.eval_document(f"{package}.{rule}") is True
        except self._opa.OpaUndefinedError:
            passed = False
        except self._opa.OpaError as exc:
            return PolicyTestResult(package, rule, False, exc.message)
        return PolicyTestResult(package, rule, passed, None if passed else "undefined/false")
