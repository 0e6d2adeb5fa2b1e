"""Endpoints: delete the endpoint (its EndpointConfig and Models are kept for forensics)."""

from __future__ import annotations

from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import BY_TYPE
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import describe
from guardrails.runtime.errors import ResourceGone
from guardrails.runtime.remediation.base import ActionResult, RemediationContext

ENDPOINT = BY_TYPE["AWS::SageMaker::Endpoint"]


def delete(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    name = document.resource.name
    try:
        before = describe(ENDPOINT, name, ctx.clients)
    except ResourceGone:
        return ctx.result("delete-endpoint", document, controls, outcome="skipped", reason="already deleted")
    status = before.get(ENDPOINT.status_field or "")
    if status not in ENDPOINT.active_statuses:
        return ctx.result(
            "delete-endpoint",
            document,
            controls,
            outcome="skipped",
            reason=f"already {status}",
            state_before=before,
        )
    if ctx.dry_run:
        return ctx.result(
            "delete-endpoint",
            document,
            controls,
            outcome="skipped",
            reason="dry-run: would delete-endpoint",
            state_before=before,
        )
    call(ctx.clients.client(ENDPOINT.service), ENDPOINT.delete or "", **{ENDPOINT.describe_field: name})
    try:
        after = describe(ENDPOINT, name, ctx.clients)
    except ResourceGone:
        after = {"deleted": True}
    return ctx.result(
        "delete-endpoint", document, controls, outcome="succeeded", state_before=before, state_after=after
    )
