"""Default backend: regorus (Rust Rego engine), compiled once per process, one engine per thread."""

from __future__ import annotations

import json
import os
from _thread import _local as thread_local  # threading.local itself: a check never imports threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

# regorus reports errors as `anyhow` errors, which capture a Rust backtrace when RUST_BACKTRACE is set,
# including the many errors its parser, compiler and interpreter raise and then handle themselves (an
# object literal indexed by a variable, for example): each capture costs tens of microseconds, about
# 5% of a `check`. RUST_LIB_BACKTRACE governs only these captures (panics still follow RUST_BACKTRACE)
# and is read once, at the first capture, so it is set here, before regorus is used. An explicit
# setting is kept.
os.environ.setdefault("RUST_LIB_BACKTRACE", "0")

import regorus  # noqa: E402

from guardrails.engine.base import EngineError, Finding, parse_findings
from guardrails.engine.bundle import ENTRY_RULE, BundleError, PolicyBundle, test_rules

if TYPE_CHECKING:
    from guardrails.engine.policy_tests import PolicyTestResult

REGORUS_DISTRIBUTION = "gordon-to-regorus"


def regorus_version() -> str:
    """The installed regorus distribution's version, read from the `Version:` line of its dist-info
    METADATA beside the `regorus` package: the same answer as `importlib.metadata.version`, without
    importing importlib.metadata and scanning sys.path (~0.02 s CPU, a tenth of a small `check`). Any
    other layout (a zip, an egg, several dist-infos) asks importlib.metadata."""
    site = Path(regorus.__file__).resolve().parent.parent
    prefix, suffix = REGORUS_DISTRIBUTION.replace("-", "_") + "-", ".dist-info"
    try:  # what site.glob(prefix + "*" + suffix) finds, without compiling its pattern
        names = [n for n in os.listdir(site) if n.startswith(prefix) and n[len(prefix) :].endswith(suffix)]
    except OSError:
        names = []
    found = [site / name for name in names]
    if len(found) == 1:
        try:
            with (found[0] / "METADATA").open(encoding="utf-8") as metadata:
                for line in metadata:
                    if line.startswith("Version:"):
                        return line.partition(":")[2].strip()
                    if not line.strip():
                        break  # end of the headers
        except OSError:
            pass
    from importlib.metadata import version

    return version(REGORUS_DISTRIBUTION)


def clean_engine_message(exc: BaseException) -> str:
    """regorus appends a Rust backtrace when RUST_BACKTRACE is set; keep only the message."""
    text = str(exc).split("Stack backtrace:", 1)[0]
    return text.strip() or type(exc).__name__


def _compile(modules: dict[str, str], data: dict[str, Any]) -> regorus.Engine:
    """A new engine with the bundle data and every module parsed and compiled (regorus compiles lazily
    on first query)."""
    engine = regorus.Engine()
    if data:
        engine.add_data_json(json.dumps(data))
    for name, text in modules.items():
        try:
            engine.add_policy(name, text)
        except RuntimeError as exc:
            raise BundleError(f"policy {name} does not parse: {clean_engine_message(exc)}") from exc
    try:
        engine.eval_query_as_json("1 == 1")
    except RuntimeError as exc:
        raise BundleError(f"policy bundle does not compile: {clean_engine_message(exc)}") from exc
    return engine


class RegorusEvaluator:
    """Evaluator on regorus: one engine per thread, each compiled in its own thread.

    regorus engines are not thread-safe and pyo3 marks them unsendable: an engine (even for `clone()`)
    may only be touched by the thread that created it.
    """

    name = "regorus"

    def __init__(self, bundle: PolicyBundle) -> None:
        self.bundle = bundle
        self.version = regorus_version()
        self._local = thread_local()
        self._local.engine = _compile(bundle.modules, bundle.data)  # compile errors surface here, at load

    def _engine(self) -> regorus.Engine:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = _compile(self.bundle.modules, self.bundle.data)
            self._local.engine = engine
        return engine

    def evaluate(self, document: dict[str, Any]) -> list[Finding]:
        return self.evaluate_json(json.dumps(document))

    def evaluate_json(self, text: str) -> list[Finding]:
        """Evaluate a document already serialised as JSON (the decider reuses its canonical text)."""
        engine = self._engine()
        try:
            engine.set_input_json(text)
            raw = engine.eval_rule_as_json(ENTRY_RULE)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise EngineError(clean_engine_message(exc)) from exc
        except BaseException as exc:
            if type(exc).__name__ != "PanicException":  # pyo3 panics derive from BaseException
                raise
            raise EngineError(f"engine panic: {clean_engine_message(exc)}") from exc
        return parse_findings(json.loads(raw) if raw is not None else None)

    def evaluate_many(self, documents: Iterable[dict[str, Any]]) -> list[list[Finding] | EngineError]:
        results: list[list[Finding] | EngineError] = []
        for document in documents:
            try:
                results.append(self.evaluate(document))
            except EngineError as exc:
                results.append(exc)
        return results

    def evaluate_many_json(self, texts: Iterable[str]) -> list[list[Finding] | EngineError]:
        """`evaluate_many` for documents already serialised as JSON."""
        results: list[list[Finding] | EngineError] = []
        for text in texts:
            try:
                results.append(self.evaluate_json(text))
            except EngineError as exc:
                results.append(exc)
        return results

    def run_tests(self) -> list[PolicyTestResult]:
        from guardrails.engine.policy_tests import PolicyTestResult  # `policy test` only

        engine = _compile({**self.bundle.modules, **self.bundle.tests}, self.bundle.data)
        results: list[PolicyTestResult] = []
        for package, rule in test_rules(self.bundle):
            try:
                raw = engine.eval_rule_as_json(f"data.{package}.{rule}")
                passed = raw is not None and json.loads(raw) is True
                results.append(PolicyTestResult(package, rule, passed, None if passed else "undefined/false"))
            except RuntimeError as exc:
                results.append(PolicyTestResult(package, rule, False, clean_engine_message(exc)))
        return results
