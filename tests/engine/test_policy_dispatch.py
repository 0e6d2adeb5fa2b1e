"""The type sets the SageMaker rule packages test before calling a check dispatch list exactly the
types the dispatch function has a definition for: a type missing from a set would silently lose its
findings, an extra one would cost a call for nothing. (The sets are literals in the rule bodies:
regorus evaluates every definition of a function on each call, and a literal is cheaper to test than a
rule holding the set.)"""

from __future__ import annotations

import re

import pytest
from fixture_paths import REPO

POLICIES = REPO / "policies"

# (rule module, rule, checks module, dispatch function)
GATES = [
    ("sagemaker/encryption.rego", "deny", "sagemaker/encryption_checks.rego", "deny_checks"),
    ("sagemaker/network.rego", "deny", "sagemaker/network_checks.rego", "deny_checks"),
    ("sagemaker/network.rego", "warn", "sagemaker/network_checks.rego", "warn_checks"),
]


def _dispatch_types(text: str, function: str) -> list[str]:
    return re.findall(rf'^{function}\("([^"]+)", p, u\) := ', text, re.MULTILINE)


def _gated_rule(text: str, rule: str, function: str) -> str:
    """The body of the one `rule contains v if {...}` of the module that calls checks.<function>."""
    bodies = [
        m.group(1)
        for m in re.finditer(rf"^{rule} contains v if \{{\n(.*?)^\}}", text, re.MULTILINE | re.DOTALL)
        if f"checks.{function}(input.resource.type, " in m.group(1)
    ]
    assert len(bodies) == 1, f"{rule}: {len(bodies)} rules call checks.{function}"
    return bodies[0]


@pytest.mark.parametrize("rules_module,rule,checks_module,function", GATES)
def test_type_set_lists_exactly_the_dispatch_types(
    rules_module: str, rule: str, checks_module: str, function: str
) -> None:
    body = _gated_rule((POLICIES / rules_module).read_text(encoding="utf-8"), rule, function)
    gate = re.match(r"\tinput\.resource\.type in \{\n(.*?)^\t\}\n", body, re.MULTILINE | re.DOTALL)
    assert gate, f"{rules_module}: the {rule} rule does not test the type first"
    listed = re.findall(r'^\t\t"([^"]+)",$', gate.group(1), re.MULTILINE)
    dispatch = _dispatch_types((POLICIES / checks_module).read_text(encoding="utf-8"), function)
    assert dispatch and len(set(dispatch)) == len(dispatch) and len(set(listed)) == len(listed)
    assert sorted(listed) == sorted(dispatch)
