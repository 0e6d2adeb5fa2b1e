"""guardrails.sources.live: the one live-resource reader (Describe/Get -> canonical document)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber
from moto_server_support import offline_client

from guardrails.decider import Decider
from guardrails.resource_kinds import BY_TYPE, S3_BUCKET_ASPECTS
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.errors import ResourceGone, TransientAwsError
from guardrails.sources.live import LiveReader, LiveReadError, explicit_absence

ACCOUNT, REGION = "123456789012", "us-east-1"
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def stubbed(service: str) -> tuple[object, Stubber]:
    client = offline_client(service, REGION)
    return client, Stubber(client)


def reader(on_error: str, **clients: object) -> LiveReader:
    return LiveReader(
        AwsClients(region=REGION, overrides=clients), on_error=on_error, account=ACCOUNT, region=REGION
    )


def not_configured_bucket(stub: Stubber, bucket: str) -> None:
    stub.add_client_error(
        "get_public_access_block", "NoSuchPublicAccessBlockConfiguration", http_status_code=404
    )
    stub.add_response("get_bucket_acl", {"Grants": [], "Owner": {"ID": "o"}}, {"Bucket": bucket})
    stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", http_status_code=404)
    stub.add_client_error(
        "get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", http_status_code=404
    )
    stub.add_client_error(
        "get_bucket_ownership_controls", "OwnershipControlsNotFoundError", http_status_code=404
    )


@pytest.mark.parametrize("on_error", ["unknown", "raise"])
def test_not_configured_is_an_answer_and_absent_aspects_are_left_out(on_error):
    s3, stub = stubbed("s3")
    not_configured_bucket(stub, "b")
    with stub:
        doc = reader(on_error, s3=s3).bucket_document("b")
    stub.assert_no_pending_responses()  # exactly the five Get* calls the S3 controls read
    assert doc.context.unknown == [] and doc.context.point == "scan" and doc.context.source == "live"
    assert doc.resource.properties == {"BucketName": "b", "AccessControlPolicy": {"Grants": []}}
    assert doc.resource.arn == "arn:aws:s3:::b" and doc.resource.account == ACCOUNT


def test_absent_block_fails_s3_01_at_scan_and_runtime_and_explicit_absence_fails_it_at_admission():
    s3, stub = stubbed("s3")
    not_configured_bucket(stub, "b")
    with stub:
        doc = reader("unknown", s3=s3).bucket_document("b")
    decider = Decider()
    for point in ("scan", "runtime"):
        doc.context.point = point
        assert "S3-01" in {v.control for v in decider.decide(doc).violations}, point
    doc.context.point = "admission"
    assert "S3-01" not in {v.control for v in decider.decide(doc).violations}  # absent = new-bucket default
    doc.resource.properties = explicit_absence(doc.resource.properties)
    assert "S3-01" in {v.control for v in decider.decide(doc).violations}


def test_on_error_unknown_leaves_the_aspect_unknown_and_the_policy_fails_closed():
    s3, stub = stubbed("s3")
    stub.add_client_error("get_public_access_block", "AccessDenied", http_status_code=403)
    stub.add_response("get_bucket_acl", {"Grants": []})
    stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", http_status_code=404)
    stub.add_client_error(
        "get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", http_status_code=404
    )
    stub.add_client_error(
        "get_bucket_ownership_controls", "OwnershipControlsNotFoundError", http_status_code=404
    )
    with stub:
        doc = reader("unknown", s3=s3).bucket_document("b")
    assert doc.context.unknown == ["PublicAccessBlockConfiguration"]
    assert doc.resource.properties["PublicAccessBlockConfiguration"].startswith("<unknown")
    s301 = [v for v in Decider().decide(doc).violations if v.control == "S3-01"]
    assert s301 and all(v.unknown for v in s301)


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("AccessDenied", 403, LiveReadError),
        ("SlowDown", 503, TransientAwsError),
        ("NoSuchBucket", 404, ResourceGone),
    ],
)
def test_on_error_raise_classifies_the_failure(code, status, error):
    s3, stub = stubbed("s3")
    stub.add_client_error("get_public_access_block", code, http_status_code=status)
    with stub, pytest.raises(error):
        reader("raise", s3=s3).bucket_properties("b", S3_BUCKET_ASPECTS)


def test_a_missing_bucket_is_gone_even_when_errors_are_unknown():
    s3, stub = stubbed("s3")
    stub.add_client_error("get_public_access_block", "NoSuchBucket", http_status_code=404)
    with stub, pytest.raises(ResourceGone):
        reader("unknown", s3=s3).bucket_document("b")


def test_only_the_asked_aspects_are_read():
    s3, stub = stubbed("s3")
    stub.add_response(
        "get_bucket_ownership_controls",
        {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
    )
    with stub:
        props, unknown = reader("raise", s3=s3).bucket_properties("b", ("OwnershipControls",))
    assert (
        props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]} and not unknown
    )


def test_endpoint_reads_its_config_and_models_once_and_leaves_out_what_cannot_be_read():
    sm, stub = stubbed("sagemaker")
    endpoint = {
        "EndpointName": "ep",
        "EndpointArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/ep",
        "EndpointConfigName": "cfg",
        "EndpointStatus": "InService",
        "CreationTime": "2026-01-01T00:00:00Z",
        "LastModifiedTime": "2026-01-01T00:00:00Z",
    }
    config = {
        "EndpointConfigName": "cfg",
        "EndpointConfigArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/cfg",
        "ProductionVariants": [
            {"VariantName": "a", "ModelName": "m1"},
            {"VariantName": "b", "ModelName": "m2"},
        ],
        "CreationTime": "2026-01-01T00:00:00Z",
    }
    stub.add_response("describe_endpoint", endpoint, {"EndpointName": "ep"})
    stub.add_response("describe_endpoint_config", config, {"EndpointConfigName": "cfg"})
    stub.add_response(
        "describe_model",
        {
            "ModelName": "m1",
            "ModelArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/m1",
            "CreationTime": "2026-01-01T00:00:00Z",
            "EnableNetworkIsolation": True,
        },
        {"ModelName": "m1"},
    )
    stub.add_client_error("describe_model", "AccessDeniedException", http_status_code=400)
    live = reader("unknown", sagemaker=sm)
    with stub:
        doc = live.sagemaker_document(BY_TYPE["AWS::SageMaker::Endpoint"], "ep")
        again = live.related_of(BY_TYPE["AWS::SageMaker::Endpoint"], doc.resource.properties)  # cached
    stub.assert_no_pending_responses()
    assert set(doc.related) == {"AWS::SageMaker::EndpointConfig/cfg", "AWS::SageMaker::Model/m1"}
    assert set(again) == set(doc.related)
    assert doc.resource.arn.endswith(":endpoint/ep") and doc.context.source == "live"


def test_the_primary_describe_always_raises():
    sm, stub = stubbed("sagemaker")
    stub.add_client_error("describe_model", "AccessDeniedException", http_status_code=400)
    with stub, pytest.raises(LiveReadError, match="AccessDeniedException"):
        reader("unknown", sagemaker=sm).sagemaker_document(BY_TYPE["AWS::SageMaker::Model"], "m")


def test_account_block_absent_fails_s3_06_and_unreadable_is_unknown():
    control, stub = stubbed("s3control")
    stub.add_client_error(
        "get_public_access_block", "NoSuchPublicAccessBlockConfiguration", http_status_code=404
    )
    stub.add_client_error("get_public_access_block", "AccessDenied", http_status_code=403)
    live = reader("unknown", s3control=control)
    with stub:
        absent = live.account_block_document(ACCOUNT)
        denied = live.account_block_document(ACCOUNT)
    decider = Decider()
    assert [(v.control, v.unknown) for v in decider.decide(absent).violations] == [("S3-06", False)]
    assert [(v.control, v.unknown) for v in decider.decide(denied).violations] == [("S3-06", True)]


def test_on_error_must_be_chosen():
    with pytest.raises(ValueError):
        LiveReader(AwsClients(region=REGION), on_error="ignore")  # type: ignore[arg-type]
