"""The regorus backend and the bundle loader, on small policy folders written by the tests."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from guardrails.engine import BundleError, EngineError, PolicyBundle, create_evaluator

MAIN = """package guardrails.main
import rego.v1
findings contains v if { some name; some v in data.guardrails.rules[name].deny }
"""
RULE = """package guardrails.rules.custom
import rego.v1
deny contains {"control": "CU-01", "message": "x is one", "path": "x"} if input.resource.properties.x == 1
deny contains {"control": "CU-02", "message": "y unknown", "path": "y", "unknown": true} if {
    "y" in input.context.unknown
}
deny contains {"control": "CU-03", "message": "boom", "path": "z"} if to_number(input.resource.properties.z) > 1
"""
TESTS = """package guardrails.tests.custom_test
import rego.v1
test_one_fails if { count(data.guardrails.rules.custom.deny) == 1 with input as {"resource": {"properties": {"x": 1}}} }
test_deliberately_wrong if { count(data.guardrails.rules.custom.deny) == 5 with input as {"resource": {"properties": {}}} }
"""
CATALOG = """version: "t1"
controls:
  - {id: CU-01, title: x is not one, severity: high, resource_types: [T], default_enforcement: deny, remediation: set x}
"""


def policy_dir(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "policies"
    root.mkdir()
    for name, text in {
        "main.rego": MAIN,
        "custom.rego": RULE,
        "custom_test.rego": TESTS,
        "catalog.yaml": CATALOG,
        **files,
    }.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def doc(**props) -> dict:
    return {"resource": {"type": "T", "name": "n", "properties": props}, "context": {"unknown": []}}


def test_findings_and_unknown_flag(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    assert [f.control for f in evaluator.evaluate(doc(x=1))] == ["CU-01"]
    assert evaluator.evaluate(doc(x=2)) == []
    unknown = evaluator.evaluate(
        {"resource": {"type": "T", "name": "n", "properties": {}}, "context": {"unknown": ["y"]}}
    )
    assert [(f.control, f.unknown) for f in unknown] == [("CU-02", True)]


def test_engine_error_is_an_error_not_a_pass(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    with pytest.raises(EngineError) as err:
        evaluator.evaluate(doc(z="not a number"))
    assert "Stack backtrace" not in str(err.value)
    results = evaluator.evaluate_many([doc(x=1), doc(z="nan-text"), doc()])
    assert isinstance(results[1], EngineError)
    assert [f.control for f in results[0]] == ["CU-01"] and results[2] == []


def test_policy_that_does_not_compile_names_the_file(tmp_path):
    root = policy_dir(
        tmp_path, **{"broken.rego": "package guardrails.rules.broken\nimport rego.v1\nx if { y }\n"}
    )
    with pytest.raises(BundleError, match="broken.rego:3"):
        create_evaluator(PolicyBundle.load([root], include_default=False))


def test_run_tests_reports_each_test(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    results = {r.name: r.passed for r in evaluator.run_tests()}
    assert results == {"test_one_fails": True, "test_deliberately_wrong": False}


def test_digest_changes_with_any_policy_byte(tmp_path):
    root = policy_dir(tmp_path)
    first = PolicyBundle.load([root], include_default=False).digest
    (root / "custom.rego").write_text(RULE + "\n", encoding="utf-8")
    assert PolicyBundle.load([root], include_default=False).digest != first


def test_catalog_version_and_entries(tmp_path):
    bundle = PolicyBundle.load([policy_dir(tmp_path)], include_default=False)
    assert bundle.version == "t1"
    assert bundle.catalog.by_id["CU-01"].severity == "high"


def test_invalid_catalog_is_a_bundle_error(tmp_path):
    root = policy_dir(tmp_path, **{"catalog.yaml": "version: 1\ncontrols: [{id: X}]\n"})
    with pytest.raises(BundleError, match="catalog"):
        PolicyBundle.load([root], include_default=False)


def test_one_engine_per_thread_gives_the_same_answers(tmp_path):
    evaluator = create_evaluator(PolicyBundle.load([policy_dir(tmp_path)], include_default=False))
    errors: list[str] = []

    def work(seed: int) -> None:
        try:
            check(seed)
        except BaseException as exc:  # a pyo3 panic is a BaseException
            errors.append(f"{seed}: {type(exc).__name__}: {exc}")

    def check(seed: int) -> None:
        for i in range(200):
            expected = ["CU-01"] if (i + seed) % 2 else []
            got = [f.control for f in evaluator.evaluate(doc(x=(i + seed) % 2))]
            if got != expected:
                errors.append(f"{seed}/{i}: {got}")

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_regorus_version_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    from guardrails.engine.regorus_backend import REGORUS_DISTRIBUTION, regorus_version

    assert regorus_version() == version(REGORUS_DISTRIBUTION)
