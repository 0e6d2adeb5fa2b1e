"""Helpers shared by the scan tests against moto_server (no tests here): `guardrails scan` as a subprocess,
seeded accounts and compliant resources. The moto_server fixtures are in tests/conftest.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from moto_server_support import client

ACCOUNT, OTHER, DENIED = "123456789012", "111111111111", "222222222222"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sm-exec"
KMS = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


def role_creds(url: str, role_arn: str, **creds: str) -> dict[str, str]:
    c = client("sts", url, **creds).assume_role(RoleArn=role_arn, RoleSessionName="seed")["Credentials"]
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def scan(url: str, *args: str, creds: dict[str, str] | None = None, cwd: Path | None = None):
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        **(creds or {}),
    }
    env.pop("AWS_PROFILE", None)
    command = [
        sys.executable,
        "-m",
        "guardrails.cli.main",
        "scan",
        "--endpoint-url",
        url,
        "--format",
        "json",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180, cwd=cwd)
    report = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def notebook(url: str, name: str, region: str, **creds: str) -> None:
    client("sagemaker", url, region, **creds).create_notebook_instance(
        NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE
    )


def compliant_bucket(s3, name: str) -> None:
    s3.create_bucket(Bucket=name)
    # S3-07: moto does not give a new bucket S3's default (BucketOwnerEnforced): state it.
    s3.put_bucket_ownership_controls(
        Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=dict.fromkeys(FLAGS, True))
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS}}
            ]
        },
    )
    tls = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls]}))


def by_name(report: dict) -> dict[str, dict]:
    return {r["resource"]["name"]: r for r in report["results"]}


def controls(result: dict) -> set[str]:
    return {v["control"] for v in result["violations"]}
