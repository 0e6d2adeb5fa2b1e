"""Helpers shared by the runtime tests on moto in-process (no tests here): public bucket policies and events.

The `aws` (AwsClients on moto in REGION) and `audit` fixtures that go with them are in tests/conftest.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fixtures.events.builders import s3_call

from guardrails.config import RuntimeConfig

ACCOUNT = "123456789012"  # moto's account
REGION = "eu-west-1"
KMS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PUBLIC = {
    "Sid": "Public",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::{b}/*",
}


def stmt(template: dict, bucket: str) -> dict:
    """`template` (a policy statement) with `{b}` replaced by `bucket`."""
    return json.loads(json.dumps(template).replace("{b}", bucket))


def records(path: Path) -> list[dict]:
    return (
        [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    )


def enforce(**kw: Any) -> RuntimeConfig:
    return RuntimeConfig(mode="enforce", kms_key_id=KMS, **kw)


def public_bucket(s3, bucket: str, statements: list[dict]) -> None:
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))


def policy_event(bucket: str, statements: list[dict], **kw: Any) -> dict:
    extra = {"policy": [""], "bucketPolicy": {"Version": "2012-10-17", "Statement": statements}}
    return s3_call("PutBucketPolicy", bucket, extra, account=ACCOUNT, region=REGION, **kw)
