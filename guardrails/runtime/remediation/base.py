"""What every remediation shares: its context, its result, and the dry-run/idempotency contract.

Each remediation reads the current state first. Already compliant (or already stopped, deleted,
tagged) -> `skipped` with the reason, no call. In dry-run it stops there (`skipped`, "dry-run: would
..."). Otherwise it acts, re-reads the resource and returns the state before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guardrails.config import RuntimeConfig
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.errors import RemediationNotEvaluated

if TYPE_CHECKING:
    from collections.abc import Iterable

    from guardrails.decider import Decider
    from guardrails.documents import ResourceDocument
    from guardrails.engine import Finding

Outcome = Literal["succeeded", "failed", "skipped"]


class ActionResult(BaseModel):
    """One remediation step on one resource."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    """`stop-training-job`, `delete-endpoint`, `tag-resource`, `put-public-access-block`..."""
    controls: list[str] = Field(default_factory=list)
    resource: str
    mode: Literal["enforce", "dry-run"]
    outcome: Outcome
    reason: str | None = None
    """Why it was skipped (already compliant, dry-run, protected, cap reached...)."""
    error: str | None = None
    state_before: dict[str, Any] | None = None
    state_after: dict[str, Any] | None = None


@dataclass
class RemediationContext:
    clients: AwsClients
    config: RuntimeConfig
    decider: Decider
    dry_run: bool

    def failing(
        self, resource_type: str, name: str, properties: dict[str, Any], controls: Iterable[str]
    ) -> list[Finding]:
        """The findings of `controls` the policy bundle reports for a resource in this state (read live,
        or the state a remediation would put). Remediation decides whether to act, and what to change,
        from these, so a rule is never restated in Python: the Rego policy is the one copy."""
        from guardrails.engine import EngineError

        document: dict[str, Any] = {
            "resource": {"type": resource_type, "name": name, "properties": properties},
            "context": {"point": "runtime", "source": "live", "unknown": []},
        }
        related = self._key_documents(resource_type, name, properties)
        if related:
            document["related"] = related
        (findings,) = self.decider.evaluator.evaluate_many([document])
        if isinstance(findings, EngineError):
            raise RemediationNotEvaluated(f"cannot evaluate {resource_type} {name}: {findings}")
        wanted = set(controls)
        return [f for f in findings if f.control in wanted]

    def _key_documents(self, resource_type: str, name: str, properties: dict[str, Any]) -> dict[str, Any]:
        """The KMS keys `properties` name, described as the runtime reads them (S3-04 fails a key KMS says
        AWS manages, so the state read before acting and the state an action would put are judged alike);
        a transient failure raises TransientAwsError."""
        from guardrails.documents import Resource, ResourceDocument
        from guardrails.resource_kinds import KMS_KEYS
        from guardrails.runtime.enrich import reader

        if not KMS_KEYS.values(properties):
            return {}
        holder = ResourceDocument(resource=Resource(type=resource_type, name=name, properties=properties))
        return {key: doc.to_input() for key, doc in reader(self.clients).key_documents(holder).items()}

    def result(
        self, kind: str, document: ResourceDocument, controls: list[str], **fields: Any
    ) -> ActionResult:
        return ActionResult(
            kind=kind,
            controls=controls,
            resource=document.resource.arn or document.resource.name,
            mode="dry-run" if self.dry_run else "enforce",
            **fields,
        )


def kebab(operation: str) -> str:
    """`StopTrainingJob` -> `stop-training-job`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", operation).lower().replace("auto-m-l", "automl")
