"""Map S3 API shapes (boto3 requests, CloudTrail, Get* responses) onto the canonical bucket properties."""

from __future__ import annotations

import json
from typing import Any

CANNED_ACL: dict[str, str] = {
    "private": "Private",
    "public-read": "PublicRead",
    "public-read-write": "PublicReadWrite",
    "authenticated-read": "AuthenticatedRead",
    "aws-exec-read": "AwsExecRead",
    "bucket-owner-read": "BucketOwnerRead",
    "bucket-owner-full-control": "BucketOwnerFullControl",
    "log-delivery-write": "LogDeliveryWrite",
}
PUBLIC_ACCESS_BLOCK_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def canned_acl(value: str) -> str:
    """`public-read` -> `PublicRead`; an unrecognised value is kept as given (policies judge it)."""
    return CANNED_ACL.get(value.strip().lower(), value)


def encryption_from_api(configuration: dict[str, Any]) -> dict[str, Any]:
    """API `ServerSideEncryptionConfiguration{Rules[]}` -> CFN-shaped `BucketEncryption`."""
    rules = configuration.get("Rules") or configuration.get("Rule") or []
    if isinstance(rules, dict):
        rules = [rules]
    converted = []
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        item: dict[str, Any] = {"ServerSideEncryptionByDefault": dict(default)}
        if "BucketKeyEnabled" in rule:
            item["BucketKeyEnabled"] = rule["BucketKeyEnabled"]
        converted.append(item)
    return {"ServerSideEncryptionConfiguration": converted}


def policy_object(policy: str | dict[str, Any]) -> dict[str, Any]:
    """A bucket policy as a JSON object; raises ValueError when the text is not a JSON object."""
    if isinstance(policy, dict):
        return policy
    data = json.loads(policy)
    if not isinstance(data, dict):
        raise ValueError("the bucket policy is not a JSON object")
    return data


def public_access_block(configuration: dict[str, Any]) -> dict[str, Any]:
    """Keep only the four flags (CloudTrail adds `xmlns`)."""
    return {k: configuration[k] for k in PUBLIC_ACCESS_BLOCK_FLAGS if k in configuration}
