"""`RuntimeService`: what the Lambda handler and `guardrails handle-event` build once and share.

Both entry points call `RuntimeService.handle`, so the command line runs exactly the Lambda code path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.config import RuntimeConfig, RuntimeMode
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
