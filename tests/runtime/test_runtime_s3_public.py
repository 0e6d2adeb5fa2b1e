"""Runtime remediation of S3-03 and S3-04 with S3's meaning of public and customer-managed keys (moto)."""

from __future__ import annotations

import json

import pytest
from fixtures.events.builders import s3_call
from runtime_support import ACCOUNT, KMS, REGION

from guardrails.config import RuntimeConfig
from guardrails.runtime.processor import process_event

BUCKET = "acme-runtime-public"


def allow(sid: str, condition: dict | None = None) -> dict:
    st = {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
          "Resource": f"arn:aws:s3:::{BUCKET}/*"}
    if condition:
        st["Condition"] = condition
    return st


KEPT = [
    allow("Delegation", {"StringEquals": {"s3:DataAccessPointAccount": ACCOUNT}}),
    allow("SourceOwner", {"StringEquals": {"aws:SourceOwner": ACCOUNT}}),
    allow("Narrow", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
]
REMOVED = [
    allow("WildcardVpc", {"StringLike": {"aws:SourceVpc": "vpc-*"}}),
    allow("Halves", {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}),
    allow("NotEquals", {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
]


def new_bucket(s3) -> None:
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})


def test_rewrite_keeps_statements_restricted_by_any_key_on_s3s_list(aws, trail, decider):
    s3 = aws.client("s3")
    new_bucket(s3)
    statements = KEPT[:1] + REMOVED + KEPT[1:]
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    event = s3_call("PutBucketPolicy", BUCKET, {"bucketPolicy": {"Version": "2012-10-17", "Statement": statements}},
                    account=ACCOUNT, region=REGION)
    outcome = process_event(event, decider=decider, trail=trail, clients=aws,
                            config=RuntimeConfig(mode="enforce", kms_key_id=KMS))
    steps = {a.kind: a for a in outcome.actions}
    assert steps["rewrite-bucket-policy"].outcome == "succeeded"
    kept = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert [s["Sid"] for s in kept] == ["Delegation", "SourceOwner", "Narrow"]


def test_kms_without_a_key_is_replaced_by_the_configured_customer_key(aws, trail, decider):
    s3 = aws.client("s3")
    new_bucket(s3)
    sse = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration=sse)
    event = s3_call("PutBucketEncryption", BUCKET, {"ServerSideEncryptionConfiguration": {
        "Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}}}, account=ACCOUNT, region=REGION)
    outcome = process_event(event, decider=decider, trail=trail, clients=aws,
                            config=RuntimeConfig(mode="enforce", kms_key_id=KMS))
    (result,) = outcome.resources
    assert "S3-04" in {v.control for v in result.decision.violations if not v.unknown}
    steps = {a.kind: a for a in outcome.actions}
    assert steps["put-bucket-encryption"].outcome == "succeeded"
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS}


def test_an_aws_managed_configured_key_is_refused(aws, trail, decider):
    s3 = aws.client("s3")
    new_bucket(s3)
    event = s3_call("DeleteBucketEncryption", BUCKET, {"encryption": [""]}, account=ACCOUNT, region=REGION)
    outcome = process_event(event, decider=decider, trail=trail, clients=aws,
                            config=RuntimeConfig(mode="enforce", kms_key_id="alias/aws/s3"))
    step = {a.kind: a for a in outcome.actions}["put-bucket-encryption"]
    assert step.outcome == "failed" and "would not fix S3-04" in step.error and "AWS managed" in step.error
    with pytest.raises(s3.exceptions.ClientError):  # moto keeps no configuration: nothing was put
        s3.get_bucket_encryption(Bucket=BUCKET)


def test_truncated_access_point_event_is_judged_on_the_live_access_point(aws, trail, decider):
    from fixtures.events.builders import cloudtrail_event

    s3 = aws.client("s3")
    new_bucket(s3)
    aws.client("s3control").create_access_point(
        AccountId=ACCOUNT,
        Name="reports",
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                        "BlockPublicPolicy": False, "RestrictPublicBuckets": True},
    )
    event = cloudtrail_event("CreateAccessPoint", {"name": "reports", "x-amz-account-id": ACCOUNT,
                                                   "CreateAccessPointRequest": {"omitted": True}},
                             source="s3.amazonaws.com", account=ACCOUNT, region=REGION)
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=RuntimeConfig(mode="enforce"))
    (result,) = outcome.resources
    assert result.enriched
    failing = {(v.control, v.path) for v in result.decision.violations if not v.unknown}
    assert failing == {("S3-08", "PublicAccessBlockConfiguration.BlockPublicPolicy")}
    assert outcome.actions == []  # S3-08 is reported, never remediated


def test_a_public_access_point_policy_event_is_judged_on_the_live_access_point(aws, trail, decider):
    # PutAccessPointPolicy carries the policy only: the runtime reads the access point (its block settings
    # and the policy now in place) and reports S3-08 on the public policy.
    from fixtures.events.builders import cloudtrail_event

    new_bucket(aws.client("s3"))
    s3control = aws.client("s3control")
    s3control.create_access_point(AccountId=ACCOUNT, Name="reports", Bucket=BUCKET)
    public = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/reports/object/*"}]}
    s3control.put_access_point_policy(AccountId=ACCOUNT, Name="reports", Policy=json.dumps(public))
    event = cloudtrail_event("PutAccessPointPolicy", {"name": "reports", "x-amz-account-id": ACCOUNT},
                             source="s3-control.amazonaws.com", account=ACCOUNT, region=REGION)
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=RuntimeConfig(mode="enforce"))
    (result,) = outcome.resources
    assert result.enriched and result.decision.verdict == "deny"
    assert {v.control for v in result.decision.violations if not v.unknown} == {"S3-08"}
    assert not [v for v in result.decision.violations if v.unknown]  # the live read left nothing unknown
    assert outcome.actions == []  # S3-08 is reported, never remediated
