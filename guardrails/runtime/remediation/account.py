"""The account: S3-06, put account-level Block Public Access (all four on)."""

from __future__ import annotations

from guardrails.documents import ResourceDocument
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import read_account_block
from guardrails.runtime.remediation.base import ActionResult, RemediationContext
from guardrails.runtime.remediation.s3 import ALL_BLOCKED
from guardrails.sources.s3_shape import PUBLIC_ACCESS_BLOCK_FLAGS


def put_account_public_access_block(
    document: ResourceDocument, controls: list[str], ctx: RemediationContext
) -> ActionResult:
    kind = "put-account-public-access-block"
    account = document.resource.name
    before = read_account_block(account, ctx.clients)
    current = before.get("PublicAccessBlockConfiguration") or {}
    if all(current.get(f) is True for f in PUBLIC_ACCESS_BLOCK_FLAGS):
        return ctx.result(
            kind, document, controls, outcome="skipped", reason="already compliant", state_before=before
        )
    if ctx.dry_run:
        return ctx.result(
            kind, document, controls, outcome="skipped", reason=f"dry-run: would {kind}", state_before=before
        )
    call(
        ctx.clients.client("s3control"),
        "PutPublicAccessBlock",
        AccountId=account,
        PublicAccessBlockConfiguration=ALL_BLOCKED,
    )
    after = read_account_block(account, ctx.clients)
    return ctx.result(kind, document, controls, outcome="succeeded", state_before=before, state_after=after)
