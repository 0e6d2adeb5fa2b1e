"""The account: S3-06, put account-level Block Public Access (the flags the policy reports failing)."""

from __future__ import annotations

from guardrails.documents import ResourceDocument
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import read_account_block
from guardrails.runtime.errors import RuntimeEnforcementError
from guardrails.runtime.remediation.base import ActionResult, RemediationContext
from guardrails.runtime.remediation.s3 import block_to_put

ACCOUNT_BLOCK = "AWS::S3::AccountPublicAccessBlock"


def put_account_public_access_block(
    document: ResourceDocument, controls: list[str], ctx: RemediationContext
) -> ActionResult:
    kind = "put-account-public-access-block"
    account = document.resource.name
    before = read_account_block(account, ctx.clients)
    try:
        failing = ctx.failing(ACCOUNT_BLOCK, account, before, controls)
        wanted = block_to_put(ACCOUNT_BLOCK, account, before, controls, ctx) if failing else None
    except RuntimeEnforcementError as exc:
        return ctx.result(kind, document, controls, outcome="failed", error=str(exc), state_before=before)
    if wanted is None:
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
        PublicAccessBlockConfiguration=wanted,
    )
    after = read_account_block(account, ctx.clients)
    return ctx.result(kind, document, controls, outcome="succeeded", state_before=before, state_after=after)
