"""Partitions: ARNs, pseudo parameters and S3 hosts for aws, aws-us-gov and aws-cn (botocore's data)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber
from moto_server_support import offline_client

from guardrails.partitions import (
    build_arn,
    is_service_arn,
    parse_arn,
    partition_for_region,
    s3_bucket_arn,
    url_suffix,
)
from guardrails.resource_kinds import BY_TYPE, arn_for

ACCOUNT = "111122223333"
PARTITIONS = [
    ("eu-west-1", "aws", "amazonaws.com"),
    ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
]


@pytest.mark.parametrize("region,partition,suffix", PARTITIONS)
def test_partition_and_url_suffix_follow_the_region(region, partition, suffix):
    assert partition_for_region(region).name == partition
    assert url_suffix(region) == suffix


def test_unknown_or_absent_region_is_the_aws_partition_as_botocore_assumes():
    assert partition_for_region(None).name == "aws"
    assert partition_for_region("xx-nowhere-1").name == "aws"
    assert partition_for_region("us-gov-north-9").name == "aws-us-gov"  # by the region regex


@pytest.mark.parametrize("region,partition,suffix", PARTITIONS)
def test_resource_arns_are_built_in_the_region_partition(region, partition, suffix):
    training = arn_for(BY_TYPE["AWS::SageMaker::TrainingJob"], "Churn-Train", region, ACCOUNT)
    assert training == f"arn:{partition}:sagemaker:{region}:{ACCOUNT}:training-job/churn-train"
    assert arn_for(BY_TYPE["AWS::S3::Bucket"], "data", region, ACCOUNT) == f"arn:{partition}:s3:::data"
    assert s3_bucket_arn("data", region) == f"arn:{partition}:s3:::data"
    parsed = parse_arn(training)
    assert parsed is not None and (parsed.partition, parsed.service, parsed.region) == (
        partition,
        "sagemaker",
        region,
    )
    assert str(parsed) == training and is_service_arn(training, "sagemaker")
    assert build_arn("sagemaker", "model/m", region=region, account=ACCOUNT).startswith(f"arn:{partition}:")


@pytest.mark.parametrize(
    "value", [None, 42, "", "not-an-arn", "arn:aws:sagemaker", "arn:nowhere:sagemaker:eu-west-1:1:model/m"]
)
def test_what_is_not_a_known_partition_arn_is_not_a_service_arn(value):
    assert not is_service_arn(value, "sagemaker")


@pytest.mark.parametrize("region,partition,suffix", PARTITIONS)
def test_cloudformation_partition_and_url_suffix_follow_a_known_region(region, partition, suffix):
    from guardrails.sources.cloudformation.intrinsics import TemplateResolver

    template = {"Resources": {}}
    resolver = TemplateResolver(template, {"AWS::Region": region})
    assert resolver.pseudo["AWS::Partition"] == partition
    assert resolver.pseudo["AWS::URLSuffix"] == suffix
    unknown_region = TemplateResolver(template, {})
    assert unknown_region.pseudo["AWS::Partition"] == "aws"  # the previous default, region unknown


@pytest.mark.parametrize("region,partition,suffix", PARTITIONS)
def test_a_template_bucket_arn_in_each_partition(region, partition, suffix):
    from guardrails.sources.cloudformation import documents_from_template

    template = {
        "Resources": {
            "Data": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "data"}},
            "Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Data"},
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:*",
                                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::data/*"},
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ]
                    },
                },
            },
        }
    }
    (bucket,) = documents_from_template(
        template, file="t.yaml", parameters={"AWS::Region": region, "AWS::AccountId": ACCOUNT}
    )
    assert bucket.resource.arn == f"arn:{partition}:s3:::data"
    (statement,) = bucket.resource.properties["Policy"]["Statement"]
    assert statement["Resource"] == f"arn:{partition}:s3:::data/*"


@pytest.mark.parametrize("region,partition,suffix", PARTITIONS)
def test_hook_stack_arn_sets_partition_region_and_url_suffix(region, partition, suffix):
    from guardrails.admission.cfn_hook import parse_hook_request

    stack_id = f"arn:{partition}:cloudformation:{region}:{ACCOUNT}:stack/s/0a1b"
    request = parse_hook_request(
        {
            "clientRequestToken": "t",
            "awsAccountId": ACCOUNT,
            "stackId": stack_id,
            "actionInvocationPoint": "CREATE_PRE_PROVISION",
            "requestData": {"targetName": "STACK", "targetType": "STACK", "payload": "https://x"},
        }
    )
    assert request.region == region


@pytest.mark.parametrize("region,partition,suffix", PARTITIONS)
def test_runtime_tags_a_sagemaker_resource_in_every_partition(region, partition, suffix):
    from guardrails.config import RuntimeConfig
    from guardrails.documents import Context, Resource, ResourceDocument
    from guardrails.runtime.clients import AwsClients
    from guardrails.runtime.remediation.base import RemediationContext
    from guardrails.runtime.remediation.tagging import tag
    from guardrails.runtime.safety import live_tags

    arn = f"arn:{partition}:sagemaker:{region}:{ACCOUNT}:model/m"
    client = offline_client("sagemaker", region)
    document = ResourceDocument(
        resource=Resource(type="AWS::SageMaker::Model", name="m", arn=arn, account=ACCOUNT, region=region),
        context=Context(point="runtime", source="cloudtrail"),
    )
    with Stubber(client) as stub:
        stub.add_response("list_tags", {"Tags": [{"Key": "team", "Value": "risk"}]}, {"ResourceArn": arn})
        stub.add_response("list_tags", {"Tags": []}, {"ResourceArn": arn})
        clients = AwsClients(region=region, overrides={"sagemaker": client}, account_id=ACCOUNT)
        assert live_tags(document, clients) == {"team": "risk"}
        ctx = RemediationContext(clients=clients, config=RuntimeConfig(), decider=None, dry_run=True)
        result = tag(document, ["SM-01"], ctx)
        stub.assert_no_pending_responses()
    assert result.outcome == "skipped" and result.reason.startswith("dry-run: would tag")


def test_no_region_names_the_default_partition_without_botocore_data() -> None:
    from guardrails.partitions import DEFAULT_PARTITION, partition_for_region, partition_name

    assert partition_for_region(None).name == partition_for_region("").name == DEFAULT_PARTITION
    assert partition_name(None) == partition_name("") == DEFAULT_PARTITION
    assert s3_bucket_arn("b") == "arn:aws:s3:::b"
