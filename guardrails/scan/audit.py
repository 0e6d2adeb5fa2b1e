"""`scan --audit`: one audit record per scan decision, with the remediation taken for it."""

from __future__ import annotations

from guardrails.decision import Decision
from guardrails.runtime.processor import combined_action
from guardrails.runtime.remediation import ActionResult
from guardrails.scan.runner import ScanRun


def record_scan(
    scan: ScanRun,
    sink_urls: list[str],
    actions: dict[int, list[ActionResult]],
    *,
    store_input: bool = False,
    signing_key: str | None = None,
) -> int:
    """Record every decision, the `error` decisions of what could not be read included; raises AuditError
    on any failure (no record, no pass)."""
    from guardrails.audit import AuditTrail, current_actor

    actor = current_actor()
    with AuditTrail.from_urls(sink_urls, cloudwatch=False, signing_key=signing_key) as trail:
        for i, (decision, document) in enumerate(zip(scan.run.decisions, scan.run.documents, strict=True)):
            trail.record(
                decision,
                actor=actor,
                action=combined_action(actions.get(i, [])),
                document=document if store_input else None,
            )
        for decision in scan.run.unjudged:
            trail.record(decision, actor=actor)
    return len(scan.run.decisions) + len(scan.run.unjudged)


def record_shard_error(decision: Decision, sink_urls: list[str], *, signing_key: str | None = None) -> int:
    """Record the `error` decision about a shard item that could not be scanned (malformed); raises
    AuditError on any failure."""
    from guardrails.audit import AuditTrail, current_actor

    with AuditTrail.from_urls(sink_urls, cloudwatch=False, signing_key=signing_key) as trail:
        trail.record(decision, actor=current_actor())
    return 1
