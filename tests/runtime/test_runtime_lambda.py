"""The EventBridge Lambda handler: Powertools logging/metrics, DynamoDB idempotency on detail.eventID."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from fixtures.events.builders import s3_call
from moto import mock_aws

ACCOUNT, REGION = "123456789012", "us-east-1"
PUBLIC = {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-lambda/*"}


@dataclass
class Context:
    function_name: str = "guardrails-events"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:guardrails-events"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30000


@pytest.fixture
def lambda_env(monkeypatch, tmp_path: Path, capsys):  # capsys first: the Logger binds to its stream
    audit = tmp_path / "audit.jsonl"
    env = {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
        "GUARDRAILS_AUDIT_SINKS": f"file://{audit}", "GUARDRAILS_MODE": "enforce",
        "GUARDRAILS_IDEMPOTENCY_TABLE": "guardrails-idempotency", "POWERTOOLS_SERVICE_NAME": "guardrails-events",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="guardrails-idempotency", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="acme-lambda")
        s3.put_bucket_policy(Bucket="acme-lambda", Policy=json.dumps({"Version": "2012-10-17", "Statement": [PUBLIC]}))
        import guardrails.lambdas.events as events

        from guardrails.runtime.service import MEMBERS, SERVICE

        SERVICE.reset()  # a new container: the service is built from this environment
        MEMBERS.reset()
        events = importlib.reload(events)
        yield events, audit, s3


def event(envelope_id: str = "env-1") -> dict:
    extra = {"policy": [""], "bucketPolicy": {"Version": "2012-10-17", "Statement": [PUBLIC]}}
    e = s3_call("PutBucketPolicy", "acme-lambda", extra, account=ACCOUNT, region=REGION, event_id="ct-event-1")
    e["id"] = envelope_id
    return e


def test_handler_remediates_audits_and_emits_metrics(lambda_env, capsys):
    events, audit, s3 = lambda_env
    import sys

    for handler in events.logger._logger.handlers:  # bind the Logger to this test's captured stdout
        handler.stream = sys.stdout
    result = events.handler(event(), Context())
    assert result["event_id"] == "ct-event-1"
    assert {a["kind"] for a in result["resources"][0]["actions"]} >= {"delete-bucket-policy", "put-public-access-block"}
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket="acme-lambda")
    assert len(audit.read_text().splitlines()) == 1
    out = capsys.readouterr().out
    logs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    handled = [entry for entry in logs if entry.get("message") == "guardrails event handled"]
    assert handled and handled[0]["correlation_id"] == "env-1"
    emf = [entry for entry in logs if "_aws" in entry]
    names = {m["Name"] for entry in emf for d in entry["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"Decisions", "Violations", "Remediations"} <= names
    assert any(entry.get("control") == "S3-03" and "Remediations" in entry for entry in emf)


def test_duplicate_delivery_is_served_from_the_idempotency_store(lambda_env):
    events, audit, _ = lambda_env
    first = events.handler(event("env-1"), Context())
    second = events.handler(event("env-2"), Context())  # same CloudTrail eventID, redelivered
    assert second == first
    assert len(audit.read_text().splitlines()) == 1


def test_transient_error_raises_so_eventbridge_retries(lambda_env, monkeypatch):
    events, audit, _ = lambda_env
    from guardrails.runtime.errors import TransientAwsError

    def boom(*args, **kwargs):
        raise TransientAwsError("GetPublicAccessBlock", "SlowDown")

    monkeypatch.setattr("guardrails.runtime.processor.enrich", boom)
    with pytest.raises(TransientAwsError):
        events.handler(event(), Context())
    assert not audit.exists() or audit.read_text() == ""
    monkeypatch.undo()


def test_malformed_event_is_acknowledged(lambda_env):
    events, audit, _ = lambda_env
    result = events.handler({"id": "x", "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
                             "detail": {"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl",
                                        "eventID": "bad-1", "requestParameters": {}}}, Context())
    assert "bucketName" in result["malformed"]
    assert json.loads(audit.read_text())["verdict"] == "error"
