"""References a hook payload cannot resolve are Described when the config allows it (moto / Stubber),
else reported unknown — never passed silently."""

from __future__ import annotations

import json

import boto3
from admission_support import (  # noqa: F401 (aws is a fixture)
    KMS,
    REGION,
    ROLE,
    RecordingTrail,
    aws,
    aws_env,
    resource_event,
    tls_only_policy,
)
from botocore.stub import Stubber

from guardrails.admission.cfn_hook import handle_hook_request
from guardrails.admission.describe import AwsDescriber
from guardrails.config import AdmissionConfig
from guardrails.resource_kinds import BY_TYPE, KMS_KEYS

DESCRIBE = AdmissionConfig(describe_related_resources=True)
CONFIG = "AWS::SageMaker::EndpointConfig"
VPC = {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]}
TLS_ONLY = tls_only_policy("acme-data-bucket")


def sagemaker_world(*, config_kms: bool = True, model_vpc: bool = True) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    model = {
        "ModelName": "churn-model",
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": "683313688378.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"},
    }
    if model_vpc:
        model["VpcConfig"] = VPC
    sm.create_model(**model)
    config = {
        "EndpointConfigName": "churn-config",
        "ProductionVariants": [
            {
                "VariantName": "v",
                "ModelName": "churn-model",
                "InitialInstanceCount": 2,
                "InstanceType": "ml.m5.large",
            }
        ],
    }
    if config_kms:
        config["KmsKeyId"] = KMS
    sm.create_endpoint_config(**config)


def run(event, decider, **kwargs):
    trail = RecordingTrail()
    return handle_hook_request(event, decider=decider, trail=trail, **kwargs), trail.records[0]


def endpoint_event():
    return resource_event(
        "AWS::SageMaker::Endpoint",
        "ChurnEndpoint",
        {"EndpointName": "churn", "EndpointConfigName": "churn-config"},
    )


def test_endpoint_is_judged_through_its_described_config_and_model(aws, decider):
    sagemaker_world()
    response, record = run(endpoint_event(), decider, config=DESCRIBE)  # default describer: boto3 + moto
    assert response["hookStatus"] == "SUCCESS", response["message"]
    assert record.verdict == "allow"


def test_described_noncompliant_model_fails_sm17_by_name_not_as_unknown(aws, decider):
    sagemaker_world(model_vpc=False)
    response, record = run(endpoint_event(), decider, config=DESCRIBE)
    assert response["errorCode"] == "NonCompliant"
    assert {(v.control, v.unknown, v.via) for v in record.violations} == {("SM-17", False, "SM-03")}
    assert all("churn-model" in v.message for v in record.violations)  # subnets and security groups


def test_described_config_without_kms_fails_sm17(aws, decider):
    sagemaker_world(config_kms=False)
    _, record = run(endpoint_event(), decider, config=DESCRIBE)
    assert {(v.control, v.via, v.unknown) for v in record.violations} == {("SM-17", "SM-13", False)}


def test_without_describes_the_same_endpoint_is_unknown_and_blocked(aws, decider):
    sagemaker_world()
    response, record = run(endpoint_event(), decider)
    assert response["errorCode"] == "NonCompliant"
    assert [(v.control, v.unknown) for v in record.violations] == [("SM-17", True)]


def test_a_reference_that_does_not_exist_stays_unknown(aws, decider):
    response, record = run(endpoint_event(), decider, config=DESCRIBE)
    assert response["errorCode"] == "NonCompliant"
    assert [(v.control, v.unknown) for v in record.violations] == [("SM-17", True)]


def test_access_denied_leaves_the_reference_unknown():
    client = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("describe_endpoint_config", "AccessDeniedException", "not authorized", 400)
        assert AwsDescriber(lambda service: client).related(BY_TYPE[CONFIG], "churn-config") is None


def test_access_denied_endpoint_is_reported_unknown(decider):
    client = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("describe_endpoint_config", "AccessDeniedException", "not authorized", 400)
        response, record = run(
            endpoint_event(), decider, config=DESCRIBE, describe=AwsDescriber(lambda service: client)
        )
    assert response["errorCode"] == "NonCompliant"
    assert [(v.control, v.unknown) for v in record.violations] == [("SM-17", True)]


def test_an_unresolved_reference_is_never_described(decider):
    class Refusing:
        def related(self, kind, name):
            raise AssertionError(f"described {name}")

        bucket_properties = related

        def key_documents(self, document):
            assert not KMS_KEYS.values(document.resource.properties)  # no key named here
            return {}

    event = resource_event(
        "AWS::SageMaker::Endpoint", "Ep", {"EndpointConfigName": "<unknown specific: GetAtt C.Name>"}
    )
    response, _ = run(event, decider, config=DESCRIBE, describe=Refusing())
    assert response["errorCode"] == "NonCompliant"


def test_describe_response_is_mapped_into_the_request_shape(aws):
    sagemaker_world()
    config = AwsDescriber.from_session(region=REGION).related(BY_TYPE[CONFIG], "churn-config")
    shaped = config.resource.properties
    assert (
        "EndpointConfigArn" not in shaped
        and "CreationTime" not in shaped
        and "ResponseMetadata" not in shaped
    )
    assert shaped["KmsKeyId"] == KMS and shaped["ProductionVariants"][0]["ModelName"] == "churn-model"
    assert config.context.point == "admission" and config.context.source == "live"


def bucket_policy_event():
    return resource_event(
        "AWS::S3::BucketPolicy", "DataPolicy", {"Bucket": "acme-data-bucket", "PolicyDocument": TLS_ONLY}
    )


def make_bucket(*, block: bool = True, kms: bool = True, acl: str | None = None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="acme-data-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    if block:
        s3.put_public_access_block(
            Bucket="acme-data-bucket",
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    if kms:
        s3.put_bucket_encryption(
            Bucket="acme-data-bucket",
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS}}
                ]
            },
        )
    if acl:
        s3.put_bucket_acl(Bucket="acme-data-bucket", ACL=acl)


def test_bucket_policy_target_is_judged_with_the_real_bucket(aws, decider):
    make_bucket()
    response, record = run(bucket_policy_event(), decider, config=DESCRIBE)
    assert response["hookStatus"] == "SUCCESS", response["message"]
    assert record.verdict == "allow"


def test_bucket_policy_on_a_bucket_with_public_acl_and_sse_s3_fails_by_name(aws, decider):
    make_bucket(kms=False, acl="public-read")
    response, record = run(bucket_policy_event(), decider, config=DESCRIBE)
    assert response["errorCode"] == "NonCompliant"
    assert {(v.control, v.unknown) for v in record.violations} == {("S3-02", False), ("S3-04", False)}


def test_bucket_aspects_that_cannot_be_read_stay_unknown(decider):
    client = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("get_public_access_block", "AccessDenied", "denied", 403)
        stub.add_response("get_bucket_acl", {"Owner": {"ID": "o"}, "Grants": []})
        stub.add_client_error("get_bucket_encryption", "AccessDenied", "denied", 403)
        response, record = run(
            bucket_policy_event(), decider, config=DESCRIBE, describe=AwsDescriber(lambda service: client)
        )
    assert response["errorCode"] == "NonCompliant"
    assert {(v.control, v.unknown) for v in record.violations} == {("S3-01", True), ("S3-04", True)}


def test_describes_are_off_unless_configured(decider):
    class Refusing:
        def bucket_properties(self, name, aspects):
            raise AssertionError("described without permission from the config")

    response, record = run(bucket_policy_event(), decider, describe=Refusing())
    assert {v.control for v in record.violations if v.unknown} == {"S3-01", "S3-02", "S3-04"}
    assert json.dumps(response)


def test_existing_bucket_without_public_access_block_fails_s3_01(aws, decider):
    """An absent configuration means "new bucket, S3 defaults on" only before a bucket exists; a live
    bucket without one blocks nothing at bucket level."""
    make_bucket(block=False)
    response, record = run(bucket_policy_event(), decider, config=DESCRIBE)
    assert response["errorCode"] == "NonCompliant"
    s301 = [v for v in record.violations if v.control == "S3-01"]
    assert s301 and not any(v.unknown for v in s301)
