"""`process_event`: one EventBridge event -> decisions, remediation, audit records and alerts.

The same function serves the Lambda handler (lambdas/events.py) and `guardrails handle-event`.

Failure semantics: a malformed event is audited as an `error` decision and acknowledged (a retry cannot
help); failed calls and unwatched events are acknowledged with a typed skip reason; a transient AWS
error (`TransientAwsError`) or an audit write failure (`AuditWriteError`) raises, so the platform
retries the event. Every action reads the current state first, so a retried or duplicated event does
not act twice.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guardrails.audit import ActionTaken, AuditTrail, SourceRef, actor_from_principal
from guardrails.audit.record import Actor as AuditActor
from guardrails.config import RuntimeConfig, RuntimeMode
from guardrails.decider import Decider
from guardrails.decision import Decision, ResourceRef
from guardrails.documents import ResourceDocument
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.enrich import complete_keys, enrich, needs_live_state
from guardrails.runtime.remediation import ACTIONS, ActionResult, RemediationContext
from guardrails.runtime.safety import ActionBudget, live_tags, needs_tags, out_of_scope, protected
from guardrails.sources.cloudtrail import EventSkipped, MalformedEventError, ParsedEvent, parse_event

ACTION_ORDER = list(ACTIONS)


class ResourceOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    actions: list[ActionResult] = Field(default_factory=list)
    enriched: bool = False
    """The document was completed from the live resource (Describe*/Get*)."""
    live_state_missing: bool = False
    """The live state was needed but the resource no longer exists: decided on the event alone."""
    not_acted: str | None = None
    """Why no action was considered (outside the account/region, protected, no AWS credentials)."""
    live_state_not_read: bool = False
    """The live state was needed but not read (a dry run without AWS credentials): what the event does not
    carry stayed unknown."""
    alert_message_id: str | None = None


class EventOutcome(BaseModel):
    """What happened to one event; printed by `handle-event`, logged by the Lambda."""

    model_config = ConfigDict(extra="forbid")

    event_id: str | None = None
    envelope_id: str | None = None
    event_name: str | None = None
    source: str | None = None
    mode: RuntimeMode
    skipped: EventSkipped | None = None
    malformed: str | None = None
    error_decision: Decision | None = None
    """The `error` decision recorded for a malformed event."""
    resources: list[ResourceOutcome] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    """What the reader must know to read the outcome (e.g. decided offline, without the live state)."""

    @property
    def decisions(self) -> list[Decision]:
        found = [r.decision for r in self.resources]
        return found + ([self.error_decision] if self.error_decision else [])

    @property
    def actions(self) -> list[ActionResult]:
        return [a for r in self.resources for a in r.actions]


def process_event(
    event: Any,
    *,
    decider: Decider,
    trail: AuditTrail | None,
    clients: AwsClients,
    config: RuntimeConfig | None = None,
    mode: RuntimeMode | None = None,
    file: str | None = None,
    offline: bool = False,
) -> EventOutcome:
    """Decide, remediate, audit and alert one event. `mode` (command line) overrides the config.

    `offline` (a dry run without AWS credentials, `handle-event --mode dry-run`): nothing is read from or
    sent to AWS — no enrichment, no scope check, no action, no alert; the event alone is decided and what
    it does not carry is reported unknown.
    """
    config = config or RuntimeConfig()
    effective_mode = mode or config.mode
    if offline and mode != "dry-run":
        raise ValueError("offline processing is a dry run: pass mode='dry-run'")
    try:
        parsed = parse_event(event, file=file)
    except MalformedEventError as exc:
        return _malformed(event, exc, decider, trail, effective_mode)
    outcome = EventOutcome(
        event_id=parsed.event_id,
        envelope_id=parsed.envelope_id,
        event_name=parsed.event_name,
        source=parsed.source,
        mode=effective_mode,
        skipped=parsed.skipped,
    )
    budget = ActionBudget(config.max_actions)
    for document in parsed.documents:
        if offline:
            outcome.resources.append(_offline_document(document, parsed, decider, trail, config))
        else:
            outcome.resources.append(
                _process_document(document, parsed, decider, trail, clients, config, mode, budget)
            )
    if offline and parsed.documents:
        outcome.notes.append(OFFLINE_NOTE)
    return outcome


OFFLINE_NOTE = (
    "dry run without AWS credentials: the live resources were not read (no enrichment), so values the "
    "event does not carry are reported unknown; no action was attempted and no alert was sent"
)
OFFLINE_REASON = "dry run without AWS credentials: the current state was not read, nothing attempted"


def _offline_document(
    document: ResourceDocument,
    parsed: ParsedEvent,
    decider: Decider,
    trail: AuditTrail | None,
    config: RuntimeConfig,
) -> ResourceOutcome:
    decision = decider.decide(document)
    result = ResourceOutcome(
        decision=decision, live_state_not_read=needs_live_state(document), not_acted=OFFLINE_REASON
    )
    result.actions = [
        _skipped(action, document, controls, config, "dry-run", f"{OFFLINE_REASON} (would {action})")
        for action, controls in plan_actions(decision, document, decider)
    ]
    if trail is not None:
        trail.record(
            decision,
            actor=_audit_actor(parsed),
            source_ref=SourceRef(event_id=parsed.event_id, request_id=parsed.envelope_id),
            action=combined_action(result.actions),
            document=document,
        )
    return result


def _process_document(
    document: ResourceDocument,
    parsed: ParsedEvent,
    decider: Decider,
    trail: AuditTrail | None,
    clients: AwsClients,
    config: RuntimeConfig,
    mode: RuntimeMode | None,
    budget: ActionBudget,
) -> ResourceOutcome:
    scope = out_of_scope(document, parsed.account, parsed.region, clients, config)
    enriched = missing = False
    if scope is None and needs_live_state(document):
        live, state = enrich(document, clients)
        enriched, missing = state is not None, state is None
        document = live
    if scope is None:
        document = complete_keys(document, clients)
    decision = decider.decide(document)
    result = ResourceOutcome(
        decision=decision, enriched=enriched, live_state_missing=missing, not_acted=scope
    )
    plan = plan_actions(decision, document, decider)
    if plan and scope is None:
        tags = live_tags(document, clients) if needs_tags(config) else dict(document.resource.tags)
        reason = protected(document, config, tags)
        result.not_acted = reason
        for action, controls in plan:
            if reason is not None:
                result.actions.append(
                    _skipped(action, document, controls, config, mode, f"protected: {reason}")
                )
                continue
            dry_run = all(config.mode_for(c, mode) == "dry-run" for c in controls)
            if not dry_run and budget.exhausted:
                result.actions.append(
                    _skipped(action, document, controls, config, mode, f"action cap {budget.limit} reached")
                )
                continue
            ctx = RemediationContext(clients=clients, config=config, decider=decider, dry_run=dry_run)
            step = ACTIONS[action](document, controls, ctx)
            if step.outcome != "skipped":
                budget.spend()
            result.actions.append(step)
    elif plan:
        result.actions = [_skipped(a, document, c, config, mode, f"out of scope: {scope}") for a, c in plan]
    if trail is not None:
        trail.record(
            decision,
            actor=_audit_actor(parsed),
            source_ref=SourceRef(event_id=parsed.event_id, request_id=parsed.envelope_id),
            action=combined_action(result.actions),
            document=document,
        )
    if config.sns_topic_arn and decision.verdict == "deny":
        from guardrails.runtime.alerts import publish

        result.alert_message_id = publish(
            config.sns_topic_arn, decision, document.context.actor, result.actions, clients
        )
    if config.securityhub:
        _import_to_security_hub(decision, parsed, decider, clients)
    return result


def _import_to_security_hub(
    decision: Decision, parsed: ParsedEvent, decider: Decider, clients: AwsClients
) -> None:
    """Security Hub findings for the decision (owned by guardrails/securityhub.py); a failure raises
    SecurityHubError, a retryable AwsError: the platform retries the event."""
    from guardrails.securityhub import import_to_security_hub

    import_to_security_hub(
        [decision],
        clients.client("securityhub"),
        decider.bundle.catalog,
        account=parsed.account,
        region=parsed.region,
    )


def plan_actions(
    decision: Decision, document: ResourceDocument, decider: Decider
) -> list[tuple[str, list[str]]]:
    """(catalog runtime_action, the controls asking for it) for every definite, unexempted deny violation."""
    wanted: dict[str, list[str]] = {}
    for violation in decision.violations:
        if violation.enforcement != "deny" or not violation.counts or violation.unknown:
            continue
        info = decider.bundle.catalog.by_id.get(violation.control)
        action = info.runtime_action if info else None
        if isinstance(action, dict):
            action = action.get(document.resource.type)
        if action not in ACTIONS:
            continue
        controls = wanted.setdefault(action, [])
        if violation.control not in controls:
            controls.append(violation.control)
    return sorted(wanted.items(), key=lambda item: ACTION_ORDER.index(item[0]))


def combined_action(actions: list[ActionResult]) -> ActionTaken | None:
    """The audit record's one `action`: every step's kind, the worst outcome, states per step."""
    if not actions:
        return None
    outcomes = {a.outcome for a in actions}
    outcome: Literal["succeeded", "failed", "skipped"] = (
        "failed" if "failed" in outcomes else "succeeded" if "succeeded" in outcomes else "skipped"
    )
    errors = [f"{a.kind}: {a.error}" for a in actions if a.error]
    reasons = [f"{a.kind}: {a.reason}" for a in actions if a.reason]
    return ActionTaken(
        kind="+".join(a.kind for a in actions),
        mode="enforce" if any(a.mode == "enforce" for a in actions) else "dry-run",
        outcome=outcome,
        state_before={a.kind: a.state_before for a in actions if a.state_before is not None} or None,
        state_after={a.kind: a.state_after for a in actions if a.state_after is not None} or None,
        error="; ".join(errors) if errors else ("; ".join(reasons) if outcome == "skipped" else None),
    )


def _skipped(
    action: str,
    document: ResourceDocument,
    controls: list[str],
    config: RuntimeConfig,
    mode: RuntimeMode | None,
    reason: str,
) -> ActionResult:
    dry_run = all(config.mode_for(c, mode) == "dry-run" for c in controls)
    return ActionResult(
        kind=action,
        controls=controls,
        resource=document.resource.arn or document.resource.name,
        mode="dry-run" if dry_run else "enforce",
        outcome="skipped",
        reason=reason,
    )


def _audit_actor(parsed: ParsedEvent) -> AuditActor:
    if parsed.actor is not None:
        return actor_from_principal(parsed.actor.arn, parsed.actor.type, parsed.actor.name)
    return actor_from_principal(None, "AWSService", "sagemaker.amazonaws.com")


def _malformed(
    event: Any, exc: MalformedEventError, decider: Decider, trail: AuditTrail | None, mode: RuntimeMode
) -> EventOutcome:
    event_id = event.get("id") if isinstance(event, dict) and isinstance(event.get("id"), str) else None
    detail = event.get("detail") if isinstance(event, dict) else None
    ct_id = (
        detail.get("eventID") if isinstance(detail, dict) and isinstance(detail.get("eventID"), str) else None
    )
    decision = decider.error_decision(
        exc,
        resource=ResourceRef(type="AWS::Events::Event", name=event_id or ct_id or "unknown"),
        point="runtime",
        source="cloudtrail",
        subject=event if isinstance(event, dict) else {"event": repr(event)[:10000]},
    )
    if trail is not None:
        trail.record(
            decision,
            actor=actor_from_principal(None, "unknown", "unknown"),
            source_ref=SourceRef(event_id=ct_id or event_id, request_id=event_id),
        )
    return EventOutcome(
        event_id=ct_id or event_id,
        envelope_id=event_id,
        mode=mode,
        malformed=str(exc),
        error_decision=decision,
    )
