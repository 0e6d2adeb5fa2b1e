"""`guardrails check` end to end: exit codes, the JSON contract, bad input, config and audit wiring."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

NONCOMPLIANT_NOTEBOOK = """
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/r
"""
COMPLIANT_NOTEBOOK = """
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/r
      SubnetId: subnet-0a
      SecurityGroupIds: [sg-0a]
      KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/k
      DirectInternetAccess: Disabled
      RootAccess: Disabled
      InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_deny_violation_exits_1_and_compliant_exits_0(tmp_path):
    assert run("check", str(write(tmp_path, "bad.yaml", NONCOMPLIANT_NOTEBOOK)))[0] == 1
    assert run("check", str(write(tmp_path, "good.yaml", COMPLIANT_NOTEBOOK)))[0] == 0


def test_json_report_follows_the_contract(tmp_path):
    path = write(tmp_path, "bad.yaml", NONCOMPLIANT_NOTEBOOK)
    code, out, _ = run("check", "--format", "json", str(path))
    assert code == 1
    report = json.loads(out)
    (result,) = report["results"]
    assert result["resource"]["type"] == "AWS::SageMaker::NotebookInstance"
    assert result["resource"]["location"] == {"file": str(path), "line": 3, "logical_id": "Nb"}
    assert result["verdict"] == "deny"
    sm05 = next(v for v in result["violations"] if v["control"] == "SM-05")
    assert {"control", "severity", "enforcement", "message", "path"} <= set(sm05)
    assert sm05["enforcement"] == "deny" and sm05["path"] == "DirectInternetAccess"
    assert "exemption" not in sm05
    summary = report["summary"]
    assert summary["resources"] == 1 and summary["verdicts"]["deny"] == 1
    assert summary["bundle"]["digest"].startswith("sha256:")


def test_text_report_names_file_resource_control_and_fix(tmp_path):
    path = write(tmp_path, "bad.yaml", NONCOMPLIANT_NOTEBOOK)
    code, out, _ = run("check", str(path))
    assert code == 1
    assert str(path) in out and "AWS::SageMaker::NotebookInstance Nb (line 3)" in out
    assert "SM-05" in out and "fix:" in out and "1 deny" in out


def test_config_downgrade_and_exemption(tmp_path):
    path = write(tmp_path, "bad.yaml", NONCOMPLIANT_NOTEBOOK)
    config = write(
        tmp_path,
        "guardrails.yaml",
        """
controls: {SM-04: warn, SM-05: warn, SM-14: "off", SM-20: "off"}
exemptions:
  - {control: SM-18, resource: Nb, reason: lab, expires: 2999-01-01}
""",
    )
    code, out, _ = run("check", "--format", "json", "--config", str(config), str(path))
    assert code == 0
    violations = json.loads(out)["results"][0]["violations"]
    assert {v["control"] for v in violations} == {"SM-04", "SM-05", "SM-18"}
    assert next(v for v in violations if v["control"] == "SM-18")["exemption"]["reason"] == "lab"


def test_parameter_override_changes_the_verdict(tmp_path):
    path = write(
        tmp_path,
        "nb.yaml",
        COMPLIANT_NOTEBOOK.replace("DirectInternetAccess: Disabled", "DirectInternetAccess: !Ref Internet")
        + "Parameters:\n  Internet: {Type: String, Default: Disabled}\n",
    )
    assert run("check", str(path))[0] == 0
    assert run("check", "-p", "Internet=Enabled", str(path))[0] == 1


def test_parameter_without_default_is_unknown_and_fails_closed(tmp_path):
    path = write(
        tmp_path,
        "nb.yaml",
        COMPLIANT_NOTEBOOK.replace("DirectInternetAccess: Disabled", "DirectInternetAccess: !Ref Internet")
        + "Parameters:\n  Internet: {Type: String}\n",
    )
    code, out, _ = run("check", "--format", "json", str(path))
    violations = json.loads(out)["results"][0]["violations"]
    assert code == 1
    assert [(v["control"], v["unknown"]) for v in violations] == [("SM-05", True)]


def test_folders_are_walked_and_unknown_files_skipped(tmp_path):
    write(tmp_path, "bad.yaml", NONCOMPLIANT_NOTEBOOK)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "good.json", json.dumps({"Resources": {"B": {"Type": "AWS::SNS::Topic"}}}))
    write(tmp_path / "sub", "workflow.yml", "on: push\njobs: {}\n")
    write(tmp_path / "sub", "notes.txt", "hello")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git", "x.yaml", "::: not yaml")
    code, out, _ = run("check", "--format", "json", str(tmp_path))
    summary = json.loads(out)["summary"]
    assert code == 1
    assert summary["files_checked"] == 2  # bad.yaml, good.json (a template without in-scope resources)
    assert summary["files_skipped"] == 2  # workflow.yml, notes.txt
    assert summary["resources"] == 1


def test_examples_folder_reports_the_deliberate_violations():
    code, out, _ = run("check", "--format", "json", str(EXAMPLES))
    report = json.loads(out)
    assert code == 1
    verdicts = {r["resource"]["location"]["logical_id"] or r["resource"]["name"]: r["verdict"] for r in report["results"]}
    assert verdicts["ResearchNotebook"] == "allow"
    assert verdicts["ScratchNotebook"] == "deny"
    assert verdicts["ChurnEndpoint"] == "deny"


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("broken.yaml", "Resources:\n  A: [unclosed\n", "broken.yaml"),
        ("broken.json", '{"Resources": {', "broken.json"),
        ("no-resources.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\n", "Resources"),
        ("list-resources.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: [a, b]\n", "Resources"),
        ("no-type.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Properties: {}\n", "Type"),
        ("binary.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.yaml", "Resources: {}\nDescription: caf\xe9\n".encode("latin-1"), "UTF-8"),
        ("request.json", '{"operation": "CreateTrainingJob", "request": {}}', "TrainingJobName"),
    ],
)
def test_invalid_input_exits_2_naming_the_file(tmp_path, name, content, needle):
    path = write(tmp_path, name, content)
    code, out, err = run("check", str(path))
    assert code == 2, out
    assert str(path) in err and needle in err
    assert "Traceback" not in err


def test_missing_path_and_bad_parameter_are_usage_errors(tmp_path):
    assert run("check", str(tmp_path / "absent.yaml"))[0] == 2
    assert run("check", "-p", "novalue", str(EXAMPLES))[0] == 2
    assert run("check", "--format", "xml", str(EXAMPLES))[0] == 2
    bad_config = write(tmp_path, "c.yaml", "controls: {SM-01: maybe}\n")
    code, _, err = run("check", "--config", str(bad_config), str(EXAMPLES))
    assert code == 2 and "controls.SM-01" in err


def test_unknown_resource_types_give_a_clean_result(tmp_path):
    path = write(tmp_path, "other.yaml", "Resources:\n  T: {Type: AWS::SNS::Topic}\n  X: {Type: Custom::Thing}\n")
    code, out, _ = run("check", "--format", "json", str(path))
    assert code == 0 and json.loads(out)["summary"]["resources"] == 0


def test_deep_nesting_is_an_input_error_not_a_crash(tmp_path):
    path = write(tmp_path, "deep.json", '{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"X": ' + "[" * 5000 + "]" * 5000 + "}}}}")
    code, _, err = run("check", str(path))
    assert code == 2 and "deep.json" in err and "Traceback" not in err


@pytest.mark.slow
def test_ten_megabyte_template_is_checked(tmp_path):
    resources = {
        f"Bucket{i}": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": f"acme-{i}",
                "Tags": [{"Key": f"k{j}", "Value": "v" * 40} for j in range(20)],
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"}}]},
            },
        }
        for i in range(7000)
    }
    path = write(tmp_path, "big.json", json.dumps({"Resources": resources}))
    assert path.stat().st_size > 10_000_000
    code, out, _ = run("check", "--format", "json", str(path))
    summary = json.loads(out)["summary"]
    assert summary["resources"] == 7000 and summary["verdicts"]["error"] == 0
    assert code == 0  # only the S3-05 warning (no TLS-only policy) on each bucket


def test_audit_records_every_decision_and_verifies(tmp_path):
    path = write(tmp_path, "bad.yaml", NONCOMPLIANT_NOTEBOOK + "  Other:\n    Type: AWS::S3::Bucket\n")
    sink = tmp_path / "audit.jsonl"
    code, _, _ = run("check", "--audit", f"file://{sink}", str(path))
    assert code == 1
    records = [json.loads(line) for line in sink.read_text().splitlines()]
    assert len(records) == 2
    assert {r["verdict"] for r in records} == {"deny"}
    assert records[0]["point"] == "pre-deploy" and records[0]["action"]["kind"] == "fail-pipeline"
    assert run("audit", "verify", f"file://{sink}")[0] == 0


def test_unwritable_audit_sink_fails_the_gate(tmp_path):
    path = write(tmp_path, "good.yaml", COMPLIANT_NOTEBOOK)
    blocker = write(tmp_path, "file", "not a folder")
    code, _, err = run("check", "--audit", f"file://{blocker}/audit.jsonl", str(path))
    assert code == 2 and "audit" in err


def test_cli_errors_reach_the_user_without_traceback(tmp_path):
    path = write(tmp_path, "broken.yaml", "Resources:\n  A: [unclosed\n")
    proc = subprocess.run(
        [sys.executable, "-m", "guardrails.cli.main", "check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and str(path) in proc.stderr and "Traceback" not in proc.stderr


def test_version_is_fast_enough_to_import_lazily():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "guardrails.cli.main", "--version"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0 and "0.1.0" in proc.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    heavy = imported & {"regorus", "pydantic", "boto3", "botocore", "yaml"}
    assert "click" in imported and heavy == set(), f"--version imports {heavy}"


def test_cdk_out_folder_checks_templates_and_skips_the_rest(tmp_path):
    cdk_out = tmp_path / "cdk.out"
    cdk_out.mkdir()
    template = {
        "Resources": {
            "NbA1B2C3": {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": {"Fn::GetAtt": ["RoleX", "Arn"]}},
                "Metadata": {"aws:cdk:path": "Stack/Nb/Resource"},
            },
            "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:abc"}},
        },
        "Rules": {"CheckBootstrapVersion": {"Assertions": [{"Assert": {"Fn::Not": [{"Fn::Contains": [["1"], "1"]}]}}]}},
    }
    write(cdk_out, "Stack.template.json", json.dumps(template))
    write(cdk_out, "manifest.json", json.dumps({"version": "36.0.0", "artifacts": {}}))
    write(cdk_out, "tree.json", json.dumps({"version": "tree-0.1", "tree": {"id": "App"}}))
    write(cdk_out, "Stack.assets.json", json.dumps({"version": "36.0.0", "files": {}}))
    write(cdk_out, "cdk.out", json.dumps({"version": "36.0.0"}))
    code, out, _ = run("check", "--format", "json", str(cdk_out))
    report = json.loads(out)
    assert code == 1
    assert report["summary"]["files_checked"] == 1 and report["summary"]["files_skipped"] == 4
    (result,) = report["results"]
    assert result["resource"]["location"]["logical_id"] == "NbA1B2C3"
    assert {v["control"] for v in result["violations"]} >= {"SM-04", "SM-05", "SM-14"}


def test_numbers_json_cannot_carry_exactly_do_not_crash(tmp_path):
    path = write(tmp_path, "nums.yaml", NONCOMPLIANT_NOTEBOOK + "      VolumeSizeInGB: 99999999999999999999999\n      Extra: .inf\n")
    code, out, err = run("check", "--format", "json", str(path))
    assert "Traceback" not in err
    (result,) = json.loads(out)["results"]
    assert result["verdict"] in ("deny", "error") and code == 1
