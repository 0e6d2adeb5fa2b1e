"""A key id or key ARN names an AWS managed key only as far as KMS says so: the live reader asks DescribeKey
and relates the answer (guardrails.sources.live, resource_kinds.KMS_KEYS), at runtime and in a scan.

moto implements kms CreateKey/DescribeKey but creates only customer managed keys: an AWS managed key is
a moto key whose KeyManager is set to AWS in moto's backend, so DescribeKey answers it over botocore as
KMS would. Failures of DescribeKey are injected with a botocore `before-call` handler.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from click.testing import CliRunner
from fixtures.events.builders import s3_call, sagemaker_call
from guardrails.cli.main import main
from moto.kms.models import kms_backends
from runtime_support import ACCOUNT, REGION, enforce, records

from guardrails.config import RuntimeConfig
from guardrails.decider import Decider
from guardrails.resource_kinds import BY_TYPE
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.errors import TransientAwsError
from guardrails.runtime.processor import process_event
from guardrails.sources.live import LiveReader

NOTEBOOK = BY_TYPE["AWS::SageMaker::NotebookInstance"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sm-exec"


def make_key(manager: str = "CUSTOMER") -> str:
    """A moto KMS key's ARN; `manager="AWS"`: answered by DescribeKey as an AWS managed key."""
    metadata = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]
    kms_backends[ACCOUNT][REGION].keys[metadata["KeyId"]].key_manager = manager
    return str(metadata["Arn"])


def compliant_notebook(name: str, key: str) -> dict:
    """A notebook request every control passes, its volume key `key`."""
    return {
        "NotebookInstanceName": name,
        "InstanceType": "ml.t3.medium",
        "RoleArn": ROLE,
        "SubnetId": "subnet-0a",
        "SecurityGroupIds": ["sg-0a"],
        "DirectInternetAccess": "Disabled",
        "RootAccess": "Disabled",
        "KmsKeyId": key,
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
    }


def created(sm, request: dict) -> dict:
    sm.create_notebook_instance(**request)
    name = request["NotebookInstanceName"]
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/{name}"
    return sagemaker_call("CreateNotebookInstance", request, account=ACCOUNT, region=REGION, arn=arn)


def answering(code: str, status: int):
    """A botocore `before-call` handler answering DescribeKey with an AWS error."""

    def handler(model, **_):
        if model.name == "DescribeKey":
            parsed = {
                "Error": {"Code": code, "Message": "injected"},
                "ResponseMetadata": {"HTTPStatusCode": status},
            }
            return AWSResponse("https://kms", status, {}, None), parsed
        return None

    return handler


def kms_failing(code: str, status: int):
    kms = boto3.client("kms", region_name=REGION)
    kms.meta.events.register("before-call.kms.DescribeKey", answering(code, status))
    return kms


def sm14(decision) -> list:
    return [v for v in decision.violations if v.control == "SM-14"]


# --- runtime --------------------------------------------------------------------------------------------


def test_runtime_notebook_with_an_aws_managed_key_arn_fails_sm14_and_is_stopped(aws, audit, decider):
    trail, path = audit
    key = make_key("AWS")
    event = created(aws.client("sagemaker"), compliant_notebook("nb-managed", key))

    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())

    (resource,) = outcome.resources
    (violation,) = sm14(resource.decision)
    assert not violation.unknown and violation.path == "KmsKeyId"
    assert f"{key} is an AWS managed key (KMS DescribeKey: KeyManager AWS)" in violation.message
    (action,) = outcome.actions
    assert action.kind == "stop-notebook-instance" and action.controls == ["SM-14"]
    (record,) = records(path)
    assert record["verdict"] == "deny"


def test_runtime_notebook_with_a_customer_key_arn_passes(aws, audit, decider):
    trail, _ = audit
    event = created(aws.client("sagemaker"), compliant_notebook("nb-customer", make_key()))
    outcome = process_event(event, decider=decider, trail=trail, clients=aws, config=enforce())
    (resource,) = outcome.resources
    assert resource.decision.verdict == "allow" and outcome.actions == []


def test_runtime_key_kms_will_not_describe_keeps_the_presence_convention_and_is_not_remediated(
    aws, audit, decider
):
    """A cross-account key whose key policy denies DescribeKey: the healthy notebook is not `unknown`
    (enforced like a failure at runtime), nor stopped; the document records the manager as unchecked."""
    trail, _ = audit
    key = make_key("AWS")  # even an AWS managed key: what KMS will not say is not guessed either way
    event = created(aws.client("sagemaker"), compliant_notebook("nb-denied", key))
    clients = AwsClients(region=REGION, overrides={"kms": kms_failing("AccessDeniedException", 400)})

    outcome = process_event(event, decider=decider, trail=trail, clients=clients, config=enforce())

    (resource,) = outcome.resources
    assert resource.decision.verdict == "allow" and outcome.actions == []


def test_runtime_transient_describe_key_failure_raises_for_a_retry(aws, decider):
    event = created(aws.client("sagemaker"), compliant_notebook("nb-throttled", make_key("AWS")))
    clients = AwsClients(region=REGION, overrides={"kms": kms_failing("ThrottlingException", 400)})
    with pytest.raises(TransientAwsError):
        process_event(event, decider=decider, trail=None, clients=clients, config=RuntimeConfig())


# --- the live reader (scan's on_error="unknown") ----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [("AccessDeniedException", 400), ("NotFoundException", 400), ("ThrottlingException", 400)],
)
def test_scan_unreadable_key_is_related_with_its_manager_unknown_and_passes(aws, code, status):
    key = make_key("AWS")
    aws.client("sagemaker").create_notebook_instance(**compliant_notebook("nb", key))
    reader = LiveReader(
        AwsClients(region=REGION, overrides={"kms": kms_failing(code, status)}),
        on_error="unknown",
        account=ACCOUNT,
        region=REGION,
    )
    document = reader.sagemaker_document(NOTEBOOK, "nb")

    related = document.related[f"AWS::KMS::Key/{key}"]
    assert related.context.unknown == ["KeyManager"]
    assert related.resource.properties["KeyManager"].startswith(f"<unknown: DescribeKey failed: [{code}]")
    assert document.context.unknown == []  # never the notebook's own unknown
    assert sm14(Decider().decide(document)) == []


def test_scan_reader_asks_kms_once_per_key(aws):
    key = make_key("AWS")
    sm = aws.client("sagemaker")
    for name in ("nb-1", "nb-2"):
        sm.create_notebook_instance(**compliant_notebook(name, key))
    kms = boto3.client("kms", region_name=REGION)
    asked: list[str] = []
    kms.meta.events.register(
        "before-parameter-build.kms.DescribeKey", lambda params, **_: asked.append(params["KeyId"])
    )
    reader = LiveReader(
        AwsClients(region=REGION, overrides={"kms": kms}), on_error="unknown", account=ACCOUNT, region=REGION
    )
    documents = [reader.sagemaker_document(NOTEBOOK, name) for name in ("nb-1", "nb-2")]

    assert asked == [key]
    for document in documents:
        assert document.related[f"AWS::KMS::Key/{key}"].resource.properties == {
            "KeyManager": "AWS",
            "KeyState": "Enabled",
            "Arn": key,
            "KeyId": key.rsplit("/", 1)[1],
        }


def test_guardrails_scan_fails_sm14_for_a_live_notebook_with_an_aws_managed_key_arn(aws, tmp_path):
    sm = aws.client("sagemaker")
    managed, customer = make_key("AWS"), make_key()
    sm.create_notebook_instance(**compliant_notebook("nb-managed", managed))
    sm.create_notebook_instance(**compliant_notebook("nb-customer", customer))

    result = CliRunner().invoke(
        main,
        ["scan", "--region", REGION, "--kinds", "NotebookInstance", "--format", "json"],
        catch_exceptions=False,
    )

    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    results = {r["resource"]["name"]: r for r in report["results"]}
    (violation,) = [v for v in results["nb-managed"]["violations"] if v["control"] == "SM-14"]
    assert not violation["unknown"] and managed in violation["message"]
    assert "SM-14" not in {v["control"] for v in results["nb-customer"]["violations"]}
    assert report["scan"]["api_calls"]["by_operation"]["kms:DescribeKey"] == 2


# --- S3-04 remediation judges keys as the decision did ------------------------------------------------------


def bucket_with_key(s3, bucket: str, key: str) -> dict:
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    extra = {"ServerSideEncryptionConfiguration": {"Rule": [rule]}}
    return s3_call("PutBucketEncryption", bucket, extra, account=ACCOUNT, region=REGION)


def test_bucket_with_an_aws_managed_key_arn_is_re_encrypted_with_the_configured_key(aws, audit, decider):
    trail, _ = audit
    s3 = aws.client("s3")
    customer = make_key()
    event = bucket_with_key(s3, "acme-managed-key", make_key("AWS"))

    outcome = process_event(
        event,
        decider=decider,
        trail=trail,
        clients=aws,
        config=RuntimeConfig(mode="enforce", kms_key_id=customer),
    )

    steps = {a.kind: a for a in outcome.actions}
    assert steps["put-bucket-encryption"].outcome == "succeeded", steps["put-bucket-encryption"]
    rule = s3.get_bucket_encryption(Bucket="acme-managed-key")["ServerSideEncryptionConfiguration"]["Rules"][
        0
    ]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == customer


def test_a_configured_key_kms_says_aws_manages_is_refused(aws, audit, decider):
    trail, _ = audit
    s3 = aws.client("s3")
    event = bucket_with_key(s3, "acme-refused", "alias/aws/s3")
    managed = make_key("AWS")

    outcome = process_event(
        event,
        decider=decider,
        trail=trail,
        clients=aws,
        config=RuntimeConfig(mode="enforce", kms_key_id=managed),
    )

    step = {a.kind: a for a in outcome.actions}["put-bucket-encryption"]
    assert step.outcome == "failed" and "would not fix S3-04" in step.error
    rule = s3.get_bucket_encryption(Bucket="acme-refused")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == "alias/aws/s3"  # unchanged


def test_a_key_arn_of_another_region_is_asked_in_its_region(aws):
    """A bare key id is asked in the resource's region; a key ARN in the ARN's region."""
    other = boto3.client("kms", region_name="us-west-2").create_key()["KeyMetadata"]
    kms_backends[ACCOUNT]["us-west-2"].keys[other["KeyId"]].key_manager = "AWS"
    local = make_key("AWS")
    reader = LiveReader(AwsClients(region=REGION), on_error="raise", account=ACCOUNT, region=REGION)

    assert reader.kms_key(other["Arn"]).resource.properties["KeyManager"] == "AWS"
    assert reader.kms_key(local.rsplit("/", 1)[1]).resource.properties["Arn"] == local
    assert reader.kms_key(other["KeyId"]).context.unknown == ["KeyManager"]  # not in this region
