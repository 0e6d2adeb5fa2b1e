"""`RuntimeConfig`: how the runtime enforcement point acts (the `runtime:` section of the config file)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RuntimeMode = Literal["dry-run", "enforce"]
PROTECTED_TAG = ("guardrails:protected", "true")
"""The tag the README's SCP example reserves; honoured only when named in `protect.trusted_tags`."""
VIOLATION_TAG = "guardrails:violation"


class ProtectConfig(BaseModel):
    """Resources remediation never touches (the decision is still a deny, audited and alerted).

    ```yaml
    runtime:
      protect:
        arns: ["arn:aws:s3:::acme-audit-*"]     # globs on ARN or name
        name_prefixes: ["acme-guardrails-"]    # the guardrail's own stack
        trusted_tags: {"guardrails:protected": "true"}  # only with an SCP that stops others setting it
    ```
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    arns: list[str] = Field(default_factory=list)
    """ARN globs (matched against the ARN and the name) never acted on."""
    name_prefixes: list[str] = Field(default_factory=list)
    """Resources whose name starts with one of these are never acted on (none by default: a default
    prefix would let anyone exempt a resource by naming it)."""
    trusted_tags: dict[str, str] = Field(default_factory=dict)
    """Tags (key -> value, `*` for any value) honoured as protection. None by default: whoever creates a
    resource can tag it, so a tag protects only when a service control policy lets nobody but an
    administrator role set it (README, runtime protection)."""

    @field_validator("name_prefixes")
    @classmethod
    def _no_empty_prefix(cls, value: list[str]) -> list[str]:
        if any(not prefix for prefix in value):
            raise ValueError("an empty name prefix would protect every resource")
        return value


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
    protect: ProtectConfig = Field(default_factory=ProtectConfig)
    """What is never acted on: configured ARNs, name prefixes and trusted tags only."""
    max_actions: int = Field(default=10, ge=0)
    """Cap on remediation actions per invocation; further actions are skipped and reported."""
    delete_notebooks: bool = False
    """Delete (not only stop) a noncompliant notebook instance once it is stopped."""
    account_id: str | None = None
    """The account the handler acts in; by default asked once from STS."""
    securityhub: bool = False
    """Import each decision into Security Hub as ASFF findings, resolving them when fixed
    (guardrails/securityhub.py); needs securityhub:BatchImportFindings and securityhub:GetFindings."""

    @model_validator(mode="before")
    @classmethod
    def _moved_protection_keys(cls, data: Any) -> Any:
        """`protected_arns` / `protected_name_prefix` moved under `protect:`; `protected_tags` is refused
        (it protected by a tag anyone could set)."""
        if not isinstance(data, dict):
            return data
        if "protected_tags" in data:
            raise ValueError(
                "runtime.protected_tags is no longer honoured: a tag whoever creates a resource can set "
                "cannot exempt it from remediation. Name the tag in runtime.protect.trusted_tags once a "
                "service control policy stops ordinary principals from setting it "
                "(README: runtime protection)"
            )
        data = dict(data)
        protect = dict(data.get("protect") or {})
        if "protected_arns" in data:
            protect.setdefault("arns", data.pop("protected_arns"))
        if "protected_name_prefix" in data:
            prefix = data.pop("protected_name_prefix")
            protect.setdefault("name_prefixes", [prefix] if prefix else [])
        if protect:
            data["protect"] = protect
        return data

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
