"""End to end over real HTTP: moto_server on 127.0.0.1 (killed by PID) and `guardrails handle-event`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures.events.builders import s3_call, sagemaker_call
from moto_server_support import client

pytestmark = pytest.mark.slow  # `guardrails handle-event` subprocesses against moto_server

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sm-exec"
KMS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}



def handle_event(event: dict, tmp_path: Path, url: str, *args: str) -> tuple[int, dict, str]:
    path = tmp_path / f"event-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(event))
    config = tmp_path / "config.yaml"
    if not config.exists():
        config.write_text("{}\n")
    command = _command() + [str(path), "--endpoint-url", url, "--region", REGION, *args]
    env = {**os.environ, **CREDENTIALS}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    output = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, output, done.stderr


def _command() -> list[str]:
    guardrails = shutil.which("guardrails")
    if guardrails:
        probe = subprocess.run([guardrails, "handle-event", "--help"], capture_output=True, text=True)
        if probe.returncode == 0:
            return [guardrails, "handle-event"]
    return [sys.executable, "-m", "guardrails.cli.handle_event"]  # until the command is registered


def test_configured_kms_key_is_used_for_default_encryption(moto_url, tmp_path):
    (tmp_path / "config.yaml").write_text(f"runtime:\n  mode: enforce\n  kms_key_id: {KMS}\n")
    s3 = client("s3", moto_url)
    s3.create_bucket(Bucket="e2e-sse-s3")
    event = s3_call("DeleteBucketEncryption", "e2e-sse-s3", {"encryption": [""]}, account=ACCOUNT, region=REGION)
    code, out, err = handle_event(event, tmp_path, moto_url, "--config", str(tmp_path / "config.yaml"))
    assert code == 1, err
    steps = {a["kind"]: a["outcome"] for a in out["resources"][0]["actions"]}
    assert steps["put-bucket-encryption"] == "succeeded"
    rule = s3.get_bucket_encryption(Bucket="e2e-sse-s3")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS}


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_public_bucket_is_fixed_only_in_enforce_mode_and_only_once(moto_url, tmp_path):
    s3 = client("s3", moto_url)
    bucket = "e2e-public-bucket"
    public = {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
              "Resource": f"arn:aws:s3:::{bucket}/*"}
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [public]}))
    event = s3_call("PutBucketPolicy", bucket, {"policy": [""], "bucketPolicy": {"Version": "2012-10-17", "Statement": [public]}},
                    account=ACCOUNT, region=REGION)
    audit = tmp_path / "audit.jsonl"

    code, dry, err = handle_event(event, tmp_path, moto_url, "--mode", "dry-run", "--audit", f"file://{audit}")
    assert code == 1, err
    assert dry["mode"] == "dry-run"
    assert all(a["outcome"] == "skipped" for a in dry["resources"][0]["actions"])
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Sid"] == "Public"

    code, fixed, err = handle_event(event, tmp_path, moto_url, "--mode", "enforce", "--audit", f"file://{audit}")
    assert code == 1, err
    done = {a["kind"]: a["outcome"] for a in fixed["resources"][0]["actions"]}
    assert done["put-public-access-block"] == "succeeded"
    assert done["put-bucket-acl-private"] == "succeeded"
    assert done["delete-bucket-policy"] == "succeeded"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert not any("AllUsers" in g["Grantee"].get("URI", "") for g in s3.get_bucket_acl(Bucket=bucket)["Grants"])
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket=bucket)

    code, again, err = handle_event(event, tmp_path, moto_url, "--mode", "enforce", "--audit", f"file://{audit}")
    assert not any(a["outcome"] == "succeeded" for r in again["resources"] for a in r.get("actions", []))

    stored = records(audit)
    assert [r["action"]["mode"] if r.get("action") else None for r in stored][:2] == ["dry-run", "enforce"]
    assert stored[1]["action"]["state_before"]["delete-bucket-policy"]["Policy"]["Statement"][0]["Sid"] == "Public"
    assert "Policy" not in stored[1]["action"]["state_after"]["delete-bucket-policy"]
    assert {r["source_ref"]["event_id"] for r in stored} == {event["detail"]["eventID"]}


def test_noncompliant_notebook_is_stopped_over_http(moto_url, tmp_path):
    sm = client("sagemaker", moto_url)
    sm.create_notebook_instance(NotebookInstanceName="e2e-nb", InstanceType="ml.t3.medium", RoleArn=ROLE)
    arn = sm.describe_notebook_instance(NotebookInstanceName="e2e-nb")["NotebookInstanceArn"]
    event = sagemaker_call("CreateNotebookInstance", {"NotebookInstanceName": "e2e-nb", "InstanceType": "ml.t3.medium",
                           "RoleArn": ROLE}, account=ACCOUNT, region=REGION, arn=arn)
    audit = tmp_path / "audit.jsonl"
    code, out, err = handle_event(event, tmp_path, moto_url, "--mode", "enforce", "--audit", f"file://{audit}")
    assert code == 1, err
    (action,) = out["resources"][0]["actions"]
    assert action["kind"] == "stop-notebook-instance" and action["outcome"] == "succeeded"
    assert sm.describe_notebook_instance(NotebookInstanceName="e2e-nb")["NotebookInstanceStatus"] in ("Stopping", "Stopped")
    (record,) = records(audit)
    assert record["action"]["state_before"]["stop-notebook-instance"]["NotebookInstanceStatus"] == "InService"


def test_malformed_event_file_exits_2_and_is_audited(moto_url, tmp_path):
    audit = tmp_path / "audit.jsonl"
    bad = {"id": "x", "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
           "detail": {"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl", "requestParameters": {}}}
    code, out, _ = handle_event(bad, tmp_path, moto_url, "--audit", f"file://{audit}")
    assert code == 2 and "bucketName" in out["malformed"]
    assert records(audit)[0]["verdict"] == "error"
