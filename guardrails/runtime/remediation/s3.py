"""S3 buckets: S3-01 Block Public Access, S3-02 ACL private, S3-03 remove public statements, S3-04 KMS.

Whether a bucket still needs the action, and what the action changes, is read from the policy bundle:
the bucket's live state is evaluated (`RemediationContext.failing`) and only the controls being
remediated that the Rego policy reports failing count. S3-01 sets the Block Public Access flags the
failing paths name (all four when the configuration is missing), keeping those already on; S3-03 drops
the statements the policy finds public on their own, keeping every other one; S3-04 puts the configured
key after checking that the policy passes it. No rule is restated in Python: a policy change changes
what remediation does.
"""

from __future__ import annotations

import json
from typing import Any

from guardrails.documents import ResourceDocument
from guardrails.engine import EngineError, Finding
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import read_bucket
from guardrails.runtime.errors import (
    RemediationNotConfigured,
    RemediationNotEvaluated,
    ResourceGone,
    RuntimeEnforcementError,
)
from guardrails.runtime.remediation.base import ActionResult, RemediationContext
from guardrails.sources import s3_shape
from guardrails.sources.s3_shape import PUBLIC_ACCESS_BLOCK_FLAGS

BUCKET = "AWS::S3::Bucket"
BLOCK = "PublicAccessBlockConfiguration"


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
    try:
        problem = needed(before)
    except RuntimeEnforcementError as exc:
        return ctx.result(kind, document, controls, outcome="failed", error=str(exc), state_before=before)
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


def _reason(findings: list[Finding]) -> str | None:
    """None when the policy reports nothing failing, else the first failure's message."""
    return findings[0].message if findings else None


def block_to_put(
    resource_type: str, name: str, state: dict[str, Any], controls: list[str], ctx: RemediationContext
) -> dict[str, bool]:
    """The Block Public Access configuration to put: the flags already on, plus every flag a failing
    path of `controls` names (`PublicAccessBlockConfiguration.<flag>`; all four when the path is the
    configuration itself). Raises when the policy would still fail the result."""
    block = state.get(BLOCK)
    current: dict[str, Any] = block if isinstance(block, dict) else {}
    wanted = {flag: current.get(flag) is True for flag in PUBLIC_ACCESS_BLOCK_FLAGS}
    for finding in ctx.failing(resource_type, name, state, controls):
        flag = (finding.path or "").removeprefix(BLOCK).removeprefix(".")
        for named in [flag] if flag in wanted else PUBLIC_ACCESS_BLOCK_FLAGS:
            wanted[named] = True
    still = ctx.failing(resource_type, name, {**state, BLOCK: wanted}, controls)
    if still:
        raise RuntimeEnforcementError(f"no Block Public Access configuration fixes it: {still[0].message}")
    return wanted


def put_public_access_block(
    document: ResourceDocument, controls: list[str], ctx: RemediationContext
) -> ActionResult:
    bucket = document.resource.name

    def needed(state: dict[str, Any]) -> str | None:
        return _reason(ctx.failing(BUCKET, bucket, state, controls))

    def act(state: dict[str, Any]) -> None:
        call(
            ctx.clients.client("s3"),
            "PutPublicAccessBlock",
            Bucket=bucket,
            PublicAccessBlockConfiguration=block_to_put(BUCKET, bucket, state, controls, ctx),
        )

    return _apply("put-public-access-block", document, controls, ctx, needed, act)


def acl_private(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    bucket = document.resource.name

    def needed(state: dict[str, Any]) -> str | None:
        return _reason(ctx.failing(BUCKET, bucket, state, controls))

    def act(_: dict[str, Any]) -> None:
        call(ctx.clients.client("s3"), "PutBucketAcl", Bucket=bucket, ACL="private")

    return _apply("put-bucket-acl-private", document, controls, ctx, needed, act)


def public_statements(
    bucket: str, policy: dict[str, Any], ctx: RemediationContext, controls: tuple[str, ...] = ("S3-03",)
) -> list[int]:
    """Indexes of the statements the policy bundle (S3-03) finds public on their own."""
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    statements = statements or []
    documents = [
        {
            "resource": {
                "type": BUCKET,
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
            raise RemediationNotEvaluated(
                f"cannot evaluate statement {index} of the bucket policy: {findings}"
            )
        if any(f.control in controls and not f.unknown for f in findings):
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
        found["public"] = public_statements(bucket, policy, ctx, tuple(controls))
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


def encryption_failures(
    bucket: str, encryption: Any, ctx: RemediationContext, controls: tuple[str, ...] = ("S3-04",)
) -> list[str]:
    """The S3-04 messages (the Rego policy) for a bucket with this `BucketEncryption`: aws:kms without
    a key or with an AWS managed key fails like no KMS at all, so the check is never re-implemented."""
    properties: dict[str, Any] = {"BucketName": bucket}
    if encryption is not None:
        properties["BucketEncryption"] = encryption
    return [f.message for f in ctx.failing(BUCKET, bucket, properties, controls) if not f.unknown]


def put_kms_encryption(
    document: ResourceDocument, controls: list[str], ctx: RemediationContext
) -> ActionResult:
    key = ctx.config.kms_key_id
    bucket = document.resource.name

    def needed(state: dict[str, Any]) -> str | None:
        failures = encryption_failures(bucket, state.get("BucketEncryption"), ctx, tuple(controls))
        return "no KMS default encryption with a customer-managed key" if failures else None

    def act(_: dict[str, Any]) -> None:
        if not key:
            raise RemediationNotConfigured(
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
        still = encryption_failures(bucket, s3_shape.encryption_from_api(wanted), ctx, tuple(controls))
        if still:
            raise RemediationNotConfigured(f"runtime.kms_key_id would not fix S3-04: {still[0]}")
        call(
            ctx.clients.client("s3"),
            "PutBucketEncryption",
            Bucket=bucket,
            ServerSideEncryptionConfiguration=wanted,
        )

    return _apply("put-bucket-encryption", document, controls, ctx, needed, act)
