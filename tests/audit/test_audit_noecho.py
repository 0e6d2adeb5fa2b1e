"""CloudFormation NoEcho parameters are secrets (issue 9): a NoEcho value that reaches a property outside a
redacted place (a `!Sub` string, a tag) is in no report and no audit record, while verdicts are unchanged
and other parameters' values are still quoted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.decision import input_digest
from guardrails.sources.cloudformation.resource_documents import documents_from_template
from guardrails.sources.cloudformation.template_text import parse_template_text

PASSWORD = "Hunter2-Sekrit"
VISIBLE = "plain-visible-suffix"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword:
    Type: String
    NoEcho: {no_echo}
  KeySuffix:
    Type: String
    Default: plain-visible-suffix
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      KmsKeyId: !Sub "arn:${{AWS::Partition}}:kms:us-east-1:111122223333:alias/aws/db-${{DbPassword}}"
      DefaultCodeRepository: !Sub "https://git.example.com/repo.git?auth=${{DbPassword}}"
      Tags:
        - Key: Owner
          Value: !Ref DbPassword
  Other:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
      KmsKeyId: !Sub "arn:${{AWS::Partition}}:kms:us-east-1:111122223333:alias/aws/${{KeySuffix}}"
"""

FORMATS = ("json", "sarif", "junit", "text")


def _check(tmp_path: Path, no_echo: str) -> tuple[dict[str, Path], Path, str]:
    """Run `guardrails check` with every report format and a file audit trail storing inputs."""
    run = tmp_path / f"noecho-{no_echo}"
    run.mkdir()
    template = run / "notebook.yaml"
    template.write_text(TEMPLATE.format(no_echo=no_echo))
    config = run / "config.yaml"
    config.write_text("audit:\n  store_input: true\n")
    audit = run / "audit.jsonl"
    reports = {fmt: run / f"report.{fmt}" for fmt in FORMATS}
    args = ["check", str(template), "--parameter", f"DbPassword={PASSWORD}", "--config", str(config)]
    for fmt, path in reports.items():
        args += ["--format", f"{fmt}={path}"]
    result = CliRunner().invoke(main, [*args, "--format", "json", "--audit", f"file://{audit}"])
    assert result.exit_code == 1, result.output
    return reports, audit, result.output


def _verdicts(report: Path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    data = json.loads(report.read_text())
    return {
        d["resource"]["location"]["logical_id"]: (
            d["verdict"],
            sorted((v["control"], v["enforcement"]) for v in d["violations"]),
        )
        for d in data["results"]
    }


def test_a_no_echo_value_is_in_no_report_and_no_audit_record(tmp_path: Path) -> None:
    reports, audit, stdout = _check(tmp_path, "true")
    for path in (*reports.values(), audit):
        assert PASSWORD.encode() not in path.read_bytes(), path.name
    assert PASSWORD not in stdout
    # the value is quoted from the other, ordinary parameter; the NoEcho one is replaced
    assert f"alias/aws/{VISIBLE} is an AWS managed key" in stdout
    assert "KmsKeyId: <redacted> is an AWS managed key" in stdout
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    notebook = next(r for r in records if r["resource"]["name"] == "Notebook")
    context = notebook["input"]["context"]
    assert context["sensitive_paths"] == ["KmsKeyId", "DefaultCodeRepository", "Tags.0.Value"]
    properties = notebook["input"]["resource"]["properties"]
    assert properties["Tags"][0]["Value"] == "sha256:" + hashlib.sha256(PASSWORD.encode()).hexdigest()
    assert properties["InstanceType"] == "ml.t3.medium"  # only the secret paths are digested
    # the resource's tags (copied from the Tags property) go too
    assert notebook["input"]["resource"]["tags"]["Owner"].startswith("sha256:")
    other = next(r for r in records if r["resource"]["name"] == "Other")
    assert "sensitive_paths" not in other["input"]["context"]
    assert VISIBLE in other["input"]["resource"]["properties"]["KmsKeyId"]


def test_verdicts_do_not_change_when_a_parameter_is_no_echo(tmp_path: Path) -> None:
    secret_reports, _, _ = _check(tmp_path, "true")
    plain_reports, plain_audit, _ = _check(tmp_path, "false")
    assert _verdicts(secret_reports["json"]) == _verdicts(plain_reports["json"])
    assert _verdicts(secret_reports["json"])["Notebook"][0] == "deny"
    # without NoEcho the value is an ordinary one: quoted, and stored in the input copy
    assert PASSWORD in plain_reports["json"].read_text()
    assert PASSWORD in plain_audit.read_text()


def test_the_input_digest_of_a_document_without_no_echo_values_is_unchanged() -> None:
    """Documents without NoEcho values carry no `sensitive_paths` key: their input digest is as before."""

    def documents(no_echo: str) -> dict[str, dict[str, Any]]:
        template, lines = parse_template_text(TEMPLATE.format(no_echo=no_echo), "notebook.yaml")
        found = documents_from_template(
            template, file="notebook.yaml", parameters={"DbPassword": PASSWORD}, lines=lines
        )
        return {d.context.location.logical_id or "": d.to_input() for d in found}

    secret, plain = documents("true"), documents("false")
    assert "sensitive_paths" not in plain["Notebook"]["context"]
    assert "sensitive_paths" not in secret["Other"]["context"]
    assert input_digest(secret["Other"]) == input_digest(plain["Other"])
    # the Notebook differs only by the list of its secret paths
    assert secret["Notebook"]["context"].pop("sensitive_paths") == [
        "KmsKeyId",
        "DefaultCodeRepository",
        "Tags.0.Value",
    ]
    assert input_digest(secret["Notebook"]) == input_digest(plain["Notebook"])
