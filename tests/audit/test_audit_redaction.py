"""Redaction: planted secrets never appear in a stored record, in any sink's bytes."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from audit_support import ACTOR, make_decision

from guardrails.audit import ActionTaken, AuditTrail, record_from_decision
from guardrails.audit.sinks.cloudwatch import CloudWatchSink, audit_logger
from guardrails.audit.sinks.file import FileSink
from guardrails.decision import Violation
from guardrails.redaction import digest, looks_secret, redact_text, redact_value
from guardrails.sources.api_request import document_from_request

ACCESS_KEY_ID = "AKIAZ7Q3EXAMPLE4XK2P"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE9Q"
SESSION_KEY_ID = "ASIAQWERTYUIOPASDF12"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBsYW50ZWQ"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAplantedKEYmaterial\n-----END RSA PRIVATE KEY-----"
ENV_VALUE = "planted-env-value-0001"
HYPER_VALUE = "planted-hyper-value-0002"
DB_PASSWORD = "planted-db-password-0003"
URL_PASSWORD = "planted-url-pass-0004"
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PLANTED = [
    ACCESS_KEY_ID,
    SECRET_KEY,
    SESSION_KEY_ID,
    JWT,
    "MIIEowIBAAKCAQEAplantedKEYmaterial",
    ENV_VALUE,
    HYPER_VALUE,
    DB_PASSWORD,
    URL_PASSWORD,
    GITHUB_TOKEN,
]


def training_request() -> dict:
    return {
        "TrainingJobName": "churn-train",
        "RoleArn": "arn:aws:iam::111122223333:role/sm",
        "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://ml-bucket/models/churn/Train2024/output/artifacts1"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "Environment": {"MODEL_FLAVOUR": ENV_VALUE, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
        "HyperParameters": {"epochs": HYPER_VALUE, "api_key": JWT},
        "Tags": [
            {"Key": "owner", "Value": f"ci {ACCESS_KEY_ID}"},
            {"Key": "db", "Value": f"postgres://admin:{URL_PASSWORD}@db.internal:5432/ml"},
            {"Key": "gh", "Value": GITHUB_TOKEN},
        ],
    }


def planted_document() -> dict:
    document = document_from_request(
        "CreateTrainingJob", training_request(), account="111122223333", region="us-east-1"
    )
    data = document.to_input()
    data["resource"]["properties"]["Extra"] = {
        "DatabasePassword": DB_PASSWORD,
        "nested": [{"cert": PEM}, {"ClientSecret": {"value": "x"}}],
        "SessionToken": SESSION_KEY_ID,
    }
    return data


def planted_record():
    decision = make_decision()
    decision.violations.append(
        Violation(
            control="SM-99", severity="high", enforcement="deny", message=f"credential {ACCESS_KEY_ID} in env"
        )
    )
    decision.error = f"engine saw {JWT}"
    action = ActionTaken(
        kind="stop-training-job",
        outcome="failed",
        error=f"denied for {SESSION_KEY_ID}",
        state_before={"Environment": {"TOKEN": SECRET_KEY}, "Password": DB_PASSWORD},
        state_after={"HyperParameters": {"lr": HYPER_VALUE}},
    )
    return decision, action


def test_planted_secrets_never_reach_the_stored_bytes(tmp_path: Path):
    decision, action = planted_record()
    stream = io.StringIO()
    logger = audit_logger(f"test-redaction-{tmp_path.name}", stream)
    trail = AuditTrail(FileSink(tmp_path / "a.jsonl", fsync=False), CloudWatchSink(logger=logger))
    trail.record(decision, actor=ACTOR, action=action, document=planted_document())
    for stored in ((tmp_path / "a.jsonl").read_text(), stream.getvalue()):
        assert stored
        leaked = [secret for secret in PLANTED if secret in stored or json.dumps(secret)[1:-1] in stored]
        assert leaked == []


def test_redacted_values_are_their_sha256_and_names_stay():
    decision, _ = planted_record()
    record = record_from_decision(decision, actor=ACTOR, document=planted_document())
    props = record.input["resource"]["properties"]
    expected = "sha256:" + hashlib.sha256(ENV_VALUE.encode()).hexdigest()
    assert props["Environment"]["MODEL_FLAVOUR"] == expected
    assert set(props["Environment"]) == {"MODEL_FLAVOUR", "AWS_SECRET_ACCESS_KEY"}
    assert props["HyperParameters"]["epochs"] == digest(HYPER_VALUE)
    assert props["Extra"]["nested"][1]["ClientSecret"] == {"value": digest("x")}
    assert props["RoleArn"] == "arn:aws:iam::111122223333:role/sm"  # ARNs and ordinary values stay
    assert (
        props["OutputDataConfig"]["S3OutputPath"] == "s3://ml-bucket/models/churn/Train2024/output/artifacts1"
    )
    assert record.input_redacted is True
    assert record.violations[-1].message == f"credential {digest(ACCESS_KEY_ID)} in env"


def test_text_redaction_keeps_the_rest_of_the_message():
    assert redact_text(f"key {ACCESS_KEY_ID}.") == f"key {digest(ACCESS_KEY_ID)}."
    assert redact_text("no secrets here") == "no secrets here"


def test_presigned_url_signature_and_token_are_redacted_and_the_url_stays_readable():
    signature, token = "9f" * 32, "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJGMEQCIA"
    url = (
        "https://hooks-bucket.s3.us-east-1.amazonaws.com/payload.json?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Date=20261202T000000Z&X-Amz-Expires=900&X-Amz-Security-Token={token}"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )
    text = redact_text(f"payload fetch failed: {url}: 403")
    assert signature not in text and token not in text
    assert f"X-Amz-Signature={digest(signature)}" in text and f"X-Amz-Security-Token={digest(token)}" in text
    assert "X-Amz-Expires=900&" in text and text.startswith("payload fetch failed: https://hooks-bucket.")
    legacy = "https://b.s3.amazonaws.com/k?AWSAccessKeyId=x&Expires=1&Signature=abc%2Bdef%3D"
    assert redact_text(legacy).endswith(f"&Signature={digest('abc%2Bdef%3D')}")
    assert redact_value({"TemplateURL": url})["TemplateURL"] == digest(url)  # structured data: the whole value
    assert looks_secret(url)
    assert not looks_secret("https://hooks-bucket.s3.us-east-1.amazonaws.com/payload.json?versionId=3")


def test_ordinary_identifiers_are_not_secrets():
    for value in (
        "0123456789abcdef0123456789abcdef01234567",  # git SHA-1
        "sha256:" + "ab" * 32,
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "ml.m5.xlarge",
        "s3://bucket/prefix/with/Many/Parts2024/and/more",
    ):
        assert not looks_secret(value), value


def test_secret_keys_with_arn_values_are_kept():
    data = {"SecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:db", "Password": "p", "KmsKeyId": "k"}
    assert redact_value(data) == {"SecretArn": data["SecretArn"], "Password": digest("p"), "KmsKeyId": "k"}


def test_unredacted_copy_only_on_request():
    record = record_from_decision(
        make_decision(), actor=ACTOR, document={"Environment": {"A": "b"}}, redact=False
    )
    assert record.input == {"Environment": {"A": "b"}} and record.input_redacted is False
