"""The deployed runtime never remediates its own audit stores: the sinks the stack hands the Lambda
(GUARDRAILS_AUDIT_SINKS, from the audit stack's AuditSinks output) are protected by ARN, whatever the
config says and without trusting a tag. And `SecurityHub=true` on the stack turns runtime.securityhub on."""

from __future__ import annotations

from runtime_support import PUBLIC, enforce, policy_event, public_bucket, stmt

from guardrails.config import GuardrailsConfig, validated
from guardrails.config_source import audit_store_patterns, with_deployment_defaults
from guardrails.runtime.processor import process_event

SINKS = "dynamodb://acme-audit-table,s3://acme-audit-bucket/audit?retention-mode=COMPLIANCE"


def test_audit_sinks_become_protected_arn_patterns():
    assert audit_store_patterns(SINKS + ",file:///tmp/x.jsonl,cloudwatch://") == [
        "arn:*:dynamodb:*:*:table/acme-audit-table",
        "arn:*:s3:::acme-audit-bucket",
    ]


def test_deployment_defaults_add_the_audit_stores_to_the_configured_protection(monkeypatch):
    monkeypatch.setenv("GUARDRAILS_AUDIT_SINKS", SINKS)
    own = validated(GuardrailsConfig, {"runtime": {"protect": {"arns": ["arn:aws:s3:::mine-*"]}}})
    protect = with_deployment_defaults(own).runtime.protect
    assert protect.arns == [
        "arn:aws:s3:::mine-*",
        "arn:*:dynamodb:*:*:table/acme-audit-table",
        "arn:*:s3:::acme-audit-bucket",
    ]
    assert own.runtime.protect.arns == ["arn:aws:s3:::mine-*"]  # a copy


def test_the_deployed_runtime_does_not_touch_a_public_audit_bucket(aws, audit, decider, monkeypatch):
    trail, _ = audit
    bucket = "acme-audit-bucket"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    monkeypatch.setenv("GUARDRAILS_AUDIT_SINKS", SINKS)
    config = with_deployment_defaults(GuardrailsConfig(runtime=enforce())).runtime
    outcome = process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]), decider=decider, trail=trail, clients=aws, config=config
    )
    assert outcome.resources[0].decision.verdict == "deny"  # still decided, audited and alerted
    assert outcome.actions and all(
        a.outcome == "skipped" and "protected" in a.reason for a in outcome.actions
    )
    assert aws.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]  # untouched


def test_security_hub_switch_from_the_stack_unless_the_config_says(monkeypatch):
    monkeypatch.setenv("GUARDRAILS_SECURITYHUB", "true")
    assert with_deployment_defaults(GuardrailsConfig()).runtime.securityhub is True
    off = validated(GuardrailsConfig, {"runtime": {"securityhub": False}})
    assert with_deployment_defaults(off).runtime.securityhub is False
    monkeypatch.setenv("GUARDRAILS_SECURITYHUB", "false")
    assert with_deployment_defaults(GuardrailsConfig()).runtime.securityhub is False
