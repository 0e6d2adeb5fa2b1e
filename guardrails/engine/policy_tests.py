"""`guardrails policy test`: the Rego unit tests under every engine at hand, one verdict per test."""

from __future__ import annotations

from dataclasses import dataclass

from guardrails.engine.bundle import PolicyBundle

TEST_ENGINES = ("regorus", "opa-go")


@dataclass(frozen=True)
class PolicyTestResult:
    """The outcome of one Rego unit test (`test_*` rule) on one engine."""

    package: str
    name: str
    passed: bool
    error: str | None = None


@dataclass(frozen=True)
class PolicyTestOutcome:
    """One `test_*` rule and its result under each engine; it passes only if it passes under all."""

    package: str
    name: str
    results: dict[str, PolicyTestResult]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results.values())

    @property
    def failures(self) -> dict[str, str]:
        return {engine: r.error or "failed" for engine, r in self.results.items() if not r.passed}


def engines_for(requested: str) -> list[str]:
    """`auto`: regorus, plus the OPA Go engine when it is installed; else the one engine named."""
    if requested != "auto":
        return [requested]
    from guardrails.engine.opa_go import opa_go_available

    return ["regorus", "opa-go"] if opa_go_available() else ["regorus"]


def run_policy_tests(bundle: PolicyBundle, engines: list[str]) -> list[PolicyTestOutcome]:
    """Every test of `bundle` under each of `engines`, in the order of the first engine's results."""
    from guardrails.engine import create_evaluator

    per_engine = {engine: create_evaluator(bundle, engine).run_tests() for engine in engines}
    outcomes: dict[tuple[str, str], dict[str, PolicyTestResult]] = {}
    for engine, results in per_engine.items():
        for result in results:
            outcomes.setdefault((result.package, result.name), {})[engine] = result
    for engine in engines:  # a test one engine did not see at all fails under that engine
        for (package, name), by_engine in outcomes.items():
            by_engine.setdefault(engine, PolicyTestResult(package, name, False, "not run"))
    return [PolicyTestOutcome(package, name, by_engine) for (package, name), by_engine in outcomes.items()]
