"""API request documents -> canonical documents."""

from __future__ import annotations

import json

import pytest

from guardrails.sources.api_request import document_from_request, load_api_request, supported_operations
from guardrails.sources.errors import SourceError


def test_training_job_request_keeps_api_shape_and_tags():
    doc = document_from_request(
        "CreateTrainingJob",
        {
            "TrainingJobName": "churn",
            "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
            "Tags": [{"Key": "team", "Value": "risk"}],
        },
        account="111122223333",
        region="eu-west-1",
    )
    assert doc.resource.type == "AWS::SageMaker::TrainingJob"
    assert doc.resource.name == "churn"
    assert doc.resource.arn == "arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn"
    assert doc.resource.tags == {"team": "risk"}
    assert "Tags" not in doc.resource.properties
    assert doc.context.source == "api-request" and doc.context.unknown == []


def test_update_notebook_marks_untouched_create_fields_unknown():
    doc = document_from_request(
        "UpdateNotebookInstance", {"NotebookInstanceName": "nb", "RootAccess": "Disabled"}
    )
    assert "DirectInternetAccess" in doc.context.unknown
    assert "KmsKeyId" in doc.context.unknown
    assert "RootAccess" not in doc.context.unknown
    assert doc.resource.properties["DirectInternetAccess"].startswith("<unknown")


def test_update_domain_is_named_by_domain_id():
    doc = document_from_request("UpdateDomain", {"DomainId": "d-123", "AppNetworkAccessType": "VpcOnly"})
    assert doc.resource.type == "AWS::SageMaker::Domain" and doc.resource.name == "d-123"


def test_put_bucket_policy_is_a_partial_bucket_document():
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}
    doc = document_from_request("PutBucketPolicy", {"Bucket": "b", "Policy": json.dumps(policy)})
    assert doc.resource.type == "AWS::S3::Bucket" and doc.resource.arn == "arn:aws:s3:::b"
    assert doc.resource.properties["Policy"] == policy
    assert set(doc.context.unknown) == {
        "PublicAccessBlockConfiguration",
        "AccessControl",
        "BucketEncryption",
        "OwnershipControls",
    }


def test_create_bucket_is_a_whole_new_bucket():
    doc = document_from_request(
        "CreateBucket", {"Bucket": "b", "ACL": "public-read", "ObjectOwnership": "ObjectWriter"}
    )
    assert doc.resource.properties["AccessControl"] == "PublicRead"
    assert doc.resource.properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    assert doc.context.unknown == []


def test_put_bucket_encryption_maps_to_cloudformation_shape():
    doc = document_from_request(
        "PutBucketEncryption",
        {
            "Bucket": "b",
            "ServerSideEncryptionConfiguration": {
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": "k",
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        },
    )
    assert doc.resource.properties["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"},
                "BucketKeyEnabled": True,
            }
        ]
    }


def test_account_public_access_block():
    doc = document_from_request(
        "PutPublicAccessBlock",
        {"AccountId": "111122223333", "PublicAccessBlockConfiguration": {"BlockPublicAcls": True}},
    )
    assert doc.resource.type == "AWS::S3::AccountPublicAccessBlock"
    assert doc.resource.properties == {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}}


def test_every_supported_operation_builds_a_document():
    for op in supported_operations():
        request = {"Bucket": "b", "AccountId": "1", "DomainId": "d", "Policy": "{}", "Name": "ap"}
        from guardrails.resource_kinds import SAGEMAKER_BY_OPERATION

        if op in SAGEMAKER_BY_OPERATION:
            request = {SAGEMAKER_BY_OPERATION[op].name_field: "x", "DomainId": "d"}
        assert document_from_request(op, request).resource.name


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"operation": "CreateTrainingJob"}, "request: Field required"),
        ({"operation": "DeleteEverything", "request": {}}, "not in scope"),
        ({"operation": "CreateTrainingJob", "request": {}}, "request.TrainingJobName is required"),
        ({"operation": "CreateModel", "request": {"ModelName": "m"}, "extra": 1}, "extra"),
    ],
)
def test_invalid_request_documents_name_the_file_and_field(tmp_path, data, needle):
    path = tmp_path / "req.json"
    with pytest.raises(SourceError) as err:
        load_api_request(path, data)
    assert str(path) in str(err.value) and needle in str(err.value)
