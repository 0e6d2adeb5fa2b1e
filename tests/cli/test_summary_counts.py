"""The JSON report's summary counts the violations in one pass (CheckRun._violation_counts): the same
counts as one count per kind over every violation."""

from __future__ import annotations

from datetime import date
from typing import Any

from decision_factory import hand_made_decision
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.decision import AppliedExemption, Decision, ResourceRef, Violation
from guardrails.report.model import CheckRun
from guardrails.suppressions import InlineSuppression

_VIOLATIONS = st.builds(
    Violation,
    control=st.just("SM-01"),
    severity=st.just("high"),
    enforcement=st.sampled_from(["deny", "warn", "off", "other"]),
    message=st.just("m"),
    unknown=st.one_of(st.booleans(), st.none(), st.integers(0, 2)),
    exemption=st.one_of(
        st.none(),
        st.just(AppliedExemption(control="SM-01", resource="r", reason="x", expires=date(2027, 1, 1))),
    ),
    suppression=st.one_of(st.none(), st.just(InlineSuppression(control="SM-01", reason="ok", source="x"))),
)


def _decision(violations: list[Violation]) -> Decision:
    return hand_made_decision(ResourceRef(type="AWS::S3::Bucket", name="b"), violations)


def _counted_per_kind(run: CheckRun) -> dict[str, Any]:
    violations = [v for d in run.decisions for v in d.violations]
    return {
        "deny": sum(1 for v in violations if v.counts and v.enforcement == "deny"),
        "warn": sum(1 for v in violations if v.counts and v.enforcement == "warn"),
        "exempted": sum(1 for v in violations if v.exemption is not None),
        "suppressed": sum(1 for v in violations if v.suppression is not None and v.exemption is None),
        "unknown": sum(1 for v in violations if v.unknown),
    }


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.lists(_VIOLATIONS, max_size=4), max_size=5))
def test_one_pass_counts_as_one_count_per_kind(violations: list[list[Violation]]) -> None:
    run = CheckRun(decisions=[_decision(v) for v in violations])
    assert run.summary()["violations"] == _counted_per_kind(run)
