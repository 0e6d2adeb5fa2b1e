"""The runtime flow on moto (in-process): enrich, decide, remediate, re-read, audit, alert."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from fixtures.events.builders import cloudtrail_event, s3_call, sagemaker_call, state_change
from moto_server_support import offline_client
from runtime_support import ACCOUNT, KMS, PUBLIC, REGION, enforce, policy_event, public_bucket, records, stmt

from guardrails.audit import AuditTrail, AuditWriteError, open_sink
from guardrails.config import ProtectConfig, RuntimeConfig
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.errors import TransientAwsError
from guardrails.runtime.processor import process_event

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sm-exec"
IMAGE = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"
PRIVATE = {
    "Sid": "Partner",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::{b}/*",
}
ORG_ONLY = {
    "Sid": "Org",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::{b}/*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
}


# --- S3 ---------------------------------------------------------------------------------------------


def test_public_bucket_is_fixed_keeping_the_non_public_statements(aws, audit, decider):
    trail, path = audit
    bucket = "acme-public-models"
    statements = [stmt(PUBLIC, bucket), stmt(PRIVATE, bucket), stmt(ORG_ONLY, bucket)]
    s3 = aws.client("s3")
    public_bucket(s3, bucket, statements)

    outcome = process_event(
        policy_event(bucket, statements), decider=decider, trail=trail, clients=aws, config=enforce()
    )

    (result,) = outcome.resources
    assert result.enriched and result.decision.verdict == "deny"
    kinds = {a.kind: a for a in outcome.actions}
    assert set(kinds) == {
        "put-public-access-block",
        "put-bucket-acl-private",
        "rewrite-bucket-policy",
        "put-bucket-encryption",
    }
    assert all(a.outcome == "succeeded" for a in outcome.actions)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], True
    )
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert not any("AllUsers" in g["Grantee"].get("URI", "") for g in grants)
    kept = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert [s["Sid"] for s in kept] == ["Partner", "Org"]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS}

    (record,) = records(path)
    assert record["point"] == "runtime" and record["source"] == "cloudtrail"
    assert record["source_ref"]["event_id"] == outcome.event_id
    assert record["action"]["outcome"] == "succeeded" and record["action"]["mode"] == "enforce"
    before = record["action"]["state_before"]["rewrite-bucket-policy"]["Policy"]["Statement"]
    after = record["action"]["state_after"]["rewrite-bucket-policy"]["Policy"]["Statement"]
    assert len(before) == 3 and len(after) == 2
    assert record["actor"]["arn"].endswith("assumed-role/ml-pipeline-role/run-42")


def test_duplicate_delivery_acts_once(aws, audit, decider):
    trail, _ = audit
    bucket = "acme-dup"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    event = policy_event(bucket, [stmt(PUBLIC, bucket)])
    first = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    second = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    assert {a.kind for a in first.actions if a.outcome == "succeeded"} == {
        "put-public-access-block",
        "put-bucket-acl-private",
        "delete-bucket-policy",
        "put-bucket-encryption",
    }
    assert second.resources[0].decision.verdict == "warn"  # only S3-05 (TLS-only, warn) is left
    assert second.actions == []


def test_only_public_statements_delete_the_policy(aws, audit, decider):
    trail, _ = audit
    bucket = "acme-only-public"
    s3 = aws.client("s3")
    public_bucket(s3, bucket, [stmt(PUBLIC, bucket)])
    process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]),
        decider=decider,
        trail=trail,
        clients=aws,
        config=enforce(),
    )
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=bucket)


def test_dry_run_changes_nothing_and_reports_what_it_would_do(aws, audit, decider):
    trail, path = audit
    bucket = "acme-dry"
    s3 = aws.client("s3")
    public_bucket(s3, bucket, [stmt(PUBLIC, bucket)])
    outcome = process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]),
        decider=decider,
        trail=trail,
        clients=aws,
        config=RuntimeConfig(kms_key_id=KMS),
    )
    assert outcome.mode == "dry-run"
    assert outcome.actions and all(
        a.outcome == "skipped" and a.reason.startswith("dry-run") for a in outcome.actions
    )
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Sid"] == "Public"
    assert any("AllUsers" in g["Grantee"].get("URI", "") for g in s3.get_bucket_acl(Bucket=bucket)["Grants"])
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_public_access_block(Bucket=bucket)
    (record,) = records(path)
    assert record["action"]["mode"] == "dry-run" and record["action"]["outcome"] == "skipped"


def test_per_control_mode_enforces_only_that_control(aws, audit, decider):
    trail, _ = audit
    bucket = "acme-partial"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    config = RuntimeConfig(controls={"S3-01": "enforce"})
    outcome = process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]), decider=decider, trail=trail, clients=aws, config=config
    )
    assert {a.kind: a.mode for a in outcome.actions}["put-public-access-block"] == "enforce"
    assert {a.kind for a in outcome.actions if a.outcome == "succeeded"} == {"put-public-access-block"}


def test_missing_kms_key_fails_only_the_encryption_step(aws, audit, decider):
    trail, _ = audit
    bucket = "acme-nokey"
    aws.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    event = s3_call("DeleteBucketEncryption", bucket, {"encryption": [""]}, account=ACCOUNT, region=REGION)
    outcome = process_event(
        event, decider=decider, trail=trail, clients=aws, config=RuntimeConfig(mode="enforce")
    )
    steps = {a.kind: a for a in outcome.actions}
    assert (
        steps["put-bucket-encryption"].outcome == "failed"
        and "kms_key_id" in steps["put-bucket-encryption"].error
    )
    assert steps["put-public-access-block"].outcome == "succeeded"


def test_account_public_access_block_is_put(aws, audit, decider):
    trail, _ = audit
    event = cloudtrail_event(
        "DeleteAccountPublicAccessBlock",
        {"accountId": ACCOUNT},
        source="s3-control.amazonaws.com",
        account=ACCOUNT,
        region=REGION,
    )
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    (action,) = outcome.actions
    assert action.kind == "put-account-public-access-block" and action.outcome == "succeeded"
    config = aws.client("s3control").get_public_access_block(AccountId=ACCOUNT)[
        "PublicAccessBlockConfiguration"
    ]
    assert all(config.values())


# --- SageMaker ---------------------------------------------------------------------------------------


def notebook(sm, name: str, **extra) -> None:
    sm.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE, **extra)


def test_noncompliant_notebook_is_stopped_once(aws, audit, decider):
    trail, path = audit
    sm = aws.client("sagemaker")
    notebook(sm, "jane-scratch")
    event = sagemaker_call(
        "CreateNotebookInstance",
        {
            "NotebookInstanceName": "jane-scratch",
            "InstanceType": "ml.t3.medium",
            "RoleArn": ROLE,
            "DirectInternetAccess": "Enabled",
        },
        account=ACCOUNT,
        region=REGION,
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/jane-scratch",
    )
    first = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    (action,) = first.actions
    assert action.kind == "stop-notebook-instance" and action.outcome == "succeeded"
    assert action.controls == ["SM-04", "SM-05", "SM-14", "SM-20"]
    assert action.state_before["NotebookInstanceStatus"] == "InService"
    assert sm.describe_notebook_instance(NotebookInstanceName="jane-scratch")["NotebookInstanceStatus"] in (
        "Stopping",
        "Stopped",
    )
    second = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    assert second.actions[0].outcome == "skipped" and second.actions[0].reason.startswith("already")
    assert [r["action"]["outcome"] for r in records(path)] == ["succeeded", "skipped"]


def test_stopped_notebook_is_deleted_when_configured(aws, audit, decider):
    trail, _ = audit
    sm = aws.client("sagemaker")
    notebook(sm, "old-nb")
    sm.stop_notebook_instance(NotebookInstanceName="old-nb")
    detail = sm.describe_notebook_instance(NotebookInstanceName="old-nb")
    detail = json.loads(json.dumps({k: v for k, v in detail.items() if k != "ResponseMetadata"}, default=str))
    event = state_change(
        "SageMaker Notebook Instance State Change",
        detail,
        detail["NotebookInstanceArn"],
        account=ACCOUNT,
        region=REGION,
    )
    outcome = process_event(
        event, decider=decider, trail=trail, clients=aws, config=enforce(delete_notebooks=True)
    )
    (action,) = outcome.actions
    assert action.kind == "delete-notebook-instance" and action.outcome == "succeeded"
    assert action.state_after == {"deleted": True}


def test_endpoint_serving_a_noncompliant_config_is_deleted_and_the_config_kept(aws, audit, decider):
    trail, _ = audit
    sm = aws.client("sagemaker")
    sm.create_model(ModelName="m1", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    sm.create_endpoint_config(
        EndpointConfigName="ec1",
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "m1", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
        ],
    )
    sm.create_endpoint(EndpointName="ep1", EndpointConfigName="ec1")
    event = sagemaker_call(
        "CreateEndpoint",
        {"EndpointName": "ep1", "EndpointConfigName": "ec1"},
        account=ACCOUNT,
        region=REGION,
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/ep1",
    )
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    (result,) = outcome.resources
    assert set(asdict(result.decision)["violations"][0]) and result.enriched
    assert {v.control for v in result.decision.violations} == {"SM-17"}
    assert not any(v.unknown for v in result.decision.violations)
    (action,) = outcome.actions
    assert action.kind == "delete-endpoint" and action.outcome == "succeeded"
    assert action.state_after == {"deleted": True}
    assert sm.describe_endpoint_config(EndpointConfigName="ec1")["EndpointConfigName"] == "ec1"
    assert sm.describe_model(ModelName="m1")["ModelName"] == "m1"


def test_inert_model_is_tagged_not_deleted(aws, audit, decider):
    trail, _ = audit
    sm = aws.client("sagemaker")
    arn = sm.create_model(ModelName="m2", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})[
        "ModelArn"
    ]
    event = sagemaker_call(
        "CreateModel",
        {"ModelName": "m2", "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": IMAGE}},
        account=ACCOUNT,
        region=REGION,
        arn=arn,
    )
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    (action,) = outcome.actions
    assert action.kind == "tag-resource" and action.outcome == "succeeded"
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
    assert tags["guardrails:violation"] == "SM-03"
    again = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    assert again.actions[0].reason == "already tagged"


def test_update_notebook_event_is_completed_with_describe(aws, audit, decider):
    trail, _ = audit
    sm = aws.client("sagemaker")
    notebook(sm, "nb-upd", DirectInternetAccess="Enabled")
    event = sagemaker_call(
        "UpdateNotebookInstance",
        {"NotebookInstanceName": "nb-upd", "RootAccess": "Disabled"},
        account=ACCOUNT,
        region=REGION,
    )
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=RuntimeConfig())
    (result,) = outcome.resources
    assert result.enriched
    assert not any(v.unknown for v in result.decision.violations)
    assert "SM-05" in {v.control for v in result.decision.violations}


# --- safety -------------------------------------------------------------------------------------------


def notebook_event(name: str, tags: list[dict] | None = None) -> dict:
    request = {"NotebookInstanceName": name, "InstanceType": "ml.t3.medium", "RoleArn": ROLE}
    if tags:
        request["Tags"] = tags
    return sagemaker_call(
        "CreateNotebookInstance",
        request,
        account=ACCOUNT,
        region=REGION,
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/{name}",
    )


def status(sm, name: str) -> str:
    return sm.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]


def test_trusted_tag_and_configured_name_prefix_are_never_acted_on(aws, audit, decider):
    trail, path = audit
    sm = aws.client("sagemaker")
    notebook(sm, "tagged-nb", Tags=[{"Key": "guardrails:protected", "Value": "true"}])
    notebook(sm, "acme-guardrails-own-nb")
    config = enforce(
        protect=ProtectConfig(
            trusted_tags={"guardrails:protected": "true"}, name_prefixes=["acme-guardrails-"]
        )
    )
    for name in ("tagged-nb", "acme-guardrails-own-nb"):
        outcome = process_event(
            notebook_event(name), decider=decider, trail=trail, clients=aws, config=config
        )
        (action,) = outcome.actions
        assert action.outcome == "skipped" and action.reason.startswith("protected")
        assert outcome.resources[0].decision.verdict == "deny"  # skipped, still a deny
        assert status(sm, name) == "InService"
    assert [r["verdict"] for r in records(path)] == ["deny", "deny"]
    assert all(r["action"]["outcome"] == "skipped" for r in records(path))


def test_a_self_set_protection_tag_or_guardrails_like_name_protects_nothing_by_default(aws, audit, decider):
    trail, path = audit
    sm = aws.client("sagemaker")
    tag = [{"Key": "guardrails:protected", "Value": "true"}]
    notebook(sm, "self-tagged-nb", Tags=tag)
    notebook(sm, "guardrails-lookalike-nb")
    for name in ("self-tagged-nb", "guardrails-lookalike-nb"):
        outcome = process_event(
            notebook_event(name, tag), decider=decider, trail=trail, clients=aws, config=enforce()
        )
        assert outcome.resources[0].not_acted is None
        assert {a.outcome for a in outcome.actions} == {"succeeded"}
        assert status(sm, name) in {"Stopping", "Stopped"}


def test_old_protected_tags_key_is_refused_with_a_pointer_to_trusted_tags():
    from pydantic import ValidationError

    from guardrails.config import validated

    with pytest.raises(ValidationError, match="protect.trusted_tags"):
        validated(RuntimeConfig, {"protected_tags": {"guardrails:protected": "true"}})
    moved = validated(
        RuntimeConfig, {"protected_arns": ["arn:aws:s3:::a-*"], "protected_name_prefix": "acme-"}
    )
    assert (moved.protect.arns, moved.protect.name_prefixes) == (["arn:aws:s3:::a-*"], ["acme-"])


def test_a_protected_resource_is_still_alerted_as_a_deny(aws, audit, decider):
    trail, path = audit
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="guardrails-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="protected-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    bucket = "acme-protected-alerted"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    config = enforce(sns_topic_arn=topic, protect=ProtectConfig(arns=["arn:aws:s3:::acme-protected-*"]))
    outcome = process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]), decider=decider, trail=trail, clients=aws, config=config
    )
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(message["Body"])
    assert body["verdict"] == "deny" and "S3-03" in body["controls"]
    assert body["actions"] and all(
        a["outcome"] == "skipped" and a["reason"].startswith("protected") for a in body["actions"]
    )
    (record,) = records(path)
    assert record["verdict"] == "deny" and record["action"]["outcome"] == "skipped"
    assert outcome.resources[0].alert_message_id


def test_protected_arn_glob(aws, audit, decider):
    trail, _ = audit
    bucket = "acme-protected"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    config = enforce(protect=ProtectConfig(arns=["arn:aws:s3:::acme-prot*"]))
    outcome = process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]), decider=decider, trail=trail, clients=aws, config=config
    )
    assert all(a.outcome == "skipped" and "protected" in a.reason for a in outcome.actions)


def test_other_account_or_region_is_decided_but_not_touched(aws, audit, decider):
    trail, _ = audit
    bucket = "acme-elsewhere"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    for kw in ({"account": "999988887777", "region": REGION}, {"account": ACCOUNT, "region": "us-west-2"}):
        extra = {
            "policy": [""],
            "bucketPolicy": {"Version": "2012-10-17", "Statement": [stmt(PUBLIC, bucket)]},
        }
        outcome = process_event(
            s3_call("PutBucketPolicy", bucket, extra, **kw),
            decider=decider,
            trail=trail,
            clients=aws,
            config=enforce(),
        )
        (result,) = outcome.resources
        assert result.not_acted and not result.enriched
        assert result.decision.verdict == "deny"
        assert all(a.outcome == "skipped" and a.reason.startswith("out of scope") for a in outcome.actions)


def test_action_cap_per_invocation(aws, audit, decider):
    trail, _ = audit
    bucket = "acme-capped"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    outcome = process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]),
        decider=decider,
        trail=trail,
        clients=aws,
        config=enforce(max_actions=2),
    )
    outcomes = [a.outcome for a in outcome.actions]
    assert outcomes.count("succeeded") == 2
    assert [a.reason for a in outcome.actions if a.outcome == "skipped"] == ["action cap 2 reached"] * 2


# --- failure semantics, alerting ----------------------------------------------------------------------


def test_malformed_event_is_audited_and_acknowledged(aws, audit, decider):
    trail, path = audit
    bad = {
        "version": "0",
        "id": "evt-1",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.s3",
        "detail": {
            "eventSource": "s3.amazonaws.com",
            "eventName": "PutBucketAcl",
            "eventID": "ct-1",
            "requestParameters": {},
        },
    }
    outcome = process_event(bad, decider=decider, trail=trail, clients=aws, config=enforce())
    assert outcome.malformed and "bucketName" in outcome.malformed
    (record,) = records(path)
    assert record["verdict"] == "error" and record["source_ref"]["event_id"] == "ct-1"


def test_failed_call_and_out_of_scope_are_acknowledged_without_decisions(aws, audit, decider):
    trail, path = audit
    failed = sagemaker_call(
        "CreateTrainingJob", {"TrainingJobName": "t"}, error_code="AccessDenied", account=ACCOUNT
    )
    other = cloudtrail_event("ListTrainingJobs", {}, account=ACCOUNT)
    assert process_event(failed, decider=decider, trail=trail, clients=aws).skipped.reason == "failed-call"
    assert process_event(other, decider=decider, trail=trail, clients=aws).skipped.reason == "out-of-scope"
    assert records(path) == []


def test_audit_write_failure_raises(aws, decider, tmp_path):
    blocked = tmp_path / "dir-not-file"
    blocked.mkdir()
    trail = AuditTrail(open_sink(f"file://{blocked}"))
    bucket = "acme-audit-fail"
    aws.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    with pytest.raises(AuditWriteError):
        process_event(policy_event(bucket, [stmt(PUBLIC, bucket)]), decider=decider, trail=trail, clients=aws)


def test_transient_aws_error_raises_for_a_retry(decider):
    from botocore.stub import Stubber

    s3 = offline_client("s3", REGION)
    stub = Stubber(s3)
    stub.add_client_error("get_public_access_block", "SlowDown", "Please reduce your request rate.", 503)
    clients = AwsClients(region=REGION, overrides={"s3": s3}, account_id=ACCOUNT)
    with stub, pytest.raises(TransientAwsError):
        process_event(
            policy_event("acme-slow", [stmt(PUBLIC, "acme-slow")]),
            decider=decider,
            trail=None,
            clients=clients,
        )


def test_deny_decision_publishes_one_alert(aws, audit, decider):
    trail, _ = audit
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="guardrails-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    bucket = "acme-alerted"
    public_bucket(aws.client("s3"), bucket, [stmt(PUBLIC, bucket)])
    outcome = process_event(
        policy_event(bucket, [stmt(PUBLIC, bucket)]),
        decider=decider,
        trail=trail,
        clients=aws,
        config=RuntimeConfig(sns_topic_arn=topic),
    )
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["decision_id"] == outcome.resources[0].decision.decision_id
    assert "S3-03" in body["controls"] and body["resource"]["name"] == bucket
    assert body["actor"]["arn"].endswith("run-42") and body["actions"]


def test_truncated_request_is_read_back_and_decided_definitely(aws, audit, decider):
    trail, _ = audit
    sm = aws.client("sagemaker")
    notebook(sm, "nb-truncated", DirectInternetAccess="Enabled")
    event = sagemaker_call(
        "CreateNotebookInstance",
        {"NotebookInstanceName": "nb-truncated"},
        account=ACCOUNT,
        region=REGION,
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/nb-truncated",
    )
    event["detail"]["requestParameters"] = {"omitted": True}
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=RuntimeConfig())
    (result,) = outcome.resources
    assert result.enriched
    definite = {v.control for v in result.decision.violations if not v.unknown}
    assert {"SM-04", "SM-05", "SM-14"} <= definite


def test_endpoint_whose_config_cannot_be_read_is_unknown_and_not_deleted(aws, audit, decider):
    trail, _ = audit
    sm = aws.client("sagemaker")
    sm.create_model(ModelName="m3", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
    sm.create_endpoint_config(
        EndpointConfigName="ec3",
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "m3", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
        ],
    )
    sm.create_endpoint(EndpointName="ep3", EndpointConfigName="ec3")
    sm.delete_endpoint_config(EndpointConfigName="ec3")
    event = sagemaker_call(
        "CreateEndpoint", {"EndpointName": "ep3", "EndpointConfigName": "ec3"}, account=ACCOUNT, region=REGION
    )
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    (result,) = outcome.resources
    assert [(v.control, v.unknown) for v in result.decision.violations] == [("SM-17", True)]
    assert outcome.actions == []
    assert sm.describe_endpoint(EndpointName="ep3")["EndpointStatus"] == "InService"


def test_resource_deleted_before_the_event_is_decided_on_the_event_alone(aws, audit, decider):
    trail, path = audit
    event = sagemaker_call(
        "UpdateNotebookInstance",
        {"NotebookInstanceName": "gone-nb", "RootAccess": "Enabled"},
        account=ACCOUNT,
        region=REGION,
    )
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    (result,) = outcome.resources
    assert result.live_state_missing and not result.enriched
    assert all(a.outcome == "skipped" for a in outcome.actions)
    assert len(records(path)) == 1
