"""deploy/scan.yaml: the Step Functions fan-out of the organisation scan. The state machine definition is
validated with the npm `asl-validator` (catches bad Distributed Map settings cfn-lint misses); the template's
wiring is asserted; the scan Lambda's three tasks (plan, shard, summarise) run in-process against moto_server.
(cfn-lint, `guardrails check` and parliament run on every deploy/ template in tests/deploy/test_deploy_templates.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from deploy_support import (
    DEPLOY,
    Resolver,
    actions,
    load,
    parameter_values,
    policy_documents,
    sam_translate,
    statements,
)
from fixture_paths import unavailable
from scan_support import ACCOUNT, compliant_bucket

pytestmark = pytest.mark.slow  # asl-validator (node) and the scan Lambda against moto_server

ROOT = Path(__file__).resolve().parents[2]
STACK = "guardrails-test"  # deploy_support's AWS::StackName


def asl_validator() -> str:
    for candidate in (
        os.environ.get("ASL_VALIDATOR"),
        shutil.which("asl-validator"),
        str(ROOT / ".ci" / "node" / "node_modules" / ".bin" / "asl-validator"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    unavailable("npm asl-validator", ".ci/run installs it")


def translated() -> tuple[dict, dict]:
    template = load(DEPLOY / "scan.yaml")
    template["Resources"]["ScanFunction"]["Properties"]["CodeUri"] = "s3://artifacts/lambda.zip"
    parameters = parameter_values(template, {"OrganizationId": "o-abc123def4"})
    return sam_translate(template, parameters), parameters


@pytest.fixture(scope="module")
def definition() -> dict:
    template, parameters = translated()
    text = Resolver(template, parameters).resolve(
        template["Resources"]["ScanStateMachine"]["Properties"]["DefinitionString"]
    )
    return json.loads(text)


def validate(definition: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(definition))
    return subprocess.run(
        [asl_validator(), "--json-path", str(path)], capture_output=True, text=True, timeout=120
    )


def test_state_machine_definition_is_valid_asl(definition, tmp_path):
    done = validate(definition, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validator_rejects_bad_distributed_map_settings(definition, tmp_path):
    bad = json.loads(json.dumps(definition))
    bad["States"]["ScanShards"]["ToleratedFailurePercentage"] = 150
    done = validate(bad, tmp_path)
    assert done.returncode != 0 and "ToleratedFailurePercentage" in done.stdout + done.stderr
    bad = json.loads(json.dumps(definition))
    bad["States"]["ScanShards"]["ItemProcessor"]["ProcessorConfig"] = {"ExecutionType": "SOMETIMES"}
    assert validate(bad, tmp_path).returncode != 0


def test_plan_then_distributed_map_over_shards_then_summary(definition):
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:scanfunction"
    states = definition["States"]
    assert definition["StartAt"] == "Plan" and states["Plan"]["Next"] == "ScanShards"
    assert states["Plan"]["Parameters"]["Payload"]["task"] == "plan"
    shards = states["ScanShards"]
    assert shards["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert shards["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert shards["ItemReader"]["Parameters"] == {"Bucket.$": "$.plan.bucket", "Key.$": "$.plan.key"}
    assert (
        shards["ToleratedFailurePercentage"] == 100
    )  # a failed shard is summarised, not the whole scan lost
    assert shards["MaxConcurrency"] == 20
    assert shards["ResultWriter"]["Parameters"]["Bucket"] == "scanbucket"
    (task,) = shards["ItemProcessor"]["States"].values()
    assert task["Parameters"] == {"FunctionName": function, "Payload.$": "$"}
    assert "States.TaskFailed" in task["Retry"][0]["ErrorEquals"]  # an audit failure raises: retried
    summarise = states["Summarise"]
    assert summarise["Parameters"]["FunctionName"] == function
    assert summarise["Parameters"]["Payload"]["results.$"] == "$.results.ResultWriterDetails"
    assert summarise["End"] is True


def test_roles_reach_only_the_scan_roles_of_the_organisation_and_the_scan_objects():
    template, parameters = translated()
    documents = policy_documents(template, parameters)
    assume = next(
        st
        for st in statements(documents["ScanFunctionRole/organisation-and-scan-roles"])
        if st["Action"] == "sts:AssumeRole"
    )
    assert assume["Resource"] == "arn:aws:iam::*:role/guardrails-scan"
    assert assume["Condition"]["StringEquals"]["aws:ResourceOrgID"] == "o-abc123def4"
    machine = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{STACK}-scan"
    start = [
        st
        for st in statements(documents["StateMachineRole/scan-workflow"])
        if "states:StartExecution" in st["Action"]
    ]
    assert [st["Resource"] for st in start] == [machine]
    assert documents["ScheduleRole/start-scan"]["Statement"][0]["Resource"] == machine
    props = template["Resources"]["ScanStateMachine"]["Properties"]
    assert Resolver(template, parameters).resolve(props["StateMachineName"]) == f"{STACK}-scan"
    function = template["Resources"]["ScanFunction"]["Properties"]
    assert function["Handler"] == "guardrails.lambdas.scan.handler"
    env = function["Environment"]["Variables"]
    assert {"GUARDRAILS_AUDIT_SINKS", "GUARDRAILS_SCAN_BUCKET", "GUARDRAILS_SCAN_TOPIC_ARN"} <= set(env)
    rules = load(DEPLOY / "scan.yaml")["Rules"]["AuditIsRequired"]["Assertions"]
    assert {a["Assert"]["Fn::Not"][0]["Fn::Equals"][0]["Ref"] for a in rules} == {
        "AuditSinks",
        "AuditWriterPolicyArn",
        "OrganizationId",
    }


# --- the Lambda in-process against moto_server ---------------------------------------------------------


@pytest.fixture
def lambda_env(moto_url, monkeypatch, tmp_path):
    import guardrails.lambdas.scan as scan_lambda

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto_url,
        "GUARDRAILS_SCAN_BUCKET": "scan-results",
        "GUARDRAILS_SCAN_ROLE_NAME": "guardrails-scan",
        "GUARDRAILS_SCAN_EXTERNAL_ID": "acme",
        "GUARDRAILS_SCAN_REGIONS": "us-east-1,eu-west-1",
        "GUARDRAILS_SCAN_KINDS": "AWS::S3::Bucket,AWS::SageMaker::NotebookInstance",
        "GUARDRAILS_SCAN_SINCE_DAYS": "7",
        "GUARDRAILS_AUDIT_SINKS": f"file://{tmp_path / 'audit.jsonl'}",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("GUARDRAILS_CONFIG", raising=False)
    from guardrails.scan.scheduled import SERVICE

    SERVICE.reset()  # a new container: config and Decider come from this environment
    session = boto3.session.Session()
    s3 = session.client("s3")
    s3.create_bucket(Bucket="scan-results")
    sns, sqs = session.client("sns"), session.client("sqs")
    topic = sns.create_topic(Name="scan-summary")["TopicArn"]
    queue = sqs.create_queue(QueueName="summary-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    monkeypatch.setenv("GUARDRAILS_SCAN_TOPIC_ARN", topic)
    return {"module": scan_lambda, "s3": s3, "sqs": sqs, "queue": queue, "audit": tmp_path / "audit.jsonl"}


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "guardrails-scan", 1024, "req-1"
    invoked_function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:guardrails-scan"


def test_plan_shards_and_summary_through_the_lambda(lambda_env):
    handler, s3 = lambda_env["module"].handler, lambda_env["s3"]
    orgs = boto3.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    member = orgs.create_account(Email="m@example.com", AccountName="member")["CreateAccountStatus"][
        "AccountId"
    ]
    role = f"arn:aws:iam::{member}:role/guardrails-scan"
    creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    in_member = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    public = in_member.client("s3")
    public.create_bucket(Bucket="member-public")
    public.put_bucket_acl(Bucket="member-public", ACL="public-read")
    compliant_bucket(public, "member-good")

    planned = handler({"task": "plan", "execution": "run-1"}, Context())

    accounts = {a["Id"] for a in orgs.list_accounts()["Accounts"]}
    assert planned["bucket"] == "scan-results" and planned["key"] == "scans/run-1/items.json"
    assert planned["shards"] == 2 * len(accounts)
    items = json.loads(s3.get_object(Bucket="scan-results", Key=planned["key"])["Body"].read())
    assert {(i["account_id"], i["region"]) for i in items} == {
        (a, r) for a in accounts for r in ("us-east-1", "eu-west-1")
    }
    assert all(i["role_arn"].endswith(":role/guardrails-scan") and i["external_id"] == "acme" for i in items)
    assert all(i["since_days"] == 7 for i in items)

    # what the Distributed Map does: one invocation per item, results written by ResultWriter
    member_east = next(i for i in items if (i["account_id"], i["region"]) == (member, "us-east-1"))
    result = handler(member_east, Context())
    assert result["status"] == "ok", result["errors"]
    assert result["resources"] == 2 and result["verdicts"]["deny"] == 1
    records = [json.loads(line) for line in lambda_env["audit"].read_text().splitlines()]
    assert {r["resource"]["name"] for r in records} == {"member-public", "member-good"}
    assert result["audit_records"] == 2
    malformed = handler({"account_id": "12", "region": "us-east-1"}, Context())
    assert malformed["status"] == "malformed" and "account_id" in malformed["errors"][0]

    succeeded = [
        {"Status": "SUCCEEDED", "Input": json.dumps(member_east), "Output": json.dumps(result)},
        {"Status": "SUCCEEDED", "Input": json.dumps({"account_id": "12"}), "Output": json.dumps(malformed)},
    ]
    failed = [
        {
            "Status": "FAILED",
            "Input": json.dumps({"account_id": member, "region": "eu-west-1"}),
            "Error": "AuditError",
            "Cause": "dynamodb://audit: throttled",
        }
    ]
    prefix = "scans/results/map-1"
    s3.put_object(Bucket="scan-results", Key=f"{prefix}/SUCCEEDED_0.json", Body=json.dumps(succeeded))
    s3.put_object(Bucket="scan-results", Key=f"{prefix}/FAILED_0.json", Body=json.dumps(failed))
    manifest = {
        "DestinationBucket": "scan-results",
        "MapRunArn": "arn:aws:states:::mapRun:x",
        "ResultFiles": {
            "SUCCEEDED": [{"Key": f"{prefix}/SUCCEEDED_0.json", "Size": 1}],
            "FAILED": [{"Key": f"{prefix}/FAILED_0.json", "Size": 1}],
            "PENDING": [],
        },
    }
    s3.put_object(Bucket="scan-results", Key=f"{prefix}/manifest.json", Body=json.dumps(manifest))

    done = handler(
        {
            "task": "summarise",
            "execution": "run-1",
            "results": {"Bucket": "scan-results", "Key": f"{prefix}/manifest.json"},
        },
        Context(),
    )

    assert done["summary_object"] == "s3://scan-results/scans/run-1/summary.json"
    summary = json.loads(s3.get_object(Bucket="scan-results", Key="scans/run-1/summary.json")["Body"].read())
    assert (summary["shards"], summary["shards_ok"], summary["resources"]) == (3, 1, 2)
    assert summary["verdicts"]["deny"] == 1 and summary["by_control"]["S3-02 deny"] == 1
    failures = {f["shard"]: f for f in summary["failed_shards"]}
    assert failures[f"{member}/eu-west-1"]["errors"] == ["AuditError: dynamodb://audit: throttled"]
    assert failures["12/?"]["status"] == "malformed"
    messages = lambda_env["sqs"].receive_message(QueueUrl=lambda_env["queue"], MaxNumberOfMessages=10)
    (message,) = messages["Messages"]
    body = json.loads(message["Body"])
    assert body["summary_object"] == done["summary_object"] and body["resources"] == 2


def test_a_bad_execution_name_or_result_location_raises_for_a_retry(lambda_env):
    from guardrails.scan.fanout import FanoutError

    handler = lambda_env["module"].handler
    with pytest.raises(ValueError, match="execution"):
        handler({"task": "plan", "execution": "../x"}, Context())
    with pytest.raises(FanoutError, match="ResultWriterDetails"):
        handler({"task": "summarise", "execution": "run-2", "results": {}}, Context())


def test_member_scan_role_reads_exactly_what_the_scan_calls_and_trusts_only_the_scan_function():
    from guardrails.scan.inventory import list_operation, scannable_kinds

    template = load(DEPLOY / "scan-member.yaml")
    parameters = {"CentralAccountId": "210987654321", "OrganizationId": "o-abc123def4", "ExternalId": "acme"}
    documents = policy_documents(template, parameters)
    kinds = [k for k in scannable_kinds() if k.service == "sagemaker"]
    expected = {f"sagemaker:{list_operation(k)[0]}" for k in kinds} | {
        f"sagemaker:{k.describe}" for k in kinds
    }
    assert actions(documents["ScanRole/sagemaker-read"]) == expected
    assert actions(documents["ScanRole/s3-read"]) == {  # the live reader's calls (IAM names)
        "s3:ListAllMyBuckets",
        "s3:GetBucketAcl",
        "s3:GetBucketPolicy",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetEncryptionConfiguration",
        "s3:GetAccountPublicAccessBlock",
    }
    kms = documents["ScanRole/kms-describe-keys"]  # the live reader's DescribeKey of this account's keys
    assert actions(kms) == {"kms:DescribeKey"}
    assert statements(kms)[0]["Condition"]["StringEquals"]["aws:ResourceAccount"] == "123456789012"
    resolver = Resolver(template, parameters)
    trust = resolver.resolve(template["Resources"]["ScanRole"]["Properties"]["AssumeRolePolicyDocument"])
    (statement,) = statements(trust)
    # the central function role is <stack>-ScanFunctionRole-<suffix> (deploy/scan.yaml's logical id)
    assert "ScanFunctionRole" in load(DEPLOY / "scan.yaml")["Resources"]
    assert statement["Condition"]["ArnLike"]["aws:PrincipalArn"] == (
        "arn:aws:iam::210987654321:role/guardrails-scan-ScanFunctionRole-*"
    )
    assert statement["Condition"]["StringEquals"] == {
        "aws:PrincipalOrgID": "o-abc123def4",
        "sts:ExternalId": "acme",
    }


def test_security_hub_import_is_granted_only_when_asked_and_only_for_the_accounts_own_product():
    template = load(DEPLOY / "scan-member.yaml")
    base = {"CentralAccountId": "210987654321", "OrganizationId": "o-abc123def4"}
    assert "ScanRole/securityhub-import" not in policy_documents(template, base)
    (policy,) = [
        d
        for n, d in policy_documents(template, {**base, "SecurityHub": "true"}).items()
        if n.endswith("securityhub-import")
    ]
    assert {st["Action"]: st["Resource"] for st in statements(policy)} == {
        "securityhub:BatchImportFindings": f"arn:aws:securityhub:*:{ACCOUNT}:product/{ACCOUNT}/default",
        "securityhub:GetFindings": f"arn:aws:securityhub:*:{ACCOUNT}:hub/default",
    }
    env = load(DEPLOY / "scan.yaml")["Resources"]["ScanFunction"]["Properties"]["Environment"]["Variables"]
    assert env["GUARDRAILS_SCAN_SECURITYHUB"] == {"Ref": "SecurityHub"}
