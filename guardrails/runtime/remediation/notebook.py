"""Notebook instances: stop; delete as well when `delete_notebooks` is set and the instance is stopped.

A running instance cannot be deleted: the first event stops it; deletion happens on a later event
(the "Stopped" state change) once it is stopped.
"""

from __future__ import annotations

from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import BY_TYPE
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import describe
from guardrails.runtime.errors import ResourceGone
from guardrails.runtime.remediation import jobs
from guardrails.runtime.remediation.base import ActionResult, RemediationContext

NOTEBOOK = BY_TYPE["AWS::SageMaker::NotebookInstance"]


def stop_or_delete(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    if not ctx.config.delete_notebooks:
        return jobs.stop(document, controls, ctx)
    name = document.resource.name
    try:
        before = describe(NOTEBOOK, name, ctx.clients)
    except ResourceGone:
        return ctx.result(
            "delete-notebook-instance", document, controls, outcome="skipped", reason="already deleted"
        )
    if before.get(NOTEBOOK.status_field or "") != "Stopped":
        return jobs.stop(document, controls, ctx)
    if ctx.dry_run:
        return ctx.result(
            "delete-notebook-instance",
            document,
            controls,
            outcome="skipped",
            reason="dry-run: would delete-notebook-instance",
            state_before=before,
        )
    call(ctx.clients.client(NOTEBOOK.service), NOTEBOOK.delete or "", **{NOTEBOOK.describe_field: name})
    after = jobs._reread(NOTEBOOK, name, ctx)
    return ctx.result(
        "delete-notebook-instance",
        document,
        controls,
        outcome="succeeded",
        state_before=before,
        state_after=after,
    )
