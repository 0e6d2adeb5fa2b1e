"""`replay` validates each stored input into a document (guardrails/validation.py) and says why one is
not replayable in pydantic's words, as it did when documents were pydantic models."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails.audit.replay import replay_entries
from guardrails.audit.verify import StoredEntry
from guardrails.decider import Decider

RESOURCE = {"type": "AWS::S3::Bucket", "name": "b"}


def record(decision_id: str, stored: Any) -> dict[str, Any]:
    return {"decision_id": decision_id, "time": "2026-01-01T00:00:00Z", "verdict": "allow", "input": stored}


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ({"resource": {**RESOURCE, "colour": "red"}}, "resource.colour: Extra inputs are not permitted"),
        ({"resource": {"type": "AWS::S3::Bucket"}}, "resource.name: Field required"),
        (
            {"resource": RESOURCE, "context": {"point": "later"}},
            "context.point: Input should be 'pre-deploy'",
        ),
    ],
)
def test_a_stored_input_that_is_no_document_is_not_replayable(stored: dict[str, Any], reason: str) -> None:
    entries = [
        StoredEntry("trail:0", record("bad", stored)),
        StoredEntry("trail:1", record("ok", {"resource": RESOURCE})),
    ]
    report = replay_entries(entries, Decider(), sink="trail")
    (skipped,) = report.not_replayable
    assert skipped["reason"].startswith(f"stored input is not a document: {reason}")
    assert report.replayed == 1
