"""Helpers shared by the audit tests (no tests here): decisions, records, moto tables and buckets."""

from __future__ import annotations

import json
from pathlib import Path

from guardrails.audit import Actor, AuditRecord, record_from_decision
from guardrails.decision import Decision, EngineInfo, ResourceRef, Violation
from guardrails.documents import Location

ACTOR = Actor(kind="local-user", name="tester@host")
REGION = "us-east-1"


def make_decision(
    name: str = "churn-train", verdict: str = "deny", controls: tuple[str, ...] = ("SM-01",)
) -> Decision:
    return Decision(
        resource=ResourceRef(
            type="AWS::SageMaker::TrainingJob",
            name=name,
            arn=f"arn:aws:sagemaker:{REGION}:111122223333:training-job/{name}",
            location=Location(file="stack.yaml", line=12, logical_id="Train"),
        ),
        violations=[
            Violation(control=c, severity="high", enforcement="deny", message=f"{c} fails", path="VpcConfig")
            for c in controls
        ],
        verdict=verdict,  # type: ignore[arg-type]
        point="pre-deploy",
        source="cloudformation",
        input_digest="sha256:" + "a" * 64,
        bundle_digest="sha256:" + "b" * 64,
        bundle_version="0.1.0",
        engine=EngineInfo(name="regorus", version="0.0"),
    )


def make_record(name: str = "churn-train", **kwargs) -> AuditRecord:
    return record_from_decision(make_decision(name, **kwargs), actor=ACTOR)


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_lines(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def aws_env(monkeypatch) -> None:
    """Dummy credentials and a region so boto3 clients never reach a real account."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
