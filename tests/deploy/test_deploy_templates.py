"""deploy/ templates: cfn-lint clean, this project's own controls pass, every identity policy is least
privilege (parliament, no `*` actions, only what the functions call), the EventBridge rules and hook
targets cover the resource-kinds table exactly, and what moto ignores is asserted on the template."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from deploy_support import (
    DEPLOY,
    TEMPLATES,
    Resolver,
    actions,
    as_json,
    load,
    parameter_values,
    policy_documents,
    sam_translate,
    statements,
)

from guardrails.resource_kinds import (
    CLOUDFORMATION_TYPES,
    CLOUDTRAIL_EVENTS,
    KINDS,
    KMS_KEYS,
    SAGEMAKER_BY_STATE_CHANGE,
)

pytestmark = pytest.mark.slow  # cfn-lint, SAM translation and parliament on every template

REQUIRED = {
    "runtime.yaml": {"AuditSinks": "dynamodb://audit-table,s3://audit-bucket/audit",
                     "AuditWriterPolicyArn": "arn:aws:iam::123456789012:policy/writer",
                     "AuditSigningKeyUrl": "kms://alias/guardrails-audit-signing",
                     "ConfigParameterName": "/guardrails/config", "ConfigObject": "cfg-bucket/guardrails.yaml",
                     "RemediationRoleName": "guardrails-remediation", "OrganizationId": "o-abc123def4",
                     "SecurityHub": "true"},
    "admission.yaml": {"AuditSinks": "dynamodb://audit-table",
                       "AuditWriterPolicyArn": "arn:aws:iam::123456789012:policy/writer"},
    "central.yaml": {"OrganizationId": "o-abc123def4"},
    "member.yaml": {"CentralAccountId": "210987654321", "OrganizationId": "o-abc123def4", "SecurityHub": "true"},
    "main.yaml": {"OrganizationId": "o-abc123def4", "SecurityHub": "true", "DeployScan": "true"},
}
ACCEPTED_FINDINGS = {
    # S3-03 remediation rewrites a public bucket policy (keeping its private statements), so the role must
    # hold s3:PutBucketPolicy; parliament's heuristic reports that a role able to write a bucket policy
    # (or ACL) but not to read/write objects could grant itself object access. It cannot be scoped away:
    # IAM has no condition key on a bucket policy's content, and the buckets to remediate are any bucket of
    # the account, not known when the stack is deployed. Reviewed: limited to buckets of the role's own
    # account (aws:ResourceAccount), PutBucketAcl only to `private` (s3:x-amz-acl), the role trusted only
    # by the runtime function (or, in members, the central runtime's role within the organisation).
    # docs/deploy.md says so. Nothing else is accepted.
    ("s3-read-and-remediate", "RESOURCE_POLICY_PRIVILEGE_ESCALATION"),
}


def translated(path):
    template = load(path)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/lambda.zip"
    parameters = parameter_values(template, REQUIRED.get(path.name, {}))
    return sam_translate(template, parameters), REQUIRED.get(path.name, {})


def test_the_deploy_folder_has_the_stacks():
    assert {p.name for p in TEMPLATES} >= {"audit.yaml", "runtime.yaml"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_is_clean(path):
    from cfnlint.api import lint_file

    matches = lint_file(path)
    assert not matches, "\n".join(str(m) for m in matches)


def test_guardrails_check_passes_the_deploy_folder():
    from guardrails.cli.main import main

    result = CliRunner().invoke(main, ["check", str(DEPLOY), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"AWS::S3::Bucket"' in result.output  # the audit bucket was judged, not skipped


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_every_identity_policy_passes_parliament_and_has_no_wildcard_action(path):
    from parliament import analyze_policy_string

    template, parameters = translated(path)
    documents = policy_documents(template, parameters)
    for name, document in documents.items():
        findings = analyze_policy_string(as_json(document)).findings
        unexpected = [(f.issue, f.detail) for f in findings
                      if (name.split("/")[-1], f.issue) not in ACCEPTED_FINDINGS]
        assert not unexpected, f"{path.name} {name}: {unexpected}"
        for action in actions(document):
            assert "*" not in action, f"{path.name} {name}: wildcard action {action}"


def _rules(template) -> list[dict]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]


def _coverage(template) -> tuple[set[tuple[str, str]], set[str]]:
    covered: set[tuple[str, str]] = set()
    state_changes: set[str] = set()
    for rule in _rules(template):
        pattern = rule["EventPattern"]
        if pattern["detail-type"] == ["AWS API Call via CloudTrail"]:
            pairs = {(s, e) for s in pattern["detail"]["eventSource"] for e in pattern["detail"]["eventName"]}
            assert not covered & pairs
            covered |= pairs
        else:
            assert pattern["source"] == ["aws.sagemaker"]
            state_changes |= set(pattern["detail-type"])
        assert rule["Targets"][0]["DeadLetterConfig"]["Arn"]  # moto ignores dead-letter config
        assert rule["Targets"][0]["RetryPolicy"]["MaximumEventAgeInSeconds"] == 86400
    return covered, state_changes


@pytest.mark.parametrize("name", ["runtime.yaml", "member.yaml"])
def test_rules_cover_the_resource_kinds_table_exactly(name):
    template, _ = translated(DEPLOY / name)
    covered, state_changes = _coverage(template)
    assert covered == set(CLOUDTRAIL_EVENTS), (
        f"missing {sorted(set(CLOUDTRAIL_EVENTS) - covered)}, extra {sorted(covered - set(CLOUDTRAIL_EVENTS))}")
    assert state_changes == set(SAGEMAKER_BY_STATE_CHANGE)


def test_member_forwards_to_the_central_bus_and_its_role_matches_the_runtime_role():
    template, parameters = translated(DEPLOY / "member.yaml")
    for rule in _rules(Resolver(template, parameters).resolve(template)):
        (target,) = rule["Targets"]
        assert target["Arn"] == "arn:aws:events:us-east-1:210987654321:event-bus/guardrails-central"
    member = policy_documents(template, parameters)
    runtime_template, runtime_parameters = translated(DEPLOY / "runtime.yaml")
    runtime = policy_documents(runtime_template, runtime_parameters)
    for policy in ("sagemaker-read-and-remediate", "kms-describe-keys", "s3-read-and-remediate"):
        assert actions(member[f"RemediationRole/{policy}"]) == actions(runtime[f"EventsRole/{policy}"])
    # the central runtime imports a member's findings into the member's Security Hub through this role
    hub = member["SecurityHubImportPolicy/securityhub-findings"]
    assert actions(hub) == actions(runtime["SecurityHubImportPolicy/securityhub-findings"])
    trust = Resolver(template, parameters).resolve(
        template["Resources"]["RemediationRole"]["Properties"]["AssumeRolePolicyDocument"])
    (statement,) = statements(trust)
    assert statement["Condition"]["StringEquals"]["aws:PrincipalOrgID"] == "o-abc123def4"
    assert statement["Condition"]["ArnLike"]["aws:PrincipalArn"].startswith("arn:aws:iam::210987654321:role/")
    assume = runtime["AssumeMemberRolePolicy/assume-member-remediation-role"]
    assert actions(assume) == {"sts:AssumeRole"}
    assert statements(assume)[0]["Condition"]["StringEquals"]["aws:ResourceOrgID"] == "o-abc123def4"


def _expected_sagemaker_actions() -> set[str]:
    calls = {op for k in KINDS if k.service == "sagemaker" for op in (k.describe, k.stop, k.delete) if op}
    return {f"sagemaker:{op}" for op in calls | {"ListTags", "AddTags"}}  # tagging and protected-tag checks


S3_RUNTIME_ACTIONS = {
    # enrich.read_bucket / read_bucket_tags (Get* API -> IAM action)
    "s3:GetBucketPublicAccessBlock", "s3:GetBucketAcl", "s3:GetBucketPolicy", "s3:GetEncryptionConfiguration",
    "s3:GetBucketOwnershipControls", "s3:GetBucketTagging",
    # remediation/s3.py
    "s3:PutBucketPublicAccessBlock", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
    "s3:PutEncryptionConfiguration",
    # remediation/account.py, enrich.read_account_block
    "s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock",
    # enrich.read_access_point (S3-08)
    "s3:GetAccessPoint", "s3:GetAccessPointPolicy",
}


def lib_values(x):
    return x if isinstance(x, list) else [x]


def test_runtime_role_holds_exactly_the_actions_the_runtime_calls_scoped_to_the_account():
    template, parameters = translated(DEPLOY / "runtime.yaml")
    documents = policy_documents(template, parameters)
    sagemaker = documents["EventsRole/sagemaker-read-and-remediate"]
    assert actions(sagemaker) == _expected_sagemaker_actions()
    (statement,) = statements(sagemaker)
    arns = {k.arn_resource for k in KINDS if k.service == "sagemaker"}
    assert set(statement["Resource"]) == {f"arn:aws:sagemaker:us-east-1:123456789012:{a}/*" for a in arns}
    assert statement["Condition"]["StringEquals"]["aws:ResourceAccount"] == "123456789012"
    s3 = documents["EventsRole/s3-read-and-remediate"]
    assert actions(s3) == S3_RUNTIME_ACTIONS
    for st in statements(s3):
        if st["Resource"] != "*":  # account-level Block Public Access has no resource ARN
            assert st["Condition"]["StringEquals"]["aws:ResourceAccount"] == "123456789012"
        else:
            assert set(lib_values(st["Action"])) <= {
                "s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock", "s3:GetAccessPoint"}
    acl = next(st for st in statements(s3) if st["Action"] == "s3:PutBucketAcl")
    assert acl["Condition"]["StringEquals"]["s3:x-amz-acl"] == "private"
    assert_describes_own_keys(documents["EventsRole/kms-describe-keys"], "123456789012")


def assert_describes_own_keys(document, account: str) -> None:
    """The live reader's DescribeKey (resource_kinds.KMS_KEYS), on this account's keys in any region."""
    (statement,) = statements(document)
    assert actions(document) == {f"{KMS_KEYS.service}:{KMS_KEYS.describe}"}
    assert statement["Resource"] == f"arn:aws:kms:*:{account}:key/*"
    assert statement["Condition"]["StringEquals"]["aws:ResourceAccount"] == account


SECURITYHUB_RUNTIME_ACTIONS = {
    # guardrails/securityhub.py: GetFindings (open findings to resolve), BatchImportFindings
    "securityhub:BatchImportFindings", "securityhub:GetFindings",
}


@pytest.mark.parametrize("enabled", ["true", "false"])
def test_runtime_role_imports_to_security_hub_only_when_the_stack_says_so(enabled):
    template = load(DEPLOY / "runtime.yaml")
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/lambda.zip"
    parameters = parameter_values(template, {**REQUIRED["runtime.yaml"], "SecurityHub": enabled})
    translated_template = sam_translate(template, parameters)
    documents = policy_documents(translated_template, parameters)
    hub = [d for name, d in documents.items() if any(a.startswith("securityhub:") for a in actions(d))]
    environment = Resolver(translated_template, parameters).resolve(
        translated_template["Resources"]["EventsFunction"]["Properties"]["Environment"]["Variables"]
    )
    assert environment["GUARDRAILS_SECURITYHUB"] == enabled
    if enabled == "false":
        assert hub == []
        return
    (document,) = hub
    assert actions(document) == SECURITYHUB_RUNTIME_ACTIONS
    resources = {st["Action"]: st["Resource"] for st in statements(document)}
    assert resources == {  # the narrowest Security Hub allows: this account's own product, its hub
        "securityhub:BatchImportFindings": "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default",
        "securityhub:GetFindings": "arn:aws:securityhub:us-east-1:123456789012:hub/default",
    }


def test_runtime_function_properties_moto_ignores():
    source = load(DEPLOY / "runtime.yaml")
    function = source["Resources"]["EventsFunction"]["Properties"]
    assert source["Parameters"]["Architecture"]["Default"] == "arm64"
    assert source["Parameters"]["Mode"]["Default"] == "dry-run"
    assert function["Runtime"] == "python3.12"
    template, _ = translated(DEPLOY / "runtime.yaml")
    resources = template["Resources"]
    (invoke_config,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    lam = resources["EventsFunction"]["Properties"]
    assert lam["Architectures"] == [{"Ref": "Architecture"}] and lam["ReservedConcurrentExecutions"]
    table = resources["IdempotencyTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert resources["AlertTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "AlertKey"}
    alarms = {r["Properties"]["MetricName"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert {"Errors", "ApproximateNumberOfMessagesVisible"} <= alarms


def test_audit_stores_properties_moto_ignores():
    resources = load(DEPLOY / "audit.yaml")["Resources"]
    bucket = resources["AuditBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {"Mode": "COMPLIANCE",
                                                                              "Days": {"Ref": "RetentionDays"}}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
        "SSEAlgorithm"] == "aws:kms"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    table = resources["AuditTable"]["Properties"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is True and table["SSESpecification"]["SSEType"] == "KMS"
    assert resources["AuditTable"]["DeletionPolicy"] == resources["AuditBucket"]["DeletionPolicy"] == "Retain"
    key = resources["SigningKey"]["Properties"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")


def test_writers_put_and_sign_only_auditors_read_and_verify_only():
    template = load(DEPLOY / "audit.yaml")
    documents = policy_documents(template)
    writer, auditor = documents["AuditWriterPolicy/AuditWriterPolicy"], documents["AuditorPolicy/AuditorPolicy"]
    assert {a for a in actions(writer) if a.startswith("kms:")} == {"kms:GenerateMac", "kms:GenerateDataKey",
                                                                    "kms:Decrypt"}
    assert {a for a in actions(auditor) if a.startswith("kms:")} == {"kms:VerifyMac", "kms:Decrypt"}
    signing = "arn:aws:kms:us-east-1:123456789012:key/signingkey"
    assert [st["Action"] for st in statements(writer) if st["Resource"] == signing] == ["kms:GenerateMac"]
    assert [st["Action"] for st in statements(auditor) if st["Resource"] == signing] == ["kms:VerifyMac"]
    assert not {a for a in actions(writer) if "Delete" in a or "Update" in a or a.endswith("BatchWriteItem")}
    assert not {a for a in actions(auditor) if a.startswith(("s3:Put", "s3:Delete", "dynamodb:Put",
                                                            "dynamodb:Delete", "dynamodb:Update"))}
    put = next(st for st in statements(writer) if "s3:PutObject" in st["Action"])
    assert put["Condition"]["Null"] == {"s3:if-none-match": "false"}  # create only, never overwrite


def test_audit_bucket_policy_denies_deletes_overwrites_and_plain_http():
    resolver = Resolver(load(DEPLOY / "audit.yaml"))
    policy = resolver.resolve(resolver.template["Resources"]["AuditBucketPolicy"]["Properties"]["PolicyDocument"])
    denied = {a for st in statements(policy) if st["Effect"] == "Deny"
              for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObject"} <= denied
    assert not [st for st in statements(policy) if st["Effect"] == "Allow"]


def test_admission_hook_targets_every_in_scope_type_and_the_stack_operations():
    path = DEPLOY / "admission.yaml"
    template, _ = translated(path)
    (hook,) = [r["Properties"] for r in template["Resources"].values()
               if r["Type"] == "AWS::CloudFormation::LambdaHook"]
    assert {"RESOURCE", "STACK", "CHANGE_SET"} <= set(hook["TargetOperations"])
    assert set(hook["TargetFilters"]["TargetNames"]) == set(CLOUDFORMATION_TYPES)
    assert hook["FailureMode"] == {"Ref": "FailureMode"}
    source = load(path)
    assert source["Parameters"]["FailureMode"]["AllowedValues"] == ["WARN", "FAIL"]
    assert source["Parameters"]["FailureMode"]["Default"] == "WARN"


def test_top_level_template_wires_every_nested_parameter():
    parent = load(DEPLOY / "main.yaml")
    outputs = {name: set(load(DEPLOY / res["Properties"]["Location"]).get("Outputs", {}))
               for name, res in parent["Resources"].items()}
    for name, resource in parent["Resources"].items():
        assert resource["Type"] == "AWS::Serverless::Application"
        child = load(DEPLOY / resource["Properties"]["Location"])
        passed = resource["Properties"].get("Parameters", {})
        required = {k for k, v in child.get("Parameters", {}).items() if "Default" not in v}
        assert required <= set(passed), f"{name}: {sorted(required - set(passed))} not passed"
        assert set(passed) <= set(child["Parameters"]), f"{name}: unknown {sorted(set(passed) - set(child['Parameters']))}"
        for value in passed.values():
            if "Fn::GetAtt" in value:
                stack, attribute = value["Fn::GetAtt"]
                assert attribute.removeprefix("Outputs.") in outputs[stack]
            else:
                assert value["Ref"] in parent["Parameters"]


@pytest.mark.parametrize("enabled", ["true", "false"])
def test_member_role_imports_to_its_own_security_hub_only_when_asked(enabled):
    template = load(DEPLOY / "member.yaml")
    parameters = parameter_values(template, {**REQUIRED["member.yaml"], "SecurityHub": enabled})
    documents = policy_documents(template, parameters)
    hub = {n: d for n, d in documents.items() if any(a.startswith("securityhub:") for a in actions(d))}
    if enabled == "false":
        assert hub == {}
        return
    (document,) = hub.values()
    assert actions(document) == SECURITYHUB_RUNTIME_ACTIONS
    resources = {st["Action"]: st["Resource"] for st in statements(document)}
    assert resources == {  # the member's own product and hub, in every region (the role is global)
        "securityhub:BatchImportFindings": "arn:aws:securityhub:*:123456789012:product/123456789012/default",
        "securityhub:GetFindings": "arn:aws:securityhub:*:123456789012:hub/default",
    }
    in_other_region = parameter_values(template, {**REQUIRED["member.yaml"], "RoleRegion": "eu-west-1"})
    assert not [n for n in policy_documents(template, in_other_region) if "securityhub" in n]


def test_main_passes_security_hub_to_runtime_and_scan_and_deploys_the_scan_only_when_asked():
    parent = load(DEPLOY / "main.yaml")
    resources = parent["Resources"]
    for stack in ("Runtime", "Scan"):
        assert resources[stack]["Properties"]["Parameters"]["SecurityHub"] == {"Ref": "SecurityHub"}
    assert parent["Parameters"]["SecurityHub"]["Default"] == "false"
    assert parent["Parameters"]["DeployScan"]["Default"] == "false"
    assert resources["Scan"]["Properties"]["Location"] == "scan.yaml"
    for enabled in ("true", "false"):
        values = parameter_values(parent, {**REQUIRED["main.yaml"], "DeployScan": enabled})
        active = Resolver(parent, values).active_resources()
        assert ("Scan" in active) is (enabled == "true")
        assert {"Audit", "Runtime", "Admission"} <= set(active)
    # the scan assumes roles only inside the organisation: DeployScan=true without one fails before creation
    (assertion,) = parent["Rules"]["ScanNeedsTheOrganization"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "OrganizationId"}, ""]}]}
    assert parent["Rules"]["ScanNeedsTheOrganization"]["RuleCondition"] == {
        "Fn::Equals": [{"Ref": "DeployScan"}, "true"]
    }
