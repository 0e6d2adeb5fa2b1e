"""EventBridge events (CloudTrail API calls, SageMaker state changes) -> canonical documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_paths import SAMPLES, require
from fixtures.events.builders import (
    ACCOUNT,
    REGION,
    camel_request,
    cloudtrail_event,
    s3_call,
    sagemaker_call,
    state_change,
)

from guardrails.resource_kinds import CLOUDTRAIL_EVENTS, SAGEMAKER_BY_STATE_CHANGE
from guardrails.sources.cloudtrail import (
    MalformedEventError,
    documents_from_event,
    looks_like_event,
    parse_event,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
KMS = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def findings(decider, doc) -> set[tuple[str, bool]]:
    decision = decider.decide(doc)
    assert decision.verdict != "error", decision.error
    return {(v.control, v.unknown) for v in decision.violations}


@pytest.mark.parametrize(("source", "event_name"), sorted(CLOUDTRAIL_EVENTS), ids=lambda v: v)
def test_every_watched_event_name_gives_one_runtime_document(decider, source, event_name):
    kind, operation = CLOUDTRAIL_EVENTS[(source, event_name)]
    if kind.service == "sagemaker":
        name_field = "DomainId" if operation == "UpdateDomain" else kind.name_field
        event = cloudtrail_event(
            event_name, {name_field[:1].lower() + name_field[1:]: "res-1"}, source=source
        )
    elif kind.type == "AWS::S3::Bucket":
        event = s3_call(event_name, "acme-res-1")
    else:
        event = cloudtrail_event(event_name, {"accountId": ACCOUNT, "name": "res-1"}, source=source)
    parsed = parse_event(event)
    assert parsed.skipped is None
    (doc,) = parsed.documents
    assert doc.resource.type == kind.type
    assert doc.context.point == "runtime" and doc.context.source == "cloudtrail"
    assert doc.context.actor is not None and doc.context.actor.type == "AssumedRole"
    assert doc.resource.account == ACCOUNT and doc.resource.region == REGION
    assert parsed.event_id == event["detail"]["eventID"] and parsed.envelope_id == event["id"]
    assert decider.decide(doc).verdict != "error"


@pytest.mark.parametrize("detail_type", sorted(SAGEMAKER_BY_STATE_CHANGE))
def test_every_state_change_detail_type_gives_a_sagemaker_event_document(decider, detail_type):
    kind = SAGEMAKER_BY_STATE_CHANGE[detail_type]
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind.arn_resource}/res-1"
    detail = {kind.name_field: "res-1", kind.arn_field: arn, "CreationTime": 1748855665000}
    if kind.status_field:
        detail[kind.status_field] = "InProgress"
    (doc,) = documents_from_event(state_change(detail_type, detail, arn))
    assert doc.resource.type == kind.type and doc.resource.name == "res-1" and doc.resource.arn == arn
    assert doc.context.source == "sagemaker-event"
    assert "CreationTime" not in doc.resource.properties
    assert kind.status_field not in doc.resource.properties
    assert decider.decide(doc).verdict != "error"


def test_training_job_request_is_recased_along_the_service_model():
    request = {
        "TrainingJobName": "churn",
        "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        "Environment": {"my_Var": "x", "lowerKey": "y"},
        "HyperParameters": {"eta": "0.1", "maxDepth": "5"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3Uri": "s3://b/k", "S3DataType": "S3Prefix"}},
            }
        ],
        "Tags": [{"Key": "team", "Value": "risk"}],
    }
    event = sagemaker_call("CreateTrainingJob", request)
    assert "vpcConfig" in event["detail"]["requestParameters"]
    (doc,) = documents_from_event(event)
    props = doc.resource.properties
    assert props["VpcConfig"] == {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    assert props["Environment"] == {"my_Var": "x", "lowerKey": "y"}
    assert props["HyperParameters"] == {"eta": "0.1", "maxDepth": "5"}
    assert props["ResourceConfig"]["VolumeSizeInGB"] == 30
    assert props["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == "s3://b/k"
    assert doc.resource.tags == {"team": "risk"}
    assert doc.resource.arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/churn"


def test_tuning_job_definitions_list_of_structures_is_recased():
    definition = {
        "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        "ResourceConfig": {"VolumeKmsKeyId": KMS},
    }
    request = {"HyperParameterTuningJobName": "hpo", "TrainingJobDefinitions": [definition, definition]}
    (doc,) = documents_from_event(sagemaker_call("CreateHyperParameterTuningJob", request))
    assert doc.resource.properties["TrainingJobDefinitions"][1]["VpcConfig"]["SecurityGroupIds"] == ["sg-1"]
    assert doc.resource.properties["TrainingJobDefinitions"][0]["ResourceConfig"]["VolumeKmsKeyId"] == KMS


def test_omitted_field_is_listed_unknown_so_the_runtime_reads_it():
    event = sagemaker_call("CreateTrainingJob", {"TrainingJobName": "big", "VpcConfig": {"Subnets": ["s"]}})
    event["detail"]["requestParameters"]["vpcConfig"] = {"omitted": True, "originalSize": 200000}
    (doc,) = documents_from_event(event)
    assert doc.context.unknown == ["VpcConfig"]
    assert doc.resource.properties["VpcConfig"].startswith("<unknown")


def test_whole_request_omitted_lists_every_field_unknown(decider):
    event = sagemaker_call("CreateTrainingJob", {"TrainingJobName": "huge"})
    event["detail"]["requestParameters"] = {"omitted": True}
    (doc,) = documents_from_event(event)
    assert doc.resource.name == "huge"
    assert {"VpcConfig", "OutputDataConfig", "ResourceConfig"} <= set(doc.context.unknown)
    assert ("SM-08", True) in findings(decider, doc)


def test_hidden_value_is_unknown():
    event = sagemaker_call("CreateTrainingJob", {"TrainingJobName": "t", "Environment": {"A": "b"}})
    event["detail"]["requestParameters"]["environment"] = "HIDDEN_DUE_TO_SECURITY_REASONS"
    (doc,) = documents_from_event(event)
    assert "Environment" in doc.context.unknown


def test_failed_call_is_skipped_with_a_typed_reason():
    parsed = parse_event(load(FIXTURES / "cloudtrail-CreateTrainingJob-AccessDenied.json"))
    assert parsed.skipped is not None and parsed.skipped.reason == "failed-call"
    assert parsed.documents == []
    assert parsed.event_id == "ee55ff66-0077-4188-9299-330011223344"


@pytest.mark.parametrize(
    "event",
    [
        cloudtrail_event("DescribeTrainingJob", {"trainingJobName": "t"}),
        cloudtrail_event("CreateUserProfile", {"domainId": "d-1", "userProfileName": "u"}),
        cloudtrail_event("GetBucketPolicy", {"bucketName": "b"}, source="s3.amazonaws.com"),
        {
            "version": "0",
            "id": "1",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "account": ACCOUNT,
            "region": REGION,
            "resources": [],
            "detail": {"state": "running"},
        },
        state_change("SageMaker Endpoint Deployment State Change", {"EndpointName": "e"}, "arn:x"),
    ],
    ids=["describe", "user-profile", "get-bucket-policy", "ec2", "deployment-state"],
)
def test_out_of_scope_events_are_skipped_not_errors(event):
    parsed = parse_event(event)
    assert parsed.skipped is not None and parsed.skipped.reason == "out-of-scope"


@pytest.mark.parametrize(
    "event",
    [
        {"detail-type": "AWS API Call via CloudTrail", "source": "aws.s3", "detail": {}},
        {
            "id": "1",
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.s3",
            "detail": {"eventName": "PutBucketAcl"},
        },
        s3_call("PutBucketAcl", "b")
        | {"detail": s3_call("PutBucketAcl", "b")["detail"] | {"requestParameters": {}}},
        ["not", "an", "event"],
    ],
    ids=["no-id", "no-event-source", "no-bucket", "list"],
)
def test_malformed_events_raise_a_specific_error(event):
    with pytest.raises(MalformedEventError):
        parse_event(event, file="e.json")


def test_looks_like_event():
    assert looks_like_event(s3_call("PutBucketAcl", "b"))
    assert not looks_like_event({"operation": "CreateModel", "request": {}})
    assert not looks_like_event({"Resources": {}})


# --- S3 REST shapes ---------------------------------------------------------------------------------


def test_put_bucket_acl_grants_in_xml_form_fail_s3_02(decider):
    (doc,) = documents_from_event(load(FIXTURES / "cloudtrail-PutBucketAcl-grants.json"))
    grants = doc.resource.properties["AccessControlPolicy"]["Grants"]
    assert grants[1]["Grantee"] == {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}
    assert ("S3-02", False) in findings(decider, doc)
    assert {"PublicAccessBlockConfiguration", "Policy", "BucketEncryption"} <= set(doc.context.unknown)


def test_canned_public_acl_header_fails_s3_02(decider):
    (doc,) = documents_from_event(
        s3_call("PutBucketAcl", "b-acl", {"acl": [""], "x-amz-acl": ["public-read"]})
    )
    assert doc.resource.properties["AccessControl"] == "PublicRead"
    assert ("S3-02", False) in findings(decider, doc)


def test_sse_s3_encryption_fails_s3_04_and_kms_passes(decider):
    (doc,) = documents_from_event(load(FIXTURES / "cloudtrail-PutBucketEncryption-sse-s3.json"))
    assert ("S3-04", False) in findings(decider, doc)
    kms = {
        "ServerSideEncryptionConfiguration": {
            "Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS}}
        }
    }
    (doc,) = documents_from_event(s3_call("PutBucketEncryption", "b-kms", kms))
    assert not any(c == "S3-04" for c, _ in findings(decider, doc))


def test_delete_bucket_encryption_reverts_to_sse_s3(decider):
    (doc,) = documents_from_event(s3_call("DeleteBucketEncryption", "b-enc", {"encryption": [""]}))
    assert ("S3-04", False) in findings(decider, doc)


def test_deleting_bucket_public_access_block_fails_s3_01_at_runtime(decider):
    (doc,) = documents_from_event(
        s3_call("DeleteBucketPublicAccessBlock", "b-bpa", {"publicAccessBlock": [""]})
    )
    assert "PublicAccessBlockConfiguration" not in doc.resource.properties
    assert ("S3-01", False) in findings(decider, doc)


def test_delete_bucket_policy_leaves_no_policy_and_others_unknown():
    (doc,) = documents_from_event(s3_call("DeleteBucketPolicy", "b-pol", {"policy": [""]}))
    assert "Policy" not in doc.resource.properties
    assert "PublicAccessBlockConfiguration" in doc.context.unknown


def test_create_bucket_marks_protections_unknown_until_read(decider):
    (doc,) = documents_from_event(s3_call("CreateBucket", "b-new", {"x-amz-acl": ["public-read-write"]}))
    assert doc.resource.properties["AccessControl"] == "PublicReadWrite"
    assert {"PublicAccessBlockConfiguration", "Policy", "BucketEncryption"} <= set(doc.context.unknown)
    assert ("S3-02", False) in findings(decider, doc)


def test_ownership_controls_rule_is_listed():
    extra = {"OwnershipControls": {"Rule": {"ObjectOwnership": "BucketOwnerEnforced"}}}
    (doc,) = documents_from_event(s3_call("PutBucketOwnershipControls", "b-own", extra))
    assert doc.resource.properties["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }


@pytest.mark.parametrize("source", ["s3.amazonaws.com", "s3-control.amazonaws.com"])
def test_account_public_access_block_from_both_event_sources_fails_s3_06(decider, source):
    event = load(FIXTURES / "cloudtrail-PutAccountPublicAccessBlock.json")
    event["detail"]["eventSource"] = source
    (doc,) = documents_from_event(event)
    assert doc.resource.type == "AWS::S3::AccountPublicAccessBlock" and doc.resource.name == ACCOUNT
    assert doc.resource.properties["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    assert ("S3-06", False) in findings(decider, doc)


def test_delete_account_public_access_block_fails_s3_06(decider):
    event = cloudtrail_event(
        "DeleteAccountPublicAccessBlock", {"accountId": ACCOUNT}, source="s3-control.amazonaws.com"
    )
    (doc,) = documents_from_event(event)
    assert ("S3-06", False) in findings(decider, doc)


# --- samples ----------------------------------------------------------------------------------------

SAMPLE_EXPECTATIONS = {
    "eventbridge-cloudtrail-CreateTrainingJob.json": {"SM-01", "SM-08", "SM-09", "SM-10"},
    "eventbridge-cloudtrail-CreateNotebookInstance.json": {"SM-04", "SM-05", "SM-14", "SM-18", "SM-20"},
    "eventbridge-cloudtrail-PutBucketPolicy.json": {"S3-03", "S3-05"},
    "eventbridge-cloudtrail-PutBucketPublicAccessBlock.json": {"S3-01"},
    "eventbridge-sagemaker-TrainingJobStateChange.json": {"SM-01", "SM-08", "SM-09", "SM-10"},
}


@pytest.mark.parametrize("sample", sorted(SAMPLE_EXPECTATIONS))
def test_shared_samples_report_their_definite_failures(decider, sample):
    (doc,) = documents_from_event(load(SAMPLES / sample), file=sample)
    definite = {c for c, unknown in findings(decider, doc) if not unknown}
    assert definite == SAMPLE_EXPECTATIONS[sample]
    assert doc.context.location.file == sample


def test_training_sample_and_its_state_change_give_the_same_findings(decider):
    (call,) = documents_from_event(load(SAMPLES / "eventbridge-cloudtrail-CreateTrainingJob.json"))
    (change,) = documents_from_event(load(SAMPLES / "eventbridge-sagemaker-TrainingJobStateChange.json"))
    assert findings(decider, call) == findings(decider, change)
    assert call.context.actor.name == "ml-pipeline-role/ml-pipeline-run-42"
    assert change.context.actor is None


def test_notebook_state_change_uses_the_request_field_names(decider):
    (doc,) = documents_from_event(load(FIXTURES / "sagemaker-NotebookInstanceStateChange.json"))
    assert doc.resource.properties["SecurityGroupIds"] == ["sg-0a1b2c3d"]
    assert "NotebookInstanceStatus" not in doc.resource.properties
    assert doc.resource.tags == {"team": "research"}
    assert {c for c, _ in findings(decider, doc)} == {"SM-05"}


def test_corpus_create_bucket_events_parse(decider):
    from fixture_paths import CORPUS

    for path in sorted(require(CORPUS / "events").glob("*.json")):
        (doc,) = documents_from_event(load(path))
        assert doc.resource.type == "AWS::S3::Bucket"
        assert decider.decide(doc).verdict != "error"


def test_camel_request_builder_lowercases_only_structure_keys():
    camel = camel_request("CreateTrainingJob", {"TrainingJobName": "t", "Environment": {"KEY": "v"}})
    assert camel == {"trainingJobName": "t", "environment": {"KEY": "v"}}


REFERENCE_SAGEMAKER_EVENTS = {  # AWS_REFERENCE.md §2.1 rule pattern (user profiles are not in the kinds table)
    "CreateTrainingJob",
    "CreateProcessingJob",
    "CreateTransformJob",
    "CreateHyperParameterTuningJob",
    "CreateAutoMLJob",
    "CreateAutoMLJobV2",
    "CreateCompilationJob",
    "CreateModel",
    "CreateEndpointConfig",
    "CreateEndpoint",
    "UpdateEndpoint",
    "CreateNotebookInstance",
    "UpdateNotebookInstance",
    "CreateDomain",
    "UpdateDomain",
    "CreatePipeline",
    "UpdatePipeline",
    "CreateFeatureGroup",
    "CreateMonitoringSchedule",
    "UpdateMonitoringSchedule",
    "CreateLabelingJob",
}
REFERENCE_S3_EVENTS = {
    "CreateBucket",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutBucketEncryption",
    "DeleteBucketEncryption",
    "PutBucketOwnershipControls",
    "PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock",
    "CreateAccessPoint",
    "PutAccessPointPolicy",
}


def test_event_patterns_cover_the_reference_event_names_and_state_changes():
    from guardrails.sources.cloudtrail import event_patterns

    s3, sagemaker, states = event_patterns()
    assert set(s3["detail"]["eventName"]) == REFERENCE_S3_EVENTS
    assert s3["detail"]["eventSource"] == ["s3-control.amazonaws.com", "s3.amazonaws.com"]
    assert set(sagemaker["detail"]["eventName"]) >= REFERENCE_SAGEMAKER_EVENTS
    assert "SageMaker Training Job State Change" in states["detail-type"]


def test_models_plug_into_the_powertools_parser():
    from aws_lambda_powertools.utilities.parser import parse
    from aws_lambda_powertools.utilities.parser.envelopes import EventBridgeEnvelope

    from guardrails.sources.eventbridge_models import CloudTrailDetail

    sample = load(SAMPLES / "eventbridge-cloudtrail-CreateTrainingJob.json")
    detail = parse(event=sample, model=CloudTrailDetail, envelope=EventBridgeEnvelope)
    assert (
        detail.eventName == "CreateTrainingJob"
        and detail.userIdentity.sessionContext.sessionIssuer.userName == "ml-pipeline-role"
    )
