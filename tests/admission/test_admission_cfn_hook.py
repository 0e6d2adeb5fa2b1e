"""The CloudFormation Lambda Hook: every target type and invocation point, the response contract,
fail-closed / fail-open, and the audit record of every decision."""

from __future__ import annotations

import json

import pytest
from admission_support import (
    ACCOUNT,
    IMAGE,
    ROLE,
    STACK_ID,
    RecordingTrail,
    closed_port,
    fixture,
    loopback_fetch,
    payload_server,
    resource_event,
    sample,
    stack_event,
)
from sagemaker_requests import COMPLIANT_NOTEBOOK, OPEN_NOTEBOOK

from guardrails.admission import PayloadUnavailable
from guardrails.admission.cfn_hook import handle_hook_request
from guardrails.admission.payload_fetch import PayloadAccess
from guardrails.config import AdmissionConfig, GuardrailsConfig, validated
from guardrails.decider import Decider
from guardrails.engine import EngineError
from guardrails.infrastructure import InfrastructureError


def never_fetch(url: str) -> dict:
    raise AssertionError(f"the payload {url} must not be downloaded")


def unreachable() -> tuple[str, object]:
    """A payload URL on a loopback port nothing listens on, and the production fetcher allowed to try it."""
    port = closed_port()
    access = PayloadAccess(
        hosts=("localhost",),
        ports=frozenset({port}),
        private_addresses=True,
        resolve=lambda h, p: ["127.0.0.1"],
    )
    return f"https://localhost:{port}/payload?X-Amz-Signature=SECRET", loopback_fetch(access, timeout=2)


def unavailable(url: str) -> dict:
    raise PayloadUnavailable(url, "could not be downloaded")


def run(event, decider, *, trail=None, **kwargs):
    trail = RecordingTrail() if trail is None else trail
    response = handle_hook_request(event, decider=decider, trail=trail, **kwargs)
    json.dumps(response)  # the response is plain JSON
    return response, trail


# ------------------------------------------------------------------------------------ RESOURCE targets


def test_endpoint_config_sample_fails_sm13_as_noncompliant_with_one_annotation_per_violation(decider):
    event = sample("cfn-lambda-hook-request-resource-EndpointConfig.json")
    response, trail = run(event, decider)

    assert response["hookStatus"] == "FAILED"
    assert response["errorCode"] == "NonCompliant"
    assert response["clientRequestToken"] == event["clientRequestToken"]
    message = response["message"]
    assert message.startswith("NonCompliant:") and "SM-13" in message
    assert "ChurnEndpointConfig: SM-13 [deny]" in message
    (record,) = trail.records
    assert message.endswith(f"decision_id={record.decision_id}")
    assert [a["annotationName"] for a in response["annotations"]] == ["SM-13", "SM-13"]
    for annotation in response["annotations"]:
        assert annotation["status"] == "FAILED"
        assert annotation["severityLevel"] in {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
        assert annotation["statusMessage"].startswith("ChurnEndpointConfig: ")
        assert annotation["remediationMessage"]
    assert {v.path for v in record.violations} == {"KmsKeyId", "DataCaptureConfig.KmsKeyId"}


def test_every_decision_is_audited_with_the_stack_as_source(decider):
    event = sample("cfn-lambda-hook-request-resource-EndpointConfig.json")
    _, trail = run(event, decider)

    (record,) = trail.records
    assert record.point == "admission"
    assert record.source == "cloudformation"
    assert record.source_ref.stack_id == event["stackId"]
    assert record.source_ref.request_id == event["clientRequestToken"]
    assert record.source_ref.logical_id == "ChurnEndpointConfig"
    assert record.actor.kind == "aws-principal" and record.actor.name == event["hookTypeName"]
    assert record.action.kind == "hook-response" and record.action.outcome == "succeeded"
    assert record.resource.arn == f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:endpoint-config/churn-ec-v7"


def test_update_is_judged_on_the_proposed_state_and_records_the_previous_one(decider):
    event = fixture("resource-model-update.json")
    response, trail = run(event, decider)

    assert response["hookStatus"] == "SUCCESS"  # new state: VPC and isolation ("true" string coerced)
    assert "errorCode" not in response
    (record,) = trail.records
    assert record.verdict == "allow"
    previous = event["requestData"]["targetModel"]["previousResourceProperties"]
    assert record.action.state_before == previous


def test_cloud_control_target_coerces_strings_and_keeps_the_message_within_1024(decider, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    storing = Decider(
        validated(GuardrailsConfig, {"audit": {"store_input": True}}), evaluator=decider.evaluator
    )
    event = fixture("cloud-control-notebook-create.json")
    response, trail = run(event, storing)

    assert response["hookStatus"] == "FAILED" and response["errorCode"] == "NonCompliant"
    assert len(response["message"]) <= 1024
    (record,) = trail.records
    assert {v.control for v in record.violations} == {"SM-05"}
    assert record.source_ref.stack_id is None
    assert record.resource.region == "eu-central-1"  # no stack ARN: the Lambda's region
    assert record.input["resource"]["properties"]["VolumeSizeInGB"] == 20  # "20" coerced


def test_cloud_control_long_message_is_cut_to_1024(decider):
    event = fixture("cloud-control-notebook-create.json")
    event["requestData"]["targetModel"]["resourceProperties"] = OPEN_NOTEBOOK
    event["requestData"]["targetLogicalId"] = "L" * 400
    response, _ = run(event, decider)
    assert len(response["message"]) <= 1024
    assert "decision_id=" in response["message"]


@pytest.mark.parametrize("name", ["resource-notebook-delete.json", "stack-delete.json"])
def test_delete_pre_provision_succeeds_without_evaluating(decider, name):
    response, trail = run(fixture(name), decider, fetch=never_fetch)
    assert response["hookStatus"] == "SUCCESS"
    assert response["clientRequestToken"] == fixture(name)["clientRequestToken"]
    assert trail.records == []


def test_warn_only_controls_succeed_with_annotations(decider):
    model = {
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": IMAGE},
        "VpcConfig": {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]},
    }
    response, trail = run(resource_event("AWS::SageMaker::Model", "M", model), decider)

    assert response["hookStatus"] == "SUCCESS" and "errorCode" not in response
    assert response["message"].startswith("Compliant with warnings:") and "SM-08" in response["message"]
    assert [(a["annotationName"], a["status"]) for a in response["annotations"]] == [("SM-08", "FAILED")]
    assert trail.records[0].verdict == "warn"


def test_compliant_resource_succeeds_naming_its_decision(decider):
    response, trail = run(
        resource_event("AWS::SageMaker::NotebookInstance", "Nb", COMPLIANT_NOTEBOOK), decider
    )
    assert response["hookStatus"] == "SUCCESS"
    assert response["message"] == (
        f"Compliant: 1 resource evaluated, no violations.\ndecision_id={trail.records[0].decision_id}"
    )
    assert "annotations" not in response


def test_exempted_violation_is_a_skipped_annotation(decider):
    config = validated(
        GuardrailsConfig,
        {"exemptions": [{"control": "SM-05", "resource": "Nb", "reason": "lab", "ticket": "SEC-1"}]},
    )
    exempting = Decider(config, evaluator=decider.evaluator)
    properties = dict(COMPLIANT_NOTEBOOK, DirectInternetAccess="Enabled")
    response, _ = run(resource_event("AWS::SageMaker::NotebookInstance", "Nb", properties), exempting)
    assert response["hookStatus"] == "SUCCESS"
    (annotation,) = response["annotations"]
    assert annotation["status"] == "SKIPPED" and "exempted: lab, ticket SEC-1" in annotation["statusMessage"]


def test_resource_type_out_of_scope_is_not_evaluated(decider):
    event = resource_event("AWS::IAM::Role", "Role", {"AssumeRolePolicyDocument": {}})
    response, trail = run(event, decider)
    assert response["hookStatus"] == "SUCCESS" and trail.records == []


def test_bucket_policy_alone_cannot_pass_without_describes(decider):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::acme-data", "arn:aws:s3:::acme-data/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    event = resource_event(
        "AWS::S3::BucketPolicy", "DataPolicy", {"Bucket": "acme-data", "PolicyDocument": policy}
    )
    response, trail = run(event, decider)

    assert response["errorCode"] == "NonCompliant"
    unknown = {v.control for v in trail.records[0].violations if v.unknown}
    assert unknown == {"S3-01", "S3-02", "S3-04"}
    assert "[deny, unknown]" in response["message"]


def test_endpoint_naming_an_existing_config_reports_sm17_unknown_without_describes(decider):
    event = resource_event("AWS::SageMaker::Endpoint", "Ep", {"EndpointConfigName": "existing-config"})
    response, trail = run(event, decider)
    assert response["errorCode"] == "NonCompliant"
    (violation,) = trail.records[0].violations
    assert (violation.control, violation.unknown) == ("SM-17", True)


# ------------------------------------------------------------------------------ STACK / CHANGE_SET


def test_stack_sample_is_fetched_over_http_and_evaluated_with_the_check_adapter(decider):
    event = sample("cfn-lambda-hook-request-stack.json")
    body = json.dumps(sample("cfn-lambda-hook-stack-payload-object.json")).encode()
    with payload_server({"/stack-payload": body}) as (base, access):
        event["requestData"]["payload"] = f"{base}/stack-payload?X-Amz-Signature=SECRET"
        response, trail = run(event, decider, fetch=loopback_fetch(access))

    assert response["hookStatus"] == "FAILED" and response["errorCode"] == "NonCompliant"
    (record,) = trail.records
    assert record.source_ref.logical_id == "Nb"
    assert record.source_ref.file == f"stack:{event['stackId']}"
    # KmsKeyId missing in the new template; no IMDS setting (AWS default: IMDSv1 allowed)
    assert {v.control for v in record.violations} == {"SM-14", "SM-20"}


def test_stack_without_in_scope_resources_succeeds(decider):
    payload = {"template": json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})}
    response, trail = run(stack_event("https://payload.example/x"), decider, fetch=lambda url: payload)
    assert response["hookStatus"] == "SUCCESS" and trail.records == []


def test_stack_yaml_template_with_intrinsics(decider):
    template = """
Resources:
  Key:
    Type: AWS::KMS::Key
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: !Sub arn:aws:iam::${AWS::AccountId}:role/r
      SubnetId: !ImportValue network-PrivateSubnet
      SecurityGroupIds: [!ImportValue network-Sg]
      KmsKeyId: !Ref Key
      DirectInternetAccess: Disabled
      RootAccess: Disabled
      InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}
"""
    response, trail = run(stack_event("https://p/x"), decider, fetch=lambda url: {"template": template})
    assert response["hookStatus"] == "SUCCESS", response["message"]
    assert trail.records[0].source_ref.line == 5


def test_change_set_evaluates_changed_resources_with_the_template_around_them(decider):
    payload = fixture("change-set-payload.json")
    event = fixture("change-set-request.json")
    response, trail = run(event, decider, fetch=lambda url: payload)

    assert response["hookStatus"] == "FAILED" and response["errorCode"] == "NonCompliant"
    records = trail.by_logical_id()
    assert set(records) == {"ChurnModel", "ChurnEndpointConfig", "ScratchNotebook"}  # DELETE skipped
    assert records["ChurnModel"].verdict == "allow"  # "EnableNetworkIsolation": "true" coerced
    assert records["ChurnEndpointConfig"].verdict == "allow"  # "EnableCapture": "false" coerced
    assert {v.control for v in records["ScratchNotebook"].violations} == {"SM-05"}
    assert records["ScratchNotebook"].action.state_before["DirectInternetAccess"] == "Disabled"
    assert records["ScratchNotebook"].source_ref.file == f"changeset:{event['changeSetId']}"
    assert "ScratchNotebook: SM-05 [deny]" in response["message"]


def test_change_set_without_template_evaluates_each_changed_resource_alone(decider):
    payload = fixture("change-set-payload.json")
    del payload["template"]
    response, trail = run(fixture("change-set-request.json"), decider, fetch=lambda url: payload)
    assert response["errorCode"] == "NonCompliant"
    assert set(trail.by_logical_id()) == {"ChurnModel", "ChurnEndpointConfig", "ScratchNotebook"}
    # the model name is only known after apply: an unknown reference, never a silent pass
    config = trail.by_logical_id()["ChurnEndpointConfig"]
    assert config.verdict == "allow"


# ------------------------------------------------------------------- errors: fail closed / fail open


def test_missing_client_request_token_is_an_audited_internal_failure(decider):
    response, trail = run(fixture("malformed-missing-token.json"), decider)
    assert response["hookStatus"] == "FAILED" and response["errorCode"] == "InternalFailure"
    assert response["clientRequestToken"] == ""
    assert "clientRequestToken" in response["message"]
    (record,) = trail.records
    assert record.verdict == "error" and "clientRequestToken" in record.error
    assert record.resource.type == "AWS::SageMaker::NotebookInstance"


@pytest.mark.parametrize(
    "event",
    [
        "not an object",
        {},
        {"clientRequestToken": "t", "actionInvocationPoint": "CREATE_PRE_PROVISION", "requestData": []},
        {
            "clientRequestToken": "t",
            "actionInvocationPoint": "LATER",
            "requestData": {"targetName": "X", "targetType": "X"},
        },
    ],
)
def test_malformed_requests_fail_closed(decider, event):
    response, trail = run(event, decider)
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert trail.records[0].verdict == "error"


def test_resource_target_without_properties_fails_closed(decider):
    event = resource_event("AWS::SageMaker::Model", "M", {})
    del event["requestData"]["targetModel"]
    response, trail = run(event, decider)
    assert response["errorCode"] == "InternalFailure"
    assert "resourceProperties is missing" in response["message"]


def test_unreachable_payload_url_fails_closed_without_leaking_the_signature(decider):
    url, fetch = unreachable()
    response, trail = run(stack_event(url), decider, fetch=fetch)
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert "could not be downloaded" in response["message"]
    assert "SECRET" not in json.dumps(response) and "SECRET" not in (trail.records[0].error or "")
    assert trail.records[0].resource.type == "AWS::CloudFormation::Stack"


def test_payload_that_is_not_a_stack_payload_fails_closed(decider):
    response, _ = run(stack_event("https://p/x"), decider, fetch=lambda url: {"tmpl": "x"})
    assert response["errorCode"] == "InternalFailure" and "template" in response["message"]


def test_template_that_does_not_parse_fails_closed_naming_the_stack(decider):
    response, _ = run(stack_event("https://p/x"), decider, fetch=lambda url: {"template": "Resources: [1, 2"})
    assert response["errorCode"] == "InternalFailure"
    assert f"stack:{STACK_ID}" in response["message"]


def test_fail_open_lets_infrastructure_errors_pass_with_a_warning_annotation(decider):
    url, fetch = unreachable()
    response, trail = run(stack_event(url), decider, config=AdmissionConfig(fail_open=True), fetch=fetch)
    assert response["hookStatus"] == "SUCCESS" and "errorCode" not in response
    assert response["message"].startswith("Allowed with warnings:")
    (annotation,) = response["annotations"]
    assert annotation["annotationName"] == "GUARDRAILS-EVALUATION-ERROR" and annotation["status"] == "FAILED"
    assert "fail_open" in annotation["remediationMessage"]
    assert trail.records[0].verdict == "error"  # still audited


def test_fail_open_never_lets_a_deny_pass(decider):
    event = resource_event("AWS::SageMaker::NotebookInstance", "Nb", OPEN_NOTEBOOK)
    response, _ = run(event, decider, config=AdmissionConfig(fail_open=True))
    assert response["errorCode"] == "NonCompliant"


def test_fail_open_from_the_config_file(decider):
    from admission_support import HOOK_FIXTURES

    from guardrails.config import load_config

    config = load_config(HOOK_FIXTURES / "fail-open.yaml")
    response, _ = run(stack_event("https://b.s3.amazonaws.com/p"), decider, config=config, fetch=unavailable)
    assert response["hookStatus"] == "SUCCESS"


@pytest.mark.parametrize(
    "url,fetch",
    [
        ("http://127.0.0.1:9/payload", None),  # not https, an IP literal: refused by the default fetcher
        ("https://metadata.example/payload", None),  # not an S3 host
        ("https://b.s3.amazonaws.com/p", lambda url: {"template": "Resources: [1, 2"}),  # does not parse
        ("https://b.s3.amazonaws.com/p", lambda url: {"tmpl": "x"}),  # not a stack payload
    ],
)
def test_fail_open_never_lets_a_request_that_cannot_be_judged_pass(decider, url, fetch):
    response, trail = run(stack_event(url), decider, config=AdmissionConfig(fail_open=True), fetch=fetch)
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert "fail_open covers infrastructure failures only" in response["message"]
    assert trail.records[0].verdict == "error"


class OpaServerDown(EngineError, InfrastructureError):
    """How a policy-server backend reports an outage (guardrails/infrastructure.py)."""


class DownEvaluator:
    name, version = "opa-server", "0"

    def __init__(self, bundle):
        self.bundle = bundle

    def evaluate_many(self, documents):
        return [OpaServerDown("OPA server unreachable") for _ in documents]


def test_a_policy_server_outage_is_an_infrastructure_failure_fail_open_covers(decider):
    down = Decider(evaluator=DownEvaluator(decider.bundle))
    event = resource_event("AWS::SageMaker::NotebookInstance", "Nb", COMPLIANT_NOTEBOOK)
    closed, _ = run(event, down)
    assert (closed["hookStatus"], closed["errorCode"]) == ("FAILED", "InternalFailure")
    opened, trail = run(event, down, config=AdmissionConfig(fail_open=True))
    assert opened["hookStatus"] == "SUCCESS" and trail.records[0].verdict == "error"


def test_memory_error_answers_failed_and_is_audited(decider, monkeypatch):
    import guardrails.admission.cfn_hook as cfn_hook

    def exhausted(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(cfn_hook, "hook_response", exhausted)
    event = resource_event("AWS::SageMaker::NotebookInstance", "Nb", COMPLIANT_NOTEBOOK)
    response, trail = run(event, decider, config=AdmissionConfig(fail_open=True))
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert response["clientRequestToken"] == event["clientRequestToken"]
    assert [r.verdict for r in trail.records][-1] == "error"
    assert "MemoryError" in trail.records[-1].error


def test_memory_error_while_deciding_answers_failed_and_is_audited(decider, monkeypatch):
    def exhausted(documents, today=None):
        raise MemoryError()

    monkeypatch.setattr(decider, "decide_many", exhausted)
    event = resource_event("AWS::SageMaker::NotebookInstance", "Nb", COMPLIANT_NOTEBOOK)
    response, trail = run(event, decider, config=AdmissionConfig(fail_open=True))
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    (record,) = trail.records
    assert record.verdict == "error" and "MemoryError" in record.error


def test_audit_outage_passes_only_when_configured_and_the_decision_is_logged(decider, caplog):
    event = resource_event("AWS::SageMaker::NotebookInstance", "Nb", COMPLIANT_NOTEBOOK)
    broken = RecordingTrail(fail=True)
    only_fail_open, _ = run(event, decider, trail=broken, config=AdmissionConfig(fail_open=True))
    assert only_fail_open["hookStatus"] == "FAILED"
    both = AdmissionConfig(fail_open=True, fail_open_on_audit_outage=True)
    response, _ = run(event, decider, trail=broken, config=both)
    assert response["hookStatus"] == "SUCCESS" and "audit trail could not record" in response["message"]
    assert any("decision kept in the log" in r.getMessage() for r in caplog.records)
    denied = resource_event("AWS::SageMaker::NotebookInstance", "Nb", OPEN_NOTEBOOK)
    response, _ = run(denied, decider, trail=broken, config=both)
    assert response["hookStatus"] == "FAILED"  # a deny never passes, recorded or not


class BrokenEvaluator:
    name, version = "broken", "0"

    def __init__(self, bundle):
        self.bundle = bundle

    def evaluate_many(self, documents):
        return [EngineError("rego: undefined function") for _ in documents]


def test_engine_error_is_internal_failure(decider):
    broken = Decider(evaluator=BrokenEvaluator(decider.bundle))
    response, trail = run(
        resource_event("AWS::SageMaker::NotebookInstance", "Nb", COMPLIANT_NOTEBOOK), broken
    )
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert "rego: undefined function" in response["message"]
    assert trail.records[0].verdict == "error"


def test_audit_write_failure_fails_closed_even_for_a_compliant_resource(decider):
    event = resource_event("AWS::SageMaker::NotebookInstance", "Nb", COMPLIANT_NOTEBOOK)
    response, _ = run(event, decider, trail=RecordingTrail(fail=True))
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert "audit trail" in response["message"] and "disk full" in response["message"]


def test_records_land_in_a_real_sink_and_verify(decider, tmp_path):
    from guardrails.audit import AuditTrail, open_sink, verify_sink

    url = f"file://{tmp_path}/audit.jsonl"
    with AuditTrail(open_sink(url)) as trail:
        handle_hook_request(
            fixture("change-set-request.json"),
            decider=decider,
            trail=trail,
            fetch=lambda u: fixture("change-set-payload.json"),
        )
    with open_sink(url) as sink:
        verification = verify_sink(sink)
    assert verification.ok and verification.records == 3


# -------------------------------------------------------------------------------------- oversize


def test_findings_over_4096_characters_are_cut_at_a_line_with_the_decision_ids_kept(decider):
    resources = {
        f"Notebook{i:03d}": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": OPEN_NOTEBOOK}
        for i in range(60)
    }
    payload = {"template": json.dumps({"Resources": resources})}
    response, trail = run(stack_event("https://p/x"), decider, fetch=lambda url: payload)

    message = response["message"]
    assert len(message) <= 4096
    lines = message.split("\n")
    assert lines[0].startswith("NonCompliant: 60 of 60 resources violate deny controls SM-04, SM-05, SM-14")
    assert lines[-1].startswith("decision_ids=") and trail.records[0].decision_id in lines[-1]
    assert "audit request_id=tok-stack" in lines[-1]
    more = lines[-2]
    assert more.startswith("… and ") and more.endswith(" more")
    detail = lines[1:-2]
    total = sum(len(r.violations) for r in trail.records)
    assert len(detail) + int(more.split()[2]) == total
    assert all(line.startswith("Notebook") and " [" in line for line in detail)  # whole lines only
    assert len(response["annotations"]) == total


# ------------------------------------------------------------- every target type x invocation point

TARGET_FIXTURES = {
    "RESOURCE": "resource-model-update.json",
    "CLOUD_CONTROL": "cloud-control-notebook-create.json",
    "STACK": "stack-delete.json",
    "CHANGE_SET": "change-set-request.json",
}


@pytest.mark.parametrize("point", ["CREATE_PRE_PROVISION", "UPDATE_PRE_PROVISION", "DELETE_PRE_PROVISION"])
@pytest.mark.parametrize("target", sorted(TARGET_FIXTURES))
def test_every_target_type_at_every_invocation_point(decider, target, point):
    event = fixture(TARGET_FIXTURES[target])
    event["actionInvocationPoint"] = point
    payload = {
        "STACK": {
            "template": json.dumps(
                {
                    "Resources": {
                        "Nb": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": COMPLIANT_NOTEBOOK}
                    }
                }
            )
        },
        "CHANGE_SET": fixture("change-set-payload.json"),
    }.get(target)
    response, trail = run(event, decider, fetch=lambda url: payload)

    assert response["clientRequestToken"] == event["clientRequestToken"]
    if point == "DELETE_PRE_PROVISION":
        assert response["hookStatus"] == "SUCCESS" and trail.records == []
        return
    expected = {"RESOURCE": "SUCCESS", "CLOUD_CONTROL": "FAILED", "STACK": "SUCCESS", "CHANGE_SET": "FAILED"}
    assert response["hookStatus"] == expected[target], response["message"]
    assert trail.records and all(r.point == "admission" for r in trail.records)
    assert len(response["message"]) <= (1024 if target == "CLOUD_CONTROL" else 4096)


# ------------------------------------------------------------------ notes: unknown content, not followed

INCLUDE_FROM_S3 = {
    "Resources": {
        "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/more.yaml"}},
        "T": {"Type": "AWS::SNS::Topic"},
    }
}


def test_stack_whose_resources_come_from_an_s3_include_fails_as_unknown_content(decider):
    payload = {"template": json.dumps(INCLUDE_FROM_S3)}
    response, trail = run(stack_event("https://p/x"), decider, fetch=lambda url: payload)
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "NonCompliant")
    assert "unknown content" in response["message"] and "AWS::Include" in response["message"]
    (annotation,) = [
        a for a in response["annotations"] if a["annotationName"] == "GUARDRAILS-UNKNOWN-CONTENT"
    ]
    assert annotation["status"] == "FAILED"
    (record,) = trail.records
    assert record.verdict == "deny" and record.error is None  # a decision about unseen content, no error
    assert [u.kind for u in record.unseen or []] == ["unknown-content"]
    assert "AWS::Include" in (record.unseen or [])[0].reason
    assert record.decision_id in response["message"]


def test_unknown_macro_fails_even_when_every_resource_complies(decider):
    template = {
        "Transform": "Acme::Expand",
        "Resources": {"Nb": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": COMPLIANT_NOTEBOOK}},
    }
    response, _ = run(
        stack_event("https://p/x"), decider, fetch=lambda url: {"template": json.dumps(template)}
    )
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "NonCompliant")
    assert "Acme::Expand" in response["message"]


def test_unknown_warn_lets_unknown_content_pass_with_a_warning(decider):
    payload = {"template": json.dumps(INCLUDE_FROM_S3)}
    config = GuardrailsConfig(unknown="warn")
    response, trail = run(stack_event("https://p/x"), decider, fetch=lambda url: payload, config=config)
    assert response["hookStatus"] == "SUCCESS", response["message"]
    assert "unknown: warn" in response["message"]
    assert [a["status"] for a in response["annotations"]] == ["SKIPPED"]
    assert [r.verdict for r in trail.records] == ["warn"]


def test_nested_stack_not_followed_is_named_in_the_message_and_annotations(decider):
    template = {
        "Resources": {
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "https://b.s3.amazonaws.com/child.yaml"},
            },
            "Nb": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": COMPLIANT_NOTEBOOK},
        }
    }
    response, _ = run(
        stack_event("https://p/x"), decider, fetch=lambda url: {"template": json.dumps(template)}
    )
    assert response["hookStatus"] == "SUCCESS", response["message"]
    assert "Child: not followed here" in response["message"]
    assert [a["annotationName"] for a in response["annotations"]] == ["GUARDRAILS-NOT-FOLLOWED"]


def test_change_set_of_a_template_with_an_unknown_macro_fails_as_unknown_content(decider):
    payload = fixture("change-set-payload.json")
    template = json.loads(payload["template"])
    template["Transform"] = "Acme::Expand"
    payload["template"] = json.dumps(template)
    response, trail = run(fixture("change-set-request.json"), decider, fetch=lambda url: payload)
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "NonCompliant")
    assert "Acme::Expand" in response["message"]
    assert any(
        r.resource.type == "AWS::CloudFormation::ChangeSet" and r.verdict == "deny" for r in trail.records
    )
