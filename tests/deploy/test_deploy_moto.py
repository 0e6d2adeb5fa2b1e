"""The deploy/ stacks, SAM-translated offline, created with CloudFormation in moto_server over loopback;
then the packaged handler runs under Python 3.12 with the environment the stack gave the function:
a public bucket is created -> its CloudTrail event matches the stack's rule and reaches the handler ->
the bucket is locked, the decision is in the stack's audit table and bucket, the alert is on the topic.

moto ignores Object Lock, point-in-time recovery, dead-letter config, `Architectures`, the Lambda hook,
table encryption and the KMS key spec (it creates a symmetric key); test_deploy_templates.py asserts
those on the templates."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from deploy_support import DEPLOY, REGION, load, parameter_values, sam_translate
from fixtures.events.builders import s3_call
from lambda_zip_support import FIXTURES, guardrails_command, invoke, lambda_runtime_dir, lambda_zip  # noqa: F401 (fixtures)
from moto_server_support import client
from readme_commands import sam_deploy

pytestmark = [pytest.mark.lambda_zip, pytest.mark.slow]
ACCOUNT = "123456789012"  # moto's account
CONFIG_PARAMETER = "/guardrails/config"


@pytest.fixture(scope="module")
def moto_url(moto_server: str) -> str:
    """The stacks are created once for the module: no reset between its tests."""
    return moto_server


def create_stack(url: str, name: str, template_name: str, parameters: dict[str, str], code: str | None = None):
    template = load(DEPLOY / template_name)
    if code is not None:  # what `sam deploy` does with the local CodeUri: upload, then point at S3
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::Serverless::Function":
                resource["Properties"]["CodeUri"] = code
    translated = sam_translate(template, parameter_values(template, parameters))
    cfn = client("cloudformation", url)
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(translated), Capabilities=["CAPABILITY_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}, translated


README_TEMPLATE, README_OVERRIDES = sam_deploy("enforce")  # the README's enforce rollout step
TOP_LEVEL = {**README_OVERRIDES, "ConfigParameterName": CONFIG_PARAMETER, "RetentionDays": "30",
             "Architecture": "x86_64"}  # the zip under test is built for this machine


def nested_parameters(parent: dict, logical: str, values: dict, outputs: dict[str, dict]) -> dict[str, str]:
    """What deploy/main.yaml passes to one nested stack: its parameters and earlier stacks' outputs."""
    resolved = {}
    for key, value in parent["Resources"][logical]["Properties"]["Parameters"].items():
        if "Ref" in value:
            resolved[key] = str(values[value["Ref"]])
        else:
            stack, attribute = value["Fn::GetAtt"]
            resolved[key] = outputs[stack][attribute.removeprefix("Outputs.")]
    return resolved


def hmac_key_behind_alias(url: str, alias: str) -> None:
    """moto creates the template's HMAC_256 key as a symmetric key (it ignores KeySpec/KeyUsage, asserted
    on the template instead); put a real HMAC key behind the stack's alias, as AWS would have created."""
    kms = client("kms", url)
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    kms.update_alias(AliasName=alias, TargetKeyId=key)


@pytest.fixture(scope="module")
def stacks(moto_url, lambda_zip):
    """deploy/main.yaml's nested stacks, created in order with the parameters it wires (moto cannot
    resolve a nested stack's outputs, so each is created as a stack of its own, as sam deploy would nest it)."""
    output, _, _ = lambda_zip
    s3 = client("s3", moto_url)
    s3.create_bucket(Bucket="deploy-artifacts")
    s3.upload_file(str(output), "deploy-artifacts", "lambda.zip")
    client("ssm", moto_url).put_parameter(Name=CONFIG_PARAMETER, Type="String",
                                          Value="runtime:\n  max_actions: 10\n")
    parent = load(DEPLOY.parent / README_TEMPLATE)
    values = parameter_values(parent, TOP_LEVEL)
    outputs: dict[str, dict] = {}
    for logical in ("Audit", "Runtime", "Admission"):
        location = parent["Resources"][logical]["Properties"]["Location"]
        parameters = nested_parameters(parent, logical, values, outputs)
        outputs[logical], _ = create_stack(moto_url, f"guardrails-{logical}", location, parameters,
                                           code="s3://deploy-artifacts/lambda.zip")
        if logical == "Audit":
            hmac_key_behind_alias(moto_url, outputs["Audit"]["SigningKeyUrl"].removeprefix("kms://"))
    return {"audit": outputs["Audit"], "runtime": outputs["Runtime"], "admission": outputs["Admission"]}


def test_the_stacks_create_what_the_function_needs(moto_url, stacks):
    function = client("lambda", moto_url).get_function_configuration(FunctionName=stacks["runtime"]["EventsFunctionArn"])
    assert function["Runtime"] == "python3.12" and function["Handler"] == "guardrails.lambdas.events.handler"
    env = function["Environment"]["Variables"]
    assert env["GUARDRAILS_MODE"] == "enforce" and env["GUARDRAILS_CONFIG"] == f"ssm:{CONFIG_PARAMETER}"
    assert env["GUARDRAILS_AUDIT_SINKS"] == stacks["audit"]["AuditSinks"]
    assert env["GUARDRAILS_AUDIT_KEY"].startswith("kms://alias/")
    table = client("dynamodb", moto_url).describe_table(TableName=stacks["audit"]["AuditTableName"])["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["stream", "seq"]
    assert client("kms", moto_url).describe_key(KeyId=stacks["audit"]["SigningKeyArn"])["KeyMetadata"]["Enabled"]
    rules = [r for r in client("events", moto_url).list_rules()["Rules"] if r["Name"].startswith("guardrails-Runtime")]
    assert len([r for r in rules if "guardrails-Runtime" in r["Name"]]) == 4


def test_public_bucket_event_is_routed_decided_remediated_audited_and_alerted(moto_url, stacks, lambda_zip,
                                                                              lambda_runtime_dir, tmp_path):
    _, task_root, _ = lambda_zip
    sqs, sns, s3 = client("sqs", moto_url), client("sns", moto_url), client("s3", moto_url)
    inbox = sqs.create_queue(QueueName="alert-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=stacks["runtime"]["AlertTopicArn"], Protocol="sqs", Endpoint=inbox_arn,
                  Attributes={"RawMessageDelivery": "true"})

    bucket = "team-data-public"
    s3.create_bucket(Bucket=bucket, ACL="public-read")  # moto accepts a public ACL on create
    event = s3_call("CreateBucket", bucket, {"x-amz-acl": ["public-read"]}, account=ACCOUNT, region=REGION)

    # the deployed rules, read back from EventBridge, route the event (moto's TestEventPattern is not
    # implemented; its pattern matcher is the one its PutEvents uses)
    from moto.events.models import EventPattern

    rules = [r for r in client("events", moto_url).list_rules()["Rules"] if r["Name"].startswith("guardrails-Runtime")]
    matching = [r["Name"] for r in rules if EventPattern.load(r["EventPattern"]).matches_event(event)]
    assert len(matching) == 1 and "S3ApiCalls" in matching[0]
    targets = client("events", moto_url).list_targets_by_rule(Rule=matching[0])["Targets"]
    assert [t["Arn"] for t in targets] == [stacks["runtime"]["EventsFunctionArn"]]

    function = client("lambda", moto_url).get_function_configuration(FunctionName=stacks["runtime"]["EventsFunctionArn"])
    env = {**function["Environment"]["Variables"], "AWS_ENDPOINT_URL": moto_url, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_LAMBDA_FUNCTION_NAME": function["FunctionName"]}
    (first, again), _, logs = invoke(task_root, lambda_runtime_dir, "guardrails.lambdas.events:handler",
                                     [event, event], tmp_path, env)
    assert first["error"] is None, first["error"] + logs
    (resource,) = first["result"]["resources"]
    assert resource["decision"]["verdict"] == "deny"
    done = {a["kind"]: a["outcome"] for a in resource["actions"]}
    assert done["put-public-access-block"] == "succeeded" and done["put-bucket-acl-private"] == "succeeded"
    assert again == first  # the idempotency table answered the duplicate delivery

    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert not any("AllUsers" in g["Grantee"].get("URI", "") for g in s3.get_bucket_acl(Bucket=bucket)["Grants"])

    items = client("dynamodb", moto_url).scan(TableName=stacks["audit"]["AuditTableName"])["Items"]
    stored = [json.loads(line) for item in items for line in item["records"]["S"].splitlines()]
    ours = [r for r in stored if r["resource"].get("name") == bucket]
    assert len(ours) == 1 and ours[0]["verdict"] == "deny" and ours[0]["action"]["mode"] == "enforce"
    objects = s3.list_objects_v2(Bucket=stacks["audit"]["AuditBucketName"], Prefix="audit/").get("Contents", [])
    assert objects, "the S3 audit sink wrote nothing"

    messages = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    alerts = [json.loads(m["Body"]) for m in messages]
    assert [a["resource"]["name"] for a in alerts] == [bucket]
    assert "S3-02" in alerts[0]["controls"]

    # the auditor verifies the stack's table with the stack's signing key (kms:VerifyMac)
    verify = subprocess.run(
        [*guardrails_command(), "audit", "verify", f"dynamodb://{stacks['audit']['AuditTableName']}",
         "--audit-key", env["GUARDRAILS_AUDIT_KEY"], "--format", "json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "AWS_ENDPOINT_URL": moto_url, "AWS_ACCESS_KEY_ID": "testing",
             "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION})
    assert verify.returncode == 0, verify.stdout + verify.stderr
    behind_alias = client("kms", moto_url).describe_key(KeyId=env["GUARDRAILS_AUDIT_KEY"].removeprefix("kms://"))
    assert ours[0]["mac"]["key"] in (behind_alias["KeyMetadata"]["KeyId"], behind_alias["KeyMetadata"]["Arn"])

    table = stacks["runtime"]["IdempotencyTableName"]
    assert client("dynamodb", moto_url).scan(TableName=table)["Count"] == 1


def test_admission_function_judges_a_hook_request_with_the_stack_environment(moto_url, stacks, lambda_zip,
                                                                             lambda_runtime_dir, tmp_path):
    _, task_root, _ = lambda_zip
    function = client("lambda", moto_url).get_function_configuration(FunctionName=stacks["admission"]["HookFunctionArn"])
    assert function["Handler"] == "guardrails.lambdas.cfn_hook.handler"
    env = {**function["Environment"]["Variables"], "AWS_ENDPOINT_URL": moto_url, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_LAMBDA_FUNCTION_NAME": function["FunctionName"]}
    request = json.loads((FIXTURES / "hooks" / "cloud-control-notebook-create.json").read_text())
    (answer,), _, logs = invoke(task_root, lambda_runtime_dir, "guardrails.lambdas.cfn_hook:handler", [request],
                                tmp_path, env)
    assert answer["error"] is None, logs
    assert answer["result"]["hookStatus"] == "FAILED"  # SM-05 (direct internet access) under the SSM config
    items = client("dynamodb", moto_url).scan(TableName=stacks["audit"]["AuditTableName"])["Items"]
    stored = [json.loads(line) for item in items for line in item["records"]["S"].splitlines()]
    assert [r["verdict"] for r in stored if r["resource"].get("name") == "research"] == ["deny"]


ORG = "o-abc123def4"


def create_org_stack(url: str, name: str, template_name: str, parameters: dict[str, str]) -> dict[str, str]:
    """The organisation stacks (moto keeps one account, so the central account id is moto's own)."""
    template = load(DEPLOY / template_name)
    cfn = client("cloudformation", url)
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_NAMED_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_members_forward_to_the_central_bus_and_hold_the_remediation_role(moto_url):
    central = create_org_stack(moto_url, "guardrails-central", "central.yaml", {"OrganizationId": ORG})
    events = client("events", moto_url)
    bus = events.describe_event_bus(Name=central["EventBusName"])
    assert bus["Arn"] == central["EventBusArn"]
    # moto does not attach an AWS::Events::EventBusPolicy to the bus: its statement is checked on the template
    policy = load(DEPLOY / "central.yaml")["Resources"]["OrganisationMayPutEvents"]["Properties"]["Statement"]
    assert policy["Action"] == "events:PutEvents"
    assert policy["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}}

    member = create_org_stack(moto_url, "guardrails-member", "member.yaml", {
        "CentralAccountId": ACCOUNT, "OrganizationId": ORG, "RoleRegion": "us-east-1"})
    forward = [r for r in events.list_rules()["Rules"] if r["Name"].startswith("guardrails-member-Forward")]
    assert len(forward) == 4
    for rule in forward:
        (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        assert target["Arn"] == central["EventBusArn"] and target["RoleArn"]
    role = client("iam", moto_url).get_role(RoleName="guardrails-remediation")["Role"]
    assert role["Arn"] == member["RemediationRoleArn"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert trust["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": ORG}


def test_the_optional_scan_stack_is_created_with_what_main_wires(moto_url, stacks):
    # main.yaml with DeployScan=true and SecurityHub=true: the scan stack (deploy/scan.yaml) gets the audit
    # stack's outputs, the organisation, the regions and the Security Hub switch. (moto ignores the
    # schedule, the bucket policy and the alarm: test_scan_deploy.py asserts them on the template.)
    parent = load(DEPLOY.parent / README_TEMPLATE)
    values = parameter_values(parent, {**TOP_LEVEL, "DeployScan": "true", "OrganizationId": ORG,
                                       "SecurityHub": "true", "ScanRegions": "us-east-1,eu-west-1"})
    assert nested_parameters(parent, "Runtime", values, {"Audit": stacks["audit"]})["SecurityHub"] == "true"
    parameters = nested_parameters(parent, "Scan", values, {"Audit": stacks["audit"]})
    scan, _ = create_stack(moto_url, "guardrails-Scan", parent["Resources"]["Scan"]["Properties"]["Location"],
                           parameters, code="s3://deploy-artifacts/lambda.zip")
    function = client("lambda", moto_url).get_function_configuration(FunctionName=scan["ScanFunctionArn"])
    env = function["Environment"]["Variables"]
    assert env["GUARDRAILS_AUDIT_SINKS"] == stacks["audit"]["AuditSinks"]
    assert env["GUARDRAILS_AUDIT_KEY"] == stacks["audit"]["SigningKeyUrl"]
    assert env["GUARDRAILS_SCAN_SECURITYHUB"] == "true"
    assert env["GUARDRAILS_SCAN_REGIONS"] == "us-east-1,eu-west-1"
    assert env["GUARDRAILS_CONFIG"] == f"ssm:{CONFIG_PARAMETER}"
    machine = client("stepfunctions", moto_url).describe_state_machine(stateMachineArn=scan["ScanStateMachineArn"])
    assert machine["status"] == "ACTIVE"
    assert client("s3", moto_url).head_bucket(Bucket=scan["ScanBucketName"])
