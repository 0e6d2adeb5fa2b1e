"""The JSON report writes each result with fixed key text (json_report.result_text) instead of building
the entry's dicts for the C encoder: the text must be `json.dumps(result_entry(decision))` byte for byte,
for any strings (quotes, control characters, non-ASCII, lone surrogates), missing or empty optional
fields, exemptions and suppressions, and values of other types than declared (written by json.dumps)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from decision_factory import PROVENANCE, hand_made_decision
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.decision import AppliedExemption, Decision, ResourceRef, Violation
from guardrails.documents import Location
from guardrails.report.json_report import render_json, result_entry, result_text
from guardrails.report.model import CheckRun
from guardrails.suppressions import InlineSuppression

_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(['a"b\\c', "\x00\n\t", "é€😀", "\ud800", ""]))
_OPTIONAL_TEXT = st.one_of(st.none(), _TEXT)
_ODD = st.one_of(st.integers(), st.booleans(), st.floats(), st.lists(st.integers(), max_size=2))
"""Values of another type than declared (nothing checks them when a Decision is built)."""


def _violations() -> st.SearchStrategy[Violation]:
    return st.builds(
        Violation,
        control=st.one_of(_TEXT, _ODD),
        severity=st.sampled_from(["low", "high"]),
        enforcement=st.sampled_from(["deny", "warn"]),
        message=_TEXT,
        path=st.one_of(_OPTIONAL_TEXT, _ODD),
        unknown=st.one_of(st.booleans(), st.integers(0, 1), st.none()),
        title=_OPTIONAL_TEXT,
        remediation=_OPTIONAL_TEXT,
        via=_OPTIONAL_TEXT,
        exemption=st.one_of(
            st.none(),
            st.builds(
                AppliedExemption,
                control=_TEXT,
                resource=_TEXT,
                reason=_TEXT,
                ticket=_OPTIONAL_TEXT,
                expires=st.one_of(st.none(), st.just(date(2027, 1, 31))),
            ),
        ),
        suppression=st.one_of(
            st.none(), st.just(InlineSuppression(control="SM-18", reason="ok é", source="terraform-tag"))
        ),
    )


_LOCATIONS = st.one_of(
    st.none(),
    st.builds(
        Location,
        file=st.one_of(_OPTIONAL_TEXT, _ODD),
        line=st.one_of(st.none(), st.integers(), st.booleans(), st.floats()),
        logical_id=_OPTIONAL_TEXT,
    ),
)


@st.composite
def _decisions(draw: st.DrawFn) -> Decision:
    return Decision(
        decision_id=draw(_TEXT),
        resource=ResourceRef(
            type=draw(st.one_of(_TEXT, _ODD)),
            name=draw(_TEXT),
            arn=draw(st.one_of(_OPTIONAL_TEXT, _ODD)),
            location=draw(_LOCATIONS),
        ),
        violations=draw(st.lists(_violations(), max_size=3)),
        verdict=draw(st.sampled_from(["allow", "warn", "deny", "error"])),
        error=draw(_OPTIONAL_TEXT),
        **PROVENANCE,
    )


@settings(max_examples=500, deadline=None, database=None)
@given(_decisions())
def test_result_text_is_json_dumps_of_the_entry(decision: Decision) -> None:
    assert result_text(decision) == json.dumps(result_entry(decision))


def test_a_report_parses_back_to_the_entries() -> None:
    decision = hand_made_decision(
        ResourceRef(type="AWS::S3::Bucket", name="b", location=Location(file="t.yaml", line=3)),
        [Violation(control="SM-01", severity="high", enforcement="deny", message='"x"', path="A")],
    )
    report: dict[str, Any] = json.loads(render_json(CheckRun(decisions=[decision, decision])))
    assert report["results"] == [result_entry(decision)] * 2
