"""Decision ids made for a batch from one random read (decision.new_decision_ids) are what uuid4 makes:
random UUIDs of version 4 and the RFC 4122 variant, in their usual text form, all different."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from guardrails.config import GuardrailsConfig
from guardrails.decider import Decider
from guardrails.decision import new_decision_id, new_decision_ids
from guardrails.documents import Resource, ResourceDocument
from guardrails.engine import EngineError, Finding, PolicyBundle


class OneFindingEvaluator:
    """One finding for every document; an engine error for a document named 'broken'."""

    name, version = "fixed", "1"

    def __init__(self) -> None:
        self.bundle = PolicyBundle.load()

    def evaluate_many(self, documents: list[dict[str, Any]]) -> list[list[Finding] | EngineError]:
        return [
            EngineError("boom")
            if d["resource"]["name"] == "broken"
            else [Finding(control="SM-05", message="m")]
            for d in documents
        ]


def notebook(name: str) -> ResourceDocument:
    return ResourceDocument(resource=Resource(type="AWS::SageMaker::NotebookInstance", name=name))


def assert_uuid4_texts(ids: list[str]) -> None:
    for text in ids:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text
    assert len(set(ids)) == len(ids)


def test_a_batch_of_ids() -> None:
    assert new_decision_ids(0) == []
    ids = new_decision_ids(2000)
    assert len(ids) == 2000
    assert_uuid4_texts(ids)
    assert set(ids).isdisjoint(new_decision_ids(2000))  # a new read each batch
    assert {text[14] for text in ids} == {"4"}
    assert {text[19] for text in ids} == set("89ab")  # the variant's two bits set, the other two random


def test_a_single_id_is_one_too() -> None:
    assert_uuid4_texts([new_decision_id() for _ in range(500)])


def test_decide_many_gives_each_decision_its_own_id() -> None:
    decider = Decider(GuardrailsConfig(), OneFindingEvaluator())  # type: ignore[arg-type]
    documents = [notebook(f"nb{i}") for i in range(5)] + [notebook("broken")]
    decisions = decider.decide_many(documents, date(2026, 6, 1))
    assert decisions[-1].verdict == "error"
    assert_uuid4_texts([d.decision_id for d in decisions])
