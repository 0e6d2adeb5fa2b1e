"""The guardrails configuration file (YAML, validated here; JSON schema in guardrails/schemas/)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from guardrails.admission.config import AdmissionConfig
from guardrails.engine.opa_settings import OpaServerSettings
from guardrails.errors import ConfigError as ConfigError  # re-exported: its historical home
from guardrails.runtime.config import RuntimeConfig

ControlEnforcement = Literal["deny", "warn", "off"]
CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")


class Exemption(BaseModel):
    """A waiver of one control (or `*`) for resources matching a glob on ARN, name or logical id."""

    model_config = ConfigDict(extra="forbid")

    control: str
    resource: str
    reason: str = Field(min_length=1)
    ticket: str | None = None
    expires: date | None = None

    @field_validator("control")
    @classmethod
    def _control_id(cls, value: str) -> str:
        if value != "*" and not CONTROL_ID.match(value):
            raise ValueError(f"{value!r} is not a control id like SM-01 (or '*')")
        return value

    def active_on(self, today: date) -> bool:
        return self.expires is None or today <= self.expires


class EngineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["regorus", "opa-server", "opa-go"] = "regorus"
    """regorus (embedded, default); opa-server (an OPA server you run, see `opa`); opa-go (OPA in process)."""
    policy_dirs: list[Path] = Field(default_factory=list)
    """Extra policy folders (custom controls) loaded beside the bundled policies."""
    opa: OpaServerSettings = Field(default_factory=OpaServerSettings)


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sinks: list[str] = Field(default_factory=list)
    """Sink URLs every decision is recorded to: file://x.jsonl, dynamodb://table, s3://bucket/prefix."""
    store_input: bool = False
    """Also store a redacted copy of each decided input document in its record."""
    signing_key: str | None = Field(default=None, pattern=r"^(file|kms)://.+")
    """Sign every record: file://path (HMAC secret, `guardrails audit keygen`) or kms://<key id, ARN or
    alias> (KMS HMAC key). `--audit-key` overrides it; unset, the GUARDRAILS_AUDIT_KEY variable applies."""


class GuardrailsConfig(BaseModel):
    """Top-level configuration. Every section is optional; an empty file means the shipped defaults."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    controls: dict[str, ControlEnforcement] = Field(default_factory=dict)
    """Per-control enforcement overriding the catalog default."""
    unknown: Literal["inherit", "warn"] = "inherit"
    """How a control that cannot be decided (unknown value) is enforced: like a failure, or only a warning."""
    exemptions: list[Exemption] = Field(default_factory=list)
    engine: EngineConfig = Field(default_factory=EngineConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)
    admission: AdmissionConfig = Field(default_factory=AdmissionConfig)

    @field_validator("controls")
    @classmethod
    def _control_ids(cls, value: dict[str, ControlEnforcement]) -> dict[str, ControlEnforcement]:
        for key in value:
            if not CONTROL_ID.match(key):
                raise ValueError(f"{key!r} is not a control id like SM-01")
        return value


def load_config(path: Path | None) -> GuardrailsConfig:
    """Read and validate a config file; None gives the defaults."""
    if path is None:
        return GuardrailsConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    return parse_config(text, str(path), path.parent)


def parse_config(text: str, path: str, base: Path) -> GuardrailsConfig:
    """Validate config text read from `path` (a file, SSM parameter or S3 object, named in errors);
    relative `engine.policy_dirs` are resolved against `base`."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping, got {type(data).__name__}")
    try:
        config = GuardrailsConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: invalid config: {problems}") from exc
    config.engine.policy_dirs = [p if p.is_absolute() else base / p for p in config.engine.policy_dirs]
    ca_bundle = config.engine.opa.ca_bundle
    if ca_bundle is not None and not ca_bundle.is_absolute():
        config.engine.opa.ca_bundle = base / ca_bundle
    return config


def config_json_schema() -> str:
    return json.dumps(GuardrailsConfig.model_json_schema(), indent=2, sort_keys=True) + "\n"
