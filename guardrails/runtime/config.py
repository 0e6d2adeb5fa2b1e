"""`RuntimeConfig`: how the runtime enforcement point acts (the `runtime:` section of the config file)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RuntimeMode = Literal["dry-run", "enforce"]
PROTECTED_TAG = ("guardrails:protected", "true")
VIOLATION_TAG = "guardrails:violation"


class RuntimeConfig(BaseModel):
    """Modes, remediation settings and safety rails of the EventBridge handler and `handle-event`."""

    model_config = ConfigDict(extra="forbid")

    mode: RuntimeMode = "dry-run"
    """`dry-run` (default) decides, audits and reports what it would do; `enforce` remediates."""
    controls: dict[str, RuntimeMode] = Field(default_factory=dict)
    """Per-control mode overriding `mode` (e.g. enforce S3-01 only while the rest stays dry-run)."""
    kms_key_id: str | None = None
    """KMS key (id, ARN or alias) for S3-04 default encryption; without it S3-04 is not remediated."""
    sns_topic_arn: str | None = None
    """When set, one message per `deny` decision is published to this topic."""
    protected_arns: list[str] = Field(default_factory=list)
    """ARN globs never acted on."""
    protected_tags: dict[str, str] = Field(default_factory=lambda: dict([PROTECTED_TAG]))
    """Tags (key -> value, `*` for any value) that protect a resource; the guardrail's own by default."""
    protected_name_prefix: str | None = "guardrails-"
    """Resources whose name starts with this prefix (the guardrail's own stack) are never acted on."""
    max_actions: int = Field(default=10, ge=0)
    """Cap on remediation actions per invocation; further actions are skipped and reported."""
    delete_notebooks: bool = False
    """Delete (not only stop) a noncompliant notebook instance once it is stopped."""
    account_id: str | None = None
    """The account the handler acts in; by default asked once from STS."""
    securityhub: bool = False
    """Import each decision into Security Hub as ASFF findings, resolving them when fixed
    (guardrails/securityhub.py); needs securityhub:BatchImportFindings and securityhub:GetFindings."""

    @field_validator("controls")
    @classmethod
    def _control_ids(cls, value: dict[str, RuntimeMode]) -> dict[str, RuntimeMode]:
        from guardrails.config import CONTROL_ID

        for key in value:
            if not CONTROL_ID.match(key):
                raise ValueError(f"{key!r} is not a control id like SM-01")
        return value

    def mode_for(self, control: str, override: RuntimeMode | None = None) -> RuntimeMode:
        """The mode one control acts in: a command-line `override` wins, then `controls`, then `mode`."""
        if override is not None:
            return override
        return self.controls.get(control, self.mode)
