"""`RuntimeService`: what the Lambda handler and `guardrails handle-event` build once and share.

Both entry points call `RuntimeService.handle`, so the command line runs exactly the Lambda code path.
`handle_deployed_event` is what `lambdas/events.py` wires to Powertools. Its environment:
`GUARDRAILS_CONFIG` (config source: file, `ssm:<name>` or `s3://bucket/key`, re-read every
`GUARDRAILS_CONFIG_MAX_AGE` seconds; see guardrails/config_source.py), `GUARDRAILS_ALERT_TOPIC_ARN` (SNS
topic used when the config sets none), `GUARDRAILS_AUDIT_SINKS` (comma-separated sink URLs; the
CloudWatch Logs sink is always added in Lambda), `GUARDRAILS_MODE` (`dry-run`/`enforce`, overrides the
config), `GUARDRAILS_REMEDIATION_ROLE_NAME` (central deployment: the role assumed in each event's member
account, see guardrails/cross_account.py). Malformed, failed-call and unwatched events are acknowledged;
a transient AWS error or an audit failure raises so EventBridge retries and the DLQ finally receives
the event.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from guardrails.config import RuntimeConfig, RuntimeMode
from guardrails.config_source import ENV_AUDIT_SINKS, PerConfigVersion, env_list
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.processor import EventOutcome, process_event


@dataclass
class RuntimeService:
    decider: Any
    trail: Any
    clients: AwsClients
    config: RuntimeConfig

    @classmethod
    def from_config(
        cls,
        config: Any = None,
        *,
        sinks: Sequence[str] = (),
        endpoint_url: str | None = None,
        region: str | None = None,
        cloudwatch: bool | None = None,
        runtime: RuntimeConfig | None = None,
    ) -> RuntimeService:
        """Build from a GuardrailsConfig (and its `runtime` section); audit to its sinks + `sinks`."""
        from guardrails.audit import AuditTrail
        from guardrails.config import default_config
        from guardrails.decider import Decider

        config = config or default_config()
        runtime = runtime or getattr(config, "runtime", None) or RuntimeConfig()
        urls = [*config.audit.sinks, *sinks]
        key = config.audit.signing_key
        trail = None
        if urls or cloudwatch:
            trail = AuditTrail.from_urls(urls, cloudwatch=cloudwatch, signing_key=key)
        if trail is None and cloudwatch is None:
            from guardrails.audit.trail import in_lambda

            trail = AuditTrail.from_urls([], signing_key=key) if in_lambda() else None
        return cls(
            decider=Decider(config),
            trail=trail,
            clients=AwsClients(region=region, endpoint_url=endpoint_url),
            config=runtime,
        )

    def handle(
        self,
        event: Any,
        *,
        mode: RuntimeMode | None = None,
        file: str | None = None,
        offline: bool = False,
    ) -> EventOutcome:
        return process_event(
            event,
            decider=self.decider,
            trail=self.trail,
            clients=self.clients,
            config=self.config,
            mode=mode,
            file=file,
            offline=offline,
        )


def outcome_json(outcome: EventOutcome) -> dict[str, Any]:
    """The outcome as JSON: event identity, skip reason, and per resource its decision and actions."""
    return outcome.model_dump(mode="json", exclude_none=True)


# ------------------------------------------------------------------------------------------ deployed

ENV_MODE = "GUARDRAILS_MODE"


def _deployed(config: Any) -> RuntimeService:
    return RuntimeService.from_config(config, sinks=env_list(ENV_AUDIT_SINKS))


SERVICE: PerConfigVersion[RuntimeService] = PerConfigVersion(_deployed)
"""The container's runtime service (one Decider, one audit trail)."""


class _MemberAccountsOnce:
    """`MemberAccounts.from_environment()`, read once per container (None: a single-account deployment)."""

    def __init__(self) -> None:
        self._read = False
        self._members: Any = None

    def get(self) -> Any:
        if not self._read:
            from guardrails.cross_account import MemberAccounts

            self._members, self._read = MemberAccounts.from_environment(), True
        return self._members

    def reset(self) -> None:
        self._read, self._members = False, None


MEMBERS = _MemberAccountsOnce()


def service_for(event: Any, logger: Any = None) -> RuntimeService:
    """The shared service, acting in the event's member account when GUARDRAILS_REMEDIATION_ROLE_NAME
    names the organisation's remediation role (central deployment, deploy/member.yaml)."""
    service = SERVICE.get(logger)
    members = MEMBERS.get()
    account = event.get("account") if isinstance(event, dict) else None
    if members is None or not isinstance(account, str) or not account:
        return service
    region = event.get("region") if isinstance(event.get("region"), str) else None
    return replace(service, clients=members.clients(account, region))


def handle_deployed_event(event: Any, logger: Any = None) -> EventOutcome:
    """One EventBridge event, handled by the deployment's service in the event's account."""
    mode = os.environ.get(ENV_MODE) or None
    return service_for(event, logger).handle(event, mode=mode)  # type: ignore[arg-type]


def outcome_metrics(outcome: EventOutcome) -> list[tuple[str, str | None]]:
    """The metrics an outcome counts, as (name, control or None): skipped and malformed events,
    decisions, violations, remediations and failed remediations by control."""
    counts: list[tuple[str, str | None]] = []
    if outcome.skipped is not None:
        counts.append(("SkippedEvents", None))
    if outcome.malformed:
        counts.append(("MalformedEvents", None))
    for result in outcome.resources:
        counts.append(("Decisions", None))
        counts.extend(("Violations", v.control) for v in result.decision.violations)
        for action in result.actions:
            name = {"succeeded": "Remediations", "failed": "RemediationErrors"}.get(action.outcome)
            if name is not None:
                counts.extend((name, control) for control in action.controls)
    return counts


def outcome_summary(result: dict[str, Any]) -> dict[str, Any]:
    """The outcome JSON in brief (one log line): event, skip reason, each decision's verdict and actions."""
    return {
        "event_id": result.get("event_id"),
        "skipped": (result.get("skipped") or {}).get("reason"),
        "malformed": result.get("malformed"),
        "decisions": [
            {
                "decision_id": r["decision"]["decision_id"],
                "resource": r["decision"]["resource"].get("arn") or r["decision"]["resource"]["name"],
                "verdict": r["decision"]["verdict"],
                "actions": [f"{a['kind']}:{a['outcome']}" for a in r.get("actions", [])],
            }
            for r in result.get("resources", [])
        ],
    }
