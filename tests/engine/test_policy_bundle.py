"""The shipped bundle: every Rego unit test passes, every catalog control is implemented and tested."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.engine import PolicyBundle

CONTROL_IDS = [f"SM-{i:02d}" for i in range(1, 22)] + [f"S3-{i:02d}" for i in range(1, 9)]


@pytest.mark.slow
def test_policy_test_command_runs_every_rego_test_and_all_pass():
    result = CliRunner().invoke(main, ["policy", "test"])
    assert result.exit_code == 0, result.output
    passed, failed = map(int, re.search(r"(\d+) passed, (\d+) failed", result.output).groups())
    assert failed == 0 and passed >= 2 * len(CONTROL_IDS)
    assert result.output.count("PASS data.guardrails.tests.") == passed


def test_catalog_covers_exactly_the_controls_of_controls_md():
    bundle = PolicyBundle.load()
    assert sorted(bundle.catalog.by_id) == sorted(CONTROL_IDS)


def test_every_control_is_emitted_by_a_policy_and_has_tests():
    bundle = PolicyBundle.load()
    policy_text = "\n".join(bundle.modules.values())
    test_text = "\n".join(bundle.tests.values())
    for control in CONTROL_IDS:
        assert f'"{control}"' in policy_text, f"no policy emits {control}"
        assert control in test_text, f"no Rego test mentions {control}"


@pytest.mark.slow
def test_a_failing_rego_test_makes_policy_test_exit_1(tmp_path):
    (tmp_path / "broken_test.rego").write_text(
        "package guardrails.tests.broken_test\nimport rego.v1\ntest_wrong if { 1 == 2 }\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["policy", "test", "--policy-dir", str(tmp_path), "--quiet"])
    assert result.exit_code == 1
    assert "FAIL data.guardrails.tests.broken_test.test_wrong" in result.output
