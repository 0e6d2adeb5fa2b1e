"""The guardrails configuration file (YAML, validated here; JSON schema in guardrails/schemas/).

Every section is defined here: `controls`, `unknown`, `exemptions`, `engine` (its `opa:` settings in
guardrails/engine/opa_settings.py), `audit`, `runtime` and `admission`. The models are built on first
validation (`defer_build`): a run without a config file takes the defaults without building any
validator, while a config file is always validated whole, whichever enforcement point reads it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from guardrails.engine.opa_settings import OpaServerSettings
from guardrails.errors import ConfigError as ConfigError  # re-exported: its historical home

ControlEnforcement = Literal["deny", "warn", "off"]
RuntimeMode = Literal["dry-run", "enforce"]
CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
PROTECTED_TAG = ("guardrails:protected", "true")
"""The tag the README's SCP example reserves; honoured only when named in `runtime.protect.trusted_tags`."""
DEFAULT_PAYLOAD_TIMEOUT_SECONDS = 10.0
DEFAULT_PAYLOAD_MAX_BYTES = 10 * 1024 * 1024
_HOST_PATTERN = re.compile(
    r"^(?=.{1,253}\.?$)(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)*(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.?$"
)
_IPV4 = re.compile(r"^[0-9.]+$")
_SECTION = ConfigDict(extra="forbid", defer_build=True)


def _check_control_ids(value: dict[str, Any]) -> None:
    for key in value:
        if not CONTROL_ID.match(key):
            raise ValueError(f"{key!r} is not a control id like SM-01")


# --- exemptions --------------------------------------------------------------------------------------


class Exemption(BaseModel):
    """A waiver of one control (or `*`) for resources matching a glob on ARN, name or logical id."""

    model_config = _SECTION

    control: str = Field(description="The control id waived (e.g. `SM-05`), or `*` for every control.")
    resource: str = Field(
        description="Glob (`*`, `?`, `[...]`) matched against the resource's ARN, its name and its template "
        "logical id; the exemption applies when any of them matches."
    )
    reason: str = Field(
        min_length=1,
        description="Why the waiver is acceptable (required); copied into every decision and audit record "
        "it covers.",
    )
    ticket: str | None = Field(
        default=None, description="Reference of the approval (change or risk ticket), copied like `reason`."
    )
    expires: date | None = Field(
        default=None,
        description="Last day (inclusive, UTC) the exemption applies; from the next day on the violation "
        "counts again. Unset: no expiry.",
    )

    @field_validator("control")
    @classmethod
    def _control_id(cls, value: str) -> str:
        if value != "*" and not CONTROL_ID.match(value):
            raise ValueError(f"{value!r} is not a control id like SM-01 (or '*')")
        return value

    def active_on(self, today: date) -> bool:
        return self.expires is None or today <= self.expires


# --- engine and audit --------------------------------------------------------------------------------


class EngineConfig(BaseModel):
    """Which policy engine decides, and which policies it loads."""

    model_config = _SECTION

    backend: Literal["regorus", "opa-server", "opa-go"] = Field(
        default="regorus",
        description="`regorus` (embedded Rust engine, the default); `opa-server` (an OPA server you run, "
        "see `opa`); `opa-go` (the OPA Go engine in process, from the separately installed "
        "`opa-golib-python-bindings`).",
    )
    policy_dirs: list[Path] = Field(
        default_factory=list,
        description="Extra folders of Rego policies (custom controls) loaded beside the bundled policies; "
        "relative paths are resolved against the config file's folder.",
    )
    opa: OpaServerSettings = Field(
        default_factory=lambda: OpaServerSettings.model_construct(),
        description="Settings of the `opa-server` backend (URL, token, TLS, timeouts); ignored by the "
        "other backends.",
    )


class AuditConfig(BaseModel):
    """Where every decision is recorded, and how records are signed."""

    model_config = _SECTION

    sinks: list[str] = Field(
        default_factory=list,
        description="Sink URLs every decision is recorded to: `file://x.jsonl`, `dynamodb://table`, "
        "`s3://bucket/prefix`. `guardrails check --audit` adds sinks for one run.",
    )
    store_input: bool = Field(
        default=False,
        description="Also store a redacted copy of each decided input document in its record "
        "(needed by `guardrails audit replay`).",
    )
    signing_key: str | None = Field(
        default=None,
        pattern=r"^(file|kms)://.+",
        description="Sign every record: `file://path` (HMAC secret, `guardrails audit keygen`) or "
        "`kms://<key id, ARN or alias>` (KMS HMAC key). `--audit-key` overrides it; unset, the "
        "GUARDRAILS_AUDIT_KEY variable applies.",
    )


# --- runtime -----------------------------------------------------------------------------------------


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

    model_config = _SECTION

    arns: list[str] = Field(
        default_factory=list, description="ARN globs (matched against the ARN and the name) never acted on."
    )
    name_prefixes: list[str] = Field(
        default_factory=list,
        description="Resources whose name starts with one of these are never acted on (none by default: a "
        "default prefix would let anyone exempt a resource by naming it).",
    )
    trusted_tags: dict[str, str] = Field(
        default_factory=dict,
        description="Tags (key -> value, `*` for any value) honoured as protection. None by default: whoever "
        "creates a resource can tag it, so a tag protects only when a service control policy lets nobody but "
        "an administrator role set it (README, runtime protection).",
    )

    @field_validator("name_prefixes")
    @classmethod
    def _no_empty_prefix(cls, value: list[str]) -> list[str]:
        if any(not prefix for prefix in value):
            raise ValueError("an empty name prefix would protect every resource")
        return value


class RuntimeConfig(BaseModel):
    """Modes, remediation settings and safety rails of the EventBridge handler and `handle-event`."""

    model_config = _SECTION

    mode: RuntimeMode = Field(
        default="dry-run",
        description="`dry-run` (default) decides, audits and reports what it would do; `enforce` remediates.",
    )
    controls: dict[str, RuntimeMode] = Field(
        default_factory=dict,
        description="Per-control mode overriding `mode` (e.g. enforce S3-01 only while the rest stays "
        "dry-run).",
    )
    kms_key_id: str | None = Field(
        default=None,
        description="KMS key (id, ARN or alias) for S3-04 default encryption; without it S3-04 is not "
        "remediated.",
    )
    sns_topic_arn: str | None = Field(
        default=None, description="When set, one message per `deny` decision is published to this topic."
    )
    protect: ProtectConfig = Field(
        default_factory=lambda: ProtectConfig.model_construct(),
        description="What is never acted on: configured ARNs, name prefixes and trusted tags only.",
    )
    max_actions: int = Field(
        default=10,
        ge=0,
        description="Cap on remediation actions per invocation; further actions are skipped and reported.",
    )
    delete_notebooks: bool = Field(
        default=False,
        description="Delete (not only stop) a noncompliant notebook instance once it is stopped.",
    )
    account_id: str | None = Field(
        default=None, description="The account the handler acts in; by default asked once from STS."
    )
    securityhub: bool = Field(
        default=False,
        description="Import each decision into Security Hub as ASFF findings, resolving them when fixed; "
        "needs securityhub:BatchImportFindings and securityhub:GetFindings.",
    )

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
        _check_control_ids(value)
        return value

    def mode_for(self, control: str, override: RuntimeMode | None = None) -> RuntimeMode:
        """The mode one control acts in: a command-line `override` wins, then `controls`, then `mode`."""
        if override is not None:
            return override
        return self.controls.get(control, self.mode)


# --- admission ---------------------------------------------------------------------------------------


class AdmissionConfig(BaseModel):
    """How the CloudFormation Lambda Hook and the boto3 hook behave when they cannot simply decide.

    ```yaml
    admission:
      fail_open: false                  # infrastructure failures block (default); true: pass with a warning
      fail_open_on_audit_outage: false  # with fail_open: an audit sink outage passes too (decisions logged)
      describe_related_resources: true  # Describe* what a payload only names (EndpointConfig -> Model)
      payload_timeout_seconds: 10       # the whole stack/change-set payload download (presigned S3 URL)
      payload_max_bytes: 10485760
      payload_hosts: ["*.s3.eu-west-1.vpce.amazonaws.com"]  # default: the S3 endpoints of AWS partitions
    ```
    """

    model_config = _SECTION

    fail_open: bool = Field(
        default=False,
        description="An infrastructure failure (payload download, deadline, policy-server outage) lets the "
        "operation proceed (SUCCESS with a warning annotation, or a logged warning in the boto3 hook) "
        "instead of blocking it. Deny verdicts, and errors caused by the request's own content (a template "
        "or request that cannot be judged), always block.",
    )
    fail_open_on_audit_outage: bool = Field(
        default=False,
        description="With `fail_open`: an audit sink that cannot store the decisions no longer blocks an "
        "allowed operation; the records are written to the log (CloudWatch Logs in the Lambda) instead. Off: "
        "no record, no pass.",
    )
    describe_related_resources: bool = Field(
        default=False,
        description="Resolve what a payload only references (an Endpoint's EndpointConfig, an "
        "EndpointConfig's Models, the bucket behind a BucketPolicy) with Describe*/Get* calls. Off: those "
        "values stay unknown (fail closed).",
    )
    payload_timeout_seconds: float = Field(
        default=DEFAULT_PAYLOAD_TIMEOUT_SECONDS,
        gt=0,
        le=25,
        description="Timeout of the stack/change-set payload download; hooks wait at most 30 s for the "
        "whole answer.",
    )
    payload_max_bytes: int = Field(
        default=DEFAULT_PAYLOAD_MAX_BYTES,
        gt=0,
        description="Largest stack/change-set payload accepted (bigger is an input error).",
    )
    payload_hosts: list[str] | None = Field(
        default=None,
        description="Hosts payload URLs may point to: exact names or `*.domain`. Default (unset): the S3 "
        "endpoints of every AWS partition (`bucket.s3.<region>.amazonaws.com`, `...amazonaws.com.cn`, ...). "
        "Always https, port 443, public addresses only.",
    )

    @field_validator("payload_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for pattern in value:
            name = pattern[2:] if pattern.startswith("*.") else pattern
            if not _HOST_PATTERN.match(name) or "*" in name:
                raise ValueError(f"{pattern!r} is not a host name or *.domain")
            if _IPV4.match(name):
                raise ValueError(f"{pattern!r} is an IP address: payload hosts are DNS names")
        return [p.lower().rstrip(".") for p in value]


# --- the file ----------------------------------------------------------------------------------------


class GuardrailsConfig(BaseModel):
    """Top-level configuration. Every section is optional; an empty file means the shipped defaults."""

    model_config = _SECTION

    version: Literal[1] = Field(default=1, description="Format version of this file; only `1` exists.")
    controls: dict[str, ControlEnforcement] = Field(
        default_factory=dict,
        description="Enforcement per control id (`deny`, `warn` or `off`), overriding the catalog default. "
        'Quote `"off"`: YAML reads a bare off as false.',
    )
    unknown: Literal["inherit", "warn"] = Field(
        default="inherit",
        description="How a control that cannot be decided (a value unknown before deploy) is enforced: "
        "`inherit` like a failure of that control (fail closed), `warn` only as a warning.",
    )
    exemptions: list[Exemption] = Field(
        default_factory=list,
        description="Waivers of a control for matching resources; exempted violations stay in reports and "
        "the audit trail, marked, but no longer decide the verdict.",
    )
    engine: EngineConfig = Field(
        default_factory=lambda: EngineConfig.model_construct(),
        description="The policy engine and extra policy folders.",
    )
    audit: AuditConfig = Field(
        default_factory=lambda: AuditConfig.model_construct(),
        description="Audit sinks, stored inputs and record signing.",
    )
    runtime: RuntimeConfig = Field(
        default_factory=lambda: RuntimeConfig.model_construct(),
        description="The runtime enforcement point (EventBridge handler, `handle-event`): modes, remediation "
        "and protection.",
    )
    admission: AdmissionConfig = Field(
        default_factory=lambda: AdmissionConfig.model_construct(),
        description="The admission enforcement points (CloudFormation Lambda Hook, boto3 hook): failure "
        "handling and payload limits.",
    )

    @field_validator("controls")
    @classmethod
    def _control_ids(cls, value: dict[str, ControlEnforcement]) -> dict[str, ControlEnforcement]:
        _check_control_ids(value)
        return value


def default_config() -> GuardrailsConfig:
    """The shipped defaults (what an empty file means), built without running any validator: default
    values are the models' own constants, so there is nothing to check."""
    return GuardrailsConfig.model_construct()


def admission_config(config: AdmissionConfig | GuardrailsConfig | None) -> AdmissionConfig:
    """The admission settings of `config`: an AdmissionConfig itself, the `admission` section of a
    GuardrailsConfig, or the defaults for None."""
    if isinstance(config, AdmissionConfig):
        return config
    if isinstance(config, GuardrailsConfig):
        return config.admission
    return AdmissionConfig.model_construct()


def load_config(path: Path | None) -> GuardrailsConfig:
    """Read and validate a config file; None gives the defaults."""
    if path is None:
        return default_config()
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
