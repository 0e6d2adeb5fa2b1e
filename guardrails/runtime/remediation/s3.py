"""S3 buckets: S3-01 Block Public Access, S3-02 ACL private, S3-03 remove public statements, S3-04 KMS.

S3-03 keeps every statement that is not public. Which statement is public is decided by the policy
bundle itself: the bucket is evaluated with that one statement and the statement goes when S3-03 fails
definitely — the same Rego logic as the decision, never a second implementation in Python.
"""

from __future__ import annotations

import json
from typing import Any

from guardrails.documents import ResourceDocument
from guardrails.engine import EngineError
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import read_bucket
from guardrails.runtime.errors import ResourceGone, RuntimeEnforcementError
from guardrails.runtime.remediation.base import ActionResult, RemediationContext
from guardrails.sources import s3_shape
from guardrails.sources.s3_shape import PUBLIC_ACCESS_BLOCK_FLAGS

ALL_BLOCKED = dict.fromkeys(PUBLIC_ACCESS_BLOCK_FLAGS, True)
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _apply(
    kind: str,
    document: ResourceDocument,
    controls: list[str],
    ctx: RemediationContext,
    needed: Any,
    act: Any,
    would: str | None = None,
) -> ActionResult:
    """Read the bucket; `needed(state)` -> None when compliant, else a reason; `act(state)` fixes it."""
    bucket = document.resource.name
    try:
        before = read_bucket(bucket, ctx.clients)
    except ResourceGone:
        return ctx.result(kind, document, controls, outcome="skipped", reason="the bucket no longer exists")
    problem = needed(before)
    if problem is None:
        return ctx.result(
            kind, document, controls, outcome="skipped", reason="already compliant", state_before=before
        )
    if ctx.dry_run:
        return ctx.result(
            kind,
            document,
            controls,
            outcome="skipped",
            reason=f"dry-run: would {would or kind}",
            state_before=before,
        )
    try:
        actual_kind = act(before) or kind
    except RuntimeEnforcementError as exc:
        return ctx.result(kind, document, controls, outcome="failed", error=str(exc), state_before=before)
    after = read_bucket(bucket, ctx.clients)
    return ctx.result(
        actual_kind, document, controls, outcome="succeeded", state_before=before, state_after=after
    )


def put_public_access_block(
    document: ResourceDocument, controls: list[str], ctx: RemediationContext
) -> ActionResult:
    def needed(state: dict[str, Any]) -> str | None:
        current = state.get("PublicAccessBlockConfiguration") or {}
        return None if all(current.get(f) is True for f in PUBLIC_ACCESS_BLOCK_FLAGS) else "not all four on"

    def act(_: dict[str, Any]) -> None:
        call(
            ctx.clients.client("s3"),
            "PutPublicAccessBlock",
            Bucket=document.resource.name,
            PublicAccessBlockConfiguration=ALL_BLOCKED,
        )

    return _apply("put-public-access-block", document, controls, ctx, needed, act)


def acl_private(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    def needed(state: dict[str, Any]) -> str | None:
        grants = (state.get("AccessControlPolicy") or {}).get("Grants") or []
        public = [g for g in grants if (g.get("Grantee") or {}).get("URI") in PUBLIC_GROUPS]
        return "public grants" if public else None

    def act(_: dict[str, Any]) -> None:
        call(ctx.clients.client("s3"), "PutBucketAcl", Bucket=document.resource.name, ACL="private")

    return _apply("put-bucket-acl-private", document, controls, ctx, needed, act)


def public_statements(bucket: str, policy: dict[str, Any], ctx: RemediationContext) -> list[int]:
    """Indexes of the statements S3-03 (the Rego policy) finds public on their own."""
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    statements = statements or []
    documents = [
        {
            "resource": {
                "type": "AWS::S3::Bucket",
                "name": bucket,
                "properties": {
                    "BucketName": bucket,
                    "Policy": {"Version": policy.get("Version", "2012-10-17"), "Statement": [statement]},
                },
            },
            "context": {"point": "runtime", "source": "live", "unknown": []},
        }
        for statement in statements
    ]
    results = ctx.decider.evaluator.evaluate_many(documents)
    public = []
    for index, findings in enumerate(results):
        if isinstance(findings, EngineError):
            raise RuntimeEnforcementError(
                f"cannot evaluate statement {index} of the bucket policy: {findings}"
            )
        if any(f.control == "S3-03" and not f.unknown for f in findings):
            public.append(index)
    return public


def remove_public_statements(
    document: ResourceDocument, controls: list[str], ctx: RemediationContext
) -> ActionResult:
    bucket = document.resource.name
    found: dict[str, list[int]] = {}

    def needed(state: dict[str, Any]) -> str | None:
        policy = state.get("Policy")
        if not isinstance(policy, dict):
            return None
        found["public"] = public_statements(bucket, policy, ctx)
        return "public statements" if found["public"] else None

    def act(state: dict[str, Any]) -> str:
        policy = dict(state["Policy"])
        statements = policy.get("Statement")
        statements = [statements] if isinstance(statements, dict) else list(statements or [])
        kept = [s for i, s in enumerate(statements) if i not in found["public"]]
        s3 = ctx.clients.client("s3")
        if not kept:
            call(s3, "DeleteBucketPolicy", Bucket=bucket)
            return "delete-bucket-policy"
        policy["Statement"] = kept
        call(s3, "PutBucketPolicy", Bucket=bucket, Policy=json.dumps(policy))
        return "rewrite-bucket-policy"

    return _apply(
        "rewrite-bucket-policy", document, controls, ctx, needed, act, "remove the public statements"
    )


def encryption_failures(bucket: str, encryption: Any, ctx: RemediationContext) -> list[str]:
    """The S3-04 messages (the Rego policy) for a bucket with this `BucketEncryption`: aws:kms without
    a key or with an AWS managed key fails like no KMS at all, so the check is never re-implemented."""
    properties: dict[str, Any] = {"BucketName": bucket}
    if encryption is not None:
        properties["BucketEncryption"] = encryption
    document = {
        "resource": {"type": "AWS::S3::Bucket", "name": bucket, "properties": properties},
        "context": {"point": "runtime", "source": "live", "unknown": []},
    }
    (findings,) = ctx.decider.evaluator.evaluate_many([document])
    if isinstance(findings, EngineError):
        raise RuntimeEnforcementError(f"cannot evaluate the default encryption: {findings}")
    return [f.message for f in findings if f.control == "S3-04" and not f.unknown]


def put_kms_encryption(
    document: ResourceDocument, controls: list[str], ctx: RemediationContext
) -> ActionResult:
    key = ctx.config.kms_key_id
    bucket = document.resource.name

    def needed(state: dict[str, Any]) -> str | None:
        failures = encryption_failures(bucket, state.get("BucketEncryption"), ctx)
        return "no KMS default encryption with a customer-managed key" if failures else None

    def act(_: dict[str, Any]) -> None:
        if not key:
            raise RuntimeEnforcementError(
                "runtime.kms_key_id is not configured: cannot set aws:kms encryption"
            )
        wanted = {
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
                    "BucketKeyEnabled": True,
                }
            ]
        }
        still = encryption_failures(bucket, s3_shape.encryption_from_api(wanted), ctx)
        if still:
            raise RuntimeEnforcementError(f"runtime.kms_key_id would not fix S3-04: {still[0]}")
        call(
            ctx.clients.client("s3"),
            "PutBucketEncryption",
            Bucket=bucket,
            ServerSideEncryptionConfiguration=wanted,
        )

    return _apply("put-bucket-encryption", document, controls, ctx, needed, act)
