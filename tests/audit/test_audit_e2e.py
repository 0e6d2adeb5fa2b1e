"""End to end over real HTTP: KMS-signed trails (moto_server on 127.0.0.1, killed by PID) and what-if replay
of a trail recorded by `check`, `handle-hook` and `handle-event`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from audit_support import ATTACKS, read_lines, rehash, write_lines
from click.testing import CliRunner
from fixtures.events.builders import s3_call
from guardrails.cli.audit import audit
from moto_server_support import free_port

pytestmark = pytest.mark.slow  # guardrails subprocesses against moto_server

ACCOUNT, REGION = "123456789012", "us-east-1"
REPO = Path(__file__).resolve().parents[2]
HOOKS = REPO / "tests" / "fixtures" / "hooks"
KEY_ALIAS = "alias/guardrails-audit"
NONCOMPLIANT_MODEL = """Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::123456789012:role/r
      PrimaryContainer:
        Image: img:1
        Environment:
          DB_PASSWORD: planted-secret-0001
"""
EVERYTHING_POLICY = """package guardrails.rules.replay_everything
import rego.v1

deny contains {"control": "CX-01", "path": "", "message": "every resource now needs review"} if {
  input.resource.type
}
"""



def aws_env(url: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": url,
        "AWS_MAX_ATTEMPTS": "1",
    }


@pytest.fixture(scope="module")
def kms_key(moto_server) -> str:
    kms = boto3.client(
        "kms", endpoint_url=moto_server, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t"
    )
    key_id = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key_id)
    return f"kms://{KEY_ALIAS}"


@pytest.fixture
def in_aws(moto_server, monkeypatch):
    for name, value in aws_env(moto_server).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GUARDRAILS_AUDIT_KEY", raising=False)
    return moto_server


def guardrails(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guardrails.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def cli(*args: str):
    return CliRunner().invoke(audit, list(args), catch_exceptions=False)


def test_check_signs_with_kms_and_verify_proves_it(tmp_path, moto_server, kms_key, in_aws):
    template = tmp_path / "model.yaml"
    template.write_text(NONCOMPLIANT_MODEL)
    trail = tmp_path / "audit.jsonl"
    done = guardrails(
        "check", str(template), "--audit", f"file://{trail}", "--audit-key", kms_key, env=aws_env(moto_server)
    )
    assert done.returncode == 1, done.stderr
    records = read_lines(trail)
    assert records and all(r["mac"]["key"] for r in records)
    assert "planted-secret-0001" not in trail.read_text()
    ok = cli("verify", str(trail), "--audit-key", kms_key)
    assert ok.exit_code == 0 and "every MAC verified" in ok.output


def _kms_trail(tmp_path: Path, kms_key: str) -> Path:
    from audit_support import make_record

    from guardrails.audit.signing import load_key
    from guardrails.audit.sinks import open_sink

    path = tmp_path / "audit.jsonl"
    sink = open_sink(str(path), key=load_key(kms_key))
    sink.append([make_record(f"job-0-{j}") for j in range(3)])
    sink.append([make_record(f"job-1-{j}") for j in range(2)])
    return path


@pytest.mark.parametrize(
    ("tamper", "exit_without_key", "kind"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS]
)
def test_every_attack_fails_with_the_kms_key(tmp_path, kms_key, in_aws, tamper, exit_without_key, kind):
    path = _kms_trail(tmp_path, kms_key)
    write_lines(path, tamper(read_lines(path)))
    with_key = cli("verify", str(path), "--audit-key", kms_key)
    assert with_key.exit_code == 1 and f"FAILED: {kind}: stream " in with_key.output, with_key.output
    assert cli("verify", str(path)).exit_code == exit_without_key


def test_kms_signed_seal_and_recomputed_seal(tmp_path, kms_key, in_aws):
    path = _kms_trail(tmp_path, kms_key)
    seal = tmp_path / "seal.json"
    assert cli("seal", str(path), "--to", str(seal), "--audit-key", kms_key).exit_code == 0
    assert cli("verify", str(path), "--seal", str(seal), "--audit-key", kms_key).exit_code == 0
    data = json.loads(seal.read_text())
    data["mac"]["value"] = "0" * 64  # what a writer without the key can put there
    seal.write_text(json.dumps(data))
    bad = cli("verify", str(path), "--seal", str(seal), "--audit-key", kms_key)
    assert bad.exit_code == 1 and "bad-mac" in bad.output


def test_a_kms_outage_fails_the_invocation_and_writes_nothing(tmp_path, moto_server, kms_key):
    template = tmp_path / "model.yaml"
    template.write_text(NONCOMPLIANT_MODEL)
    trail = tmp_path / "audit.jsonl"
    down = {**aws_env(moto_server), "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    checked = guardrails(
        "check", str(template), "--audit", f"file://{trail}", "--audit-key", kms_key, env=down
    )
    assert checked.returncode == 2 and "GenerateMac" in checked.stderr and "Traceback" not in checked.stderr
    hooked = guardrails(
        "handle-hook",
        str(HOOKS / "cloud-control-notebook-create.json"),
        "--audit",
        f"file://{trail}",
        "--audit-key",
        kms_key,
        env=down,
    )
    response = json.loads(hooked.stdout)
    assert hooked.returncode == 1 and response["hookStatus"] == "FAILED"
    assert "audit trail could not record" in response["message"]
    assert not trail.exists() or trail.read_text() == ""
    verified = guardrails("audit", "verify", str(tmp_path / "x.jsonl"), "--audit-key", kms_key, env=down)
    assert verified.returncode == 2 and "Traceback" not in verified.stderr


def _record_everything(tmp_path: Path, moto_server: str, kms_key: str) -> Path:
    """One trail written by check, handle-hook and handle-event, with inputs stored, signed with KMS."""
    env = {**aws_env(moto_server), "GUARDRAILS_AUDIT_KEY": kms_key}
    config = tmp_path / "record.yaml"
    config.write_text("audit:\n  store_input: true\n")
    trail = tmp_path / "trail.jsonl"
    sink = f"file://{trail}"
    template = tmp_path / "model.yaml"
    template.write_text(NONCOMPLIANT_MODEL)
    assert (
        guardrails("check", str(template), "--config", str(config), "--audit", sink, env=env).returncode == 1
    )
    for hook in ("cloud-control-notebook-create.json", "resource-model-update.json"):
        done = guardrails("handle-hook", str(HOOKS / hook), "--config", str(config), "--audit", sink, env=env)
        assert done.returncode in (0, 1) and json.loads(done.stdout)["hookStatus"] in ("SUCCESS", "FAILED")
    s3 = boto3.client(
        "s3", endpoint_url=moto_server, region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t"
    )
    bucket = "replay-public-bucket"
    s3.create_bucket(Bucket=bucket)
    public = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    event = s3_call(
        "PutBucketPolicy",
        bucket,
        {"policy": [""], "bucketPolicy": {"Version": "2012-10-17", "Statement": [public]}},
        account=ACCOUNT,
        region=REGION,
    )
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event))
    done = guardrails(
        "handle-event",
        str(event_file),
        "--mode",
        "dry-run",
        "--endpoint-url",
        moto_server,
        "--region",
        REGION,
        "--config",
        str(config),
        "--audit",
        sink,
        env=env,
    )
    assert done.returncode == 1, done.stderr
    # A record without its input (store_input off) cannot be replayed.
    assert guardrails("check", str(template), "--audit", sink, env=env).returncode == 1
    return trail


def test_replay_lists_what_new_policies_and_config_would_change(tmp_path, moto_server, kms_key, in_aws):
    trail = _record_everything(tmp_path, moto_server, kms_key)
    assert cli("verify", str(trail), "--audit-key", kms_key).exit_code == 0
    records = read_lines(trail)
    assert {r["point"] for r in records} == {"pre-deploy", "admission", "runtime"}

    same = json.loads(cli("replay", str(trail), "--format", "json").output)
    assert same["summary"]["changed"] == 0 and same["summary"]["not_replayable"] == 1
    assert same["summary"]["replayed"] == len(records) - 1

    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "everything.rego").write_text(EVERYTHING_POLICY)
    config = tmp_path / "whatif.yaml"
    config.write_text("controls:\n  SM-03: 'off'\n")
    result = cli(
        "replay", str(trail), "--policy-dir", str(policies), "--config", str(config), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    changes = report["changes"]
    assert {c["point"] for c in changes} == {"pre-deploy", "admission", "runtime"}
    assert all("CX-01" in c["controls_added"] and c["new_verdict"] == "deny" for c in changes)
    model = next(c for c in changes if c["point"] == "pre-deploy")
    assert model["old_verdict"] == "deny" and "SM-03" in model["controls_removed"]
    hook_allowed = [c for c in changes if c["point"] == "admission" and c["old_verdict"] == "allow"]
    assert hook_allowed and report["summary"]["transitions"]["allow -> deny"] >= 1
    assert report["summary"]["changed"] == report["summary"]["replayed"] == len(records) - 1
    assert report["not_replayable"][0]["reason"].startswith("no stored input")

    text = cli("replay", str(trail), "--policy-dir", str(policies), "--fail-on-change")
    assert text.exit_code == 1
    assert "+CX-01" in text.output and "would change" in text.output and "1 not replayable" in text.output
    later = cli(
        "replay", str(trail), "--policy-dir", str(policies), "--since", "2999-01-01", "--format", "json"
    )
    assert json.loads(later.output)["summary"]["records"] == 0

    verified = cli("replay", str(trail), "--audit-key", kms_key, "--format", "json")
    assert verified.exit_code == 0 and json.loads(verified.output)["summary"]["changed"] == 0
    first = [r for r in records if r["stream"] == records[0]["stream"]]  # the check run's stream
    first[0]["verdict"] = "allow"
    rehash(first, 0)  # consistent without the key; only the MAC shows it
    write_lines(trail, records)
    refused = cli("replay", str(trail), "--audit-key", kms_key)
    assert refused.exit_code == 1 and "not replaying a trail that does not verify" in refused.output


def test_replay_of_a_missing_sink_or_bad_policy_is_an_input_error(tmp_path):
    assert cli("replay", str(tmp_path / "missing.jsonl")).exit_code == 2
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.rego").write_text("package broken\nthis is not rego\n")
    (tmp_path / "t.jsonl").write_text("")
    assert cli("replay", str(tmp_path / "t.jsonl"), "--policy-dir", str(bad)).exit_code == 2
