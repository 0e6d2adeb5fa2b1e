"""The guardrails configuration file (YAML, validated here; JSON schema in guardrails/schemas/).

Every section is defined here: `controls`, `unknown`, `exemptions`, `engine` (its `opa:` settings in
guardrails/engine/opa_settings.py), `audit`, `runtime` and `admission`. The sections are plain
dataclasses (guardrails/config_section.py): a run without a config file takes the defaults without
importing pydantic, while a config file is always validated whole by pydantic (`parse_config`), whichever
enforcement point reads it. Checks beyond types and constraints are each section's `field_checks` and
`migrate`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from guardrails.config_section import ConfigSection
from guardrails.config_section import given_fields as given_fields  # re-exported: how callers validate
from guardrails.config_section import validated as validated  # a section and read what a file set
from guardrails.engine.opa_settings import OpaServerSettings
from guardrails.errors import ConfigError as ConfigError  # re-exported: its historical home

ControlEnforcement = Literal["deny", "warn", "off"]
RuntimeMode = Literal["dry-run", "enforce"]
CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
PROTECTED_TAG = ("guardrails:protected", "true")
"""The tag the README's SCP example reserves; honoured only when named in `runtime.protect.trusted_tags`."""
DEFAULT_PAYLOAD_TIMEOUT_SECONDS = 10.0
DEFAULT_PAYLOAD_MAX_BYTES = 10 * 1024 * 1024
_HOST_PATTERN = r"^(?=.{1,253}\.?$)(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)*(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.?$"
"""Compiled when a config names payload hosts (re caches it): ~1 M instructions every run otherwise."""
_IPV4 = r"^[0-9.]+$"


def _check_control_ids(value: dict[str, Any]) -> dict[str, Any]:
    for key in value:
        if not CONTROL_ID.match(key):
            raise ValueError(f"{key!r} is not a control id like SM-01")
    return value


def _check_exemption_control(value: str) -> str:
    if value != "*" and not CONTROL_ID.match(value):
        raise ValueError(f"{value!r} is not a control id like SM-01 (or '*')")
    return value


def _check_name_prefixes(value: list[str]) -> list[str]:
    if any(not prefix for prefix in value):
        raise ValueError("an empty name prefix would protect every resource")
    return value


def _check_payload_hosts(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    for pattern in value:
        name = pattern[2:] if pattern.startswith("*.") else pattern
        if not re.match(_HOST_PATTERN, name) or "*" in name:
            raise ValueError(f"{pattern!r} is not a host name or *.domain")
        if re.match(_IPV4, name):
            raise ValueError(f"{pattern!r} is an IP address: payload hosts are DNS names")
    return [p.lower().rstrip(".") for p in value]


# --- exemptions --------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Exemption(ConfigSection):
    """A waiver of one control (or `*`) for resources matching a glob on ARN, name or logical id."""

    control: str = field(
        metadata={"description": "The control id waived (e.g. `SM-05`), or `*` for every control."}
    )
    resource: str = field(
        metadata={
            "description": "Glob (`*`, `?`, `[...]`) matched against the resource's ARN, its name and its "
            "template logical id; the exemption applies when any of them matches."
        }
    )
    reason: str = field(
        metadata={
            "min_length": 1,
            "description": "Why the waiver is acceptable (required); copied into every decision and audit "
            "record it covers.",
        }
    )
    ticket: str | None = field(
        default=None,
        metadata={"description": "Reference of the approval (change or risk ticket), copied like `reason`."},
    )
    expires: date | None = field(
        default=None,
        metadata={
            "description": "Last day (inclusive, UTC) the exemption applies; from the next day on the "
            "violation counts again. Unset: no expiry."
        },
    )

    field_checks = {"control": _check_exemption_control}

    def active_on(self, today: date) -> bool:
        return self.expires is None or today <= self.expires


# --- engine and audit --------------------------------------------------------------------------------


@dataclass(kw_only=True)
class EngineConfig(ConfigSection):
    """Which policy engine decides, and which policies it loads."""

    backend: Literal["regorus", "opa-server", "opa-go"] = field(
        default="regorus",
        metadata={
            "description": "`regorus` (embedded Rust engine, the default); `opa-server` (an OPA server you "
            "run, see `opa`); `opa-go` (the OPA Go engine in process, from the separately installed "
            "`opa-golib-python-bindings`)."
        },
    )
    policy_dirs: list[Path] = field(
        default_factory=list,
        metadata={
            "description": "Extra folders of Rego policies (custom controls) loaded beside the bundled "
            "policies; relative paths are resolved against the config file's folder."
        },
    )
    opa: OpaServerSettings = field(
        default_factory=OpaServerSettings,
        metadata={
            "description": "Settings of the `opa-server` backend (URL, token, TLS, timeouts); ignored by "
            "the other backends."
        },
    )


@dataclass(kw_only=True)
class AuditConfig(ConfigSection):
    """Where every decision is recorded, and how records are signed."""

    sinks: list[str] = field(
        default_factory=list,
        metadata={
            "description": "Sink URLs every decision is recorded to: `file://x.jsonl`, `dynamodb://table`, "
            "`s3://bucket/prefix`. `guardrails check --audit` adds sinks for one run."
        },
    )
    store_input: bool = field(
        default=False,
        metadata={
            "description": "Also store a redacted copy of each decided input document in its record (needed "
            "by `guardrails audit replay`)."
        },
    )
    signing_key: str | None = field(
        default=None,
        metadata={
            "pattern": r"^(file|kms)://.+",
            "description": "Sign every record: `file://path` (HMAC secret, `guardrails audit keygen`) or "
            "`kms://<key id, ARN or alias>` (KMS HMAC key). `--audit-key` overrides it; unset, the "
            "GUARDRAILS_AUDIT_KEY variable applies.",
        },
    )


# --- runtime -----------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class ProtectConfig(ConfigSection):
    """Resources remediation never touches (the decision is still a deny, audited and alerted).

    ```yaml
    runtime:
      protect:
        arns: ["arn:aws:s3:::acme-audit-*"]     # globs on ARN or name
        name_prefixes: ["acme-guardrails-"]    # the guardrail's own stack
        trusted_tags: {"guardrails:protected": "true"}  # only with an SCP that stops others setting it
    ```
    """

    arns: list[str] = field(
        default_factory=list,
        metadata={"description": "ARN globs (matched against the ARN and the name) never acted on."},
    )
    name_prefixes: list[str] = field(
        default_factory=list,
        metadata={
            "description": "Resources whose name starts with one of these are never acted on (none by "
            "default: a default prefix would let anyone exempt a resource by naming it)."
        },
    )
    trusted_tags: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "description": "Tags (key -> value, `*` for any value) honoured as protection. None by default: "
            "whoever creates a resource can tag it, so a tag protects only when a service control policy "
            "lets nobody but an administrator role set it (README, runtime protection)."
        },
    )

    field_checks = {"name_prefixes": _check_name_prefixes}


@dataclass(kw_only=True)
class RuntimeConfig(ConfigSection):
    """Modes, remediation settings and safety rails of the EventBridge handler and `handle-event`."""

    mode: RuntimeMode = field(
        default="dry-run",
        metadata={
            "description": "`dry-run` (default) decides, audits and reports what it would do; `enforce` "
            "remediates."
        },
    )
    controls: dict[str, RuntimeMode] = field(
        default_factory=dict,
        metadata={
            "description": "Per-control mode overriding `mode` (e.g. enforce S3-01 only while the rest "
            "stays dry-run)."
        },
    )
    kms_key_id: str | None = field(
        default=None,
        metadata={
            "description": "KMS key (id, ARN or alias) for S3-04 default encryption; without it S3-04 is "
            "not remediated."
        },
    )
    sns_topic_arn: str | None = field(
        default=None,
        metadata={"description": "When set, one message per `deny` decision is published to this topic."},
    )
    protect: ProtectConfig = field(
        default_factory=ProtectConfig,
        metadata={
            "description": "What is never acted on: configured ARNs, name prefixes and trusted tags only."
        },
    )
    max_actions: int = field(
        default=10,
        metadata={
            "ge": 0,
            "description": "Cap on remediation actions per invocation; further actions are skipped and "
            "reported.",
        },
    )
    delete_notebooks: bool = field(
        default=False,
        metadata={
            "description": "Delete (not only stop) a noncompliant notebook instance once it is stopped."
        },
    )
    account_id: str | None = field(
        default=None,
        metadata={"description": "The account the handler acts in; by default asked once from STS."},
    )
    securityhub: bool = field(
        default=False,
        metadata={
            "description": "Import each decision into Security Hub as ASFF findings, resolving them when "
            "fixed; needs securityhub:BatchImportFindings and securityhub:GetFindings."
        },
    )

    field_checks = {"controls": _check_control_ids}

    @classmethod
    def migrate(cls, data: dict[str, Any]) -> dict[str, Any]:
        """`protected_arns` / `protected_name_prefix` moved under `protect:`; `protected_tags` is refused
        (it protected by a tag anyone could set)."""
        if "protected_tags" in data:
            raise ValueError(
                "runtime.protected_tags is no longer honoured: a tag whoever creates a resource can set "
                "cannot exempt it from remediation. Name the tag in runtime.protect.trusted_tags once a "
                "service control policy stops ordinary principals from setting it "
                "(README: runtime protection)"
            )
        protect = data.get("protect") or {}
        if not isinstance(protect, dict):
            return data  # reported by the validation of `protect`
        data, protect = dict(data), dict(protect)
        if "protected_arns" in data:
            protect.setdefault("arns", data.pop("protected_arns"))
        if "protected_name_prefix" in data:
            prefix = data.pop("protected_name_prefix")
            protect.setdefault("name_prefixes", [prefix] if prefix else [])
        if protect:
            data["protect"] = protect
        return data

    def mode_for(self, control: str, override: RuntimeMode | None = None) -> RuntimeMode:
        """The mode one control acts in: a command-line `override` wins, then `controls`, then `mode`."""
        if override is not None:
            return override
        return self.controls.get(control, self.mode)


# --- admission ---------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class AdmissionConfig(ConfigSection):
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

    fail_open: bool = field(
        default=False,
        metadata={
            "description": "An infrastructure failure (payload download, deadline, policy-server outage) "
            "lets the operation proceed (SUCCESS with a warning annotation, or a logged warning in the "
            "boto3 hook) instead of blocking it. Deny verdicts, and errors caused by the request's own "
            "content (a template or request that cannot be judged), always block."
        },
    )
    fail_open_on_audit_outage: bool = field(
        default=False,
        metadata={
            "description": "With `fail_open`: an audit sink that cannot store the decisions no longer "
            "blocks an allowed operation; the records are written to the log (CloudWatch Logs in the "
            "Lambda) instead. Off: no record, no pass."
        },
    )
    describe_related_resources: bool = field(
        default=False,
        metadata={
            "description": "Resolve what a payload only references (an Endpoint's EndpointConfig, an "
            "EndpointConfig's Models, the bucket behind a BucketPolicy) with Describe*/Get* calls. Off: "
            "those values stay unknown (fail closed)."
        },
    )
    payload_timeout_seconds: float = field(
        default=DEFAULT_PAYLOAD_TIMEOUT_SECONDS,
        metadata={
            "gt": 0,
            "le": 25,
            "description": "Timeout of the stack/change-set payload download; hooks wait at most 30 s for "
            "the whole answer.",
        },
    )
    payload_max_bytes: int = field(
        default=DEFAULT_PAYLOAD_MAX_BYTES,
        metadata={
            "gt": 0,
            "description": "Largest stack/change-set payload accepted (bigger is an input error).",
        },
    )
    payload_hosts: list[str] | None = field(
        default=None,
        metadata={
            "description": "Hosts payload URLs may point to: exact names or `*.domain`. Default (unset): "
            "the S3 endpoints of every AWS partition (`bucket.s3.<region>.amazonaws.com`, "
            "`...amazonaws.com.cn`, ...). Always https, port 443, public addresses only."
        },
    )

    field_checks = {"payload_hosts": _check_payload_hosts}


# --- the file ----------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class GuardrailsConfig(ConfigSection):
    """Top-level configuration. Every section is optional; an empty file means the shipped defaults."""

    version: Literal[1] = field(
        default=1, metadata={"description": "Format version of this file; only `1` exists."}
    )
    controls: dict[str, ControlEnforcement] = field(
        default_factory=dict,
        metadata={
            "description": "Enforcement per control id (`deny`, `warn` or `off`), overriding the catalog "
            'default. Quote `"off"`: YAML reads a bare off as false.'
        },
    )
    unknown: Literal["inherit", "warn"] = field(
        default="inherit",
        metadata={
            "description": "How a control that cannot be decided (a value unknown before deploy) is "
            "enforced: `inherit` like a failure of that control (fail closed), `warn` only as a warning."
        },
    )
    exemptions: list[Exemption] = field(
        default_factory=list,
        metadata={
            "description": "Waivers of a control for matching resources; exempted violations stay in "
            "reports and the audit trail, marked, but no longer decide the verdict."
        },
    )
    engine: EngineConfig = field(
        default_factory=EngineConfig, metadata={"description": "The policy engine and extra policy folders."}
    )
    audit: AuditConfig = field(
        default_factory=AuditConfig,
        metadata={"description": "Audit sinks, stored inputs and record signing."},
    )
    runtime: RuntimeConfig = field(
        default_factory=RuntimeConfig,
        metadata={
            "description": "The runtime enforcement point (EventBridge handler, `handle-event`): modes, "
            "remediation and protection."
        },
    )
    admission: AdmissionConfig = field(
        default_factory=AdmissionConfig,
        metadata={
            "description": "The admission enforcement points (CloudFormation Lambda Hook, boto3 hook): "
            "failure handling and payload limits."
        },
    )

    field_checks = {"controls": _check_control_ids}


def default_config() -> GuardrailsConfig:
    """The shipped defaults (what an empty file means): plain dataclass constructors, no pydantic and no
    check, the default values being the sections' own constants."""
    return GuardrailsConfig()


def admission_config(config: AdmissionConfig | GuardrailsConfig | None) -> AdmissionConfig:
    """The admission settings of `config`: an AdmissionConfig itself, the `admission` section of a
    GuardrailsConfig, or the defaults for None."""
    if isinstance(config, AdmissionConfig):
        return config
    if isinstance(config, GuardrailsConfig):
        return config.admission
    return AdmissionConfig()


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
    import yaml
    from pydantic import ValidationError

    from guardrails.config_validation import describe_errors

    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a mapping, got {type(data).__name__}")
    try:
        config = validated(GuardrailsConfig, data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid config: {describe_errors(exc)}") from exc
    config.engine.policy_dirs = [p if p.is_absolute() else base / p for p in config.engine.policy_dirs]
    ca_bundle = config.engine.opa.ca_bundle
    if ca_bundle is not None and not ca_bundle.is_absolute():
        config.engine.opa.ca_bundle = base / ca_bundle
    return config


def config_json_schema() -> str:
    """The JSON schema of the config file (guardrails/schemas/config.schema.json, `guardrails schema
    config`), from the dataclasses as pydantic validates them."""
    from guardrails.config_validation import json_schema

    return json.dumps(json_schema(GuardrailsConfig), indent=2, sort_keys=True) + "\n"
