"""The OPA Go backend: present, it runs the Rego tests beside regorus; absent, a clear error, never a pass."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner
from engine_corpus import require_opa_go
from guardrails.cli.main import main

from guardrails.engine import BundleError, PolicyBundle, create_evaluator


@pytest.fixture
def without_opa_go(monkeypatch):
    monkeypatch.setitem(sys.modules, "opa_bindings", None)  # `import opa_bindings` raises ImportError


def test_absent_engine_is_a_bundle_error_with_the_install_command(without_opa_go):
    with pytest.raises(BundleError, match="pip install --ignore-requires-python opa-golib-python-bindings"):
        create_evaluator(PolicyBundle.load(), "opa-go")


def test_policy_test_without_opa_go_runs_regorus_only_and_says_so(without_opa_go):
    result = CliRunner().invoke(main, ["policy", "test", "--quiet", "--engine", "auto"])
    assert "engines: regorus\n" in result.output
    forced = CliRunner().invoke(main, ["policy", "test", "--engine", "opa-go"])
    assert forced.exit_code == 2 and "opa-golib-python-bindings" in forced.output


def test_parity_tests_fail_in_ci_and_skip_locally_without_opa_go(without_opa_go, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("GUARDRAILS_CI", raising=False)
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        require_opa_go()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_opa_go()


def test_policy_test_runs_every_test_under_both_engines(tmp_path):
    require_opa_go()
    (tmp_path / "mine.rego").write_text("package guardrails.rules.mine\nimport rego.v1\ndeny := set()\n")
    (tmp_path / "mine_test.rego").write_text(
        "package guardrails.tests.mine_test\nimport rego.v1\n"
        "test_ok if { 1 == 1 }\n"
        # regorus and OPA agree on this one; a failing test fails under both and is reported once
        "test_wrong if { 1 == 2 }\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["policy", "test", "--no-default", "--policy-dir", str(tmp_path), "--engine", "auto"]
    )
    assert result.exit_code == 1
    assert "engines: regorus, opa-go" in result.output
    assert "PASS data.guardrails.tests.mine_test.test_ok" in result.output
    assert (
        "FAIL data.guardrails.tests.mine_test.test_wrong (regorus: undefined/false; opa-go: undefined/false)"
        in result.output
    )
    assert "1 passed, 1 failed" in result.output


def test_a_test_failing_under_one_engine_only_fails(tmp_path):
    from guardrails.engine.base import PolicyTestResult
    from guardrails.engine.policy_tests import PolicyTestOutcome

    outcome = PolicyTestOutcome(
        "p",
        "test_x",
        {
            "regorus": PolicyTestResult("p", "test_x", True),
            "opa-go": PolicyTestResult("p", "test_x", False, "boom"),
        },
    )
    assert not outcome.passed and outcome.failures == {"opa-go": "boom"}


def test_opa_go_evaluator_compile_error_names_the_problem(tmp_path):
    require_opa_go()
    (tmp_path / "broken.rego").write_text("package guardrails.rules.broken\nimport rego.v1\nx if { y }\n")
    with pytest.raises(BundleError, match="var y is unsafe"):
        create_evaluator(PolicyBundle.load([tmp_path]), "opa-go")


def test_check_with_the_opa_go_engine_reports_what_regorus_reports():
    require_opa_go()
    import json
    from pathlib import Path

    examples = str(Path(__file__).resolve().parents[2] / "examples")
    local = CliRunner().invoke(main, ["check", "--format", "json", examples])
    in_process = CliRunner().invoke(main, ["check", "--format", "json", "--engine", "opa-go", examples])
    assert in_process.exit_code == local.exit_code == 1
    strip = lambda report: [  # noqa: E731
        {k: v for k, v in r.items() if k not in ("decision_id", "timestamp", "engine")}
        for r in json.loads(report)["results"]
    ]
    assert strip(in_process.output) == strip(local.output)
