"""Secrets never in clear (issue 9 item 8) and keyed redaction digests (issue 13 item 3).

Container entrypoints, arguments and environments of every container shape, secret-looking tags, and
violation messages that quote a value from a redacted place: never in an audit record, a check report
or a hook response.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from audit_support import ACTOR, make_decision
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.audit import AuditTrail, record_from_decision
from guardrails.audit.signing import FileKey
from guardrails.audit.sinks.file import FileSink
from guardrails.redaction import is_redacted_path, redact_quoted, redact_value, secret_values

SECRET = "planted-secret-0001"
SHORT = "pw1"  # a short secret: guessable from a plain sha256 digest

CONTAINER_SHAPES = {
    "training AlgorithmSpecification": {
        "AlgorithmSpecification": {
            "TrainingImage": "img:1",
            "ContainerEntrypoint": ["python", SECRET],
            "ContainerArguments": ["--token", SECRET],
        },
        "Environment": {"API": SECRET},
    },
    "processing AppSpecification": {
        "AppSpecification": {
            "ImageUri": "img:1",
            "ContainerEntrypoint": [SECRET],
            "ContainerArguments": [SECRET],
        },
        "Environment": {"API": SECRET},
    },
    "model PrimaryContainer": {"PrimaryContainer": {"Image": "img:1", "Environment": {"API": SECRET}}},
    "model Containers": {"Containers": [{"Image": "img:1", "Environment": {"API": SECRET}}]},
    "transform": {"Environment": {"API": SECRET}, "TransformResources": {"InstanceType": "ml.m5.large"}},
    "monitoring": {
        "MonitoringScheduleConfig": {
            "MonitoringJobDefinition": {
                "MonitoringAppSpecification": {
                    "ImageUri": "img:1",
                    "ContainerEntrypoint": [SECRET],
                    "ContainerArguments": [SECRET],
                },
                "Environment": {"API": SECRET},
            }
        }
    },
    "data quality job definition": {
        "DataQualityAppSpecification": {
            "ImageUri": "img:1",
            "ContainerEntrypoint": [SECRET],
            "Environment": {"A": SECRET},
        }
    },
    "pipeline definition (JSON string)": {
        "PipelineDefinition": json.dumps(
            {
                "Version": "2020-12-01",
                "Steps": [
                    {
                        "Name": "Train",
                        "Type": "Training",
                        "Arguments": {
                            "AlgorithmSpecification": {
                                "TrainingImage": "img:1",
                                "ContainerArguments": [SECRET],
                            },
                            "Environment": {"API": SECRET},
                            "VpcConfig": {"Subnets": ["subnet-1"]},
                        },
                    }
                ],
            }
        )
    },
    "tags (list)": {"Tags": [{"Key": "db-password", "Value": SECRET}, {"Key": "team", "Value": "risk"}]},
    "tags (map)": {"tags": {"api_token": SECRET, "team": "risk"}},
}


@pytest.mark.parametrize("properties", CONTAINER_SHAPES.values(), ids=CONTAINER_SHAPES.keys())
def test_every_container_shape_is_redacted(properties):
    redacted = redact_value(properties)
    text = json.dumps(redacted)
    assert SECRET not in text
    assert SECRET in secret_values(properties)
    if "Tags" in properties:
        assert {"Key": "team", "Value": "risk"} in redacted["Tags"]  # ordinary tags stay readable
    if "PipelineDefinition" in properties:
        steps = json.loads(redacted["PipelineDefinition"])["Steps"]
        assert steps[0]["Arguments"]["VpcConfig"] == {"Subnets": ["subnet-1"]}  # the rest stays


def test_redacted_paths():
    assert is_redacted_path("PrimaryContainer.Environment.DB")
    assert is_redacted_path("Containers[1].Environment")
    assert is_redacted_path("AlgorithmSpecification.ContainerArguments[0]")
    assert not is_redacted_path("VpcConfig.Subnets")


def test_quoted_values_from_redacted_places_leave_messages():
    message = "PrimaryContainer.Environment.MODE is pw1: not allowed (Containers[1] too)"
    out = redact_quoted(message, "PrimaryContainer.Environment.MODE", {SHORT})
    assert out == "PrimaryContainer.Environment.MODE is <redacted>: not allowed (Containers[1] too)"
    # Outside a redacted path only long values are removed (a "1" must not garble "SM-01").
    assert redact_quoted("VpcConfig is pw1", "VpcConfig", {SHORT}) == "VpcConfig is pw1"
    assert (
        redact_quoted(f"VpcConfig mentions {SECRET}", "VpcConfig", {SECRET})
        == "VpcConfig mentions <redacted>"
    )


QUOTING_POLICY = """package guardrails.rules.quoting
import rego.v1

deny contains {"control": "CX-01", "path": "PrimaryContainer.Environment.DB_PASSWORD",
  "message": sprintf("PrimaryContainer.Environment.DB_PASSWORD is %v: secrets belong in Secrets Manager", [v])} if {
  v := input.resource.properties.PrimaryContainer.Environment.DB_PASSWORD
}
"""

TEMPLATE = f"""Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::111122223333:role/r
      PrimaryContainer:
        Image: img:1
        Environment:
          DB_PASSWORD: {SECRET}
"""


def test_check_reports_and_audit_records_never_quote_a_redacted_value(tmp_path: Path):
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "quoting.rego").write_text(QUOTING_POLICY)
    template = tmp_path / "model.yaml"
    template.write_text(TEMPLATE)
    config = tmp_path / "config.yaml"
    config.write_text("audit:\n  store_input: true\n")
    audit = tmp_path / "audit.jsonl"
    runner = CliRunner()
    for fmt in ("text", "json"):
        result = runner.invoke(
            main,
            [
                "check",
                str(template),
                "--policy-dir",
                str(policies),
                "--format",
                fmt,
                "--config",
                str(config),
                "--audit",
                f"file://{audit}",
            ],
        )
        assert result.exit_code == 1, result.output
        assert "CX-01" in result.output and "is <redacted>: secrets belong" in result.output
        assert SECRET not in result.output
    assert SECRET not in audit.read_text()
    assert "is <redacted>: secrets belong" in audit.read_text()


def test_with_a_signing_key_digests_are_keyed(tmp_path: Path):
    key = FileKey.from_secret(b"k" * 32)
    document = {"resource": {"properties": {"Environment": {"PASSWORD": SHORT}}}}
    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(FileSink(path, fsync=False), key=key)
    trail.record(make_decision(), actor=ACTOR, document=document)
    stored = json.loads(path.read_text())
    value = stored["input"]["resource"]["properties"]["Environment"]["PASSWORD"]
    plain = "sha256:" + hashlib.sha256(SHORT.encode()).hexdigest()
    assert value != plain and value.startswith("hmac-sha256:")
    expected = hmac.new(key.redaction_secret(), SHORT.encode(), hashlib.sha256).hexdigest()
    assert value == "hmac-sha256:" + expected
    # Without a key the digest is the plain sha256 (guessable for short values: documented).
    unkeyed = record_from_decision(make_decision(), actor=ACTOR, document=document)
    assert unkeyed.input["resource"]["properties"]["Environment"]["PASSWORD"] == plain


def test_audit_digest_lets_an_auditor_check_a_known_value(tmp_path: Path):
    from guardrails.cli.audit import audit

    key_url = f"file://{tmp_path / 'audit.key'}"
    runner = CliRunner()
    assert runner.invoke(audit, ["keygen", key_url]).exit_code == 0
    document = {"resource": {"properties": {"Environment": {"PASSWORD": SHORT}}}}
    path = tmp_path / "audit.jsonl"
    trail = AuditTrail.from_urls([f"file://{path}"], cloudwatch=False, signing_key=key_url)
    trail.record(make_decision(), actor=ACTOR, document=document)
    stored = json.loads(path.read_text())["input"]["resource"]["properties"]["Environment"]["PASSWORD"]
    keyed = runner.invoke(audit, ["digest", "--audit-key", key_url], input=SHORT + "\n")
    assert keyed.exit_code == 0 and keyed.output.strip() == stored
    check = runner.invoke(audit, ["digest", "--audit-key", key_url, "--check", stored], input=SHORT)
    assert check.exit_code == 0 and "match" in check.output
    wrong = runner.invoke(audit, ["digest", "guess", "--audit-key", key_url, "--check", stored])
    assert wrong.exit_code == 1
    plain = runner.invoke(audit, ["digest", SHORT])
    assert plain.output.strip() == "sha256:" + hashlib.sha256(SHORT.encode()).hexdigest()
