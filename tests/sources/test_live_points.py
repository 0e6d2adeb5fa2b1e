"""One live read for every enforcement point: admission, runtime and scan read a live resource through
guardrails.sources.live and get the same document; only what a failed read does differs, as each caller
chose: unknown at admission (fail closed, never raises), raised at runtime (the platform retries)."""

from __future__ import annotations

import boto3
import pytest
from admission_support import ACCOUNT, KMS, REGION, ROLE, aws  # noqa: F401 (aws is a fixture)
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from guardrails.admission.describe import AwsDescriber
from guardrails.admission.references import complete_references
from guardrails.decider import Decider
from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import BY_TYPE, S3_BUCKET_ASPECTS_NOT_IN_POLICY
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.enrich import enrich
from guardrails.runtime.errors import TransientAwsError
from guardrails.sources.api_request import document_from_request
from guardrails.sources.live import LiveReader, LiveReadError

ENDPOINT = BY_TYPE["AWS::SageMaker::Endpoint"]
NOTEBOOK = BY_TYPE["AWS::SageMaker::NotebookInstance"]
VPC = {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
CONTAINER = {"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/x:1"}
VARIANT = {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
CREATE_ENDPOINT = {"EndpointName": "ep", "EndpointConfigName": "cfg"}


def scan_reader() -> LiveReader:
    return LiveReader(AwsClients(region=REGION), on_error="unknown", account=ACCOUNT, region=REGION)


def admission_reader() -> AwsDescriber:
    return AwsDescriber.from_session(region=REGION, account=ACCOUNT)


def event_document(operation: str, request: dict) -> ResourceDocument:
    """What a CloudTrail event of `operation` becomes (the request shape, at the runtime point)."""
    return document_from_request(operation, request, account=ACCOUNT, region=REGION, point="runtime")


def make_bucket(name: str = "acme-data") -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS}}
            ]
        },
    )


def make_endpoint_world() -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer=CONTAINER, VpcConfig=VPC)
    sm.create_endpoint_config(EndpointConfigName="cfg", KmsKeyId=KMS, ProductionVariants=[VARIANT])
    sm.create_endpoint(**CREATE_ENDPOINT)


def test_the_same_live_bucket_reads_the_same_for_admission_runtime_and_scan(aws):
    make_bucket()
    aspects = ("PublicAccessBlockConfiguration", "AccessControl", "BucketEncryption")
    scanned = scan_reader().bucket_document("acme-data")
    runtime, state = enrich(
        event_document("PutBucketPolicy", {"Bucket": "acme-data", "Policy": "{}"}), AwsClients()
    )
    admitted, unread = admission_reader().bucket_properties("acme-data", aspects)

    assert state is not None and not unread and not scanned.context.unknown
    assert runtime.resource.properties == scanned.resource.properties
    assert {k: v for k, v in scanned.resource.properties.items() if k != "Policy"} == admitted
    assert runtime.resource.arn == scanned.resource.arn == "arn:aws:s3:::acme-data"


def test_the_same_live_notebook_reads_the_same_for_admission_runtime_and_scan(aws):
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t3.medium",
        RoleArn=ROLE,
        SubnetId="subnet-1",
        SecurityGroupIds=["sg-1"],
        DirectInternetAccess="Disabled",
        KmsKeyId=KMS,
    )
    scanned = scan_reader().sagemaker_document(NOTEBOOK, "nb")
    update = event_document(
        "UpdateNotebookInstance", {"NotebookInstanceName": "nb", "InstanceType": "ml.t3.large"}
    )
    assert update.context.unknown  # an Update* call carries only what changed
    runtime, _ = enrich(update, AwsClients())
    admitted = admission_reader().related(NOTEBOOK, "nb")

    assert scanned.resource.properties["SecurityGroupIds"] == [
        "sg-1"
    ]  # DescribeNotebookInstance's SecurityGroups
    assert runtime.resource.properties == scanned.resource.properties == admitted.resource.properties
    assert runtime.resource.arn == scanned.resource.arn == admitted.resource.arn
    assert not runtime.context.unknown and runtime.context.point == "runtime"


def test_an_endpoint_relates_the_same_config_and_model_at_every_point(aws):
    make_endpoint_world()
    scanned = scan_reader().sagemaker_document(ENDPOINT, "ep")
    runtime, _ = enrich(event_document("CreateEndpoint", CREATE_ENDPOINT), AwsClients())
    admitted = admission_document(CREATE_ENDPOINT)
    complete_references([admitted], admission_reader())

    expected = {"AWS::SageMaker::EndpointConfig/cfg", "AWS::SageMaker::Model/m", f"AWS::KMS::Key/{KMS}"}
    assert set(scanned.related) == set(runtime.related) == set(admitted.related) == expected
    for key in expected:
        props = scanned.related[key].resource.properties
        assert runtime.related[key].resource.properties == props == admitted.related[key].resource.properties
    decider = Decider()
    for document in (scanned, runtime, admitted):
        assert [v for v in decider.decide(document).violations if v.control == "SM-17"] == []


def admission_document(request: dict) -> ResourceDocument:
    document = event_document("CreateEndpoint", request)
    document.context.point = "admission"
    return document


def failing(operation: str, code: str, status: int):
    """A botocore `before-call` handler answering `operation` with an AWS error (the rest reaches moto)."""

    def handler(model, **_):
        if model.name == operation:
            parsed = {
                "Error": {"Code": code, "Message": "injected"},
                "ResponseMetadata": {"HTTPStatusCode": status},
            }
            return AWSResponse("https://sagemaker", status, {}, None), parsed
        return None

    return handler


@pytest.mark.parametrize(
    ("code", "status", "raised"),
    [("ThrottlingException", 400, TransientAwsError), ("AccessDeniedException", 400, LiveReadError)],
)
def test_a_failed_read_is_unknown_at_admission_and_raises_at_runtime(aws, code, status, raised):
    make_endpoint_world()
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.meta.events.register("before-call.sagemaker.*", failing("DescribeEndpointConfig", code, status))

    admitted = admission_document(CREATE_ENDPOINT)
    complete_references([admitted], AwsDescriber(lambda service: sm, account=ACCOUNT, region=REGION))
    assert admitted.related == {}
    sm17 = [v for v in Decider().decide(admitted).violations if v.control == "SM-17"]
    assert sm17 and all(v.unknown for v in sm17)  # fail closed, nothing raised

    with pytest.raises(raised):  # the platform retries (transient) or the invocation fails (denied)
        enrich(event_document("CreateEndpoint", CREATE_ENDPOINT), AwsClients(overrides={"sagemaker": sm}))


def test_a_bucket_read_error_is_unknown_at_admission_and_raises_at_runtime():
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(s3)
    stub.add_client_error("get_public_access_block", "SlowDown", http_status_code=503)
    stub.add_response("get_bucket_acl", {"Grants": []})
    stub.add_client_error(
        "get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", http_status_code=404
    )
    lone_policy = event_document("PutBucketPolicy", {"Bucket": "b", "Policy": "{}"})
    for aspect in S3_BUCKET_ASPECTS_NOT_IN_POLICY:  # as the CloudFormation adapter leaves a lone policy
        del lone_policy.resource.properties[aspect]
    lone_policy.context.point = "admission"
    with stub:
        complete_references([lone_policy], AwsDescriber(lambda service: s3, account=ACCOUNT, region=REGION))
    assert "PublicAccessBlockConfiguration" in lone_policy.context.unknown
    assert "AccessControl" not in lone_policy.context.unknown
    assert "BucketEncryption" not in lone_policy.context.unknown

    stub = Stubber(s3)
    stub.add_client_error("get_public_access_block", "SlowDown", http_status_code=503)
    with stub, pytest.raises(TransientAwsError):
        enrich(
            event_document("PutBucketPolicy", {"Bucket": "b", "Policy": "{}"}),
            AwsClients(overrides={"s3": s3}),
        )


def test_tags_are_read_live_and_never_guessed_whatever_on_error():
    """Tags decide whether a resource is protected from remediation: a failed read raises even for a
    reader whose other failed reads are unknown; a bucket without a tag set has no tags."""
    sm = boto3.client("sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    live = LiveReader(AwsClients(region=REGION, overrides={"sagemaker": sm, "s3": s3}), on_error="unknown")
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/nb"
    with Stubber(sm) as sm_stub, Stubber(s3) as s3_stub:
        sm_stub.add_response("list_tags", {"Tags": [{"Key": "team", "Value": "risk"}]}, {"ResourceArn": arn})
        sm_stub.add_client_error("list_tags", "AccessDeniedException", http_status_code=400)
        s3_stub.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404)
        assert live.tags(NOTEBOOK, "nb", arn) == {"team": "risk"}
        with pytest.raises(LiveReadError):
            live.tags(NOTEBOOK, "nb", arn)
        assert live.tags(BY_TYPE["AWS::S3::Bucket"], "b", "arn:aws:s3:::b") == {}


def aws_managed_key() -> str:
    """A moto key answered by DescribeKey as AWS managed (moto creates only customer managed keys)."""
    from moto.kms.models import kms_backends

    metadata = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]
    account = metadata["Arn"].split(":")[4]
    kms_backends[account][REGION].keys[metadata["KeyId"]].key_manager = "AWS"
    return str(metadata["Arn"])


def test_an_aws_managed_key_arn_fails_at_every_point(aws):
    """The key's text cannot tell; KMS can: admission (describes on), runtime and scan all ask it."""
    key = aws_managed_key()
    request = {"NotebookInstanceName": "nb", "InstanceType": "ml.t3.medium", "RoleArn": ROLE, "KmsKeyId": key}
    boto3.client("sagemaker", region_name=REGION).create_notebook_instance(**request)
    make_bucket()
    s3 = boto3.client("s3", region_name=REGION)
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    s3.put_bucket_encryption(Bucket="acme-data", ServerSideEncryptionConfiguration={"Rules": [rule]})

    scanned = scan_reader().sagemaker_document(NOTEBOOK, "nb")
    runtime, _ = enrich(
        event_document("UpdateNotebookInstance", {"NotebookInstanceName": "nb"}), AwsClients()
    )
    admitted = event_document("CreateNotebookInstance", request)
    admitted.context.point = "admission"
    complete_references([admitted], admission_reader())
    bucket = scan_reader().bucket_document("acme-data")

    decider = Decider()
    for document in (scanned, runtime, admitted):
        assert document.related[f"AWS::KMS::Key/{key}"].resource.properties["KeyManager"] == "AWS"
        (sm14,) = [v for v in decider.decide(document).violations if v.control == "SM-14"]
        assert not sm14.unknown and f"{key} is an AWS managed key" in sm14.message
    s304 = [v for v in decider.decide(bucket).violations if v.control == "S3-04"]
    assert s304 and not any(v.unknown for v in s304) and key in s304[0].message
