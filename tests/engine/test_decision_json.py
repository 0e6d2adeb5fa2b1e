"""Decisions are plain dataclasses written by guardrails/json_data.py: what it writes must be what pydantic
writes of them (the audit record, the runtime outcome and the hook's outage log used pydantic's dump)."""

from __future__ import annotations

from datetime import date

import pytest
from decision_factory import hand_made_decision
from pydantic import TypeAdapter, ValidationError

from guardrails.decision import (
    AppliedExemption,
    Decision,
    ResourceRef,
    UnseenPart,
    Violation,
)
from guardrails.documents import Actor, Location
from guardrails.json_data import json_data, json_text
from guardrails.suppressions import InlineSuppression


def decision() -> Decision:
    return hand_made_decision(
        ResourceRef(
            type="AWS::SageMaker::Model",
            name="mödel",
            account="111122223333",
            location=Location(file="t.yaml", line=3, logical_id="Model"),
        ),
        [
            Violation(
                control="SM-01",
                severity="high",
                enforcement="deny",
                message='a "quoted"\nmessage\x01',
                path="VpcConfig",
                exemption=AppliedExemption(
                    control="SM-01", resource="m*", reason="lab", expires=date(2030, 1, 2)
                ),
            ),
            Violation(
                control="SM-18",
                severity="medium",
                enforcement="warn",
                message="m",
                unknown=True,
                title="t",
                via="SM-08",
                suppression=InlineSuppression(control="SM-18", reason="ok", source="terraform-tag"),
            ),
        ],
        "error",
        error="boom",
        infrastructure_failure=True,
        unseen=[UnseenPart(kind="not-followed", reason="child", logical_id="Child")],
    )


def test_decision_json_is_pydantic_json_dump() -> None:
    made = decision()
    adapter = TypeAdapter(Decision)
    data = json_data(made)
    assert data == adapter.dump_python(made, mode="json", exclude_none=True)
    assert "infrastructure_failure" not in data and "arn" not in data["resource"]
    assert list(data) == list(adapter.dump_python(made, mode="json", exclude_none=True))
    assert json_text(made) == adapter.dump_json(made, exclude_none=True).decode()


def test_parts_without_exclude_none_keep_none_fields() -> None:
    """checking.py stores the unseen parts as pydantic's `model_dump(mode="json")` wrote them: None kept."""
    part = UnseenPart(kind="unknown-content", reason="macro")
    assert json_data(part, exclude_none=False) == TypeAdapter(UnseenPart).dump_python(part, mode="json")
    assert json_data(part, exclude_none=False)["logical_id"] is None


def test_refs_and_actors_are_pydantic_dumps() -> None:
    ref = ResourceRef(type="T", name="n", region="eu-west-1")
    assert (
        json_data(ref)
        == TypeAdapter(ResourceRef).dump_python(ref, exclude_none=True)
        == {
            "type": "T",
            "name": "n",
            "region": "eu-west-1",
        }
    )
    actor = Actor(arn="arn:aws:iam::111122223333:user/u")
    assert json_data(actor) == TypeAdapter(Actor).dump_python(actor, exclude_none=True)


def test_validation_gives_the_decision_back_and_forbids_unknown_fields() -> None:
    made = decision()
    adapter = TypeAdapter(Decision)
    back = adapter.validate_python(json_data(made))
    assert (
        back.violations == made.violations and back.unseen == made.unseen and not back.infrastructure_failure
    )
    stored = json_data(made)
    stored["violations"][0]["extra"] = 1
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(stored)
    # pydantic's word for an unknown field of a stdlib dataclass (a model's was `extra_forbidden`)
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
        (("violations", 0, "extra"), "unexpected_keyword_argument")
    ]
