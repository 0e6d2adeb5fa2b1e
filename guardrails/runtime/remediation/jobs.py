"""Jobs, notebooks and monitoring schedules: stop them (Stop*Job, StopNotebookInstance, ...).

The status is read first: a job that already ended, or is stopping, needs no action.
"""

from __future__ import annotations

from typing import Any

from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import BY_TYPE, ResourceKind
from guardrails.runtime.clients import call
from guardrails.runtime.enrich import describe
from guardrails.runtime.errors import ResourceGone
from guardrails.runtime.remediation.base import ActionResult, RemediationContext, kebab


def stop(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    kind = BY_TYPE[document.resource.type]
    if kind.stop is None:
        raise ValueError(f"{kind.type} has no Stop operation in the kinds table")
    action = kebab(kind.stop)
    name = document.resource.name
    try:
        before = describe(kind, name, ctx.clients)
    except ResourceGone:
        return ctx.result(
            action, document, controls, outcome="skipped", reason="the resource no longer exists"
        )
    status = before.get(kind.status_field or "")
    if status not in kind.active_statuses:
        return ctx.result(
            action, document, controls, outcome="skipped", reason=f"already {status}", state_before=before
        )
    if ctx.dry_run:
        return ctx.result(
            action,
            document,
            controls,
            outcome="skipped",
            reason=f"dry-run: would {action}",
            state_before=before,
        )
    call(ctx.clients.client(kind.service), kind.stop, **{kind.describe_field: name})
    after = _reread(kind, name, ctx)
    return ctx.result(action, document, controls, outcome="succeeded", state_before=before, state_after=after)


def _reread(kind: ResourceKind, name: str, ctx: RemediationContext) -> dict[str, Any]:
    try:
        return describe(kind, name, ctx.clients)
    except ResourceGone:
        return {"deleted": True}
