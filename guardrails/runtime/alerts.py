"""SNS alerting: one message per `deny` decision when a topic is configured."""

from __future__ import annotations

import json
from typing import Any

from guardrails.decision import Decision
from guardrails.documents import Actor
from guardrails.json_data import json_data
from guardrails.runtime.clients import AwsClients, call
from guardrails.runtime.remediation.base import ActionResult


def alert_message(decision: Decision, actor: Actor | None, actions: list[ActionResult]) -> dict[str, Any]:
    denied = sorted({v.control for v in decision.violations if v.counts and v.enforcement == "deny"})
    return {
        "decision_id": decision.decision_id,
        "verdict": decision.verdict,
        "controls": denied,
        "resource": json_data(decision.resource),
        "actor": json_data(actor) if actor else None,
        "actions": [
            {"kind": a.kind, "mode": a.mode, "outcome": a.outcome, "reason": a.reason, "error": a.error}
            for a in actions
        ],
    }


def publish(
    topic_arn: str, decision: Decision, actor: Actor | None, actions: list[ActionResult], clients: AwsClients
) -> str:
    """Publish the alert; returns the SNS message id. Failures raise (the event is retried)."""
    message = alert_message(decision, actor, actions)
    subject = f"guardrails deny: {', '.join(message['controls'])} on {decision.resource.name}"[:100]
    response = call(
        clients.client("sns"),
        "Publish",
        TopicArn=topic_arn,
        Subject=subject,
        Message=json.dumps(message, sort_keys=True),
        MessageAttributes={
            "verdict": {"DataType": "String", "StringValue": decision.verdict},
            "resource_type": {"DataType": "String", "StringValue": decision.resource.type},
        },
    )
    return str(response.get("MessageId", ""))
