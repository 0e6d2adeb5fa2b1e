"""The boto3 hook on CreateCluster (SM-21): a HyperPod cluster outside a customer VPC is never sent."""

from __future__ import annotations

import boto3
import pytest
from admission_support import aws, aws_env  # noqa: F401 (fixtures)

import guardrails
from guardrails.admission import GuardrailViolation

ROLE = "arn:aws:iam::111122223333:role/hyperpod"
GROUP = {
    "InstanceGroupName": "workers",
    "InstanceType": "ml.p5.48xlarge",
    "InstanceCount": 2,
    "ThreadsPerCore": 1,
    "ExecutionRole": ROLE,
    "LifeCycleConfig": {"SourceS3Uri": "s3://sagemaker-lifecycle/hp/", "OnCreate": "on_create.sh"},
}


def test_cluster_without_vpc_is_blocked_and_one_in_a_vpc_is_created(aws, decider):  # noqa: F811
    session = boto3.Session(region_name="us-east-1")
    hook = guardrails.install(session, decider=decider)
    sagemaker = session.client("sagemaker")
    with pytest.raises(GuardrailViolation) as raised:
        sagemaker.create_cluster(ClusterName="open", InstanceGroups=[GROUP])
    assert raised.value.controls == ["SM-21"]
    vpc = {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]}
    sagemaker.create_cluster(ClusterName="private", InstanceGroups=[GROUP], VpcConfig=vpc)
    names = [c["ClusterName"] for c in sagemaker.list_clusters()["ClusterSummaries"]]
    assert names == ["private"]
    hook.uninstall()
