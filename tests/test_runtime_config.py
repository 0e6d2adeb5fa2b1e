"""RuntimeConfig: defaults are safe (dry-run, no self-granted protection), per-control modes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from guardrails.runtime import RuntimeConfig


def test_defaults_are_dry_run_and_nothing_protects_but_configuration():
    config = RuntimeConfig()
    assert config.mode == "dry-run"
    assert config.protect.trusted_tags == {} and config.protect.name_prefixes == []
    assert config.protect.arns == []
    assert config.max_actions == 10 and not config.delete_notebooks


def test_mode_precedence_command_line_then_control_then_global():
    config = RuntimeConfig(mode="dry-run", controls={"S3-01": "enforce"})
    assert config.mode_for("S3-01") == "enforce"
    assert config.mode_for("S3-02") == "dry-run"
    assert config.mode_for("S3-01", "dry-run") == "dry-run"


def test_invalid_control_id_and_unknown_keys_are_rejected():
    with pytest.raises(ValidationError, match="control id"):
        RuntimeConfig(controls={"s3_01": "enforce"})
    with pytest.raises(ValidationError):
        RuntimeConfig(mod="enforce")
