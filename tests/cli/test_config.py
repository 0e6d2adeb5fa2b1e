from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from guardrails.config import (
    AdmissionConfig,
    AuditConfig,
    ConfigError,
    EngineConfig,
    Exemption,
    GuardrailsConfig,
    ProtectConfig,
    RuntimeConfig,
    config_json_schema,
    default_config,
    given_fields,
    load_config,
    validated,
)
from guardrails.engine.opa_settings import OpaServerSettings

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "guardrails.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_gives_defaults(tmp_path):
    assert load_config(write(tmp_path, "")) == GuardrailsConfig()


def test_full_config_is_parsed(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """
version: 1
controls: {SM-08: deny, S3-05: "off"}
unknown: warn
exemptions:
  - control: SM-01
    resource: "arn:aws:sagemaker:*:*:training-job/legacy-*"
    reason: legacy pipeline being migrated
    ticket: SEC-42
    expires: 2027-01-31
engine:
  policy_dirs: [custom]
""",
        )
    )
    assert config.controls == {"SM-08": "deny", "S3-05": "off"}
    assert config.exemptions[0].expires == date(2027, 1, 31)
    assert config.engine.policy_dirs == [tmp_path / "custom"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("controls: {SM-08: block}", "controls.SM-08"),
        ("controls: {sm8: deny}", "not a control id"),
        ("exemptions: [{control: SM-01, resource: x}]", "exemptions.0.reason"),
        ("exemptions: [{control: SM-01, resource: x, reason: r, expires: someday}]", "exemptions.0.expires"),
        ("unexpected: 1", "unexpected"),
        ("- a list", "must be a mapping"),
        ("controls: [unclosed", "invalid YAML"),
    ],
)
def test_invalid_config_names_file_and_field(tmp_path, text, needle):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")


def test_exemption_expiry_is_inclusive():
    exemption = Exemption(control="SM-01", resource="*", reason="r", expires=date(2026, 1, 1))
    assert exemption.active_on(date(2026, 1, 1))
    assert not exemption.active_on(date(2026, 1, 2))


def test_shipped_json_schema_matches_the_model():
    shipped = REPO / "guardrails" / "schemas" / "config.schema.json"
    assert json.loads(shipped.read_text()) == json.loads(config_json_schema())


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("surprise: 1", "surprise", "Extra inputs are not permitted"),
        ("engine: {surprise: 1}", "engine.surprise", "Extra inputs are not permitted"),
        ("engine: {opa: {surprise: 1}}", "engine.opa.surprise", "Extra inputs are not permitted"),
        ("audit: {surprise: 1}", "audit.surprise", "Extra inputs are not permitted"),
        ("runtime: {surprise: 1}", "runtime.surprise", "Extra inputs are not permitted"),
        ("runtime: {protect: {surprise: 1}}", "runtime.protect.surprise", "Extra inputs are not permitted"),
        ("admission: {surprise: 1}", "admission.surprise", "Extra inputs are not permitted"),
        (
            "exemptions: [{control: SM-01, resource: x, reason: r, surprise: 1}]",
            "exemptions.0.surprise",
            "Extra inputs are not permitted",
        ),
        ("controls: {sm8: deny}", "controls", "Value error, 'sm8' is not a control id like SM-01"),
        (
            "runtime: {controls: {s3_01: enforce}}",
            "runtime.controls",
            "'s3_01' is not a control id like SM-01",
        ),
        (
            "exemptions: [{control: SM-01, resource: x, reason: r}, {control: sm1, resource: x, reason: r}]",
            "exemptions.1.control",
            "'sm1' is not a control id like SM-01 (or '*')",
        ),
        ("exemptions: [{control: SM-01, resource: x, reason: ''}]", "exemptions.0.reason", "at least 1"),
        ("engine: {opa: {timeout_seconds: 0}}", "engine.opa.timeout_seconds", "greater than 0"),
        ("engine: {opa: {timeout_seconds: 61}}", "engine.opa.timeout_seconds", "less than or equal to 60"),
        ("engine: {opa: {retries: 11}}", "engine.opa.retries", "less than or equal to 10"),
        ("engine: {opa: {batch_size: 0}}", "engine.opa.batch_size", "greater than or equal to 1"),
        ("engine: {opa: {url: 'ftp://opa'}}", "engine.opa.url", "is not an http(s) URL of an OPA server"),
        ("engine: {opa: {url: 'http://opa:8181/v1'}}", "engine.opa.url", "without a path"),
        ("engine: {backend: opa}", "engine.backend", "Input should be 'regorus', 'opa-server' or 'opa-go'"),
        ("audit: {signing_key: 'vault://k'}", "audit.signing_key", "String should match pattern"),
        ("runtime: {max_actions: -1}", "runtime.max_actions", "greater than or equal to 0"),
        ("runtime: {protect: {name_prefixes: ['']}}", "runtime.protect.name_prefixes", "empty name prefix"),
        ("runtime: {protected_tags: {a: b}}", "runtime", "runtime.protected_tags is no longer honoured"),
        (
            "admission: {payload_timeout_seconds: 26}",
            "admission.payload_timeout_seconds",
            "less than or equal",
        ),
        ("admission: {payload_hosts: ['10.0.0.1']}", "admission.payload_hosts", "is an IP address"),
        ("admission: {payload_hosts: ['*.*.example.com']}", "admission.payload_hosts", "not a host name"),
        ("version: 2", "version", "Input should be 1"),
        ("runtime: 5", "runtime", "Input should be a valid dictionary or instance of RuntimeConfig"),
        ("exemptions: [3]", "exemptions.0", "Input should be a valid dictionary or instance of Exemption"),
        ("runtime: {protect: 5}", "runtime.protect", "valid dictionary or instance of ProtectConfig"),
        (
            "runtime: {protect: 5, protected_arns: [a]}",
            "runtime.protect",
            "valid dictionary or instance of ProtectConfig",
        ),
    ],
)
def test_every_section_is_validated_naming_file_and_field(tmp_path, text, field, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}: invalid config: {field}: ")
    assert message in str(err.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = write(
        tmp_path, "controls: {sm8: deny}\nengine: {opa: {timeout_seconds: 0}}\nruntime: {surprise: 1}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    problems = str(err.value).removeprefix(f"{path}: invalid config: ").split("; ")
    assert [p.split(": ")[0] for p in problems] == [
        "controls",
        "engine.opa.timeout_seconds",
        "runtime.surprise",
    ]


def test_a_file_validates_to_the_sections_it_spells(tmp_path):
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "guardrails.yaml"
    path.write_text(
        """
engine:
  backend: opa-server
  policy_dirs: [custom, /abs/policies]
  opa: {url: "https://opa.internal:8181/", ca_bundle: ca.pem, timeout_seconds: 2}
audit: {sinks: ["file://audit.jsonl"], signing_key: "kms://alias/audit"}
runtime:
  mode: enforce
  controls: {S3-01: dry-run}
  protected_arns: ["arn:aws:s3:::legacy-*"]
  protected_name_prefix: acme-
admission: {payload_hosts: ["*.S3.eu-west-1.vpce.amazonaws.com."], payload_max_bytes: 1024}
""",
        encoding="utf-8",
    )
    config = load_config(path)
    folder = tmp_path / "conf"
    assert config == GuardrailsConfig(
        engine=EngineConfig(
            backend="opa-server",
            policy_dirs=[folder / "custom", Path("/abs/policies")],
            opa=OpaServerSettings(
                url="https://opa.internal:8181", ca_bundle=folder / "ca.pem", timeout_seconds=2
            ),
        ),
        audit=AuditConfig(sinks=["file://audit.jsonl"], signing_key="kms://alias/audit"),
        runtime=RuntimeConfig(
            mode="enforce",
            controls={"S3-01": "dry-run"},
            protect=ProtectConfig(arns=["arn:aws:s3:::legacy-*"], name_prefixes=["acme-"]),
        ),
        admission=AdmissionConfig(
            payload_hosts=["*.s3.eu-west-1.vpce.amazonaws.com"], payload_max_bytes=1024
        ),
    )
    assert isinstance(config.engine.opa, OpaServerSettings) and isinstance(config.engine.policy_dirs[0], Path)
    # what the file set, section by section (deployment defaults fill only the rest)
    assert given_fields(config) == {"engine", "audit", "runtime", "admission"}
    assert given_fields(config.runtime) == {"mode", "controls", "protect"}
    assert given_fields(config.engine.opa) == {"url", "ca_bundle", "timeout_seconds"}
    assert given_fields(config.admission.__class__()) == frozenset()  # built in code: nothing given
    assert default_config() == load_config(write(tmp_path, "{}"))


def test_sections_built_in_code_are_not_validated_but_validated_ones_are():
    """Plain constructors (the defaults, tests, the Lambdas) check nothing; `validated` checks like a file."""
    assert RuntimeConfig(controls={"not-an-id": "enforce"}).controls == {"not-an-id": "enforce"}
    with pytest.raises(ValidationError, match="not a control id"):
        validated(RuntimeConfig, {"controls": {"not-an-id": "enforce"}})
    with pytest.raises(TypeError):
        RuntimeConfig(surprise=1)  # type: ignore[call-arg]


def test_opa_url_option_is_checked_as_the_file_field_is():
    from guardrails.engine.cli_options import apply_engine_options

    config = default_config()
    with pytest.raises(ConfigError) as err:
        apply_engine_options(config, None, "ftp://opa:8181")
    assert str(err.value) == "--opa-url: Value error, 'ftp://opa:8181' is not an http(s) URL of an OPA server"
    apply_engine_options(config, None, "https://opa.internal:8181/")
    assert (config.engine.backend, config.engine.opa.url) == ("opa-server", "https://opa.internal:8181")
    assert config.engine.opa.timeout_seconds == 5.0  # the other settings are kept
