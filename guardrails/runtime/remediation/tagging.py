"""Inert resources (Model, EndpointConfig, Domain, Pipeline, ...): tag `guardrails:violation=<IDs>`."""

from __future__ import annotations

from guardrails.documents import ResourceDocument
from guardrails.partitions import is_service_arn
from guardrails.runtime.clients import call
from guardrails.runtime.remediation.base import ActionResult, RemediationContext

VIOLATION_TAG = "guardrails:violation"


def tag(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    arn = document.resource.arn
    if not arn or not is_service_arn(arn, "sagemaker"):
        return ctx.result(
            "tag-resource", document, controls, outcome="skipped", reason="no SageMaker ARN to tag"
        )
    sagemaker = ctx.clients.client("sagemaker")
    value = ",".join(sorted(set(controls)))
    tags = call(sagemaker, "ListTags", ResourceArn=arn).get("Tags", [])
    before = {"Tags": {t["Key"]: t["Value"] for t in tags}}
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
    call(sagemaker, "AddTags", ResourceArn=arn, Tags=[{"Key": VIOLATION_TAG, "Value": value}])
    after_tags = call(sagemaker, "ListTags", ResourceArn=arn).get("Tags", [])
    after = {"Tags": {t["Key"]: t["Value"] for t in after_tags}}
    return ctx.result(
        "tag-resource", document, controls, outcome="succeeded", state_before=before, state_after=after
    )
