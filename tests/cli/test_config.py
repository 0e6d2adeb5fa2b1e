from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from guardrails.config import ConfigError, Exemption, GuardrailsConfig, config_json_schema, load_config

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
