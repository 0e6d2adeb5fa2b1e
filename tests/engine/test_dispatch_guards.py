"""The type guards of the SageMaker rule packages list exactly the types their dispatch functions define.

regorus tries every definition of a multi-definition function on each call, so the rule bodies of
sagemaker_network and sagemaker_encryption test `input.resource.type in {...}` before calling
`deny_checks` / `warn_checks`. A type defined in the dispatch but missing from the guard would lose
its findings silently (a wrong allow); this test ties the two lists together.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guardrails.engine import PolicyBundle
from guardrails.engine.regorus_backend import _compile

POLICIES = Path(__file__).resolve().parents[2] / "policies" / "sagemaker"
CASES = [
    ("network_checks.rego", "deny_checks", "network.rego", 0),
    ("network_checks.rego", "warn_checks", "network.rego", 1),
    ("encryption_checks.rego", "deny_checks", "encryption.rego", 0),
]


def _dispatch_types(checks_file: str, function: str) -> list[str]:
    text = (POLICIES / checks_file).read_text(encoding="utf-8")
    return re.findall(rf'^{function}\("([^"]+)"', text, re.M)


def _guard_sets(rules_file: str) -> list[list[str]]:
    """The string sets of every `input.resource.type in {...}` guard of the rule file, in order."""
    text = (POLICIES / rules_file).read_text(encoding="utf-8")
    return [
        re.findall(r'"([^"]+)"', body)
        for body in re.findall(r"input\.resource\.type in \{(.*?)\}", text, re.S)
    ]


@pytest.mark.parametrize(("checks_file", "function", "rules_file", "index"), CASES)
def test_guard_lists_exactly_the_dispatch_types(checks_file, function, rules_file, index):
    dispatch = _dispatch_types(checks_file, function)
    assert dispatch, f"no {function} definitions found in {checks_file}"
    guard = _guard_sets(rules_file)[index]
    assert sorted(guard) == sorted(dispatch)
    assert len(guard) == len(set(guard))


@pytest.mark.parametrize(("checks_file", "function", "rules_file", "index"), CASES)
def test_guarded_rule_equals_the_dispatch_for_every_type(checks_file, function, rules_file, index):
    """With empty properties every dispatched type fails something: the rule gives the dispatch's set."""
    bundle = PolicyBundle.load()
    engine = _compile(bundle.modules, bundle.data)
    package = "sagemaker_network" if rules_file == "network.rego" else "sagemaker_encryption"
    checks = "sagemaker_network" if checks_file.startswith("network") else "sagemaker_encryption"
    rule = "deny" if function == "deny_checks" else "warn"
    engine.add_policy(
        "probe.rego",
        "package probe\nimport rego.v1\n"
        f"direct := data.guardrails.checks.{checks}.{function}(input.resource.type, "
        "data.guardrails.lib.props, data.guardrails.lib.unknown_paths)\n",
    )
    for type_ in _dispatch_types(checks_file, function):
        engine.set_input_json(f'{{"resource": {{"type": "{type_}", "properties": {{}}}}, "context": {{}}}}')
        via_rule = engine.eval_rule_as_json(f"data.guardrails.rules.{package}.{rule}")
        direct = engine.eval_rule_as_json("data.probe.direct")
        assert via_rule == direct, type_
