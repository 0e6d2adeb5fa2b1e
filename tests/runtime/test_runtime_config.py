"""RuntimeConfig: defaults are safe (dry-run, no self-granted protection), per-control modes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from guardrails.config import RuntimeConfig, validated


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
    with pytest.raises(ValidationError, match="control id") as bad_id:
        validated(RuntimeConfig, {"controls": {"s3_01": "enforce"}})
    assert bad_id.value.errors()[0]["loc"] == ("controls",)
    with pytest.raises(ValidationError) as unknown:
        validated(RuntimeConfig, {"mod": "enforce"})
    assert unknown.value.errors()[0]["loc"] == ("mod",)


def test_the_documented_scp_reserves_the_protection_tag():
    import json
    import re
    from pathlib import Path

    from guardrails.config import PROTECTED_TAG

    doc = (Path(__file__).resolve().parents[2] / "docs" / "runtime-protection.md").read_text()
    scp, tag_policy = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", doc, re.S)]
    key = PROTECTED_TAG[0]
    sagemaker = next(s for s in scp["Statement"] if "sagemaker:AddTags" in s["Action"])
    assert sagemaker["Effect"] == "Deny" and {"sagemaker:Create*", "sagemaker:DeleteTags"} <= set(
        sagemaker["Action"]
    )
    assert sagemaker["Condition"]["ForAnyValue:StringEquals"]["aws:TagKeys"] == [key]
    assert sagemaker["Condition"]["ArnNotLike"]["aws:PrincipalArn"].startswith("arn:*:")  # every partition
    buckets = next(s for s in scp["Statement"] if "s3:PutBucketTagging" in s["Action"])
    assert buckets["Effect"] == "Deny"
    assert key in tag_policy["tags"]
