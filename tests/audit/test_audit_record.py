"""The audit record: fields taken from the decision, the shipped JSON schema, the actor from the environment."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from audit_support import ACTOR, make_decision, read_lines
from pydantic import ValidationError

from guardrails.audit import (
    ActionTaken,
    AuditRecord,
    SourceRef,
    actor_from_principal,
    current_actor,
    record_from_decision,
)
from guardrails.audit.record import audit_record_json_schema
from guardrails.audit.sinks.file import FileSink
from guardrails.decision import AppliedExemption

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "guardrails" / "schemas" / "audit-record.schema.json"


def stored_record(tmp_path: Path, **kwargs) -> dict:
    decision = make_decision(controls=("SM-01", "SM-08"))
    decision.violations[1].exemption = AppliedExemption(control="SM-08", resource="churn-*", reason="pilot")
    record = record_from_decision(decision, actor=ACTOR, **kwargs)
    FileSink(tmp_path / "a.jsonl", fsync=False).append([record])
    return read_lines(tmp_path / "a.jsonl")[0]


def test_shipped_schema_is_the_model_schema():
    assert json.loads(SCHEMA_FILE.read_text()) == AuditRecord.model_json_schema()
    assert SCHEMA_FILE.read_text() == audit_record_json_schema()


def full_stored_record(tmp_path: Path) -> dict:
    action = ActionTaken(
        kind="stop-training-job",
        outcome="succeeded",
        state_before={"Status": "InProgress", "Ratio": 0.5},
        state_after={"Status": "Stopping"},
    )
    document = {"resource": {"type": "x", "properties": {"A": 1}}}
    return stored_record(tmp_path, action=action, document=document)


def test_stored_record_round_trips_through_the_model(tmp_path: Path):
    stored = full_stored_record(tmp_path)
    model = AuditRecord.model_validate(stored)
    assert model.chained and model.stream and model.seq == 0
    assert model.model_dump(mode="json", exclude_none=True) == stored
    assert AuditRecord.model_validate_json(model.model_dump_json()) == model


def test_stored_record_validates_against_the_shipped_schema(tmp_path: Path):
    import jsonschema
    jsonschema.validate(full_stored_record(tmp_path), json.loads(SCHEMA_FILE.read_text()))


def test_record_carries_every_decision_field(tmp_path: Path):
    decision = make_decision(controls=("SM-01",))
    record = record_from_decision(
        decision,
        actor=ACTOR,
        source_ref=SourceRef(event_id="evt-1", stack_id="arn:aws:cloudformation:us-east-1:1:stack/s/1"),
        action=ActionTaken(kind="ci-gate", outcome="succeeded"),
        time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    assert record.decision_id == decision.decision_id
    assert (record.point, record.source, record.verdict) == ("pre-deploy", "cloudformation", "deny")
    assert record.resource == decision.resource and record.engine == decision.engine
    assert (record.input_digest, record.bundle_digest, record.bundle_version) == (
        decision.input_digest,
        decision.bundle_digest,
        decision.bundle_version,
    )
    assert record.violations[0].enforcement == "deny"
    assert record.source_ref.event_id == "evt-1" and record.action.kind == "ci-gate"
    assert record.time.isoformat() == "2026-01-02T03:04:05+00:00"
    assert record.input is None and not record.chained


def test_exemption_is_kept_in_the_record(tmp_path: Path):
    stored = stored_record(tmp_path)
    assert stored["violations"][1]["exemption"] == {
        "control": "SM-08",
        "resource": "churn-*",
        "reason": "pilot",
    }


def test_source_ref_defaults_to_the_decision_location():
    record = record_from_decision(make_decision(), actor=ACTOR)
    assert record.source_ref == SourceRef(file="stack.yaml", line=12, logical_id="Train")


def test_naive_time_is_rejected():
    with pytest.raises(ValidationError):
        record_from_decision(make_decision(), actor=ACTOR, time=datetime(2026, 1, 1))  # noqa: DTZ001


# --- actor -------------------------------------------------------------------------------------------------


def test_github_actions_actor():
    actor = current_actor(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTOR": "octo",
            "GITHUB_REPOSITORY": "org/ml",
            "GITHUB_RUN_ID": "42",
            "GITHUB_SHA": "abc",
            "GITHUB_REF": "refs/heads/main",
        }
    )
    assert (actor.kind, actor.name, actor.repository, actor.commit) == (
        "github-actions",
        "octo",
        "org/ml",
        "abc",
    )
    assert actor.run == "https://github.com/org/ml/actions/runs/42"


def test_gitlab_actor():
    actor = current_actor(
        {
            "GITLAB_CI": "true",
            "GITLAB_USER_LOGIN": "dev",
            "CI_PROJECT_PATH": "grp/ml",
            "CI_PIPELINE_URL": "https://gitlab.example/grp/ml/-/pipelines/7",
            "CI_COMMIT_SHA": "def",
        }
    )
    assert (actor.kind, actor.name, actor.repository, actor.run) == (
        "gitlab-ci",
        "dev",
        "grp/ml",
        "https://gitlab.example/grp/ml/-/pipelines/7",
    )


def test_codebuild_actor():
    arn = "arn:aws:codebuild:us-east-1:111122223333:build/proj:1"
    actor = current_actor({"CODEBUILD_BUILD_ARN": arn, "CODEBUILD_INITIATOR": "codepipeline/release"})
    assert (actor.kind, actor.name, actor.arn) == ("codebuild", "codepipeline/release", arn)


def test_jenkins_actor():
    actor = current_actor(
        {"BUILD_URL": "https://ci.example/job/ml/9/", "BUILD_USER_ID": "ops", "GIT_COMMIT": "f00"}
    )
    assert (actor.kind, actor.name, actor.run, actor.commit) == (
        "jenkins",
        "ops",
        "https://ci.example/job/ml/9/",
        "f00",
    )


def test_local_actor_is_user_at_host():
    actor = current_actor({})
    assert actor.kind == "local-user" and "@" in actor.name


def test_actor_from_principal():
    actor = actor_from_principal("arn:aws:sts::111122223333:assumed-role/Deployer/alice", "AssumedRole")
    assert (actor.kind, actor.name) == ("aws-principal", "alice")
