"""The boto3 hook with moto: a deny verdict raises before the request leaves the process."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import boto3
import pytest
from admission_support import RecordingTrail, aws, aws_env, tls_only_policy  # noqa: F401 (aws is a fixture)
from moto import mock_aws
from sagemaker_requests import COMPLIANT_NOTEBOOK, OPEN_NOTEBOOK

import guardrails
from guardrails.admission import GuardrailEvaluationError, GuardrailViolation
from guardrails.admission.boto3_hook import install, not_decidable_by_call
from guardrails.audit import AuditWriteError
from guardrails.config import AdmissionConfig

REGION = "us-east-1"
ROLE = "arn:aws:iam::111122223333:role/sm-notebook"
KMS = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
COMPLIANT = {"NotebookInstanceName": "research", **COMPLIANT_NOTEBOOK}
NONCOMPLIANT = {"NotebookInstanceName": "scratch", **OPEN_NOTEBOOK}
PUBLIC_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-bkt/*"}
    ],
}
TLS_ONLY = tls_only_policy("acme-bkt")


@pytest.fixture
def session(aws):
    return boto3.Session(region_name=REGION)


def notebooks(client) -> list[str]:
    return [n["NotebookInstanceName"] for n in client.list_notebook_instances()["NotebookInstances"]]


def test_compliant_notebook_goes_through_and_noncompliant_raises_with_nothing_created(session, decider):
    hook = guardrails.install(session, decider=decider)
    sagemaker = session.client("sagemaker")

    sagemaker.create_notebook_instance(**COMPLIANT)
    assert notebooks(sagemaker) == ["research"]

    with pytest.raises(GuardrailViolation) as raised:
        sagemaker.create_notebook_instance(**NONCOMPLIANT)
    assert notebooks(sagemaker) == ["research"]  # nothing sent, nothing created
    error = raised.value
    assert error.decision.verdict == "deny" and error.controls == ["SM-04", "SM-05", "SM-14", "SM-20"]
    assert str(error).startswith(
        "CreateNotebookInstance scratch blocked by guardrails (SM-04, SM-05, SM-14, SM-20)"
    )
    assert f"decision_id={error.decision.decision_id}" in str(error)
    hook.uninstall()


def test_install_on_a_client_and_uninstall(aws, decider):
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    hook = install(sagemaker, decider=decider)
    with pytest.raises(GuardrailViolation):
        sagemaker.create_notebook_instance(**NONCOMPLIANT)
    assert notebooks(sagemaker) == []
    hook.uninstall()
    sagemaker.create_notebook_instance(**NONCOMPLIANT)
    assert notebooks(sagemaker) == ["scratch"]


def test_uninstall_also_disarms_clients_copied_from_the_session(session, decider):
    hook = install(session, decider=decider)
    sagemaker = session.client("sagemaker")  # copies the session's handlers
    hook.uninstall()
    sagemaker.create_notebook_instance(**NONCOMPLIANT)
    assert notebooks(sagemaker) == ["scratch"]


def test_installing_twice_evaluates_each_call_once(session, decider):
    trail = RecordingTrail()
    install(session, decider=decider, audit=trail)
    hook = install(session, decider=decider, audit=trail)  # e.g. a re-run notebook cell
    session.client("sagemaker").create_notebook_instance(**COMPLIANT)
    assert len(trail.records) == 1
    hook.uninstall()


def test_sagemaker_sdk_session_shape_covers_its_existing_client(session, decider):
    existing = session.client("sagemaker")  # created before install, as sagemaker.Session does
    sdk_session = SimpleNamespace(boto_session=session, sagemaker_client=existing, s3_client=None)
    hook = install(sdk_session, decider=decider)
    with pytest.raises(GuardrailViolation):
        existing.create_notebook_instance(**NONCOMPLIANT)
    with pytest.raises(GuardrailViolation):
        session.client("sagemaker").create_notebook_instance(**NONCOMPLIANT)
    hook.uninstall()


def test_default_session_install(aws, decider, monkeypatch):
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    hook = install(decider=decider)
    try:
        with pytest.raises(GuardrailViolation):
            boto3.client("sagemaker", region_name=REGION).create_notebook_instance(**NONCOMPLIANT)
    finally:
        hook.uninstall()


def test_warn_controls_log_and_the_call_proceeds(session, decider, caplog):
    hook = install(session, decider=decider)
    sagemaker = session.client("sagemaker")
    model = {
        "ModelName": "m",
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": "img:1"},
        "VpcConfig": {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]},
    }
    with caplog.at_level(logging.WARNING, logger="guardrails.admission"):
        sagemaker.create_model(**model)
    assert [m["ModelName"] for m in sagemaker.list_models()["Models"]] == ["m"]
    assert any("SM-08 [warn]" in r.getMessage() for r in caplog.records)
    hook.uninstall()


def test_public_bucket_policy_raises_and_is_not_applied(session, decider):
    s3 = session.client("s3")
    s3.create_bucket(Bucket="acme-bkt")
    hook = install(session, decider=decider)
    client = session.client("s3")
    with pytest.raises(GuardrailViolation) as raised:
        client.put_bucket_policy(Bucket="acme-bkt", Policy=json.dumps(PUBLIC_POLICY))
    assert raised.value.controls == ["S3-03"]
    with pytest.raises(client.exceptions.ClientError):
        client.get_bucket_policy(Bucket="acme-bkt")  # NoSuchBucketPolicy: never sent
    hook.uninstall()


def test_aspects_a_partial_call_does_not_carry_do_not_block_it(session, decider, caplog):
    """PutBucketPolicy carries only the policy: S3-01/S3-02/S3-04 are unknown on aspects the call does
    not change, so they are logged and recorded but do not block."""
    session.client("s3").create_bucket(Bucket="acme-bkt")
    trail = RecordingTrail()
    hook = install(session, decider=decider, audit=trail)
    client = session.client("s3")
    with caplog.at_level(logging.INFO, logger="guardrails.admission"):
        client.put_bucket_policy(Bucket="acme-bkt", Policy=json.dumps(TLS_ONLY))
    assert json.loads(client.get_bucket_policy(Bucket="acme-bkt")["Policy"]) == TLS_ONLY
    (record,) = trail.records
    assert {v.control for v in record.violations if v.unknown} == {"S3-01", "S3-02", "S3-04", "S3-07"}
    assert record.verdict == "deny" and record.action.kind == "pass-request-partial"
    assert sum("not decidable by this call" in r.getMessage() for r in caplog.records) == 4
    hook.uninstall()


def test_not_decidable_rule_covers_only_unknowns_on_aspects_the_request_lacks(decider):
    from guardrails.sources.api_request import document_from_request

    document = document_from_request("PutBucketAcl", {"Bucket": "b", "ACL": "public-read"}, point="admission")
    decision = decider.decide(document)
    undecidable = {v.control for v in not_decidable_by_call(decision, document)}
    assert undecidable == {
        "S3-01",
        "S3-03",
        "S3-04",
        "S3-05",
        "S3-07",
    }  # S3-02 is carried by the call: it blocks
    assert "S3-02" in {
        v.control for v in decision.violations if v not in not_decidable_by_call(decision, document)
    }


def test_an_unknown_on_a_field_the_call_carries_still_blocks(session, decider):
    hook = install(session, decider=decider)
    with pytest.raises(GuardrailViolation) as raised:
        session.client("sagemaker").create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    assert raised.value.controls == ["SM-17"] and raised.value.decision.violations[0].unknown
    hook.uninstall()


def test_describes_resolve_the_endpoint_config_when_configured(session, decider):
    sagemaker = session.client("sagemaker")
    sagemaker.create_model(
        ModelName="m",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "img:1"},
        VpcConfig={"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="cfg",
        KmsKeyId=KMS,
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 2, "InstanceType": "ml.m5.large"}
        ],
    )
    hook = install(sagemaker, decider=decider, config=AdmissionConfig(describe_related_resources=True))
    sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    assert [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]] == ["ep"]
    hook.uninstall()


def _aws_managed_key(region: str) -> str:
    """A moto key in `region` that DescribeKey answers as AWS managed (moto creates customer managed ones)."""
    from moto.kms.models import kms_backends

    metadata = boto3.client("kms", region_name=region).create_key()["KeyMetadata"]
    kms_backends[metadata["Arn"].split(":")[4]][region].keys[metadata["KeyId"]].key_manager = "AWS"
    return str(metadata["Arn"])


def test_an_aws_managed_key_in_another_region_is_described_there(session, decider):
    """The hook asks KMS in the key ARN's region, with the caller's session, not the request's client."""
    sagemaker = session.client("sagemaker")
    config = AdmissionConfig(describe_related_resources=True)
    hook = install(sagemaker, decider=decider, config=config)
    try:
        for region in ("us-west-2", REGION):
            key = _aws_managed_key(region)
            with pytest.raises(GuardrailViolation) as raised:
                sagemaker.create_notebook_instance(NotebookInstanceName=f"nb-{region}", **{**COMPLIANT_NOTEBOOK, "KmsKeyId": key})
            (sm14,) = [v for v in raised.value.decision.violations if v.control == "SM-14"]
            assert not sm14.unknown and f"{key} is an AWS managed key" in sm14.message
        customer = boto3.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]["Arn"]
        sagemaker.create_notebook_instance(NotebookInstanceName="ok", **{**COMPLIANT_NOTEBOOK, "KmsKeyId": customer})
        assert notebooks(sagemaker) == ["ok"]
    finally:
        hook.uninstall()


def test_every_decision_is_audited_to_the_configured_sink(session, decider, tmp_path):
    from guardrails.audit import open_sink, verify_sink

    url = f"file://{tmp_path}/audit.jsonl"
    hook = install(session, decider=decider, audit=[url])
    sagemaker = session.client("sagemaker")
    sagemaker.create_notebook_instance(**COMPLIANT)
    with pytest.raises(GuardrailViolation):
        sagemaker.create_notebook_instance(**NONCOMPLIANT)
    hook.uninstall()
    hook.trail.close()
    with open_sink(url) as sink:
        entries = [e.record for e in sink.read()]
        assert verify_sink(sink).ok
    assert [(e["verdict"], e["action"]["kind"], e["point"]) for e in entries] == [
        ("allow", "pass-request", "admission"),
        ("deny", "block-request", "admission"),
    ]
    assert entries[0]["actor"]["kind"] in {
        "local-user",
        "github-actions",
        "gitlab-ci",
        "codebuild",
        "jenkins",
    }


def test_an_audit_failure_blocks_the_call(session, decider):
    hook = install(session, decider=decider, audit=RecordingTrail(fail=True))
    sagemaker = session.client("sagemaker")
    with pytest.raises(AuditWriteError):
        sagemaker.create_notebook_instance(**COMPLIANT)
    assert notebooks(sagemaker) == []
    hook.uninstall()


def test_a_request_that_cannot_be_judged_is_blocked_even_with_fail_open(session, decider):
    request = {"InstanceType": "ml.t3.medium", "RoleArn": ROLE}  # no NotebookInstanceName
    for config in (None, AdmissionConfig(fail_open=True)):
        hook = install(session, decider=decider, config=config)
        with pytest.raises(GuardrailEvaluationError) as raised:
            session.client("sagemaker").create_notebook_instance(**request)
        assert raised.value.decision.verdict == "error"
        hook.uninstall()


def test_an_infrastructure_failure_fails_closed_unless_fail_open(session, decider, caplog, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    def outage(document, today=None):
        raise EndpointConnectionError(endpoint_url="https://opa.internal")

    monkeypatch.setattr(decider, "decide", outage)
    hook = install(session, decider=decider)
    with pytest.raises(GuardrailEvaluationError):
        session.client("sagemaker").create_notebook_instance(**COMPLIANT)
    hook.uninstall()

    hook = install(session, decider=decider, config=AdmissionConfig(fail_open=True))
    with caplog.at_level(logging.WARNING, logger="guardrails.admission"):
        session.client("sagemaker").create_notebook_instance(**COMPLIANT)
    assert any("fail_open" in r.getMessage() for r in caplog.records)
    hook.uninstall()


def test_install_refuses_what_it_cannot_hook(decider):
    with pytest.raises(TypeError, match="cannot install"):
        install(object(), decider=decider)


def test_create_bucket_is_not_blocked_for_what_only_later_calls_can_set():
    """CreateBucket cannot set encryption or a policy: those are judged when PutBucketEncryption /
    PutBucketPolicy are called (hooked too), so the SDK's default_bucket() keeps working."""
    import boto3

    from guardrails.admission.boto3_hook import install

    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        hook = install(client)
        decision = hook.check("s3", "CreateBucket", {"Bucket": "acme-new"}, region="us-east-1")
        assert "S3-04" in {v.control for v in decision.violations}  # still reported and audited
        client.create_bucket(Bucket="acme-new")  # not blocked
        import pytest as _pytest

        from guardrails.admission import GuardrailViolation

        with _pytest.raises(GuardrailViolation):
            client.create_bucket(Bucket="acme-public", ACL="public-read")  # S3-02 is this call's
        with _pytest.raises(GuardrailViolation):
            client.put_bucket_encryption(
                Bucket="acme-new",
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
                },
            )
        hook.uninstall()


MOTO_ACCOUNT = "123456789012"
PUBLIC_ACCESS_POINT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:{REGION}:{MOTO_ACCOUNT}:accesspoint/reports/object/*",
        }
    ],
}
PRIVATE_ACCESS_POINT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MOTO_ACCOUNT}:role/reporting"},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:{REGION}:{MOTO_ACCOUNT}:accesspoint/reports/object/*",
        }
    ],
}


def test_an_access_point_that_opens_a_bucket_to_the_public_is_blocked_before_it_is_created(session, decider):
    # An access point with its own Block Public Access off (or a public access point policy) is a way
    # around the bucket's S3 controls: S3-08 blocks both calls in process, like the bucket calls.
    session.client("s3").create_bucket(Bucket="acme-bkt")
    hook = install(session, decider=decider)
    s3control = session.client("s3control")
    with pytest.raises(GuardrailViolation) as raised:
        s3control.create_access_point(
            AccountId=MOTO_ACCOUNT,
            Name="open",
            Bucket="acme-bkt",
            PublicAccessBlockConfiguration={"BlockPublicAcls": True, "BlockPublicPolicy": False},
        )
    assert raised.value.controls == ["S3-08"]
    with pytest.raises(s3control.exceptions.ClientError):
        s3control.get_access_point(AccountId=MOTO_ACCOUNT, Name="open")  # never sent

    # no PublicAccessBlockConfiguration: AWS default, all four on
    s3control.create_access_point(AccountId=MOTO_ACCOUNT, Name="reports", Bucket="acme-bkt")
    with pytest.raises(GuardrailViolation) as raised:
        s3control.put_access_point_policy(
            AccountId=MOTO_ACCOUNT, Name="reports", Policy=json.dumps(PUBLIC_ACCESS_POINT_POLICY)
        )
    assert raised.value.controls == ["S3-08"]
    with pytest.raises(s3control.exceptions.ClientError):
        s3control.get_access_point_policy(AccountId=MOTO_ACCOUNT, Name="reports")  # never applied
    hook.uninstall()


def test_a_private_access_point_policy_goes_through_its_block_settings_are_not_part_of_the_call(
    session, decider, caplog
):
    session.client("s3").create_bucket(Bucket="acme-bkt")
    trail = RecordingTrail()
    hook = install(session, decider=decider, audit=trail)
    s3control = session.client("s3control")
    s3control.create_access_point(AccountId=MOTO_ACCOUNT, Name="reports", Bucket="acme-bkt")
    with caplog.at_level(logging.INFO, logger="guardrails.admission"):
        s3control.put_access_point_policy(
            AccountId=MOTO_ACCOUNT, Name="reports", Policy=json.dumps(PRIVATE_ACCESS_POINT_POLICY)
        )
    applied = s3control.get_access_point_policy(AccountId=MOTO_ACCOUNT, Name="reports")["Policy"]
    assert json.loads(applied) == PRIVATE_ACCESS_POINT_POLICY
    create, put = trail.records
    assert create.verdict == "allow"
    assert {(v.control, v.unknown, v.path) for v in put.violations} == {
        ("S3-08", True, "PublicAccessBlockConfiguration")
    }
    assert put.action.kind == "pass-request-partial"
    hook.uninstall()


def test_every_operation_of_the_kinds_table_is_hooked(session, decider):
    """The hooked calls come from resource_kinds.py: an access point that would not block public access
    (S3-08) is refused before CreateAccessPoint leaves the process, like the account-level block."""
    from guardrails.resource_kinds import BOTOCORE_EVENT_SERVICES, BY_OPERATION

    hooked = {(s, op) for s, ops in guardrails.admission.boto3_hook.hooked_operations().items() for op in ops}
    assert hooked == {(BOTOCORE_EVENT_SERVICES[service], op) for service, op in BY_OPERATION}
    s3control = session.client("s3control")
    hook = install(s3control, decider=decider)
    with pytest.raises(GuardrailViolation) as raised:
        s3control.create_access_point(
            AccountId="111122223333",
            Name="open-ap",
            Bucket="acme-bkt",
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": True,
            },
        )
    assert raised.value.controls == ["S3-08"]
    hook.uninstall()
