"""Runtime for HyperPod clusters (SM-21) on moto: CloudTrail event, DescribeCluster enrichment, tag-only remediation."""

from __future__ import annotations

from fixtures.events.builders import sagemaker_call
from runtime_support import ACCOUNT, REGION

from guardrails.config import RuntimeConfig
from guardrails.runtime.processor import process_event

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sm-exec"
GROUP = {
    "InstanceGroupName": "workers",
    "InstanceType": "ml.p5.48xlarge",
    "InstanceCount": 2,
    "ThreadsPerCore": 1,
    "ExecutionRole": ROLE,
    "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-lifecycle/hp/", "OnCreate": "on_create.sh"},
}


def tags(sm, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


def test_cluster_outside_a_vpc_is_tagged_never_deleted(aws, trail, decider):
    sm = aws.client("sagemaker")
    arn = sm.create_cluster(ClusterName="hp", InstanceGroups=[GROUP])["ClusterArn"]
    event = sagemaker_call(
        "CreateCluster",
        {"ClusterName": "hp", "InstanceGroups": [GROUP]},
        account=ACCOUNT,
        region=REGION,
        arn=arn,
    )
    outcome = process_event(
        event, decider=decider, trail=trail, clients=aws, config=RuntimeConfig(mode="enforce")
    )
    (result,) = outcome.resources
    assert {v.control for v in result.decision.violations if v.enforcement == "deny"} == {"SM-21"}
    (action,) = outcome.actions
    assert action.kind == "tag-resource" and action.outcome == "succeeded"
    assert tags(sm, arn)["guardrails:violation"] == "SM-21"
    assert sm.describe_cluster(ClusterName="hp")["ClusterName"] == "hp"  # still there


def test_update_cluster_event_is_judged_on_the_described_cluster(aws, trail, decider):
    sm = aws.client("sagemaker")
    arn = sm.create_cluster(ClusterName="hp2", InstanceGroups=[GROUP])["ClusterArn"]
    event = sagemaker_call(
        "UpdateCluster",
        {"ClusterName": "hp2", "InstanceGroups": [GROUP]},
        account=ACCOUNT,
        region=REGION,
        arn=arn,
    )
    (document,) = process_event(
        event, decider=decider, trail=trail, clients=aws, config=RuntimeConfig()
    ).resources
    assert document.enriched  # VpcConfig is not part of UpdateCluster: read with DescribeCluster
    definite = {(v.control, v.unknown) for v in document.decision.violations}
    assert definite == {("SM-21", False)}


def test_cluster_arn_comes_from_aws_never_built_from_the_name():
    from guardrails.resource_kinds import BY_TYPE, arn_for
    from guardrails.sources.api_request import document_from_request

    kind = BY_TYPE["AWS::SageMaker::Cluster"]
    assert arn_for(kind, "hp", REGION, ACCOUNT) is None  # the ARN ends in a generated cluster id
    doc = document_from_request("CreateCluster", {"ClusterName": "hp"}, account=ACCOUNT, region=REGION)
    assert doc.resource.arn is None
