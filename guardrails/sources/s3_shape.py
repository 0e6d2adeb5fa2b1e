"""Map S3 API shapes (boto3 requests, CloudTrail, Get* responses) onto the canonical bucket properties."""

from __future__ import annotations

import json
import re
from typing import Any

from guardrails.errors import InputError

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


GRANT_HEADERS: dict[str, str] = {
    "GrantFullControl": "FULL_CONTROL",
    "GrantRead": "READ",
    "GrantReadACP": "READ_ACP",
    "GrantWrite": "WRITE",
    "GrantWriteACP": "WRITE_ACP",
}
"""CreateBucket / PutBucketAcl request fields carrying grants (`x-amz-grant-*` headers) -> ACL permission."""
GRANT_HEADER_NAMES: dict[str, str] = {
    "x-amz-grant-full-control": "GrantFullControl",
    "x-amz-grant-read": "GrantRead",
    "x-amz-grant-read-acp": "GrantReadACP",
    "x-amz-grant-write": "GrantWrite",
    "x-amz-grant-write-acp": "GrantWriteACP",
}
"""The header names (as CloudTrail records them) -> the request field."""
_GRANTEE_TYPES: dict[str, tuple[str, str]] = {
    "id": ("CanonicalUser", "ID"),
    "uri": ("Group", "URI"),
    "emailaddress": ("AmazonCustomerByEmail", "EmailAddress"),
}
_GRANTEE = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,"\s]+))\s*(?:,|$)')


class GrantHeaderError(InputError, ValueError):
    """A grant header value that is not a list of `id=`, `uri=` or `emailAddress=` grantees."""


def grants_from_header(field: str, value: str) -> list[dict[str, Any]]:
    """`GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers", id="..."'` -> API `Grants`.

    Each grantee becomes `{"Grantee": {"Type", "URI"|"ID"|"EmailAddress"}, "Permission"}`; raises
    GrantHeaderError when the value does not parse (the caller marks the grant unknown).
    """
    permission = GRANT_HEADERS[field]
    grants: list[dict[str, Any]] = []
    position = 0
    text = value.strip()
    while position < len(text):
        match = _GRANTEE.match(text, position)
        kind = _GRANTEE_TYPES.get(match.group(1).lower()) if match else None
        if match is None or kind is None or match.end() == position:
            raise GrantHeaderError(f"{field} {value!r} is not a list of id=, uri= or emailAddress= grantees")
        grantee_type, member = kind
        grantee = match.group(2) if match.group(2) is not None else match.group(3)
        grants.append({"Grantee": {"Type": grantee_type, member: grantee}, "Permission": permission})
        position = match.end()
    if not grants:
        raise GrantHeaderError(f"{field} is empty")
    return grants


def policy_value(policy: Any) -> Any:
    """A bucket policy as a JSON object when it is one (or JSON text of one); any other value is kept
    as given, so that the policies judge it unknown (never "no policy")."""
    try:
        return policy_object(policy)
    except (ValueError, TypeError):
        return policy


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
