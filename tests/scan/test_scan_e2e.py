"""`guardrails scan` end to end over real HTTP: moto_server on 127.0.0.1 (killed by PID), the real command.

API calls are asserted from the scan's own count (botocore events) — never wall time.
"""

from __future__ import annotations

import json

import pytest
from moto_server_support import client, start_moto, stop_moto
from scan_support import (
    ACCOUNT,
    ALLOW_ALL,
    DENIED,
    FLAGS,
    OTHER,
    TRUST,
    by_name,
    compliant_bucket,
    controls,
    notebook,
    role_creds,
    scan,
)

pytestmark = pytest.mark.slow  # `guardrails scan` subprocesses against moto_server


def test_one_account_two_regions_lists_then_reads_only_what_the_controls_need(moto_url):
    notebook(moto_url, "nb-east", "us-east-1")
    notebook(moto_url, "nb-west", "eu-west-1")
    s3 = client("s3", moto_url)
    s3.create_bucket(Bucket="scan-public")
    s3.put_bucket_acl(Bucket="scan-public", ACL="public-read")
    compliant_bucket(s3, "scan-good")

    code, report, err = scan(
        moto_url,
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--kinds",
        "NotebookInstance,Bucket,AccountPublicAccessBlock",
    )
    assert code == 1, err
    results = by_name(report)
    assert set(results) == {"nb-east", "nb-west", "scan-public", "scan-good", ACCOUNT}
    assert results["nb-east"]["resource"]["region"] == "us-east-1"
    assert results["nb-west"]["resource"]["region"] == "eu-west-1"
    assert {"SM-04", "SM-05"} <= controls(results["nb-west"])
    assert {"S3-01", "S3-02"} <= controls(results["scan-public"])  # an absent block fails at scan (S3-01)
    assert results["scan-good"]["verdict"] == "allow"
    assert controls(results[ACCOUNT]) == {"S3-06"}
    assert not any(v["unknown"] for r in report["results"] for v in r["violations"])  # every read answered

    summary = report["scan"]
    assert summary["shards"] == 2 and summary["failed_shards"] == []
    assert summary["by_kind"] == {
        "AWS::S3::AccountPublicAccessBlock": 1,
        "AWS::S3::Bucket": 2,
        "AWS::SageMaker::NotebookInstance": 2,
    }
    assert summary["by_account"] == {ACCOUNT: {"allow": 1, "deny": 4}}
    assert summary["by_control"]["S3-01 deny"] == 1
    calls = summary["api_calls"]["by_operation"]
    # list once per region (ListBuckets once per account), then one Describe/Get per resource and aspect;
    # no tag calls, no GetBucketLocation; GetBucketOwnershipControls for S3-07; DescribeKey per key
    assert calls == {
        "sts:GetCallerIdentity": 1,
        "sagemaker:ListNotebookInstances": 2,
        "sagemaker:DescribeNotebookInstance": 2,
        "s3:ListBuckets": 1,
        "s3:GetPublicAccessBlock": 2,
        "s3:GetBucketAcl": 2,
        "s3:GetBucketPolicy": 2,
        "s3:GetBucketEncryption": 2,
        "s3:GetBucketOwnershipControls": 2,
        "s3control:GetPublicAccessBlock": 1,
        "kms:DescribeKey": 1,  # the buckets' one key ARN, asked once (cached per reader)
    }
    assert summary["api_calls"]["total"] == sum(calls.values())


def test_clean_account_exits_zero_and_old_ended_jobs_are_outside_the_window(moto_url):
    compliant_bucket(client("s3", moto_url), "only-good")
    code, report, err = scan(
        moto_url, "--region", "us-east-1", "--kinds", "Bucket,TrainingJob", "--since", "1h"
    )
    assert code == 0, err
    assert [r["resource"]["name"] for r in report["results"]] == ["only-good"]
    # under a window: one listing of the InProgress jobs, one of the jobs changed in the window
    assert report["scan"]["api_calls"]["by_operation"]["sagemaker:ListTrainingJobs"] == 2


def test_accounts_file_assumes_each_role_and_scans_its_account(moto_url, tmp_path):
    other_role = f"arn:aws:iam::{OTHER}:role/guardrails-scan"
    client("s3", moto_url, **role_creds(moto_url, other_role)).create_bucket(Bucket="other-account-bucket")
    client("s3", moto_url).create_bucket(Bucket="caller-account-bucket")
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(
        f"external_id: acme-scan\naccounts:\n  - account_id: '{OTHER}'\n    role_arn: {other_role}\n"
        "    regions: [us-east-1]\n"
    )
    code, report, err = scan(moto_url, "--accounts", str(accounts), "--kinds", "Bucket", "--progress")
    assert code == 1, err
    assert f"{OTHER}/us-east-1 Bucket" in err and "1 read" in err  # bars on stderr; stdout stays the report
    results = by_name(report)
    assert set(results) == {"other-account-bucket"}
    assert results["other-account-bucket"]["resource"]["account"] == OTHER
    calls = report["scan"]["api_calls"]["by_operation"]
    assert calls["sts:AssumeRole"] == 1 and "sts:GetCallerIdentity" not in calls
    assert report["scan"]["by_account"] == {OTHER: {"deny": 1}}


def test_accounts_file_errors_name_the_file_and_field(moto_url, tmp_path):
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text("accounts:\n  - account_id: '12345'\n")
    code, _, err = scan(moto_url, "--accounts", str(accounts))
    assert code == 2
    assert str(accounts) in err and "accounts.0.account_id" in err and "Traceback" not in err
    accounts.write_text(
        f"accounts:\n  - account_id: '{OTHER}'\n    role_arn: arn:aws:iam::{ACCOUNT}:role/x\n"
    )
    code, _, err = scan(moto_url, "--accounts", str(accounts))
    assert code == 2 and "is not a role of account" in err


def test_a_denied_account_is_reported_while_the_others_complete(tmp_path):
    """IAM enforced (moto INITIAL_NO_AUTH_ACTION_COUNT): one account's scan role has no permissions."""
    proc, url = start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "7"})
    try:
        iam = client("iam", url)  # the 7 unauthenticated set-up actions
        iam.create_user(UserName="auditor")
        iam.put_user_policy(UserName="auditor", PolicyName="all", PolicyDocument=ALLOW_ALL)
        key = iam.create_access_key(UserName="auditor")["AccessKey"]
        iam.create_role(RoleName="guardrails-scan", AssumeRolePolicyDocument=TRUST)
        iam.put_role_policy(RoleName="guardrails-scan", PolicyName="all", PolicyDocument=ALLOW_ALL)
        denied = role_creds(url, f"arn:aws:iam::{DENIED}:role/setup")
        client("iam", url, **denied).create_role(RoleName="guardrails-scan", AssumeRolePolicyDocument=TRUST)
        auditor = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
        client("s3", url, **auditor).create_bucket(Bucket="reachable-bucket")

        accounts = tmp_path / "accounts.yaml"
        accounts.write_text(
            "accounts:\n"
            f"  - {{account_id: '{ACCOUNT}', role_arn: 'arn:aws:iam::{ACCOUNT}:role/guardrails-scan'}}\n"
            f"  - {{account_id: '{DENIED}', role_arn: 'arn:aws:iam::{DENIED}:role/guardrails-scan'}}\n"
        )
        env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        code, report, err = scan(
            url, "--accounts", str(accounts), "--region", "us-east-1", "--kinds", "Bucket", creds=env
        )
    finally:
        stop_moto(proc)
    assert code == 2, err  # a failed shard is an infrastructure error, never a silent pass
    assert [r["resource"]["name"] for r in report["results"]] == ["reachable-bucket"]
    assert report["scan"]["failed_shards"] == [f"{DENIED}/us-east-1"]
    assert any(
        e["file"] == f"{DENIED}/us-east-1" and "AccessDenied" in e["message"] for e in report["errors"]
    )
    assert f"error: {DENIED}/us-east-1:" in err


def test_remediate_defaults_to_dry_run_and_enforce_fixes_the_bucket(moto_url, tmp_path):
    s3 = client("s3", moto_url)
    s3.create_bucket(Bucket="fix-me")
    audit = tmp_path / "audit.jsonl"
    args = ("--region", "us-east-1", "--kinds", "Bucket", "--remediate")
    code, report, err = scan(moto_url, *args, "--audit", f"file://{audit}")
    assert code == 1, err
    steps = {a["kind"]: a for a in by_name(report)["fix-me"]["actions"]}
    assert steps["put-public-access-block"]["mode"] == "dry-run"
    assert steps["put-public-access-block"]["outcome"] == "skipped"
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_public_access_block(Bucket="fix-me")
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    assert len(records) == 1 and records[0]["point"] == "scan" and records[0]["verdict"] == "deny"
    assert records[0]["action"]["mode"] == "dry-run" and records[0]["action"]["outcome"] == "skipped"

    code, report, err = scan(moto_url, *args, "--mode", "enforce")
    steps = {a["kind"]: a for a in by_name(report)["fix-me"]["actions"]}
    assert steps["put-public-access-block"]["outcome"] == "succeeded", steps
    config = s3.get_public_access_block(Bucket="fix-me")["PublicAccessBlockConfiguration"]
    assert all(config[f] for f in FLAGS)


def test_organization_scans_every_active_account_through_the_role_name(moto_url):
    org = client("organizations", moto_url)
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="ml@example.com", AccountName="ml")["CreateAccountStatus"]["AccountId"]
    member_role = f"arn:aws:iam::{member}:role/guardrails-scan"
    client("s3", moto_url, **role_creds(moto_url, member_role)).create_bucket(Bucket="member-bucket")
    client("s3", moto_url).create_bucket(Bucket="management-bucket")

    code, report, err = scan(
        moto_url, "--organization", "guardrails-scan", "--external-id", "acme", "--region", "us-east-1",
        "--kinds", "Bucket",
    )
    assert code == 1, err
    accounts = {r["resource"]["name"]: r["resource"]["account"] for r in report["results"]}
    assert accounts == {"member-bucket": member, "management-bucket": ACCOUNT}
    calls = report["scan"]["api_calls"]["by_operation"]
    assert calls["organizations:ListAccounts"] == 1 and calls["sts:AssumeRole"] == 2
