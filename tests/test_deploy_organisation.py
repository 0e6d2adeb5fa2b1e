"""The organisation stacks created in moto_server: the central bus accepts the organisation, each member
forwards every in-scope event family to it and holds the remediation role the central runtime assumes.
(moto keeps one account here, so the central account id is moto's own.)"""

from __future__ import annotations

import json

from deploy_support import DEPLOY, load, parameter_values, sam_translate
from test_runtime_e2e import client, moto_url  # noqa: F401 (moto_url is a fixture)

ACCOUNT, ORG = "123456789012", "o-abc123def4"


def create(url: str, name: str, template_name: str, parameters: dict[str, str]) -> dict[str, str]:
    template = load(DEPLOY / template_name)
    translated = sam_translate(template, parameter_values(template, parameters))
    cfn = client("cloudformation", url)
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(translated), Capabilities=["CAPABILITY_NAMED_IAM"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_members_forward_to_the_central_bus_and_hold_the_remediation_role(moto_url):
    central = create(moto_url, "guardrails-central", "central.yaml", {"OrganizationId": ORG})
    events = client("events", moto_url)
    bus = events.describe_event_bus(Name=central["EventBusName"])
    assert bus["Arn"] == central["EventBusArn"]
    (statement,) = json.loads(bus["Policy"])["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}

    member = create(moto_url, "guardrails-member", "member.yaml", {
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
