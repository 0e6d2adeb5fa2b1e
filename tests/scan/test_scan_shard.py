"""The fan-out shard handler in-process against moto_server: one (account, region) item -> audit + summary."""

from __future__ import annotations

import json

import boto3
import pytest
from moto_server_support import client
from scan_support import OTHER, compliant_bucket, role_creds

from guardrails.config import GuardrailsConfig, validated
from guardrails.scan.shard import scan_shard


def session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def test_shard_is_scanned_through_its_role_audited_and_summarised(moto_url, tmp_path):
    role = f"arn:aws:iam::{OTHER}:role/guardrails-scan"
    s3 = client("s3", moto_url, **role_creds(moto_url, role))
    s3.create_bucket(Bucket="shard-public")
    s3.put_bucket_acl(Bucket="shard-public", ACL="public-read")
    compliant_bucket(s3, "shard-good")
    audit = tmp_path / "audit.jsonl"
    config = validated(GuardrailsConfig, {"audit": {"sinks": [f"file://{audit}"]}})
    item = {
        "account_id": OTHER,
        "region": "us-east-1",
        "role_arn": role,
        "external_id": "acme",
        "kinds": ["AWS::S3::Bucket", "AWS::S3::AccountPublicAccessBlock"],
    }

    result = scan_shard(item, config, base_session=session(), endpoint_url=moto_url)

    assert result.status == "ok", result.errors
    assert (result.account_id, result.region, result.resources) == (OTHER, "us-east-1", 3)
    assert result.verdicts == {"allow": 1, "warn": 0, "deny": 2, "error": 0}
    assert result.by_control["S3-02 deny"] == 1 and result.by_control["S3-06 deny"] == 1
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    assert result.audit_records == len(records) == 3
    assert {r["resource"]["name"] for r in records} == {"shard-public", "shard-good", OTHER}
    assert all(r["point"] == "scan" for r in records)
    # AssumeRole, ListBuckets, 5 Get* per bucket, the account block, DescribeKey of the buckets' key
    assert result.api_calls == 1 + 1 + 5 * 2 + 1 + 1


def test_malformed_items_are_reported_not_scanned(moto_url):
    config = GuardrailsConfig()
    bad = scan_shard({"account_id": "123", "region": "us-east-1"}, config, endpoint_url=moto_url)
    assert bad.status == "malformed" and "account_id" in bad.errors[0]
    kinds = scan_shard({"account_id": OTHER, "region": "us-east-1", "kinds": ["AWS::EC2::Instance"]}, config)
    assert kinds.status == "malformed" and "AWS::EC2::Instance" in kinds.errors[0]


def test_a_malformed_item_is_recorded_as_an_error_decision_naming_it(tmp_path, decider):
    from guardrails.audit import open_sink, verify_sink
    from guardrails.scan.shard import SHARD_ITEM_TYPE

    audit = tmp_path / "audit.jsonl"
    config = validated(GuardrailsConfig, {"audit": {"sinks": [f"file://{audit}"]}})
    bad = scan_shard({"account_id": "123", "region": "us-east-1"}, config, decider=decider)
    kinds = scan_shard(
        {"account_id": OTHER, "region": "eu-west-1", "kinds": ["AWS::EC2::Instance"]}, config, decider=decider
    )
    odd = scan_shard(["not", "an", "item"], config, decider=decider)

    assert [r.status for r in (bad, kinds, odd)] == ["malformed"] * 3
    assert [r.audit_records for r in (bad, kinds, odd)] == [1, 1, 1]
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [r["decision_id"] for r in records] == [r.error_decision_id for r in (bad, kinds, odd)]
    assert all((r["verdict"], r["point"]) == ("error", "scan") for r in records)
    assert all(r["resource"]["type"] == SHARD_ITEM_TYPE for r in records)
    first, second, third = records
    assert first["resource"]["name"] == "123/us-east-1" and "account" not in first["resource"]
    assert "account_id" in first["error"] and first["error"].startswith("malformed scan shard item")
    assert (second["resource"]["account"], second["resource"]["region"]) == (OTHER, "eu-west-1")
    assert "AWS::EC2::Instance" in second["error"]
    assert third["resource"]["name"] == "unknown/unknown"
    with open_sink(f"file://{audit}") as sink:
        verification = verify_sink(sink)
    assert verification.ok and verification.records == 3


def test_a_malformed_item_whose_record_cannot_be_written_raises_for_a_retry(tmp_path, decider):
    from guardrails.audit import AuditError

    blocked = tmp_path / "file"
    blocked.write_text("")
    config = validated(GuardrailsConfig, {"audit": {"sinks": [f"file://{blocked}/audit.jsonl"]}})
    with pytest.raises(AuditError):
        scan_shard({"account_id": "123", "region": "us-east-1"}, config, decider=decider)
