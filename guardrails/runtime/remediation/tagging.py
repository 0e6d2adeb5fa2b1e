"""Inert resources (Model, EndpointConfig, Domain, Pipeline, ...): tag `guardrails:violation=<IDs>`."""

from __future__ import annotations

from guardrails.documents import ResourceDocument
from guardrails.partitions import is_service_arn
from guardrails.resource_kinds import BY_TYPE
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import reader
from guardrails.runtime.remediation.base import ActionResult, RemediationContext

VIOLATION_TAG = "guardrails:violation"


def tag(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    arn = document.resource.arn
    if not arn or not is_service_arn(arn, "sagemaker"):
        return ctx.result(
            "tag-resource", document, controls, outcome="skipped", reason="no SageMaker ARN to tag"
        )
    kind, live = BY_TYPE[document.resource.type], reader(ctx.clients)
    value = ",".join(sorted(set(controls)))
    before = {"Tags": live.tags(kind, document.resource.name, arn)}
    if before["Tags"].get(VIOLATION_TAG) == value:
        return ctx.result(
            "tag-resource",
            document,
            controls,
            outcome="skipped",
            reason="already tagged",
            state_before=before,
        )
    if ctx.dry_run:
        return ctx.result(
            "tag-resource",
            document,
            controls,
            outcome="skipped",
            reason=f"dry-run: would tag {VIOLATION_TAG}={value}",
            state_before=before,
        )
    call(
        ctx.clients.client("sagemaker"),
        "AddTags",
        ResourceArn=arn,
        Tags=[{"Key": VIOLATION_TAG, "Value": value}],
    )
    after = {"Tags": live.tags(kind, document.resource.name, arn)}
    return ctx.result(
        "tag-resource", document, controls, outcome="succeeded", state_before=before, state_after=after
    )
