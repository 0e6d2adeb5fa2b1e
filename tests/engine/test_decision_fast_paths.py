"""The fast paths of deciding agree with the general ones they stand for."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.decision import AppliedExemption, Violation, verdict_for
from guardrails.engine.base import Finding, _plain_finding, parse_findings
from guardrails.suppressions import InlineSuppression
from guardrails.validation import validate

_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.text(max_size=4), st.sampled_from(["true", "SM-01", "1"])
)
_FINDINGS = st.dictionaries(
    st.sampled_from(["control", "message", "path", "unknown", "default_enforcement", "via", "extra"]),
    _VALUES,
)


@settings(max_examples=400, deadline=None)
@given(_FINDINGS)
def test_a_plain_finding_is_what_validation_gives(item: dict[str, Any]) -> None:
    plain = _plain_finding(item)
    if plain is None:
        return
    assert plain == validate(Finding, item)
    assert parse_findings([item]) == [plain]


def _reference_verdict(violations: list[Violation]) -> str:
    counting = [v for v in violations if v.counts]
    if any(v.enforcement == "deny" for v in counting):
        return "deny"
    return "warn" if counting else "allow"


_EXEMPTION = AppliedExemption(control="SM-01", resource="*", reason="r")
_SUPPRESSION = InlineSuppression(control="SM-01", reason="r", source="cloudformation-metadata")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["deny", "warn"]),
            st.sampled_from([None, _EXEMPTION]),
            st.sampled_from([None, _SUPPRESSION]),
        ),
        max_size=5,
    )
)
def test_verdict_for_is_the_verdict_of_the_counting_violations(parts: list[tuple[Any, Any, Any]]) -> None:
    violations = [
        Violation(control="SM-01", severity="high", enforcement=e, message="m", exemption=x, suppression=s)
        for e, x, s in parts
    ]
    assert verdict_for(violations) == _reference_verdict(violations)
