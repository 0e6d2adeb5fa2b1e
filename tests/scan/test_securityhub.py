"""ASFF findings and the Security Hub importer, against moto_server over loopback (real HTTP, botocore
validating every BatchImportFindings request against the service model)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.checking import run_check
from guardrails.config import GuardrailsConfig
from guardrails.decision import Decision
from guardrails.report.asff import decision_findings, finding_id
from guardrails.securityhub import BATCH_SIZE, SecurityHubError, SecurityHubImporter

ACCOUNT, REGION = "123456789012", "eu-west-1"
PLAN = Path("tests/fixtures/terraform/parity/plan.json")


@pytest.fixture
def hub(moto_url: str):
    return boto3.client(
        "securityhub",
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def run():
    return run_check([PLAN], GuardrailsConfig())


def all_findings(client) -> dict[str, dict]:
    found, token = {}, None
    while True:
        page = client.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        found.update({f["Id"]: f for f in page["Findings"]})
        token = page.get("NextToken")
        if not token:
            return found


def failing_pairs(decisions: list[Decision]) -> set[tuple[str, str]]:
    return {(d.resource.name, v.control) for d in decisions for v in d.violations if v.counts}


def test_import_one_finding_per_failing_resource_and_control(hub, run) -> None:
    result = SecurityHubImporter(hub, run.catalog, account=ACCOUNT).sync(run.decisions)
    findings = all_findings(hub)
    assert result.imported == len(failing_pairs(run.decisions)) == len(findings)
    assert result.resolved == 0
    by_control = {
        (f["ProductFields"]["guardrails/ResourceName"], f["ProductFields"]["guardrails/Control"])
        for f in findings.values()
    }
    assert by_control == failing_pairs(run.decisions)
    notebook = next(f for f in findings.values() if f["GeneratorId"] == "guardrails/SM-05")
    assert notebook["Resources"][0]["Type"] == "AwsSageMakerNotebookInstance"
    assert notebook["Compliance"]["Status"] == "FAILED"
    assert "Security Hub SageMaker.1" in notebook["Compliance"]["RelatedRequirements"]
    assert notebook["RecordState"] == "ACTIVE" and notebook["Workflow"]["Status"] == "NEW"
    assert notebook["ProductArn"] == f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"


def test_findings_are_resolved_when_fixed_and_updated_not_duplicated(hub, run) -> None:
    importer = SecurityHubImporter(hub, run.catalog, account=ACCOUNT)
    importer.sync(run.decisions)
    before = all_findings(hub)
    # the bucket is fixed: the same resource decided again without violations
    fixed = [
        replace(d, violations=[], verdict="allow") if d.resource.name == "parity-bucket" else d
        for d in run.decisions
    ]
    result = importer.sync(fixed)
    after = all_findings(hub)
    assert set(after) == set(before)  # same ids: updated in place
    bucket = [f for f in after.values() if f["ProductFields"]["guardrails/ResourceName"] == "parity-bucket"]
    assert bucket and result.resolved == len(bucket)
    for f in bucket:
        assert (f["RecordState"], f["Workflow"]["Status"], f["Compliance"]["Status"]) == (
            "ARCHIVED",
            "RESOLVED",
            "PASSED",
        )
    others = [f for f in after.values() if f["ProductFields"]["guardrails/ResourceName"] != "parity-bucket"]
    assert others and all(f["RecordState"] == "ACTIVE" for f in others)


def test_findings_of_other_tools_are_never_resolved(hub, run) -> None:
    notebook = next(d for d in run.decisions if d.resource.name == "parity-notebook")
    foreign = dict(decision_findings(notebook, run.catalog, account=ACCOUNT)[0])
    foreign.update({"Id": "other-tool/1", "GeneratorId": "other-tool"})
    hub.batch_import_findings(Findings=[foreign])
    SecurityHubImporter(hub, run.catalog, account=ACCOUNT).sync(
        [replace(notebook, violations=[], verdict="allow")]
    )
    assert all_findings(hub)["other-tool/1"]["RecordState"] == "ACTIVE"


def test_batches_of_one_hundred(hub, run) -> None:
    notebook = next(d for d in run.decisions if d.resource.name == "parity-notebook")
    decisions = [
        replace(
            notebook,
            resource=replace(
                notebook.resource, arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/n{i}"
            ),
        )
        for i in range(40)
    ]
    per_decision = len(decision_findings(decisions[0], run.catalog, account=ACCOUNT))
    result = SecurityHubImporter(hub, run.catalog, account=ACCOUNT).sync(decisions)
    total = per_decision * 40
    assert result.imported == total == len(all_findings(hub))
    assert result.batches == -(-total // BATCH_SIZE) and total > BATCH_SIZE


def test_rejected_findings_raise() -> None:
    class Rejecting:
        def get_findings(self, **_):
            return {"Findings": []}

        def batch_import_findings(self, Findings):
            return {
                "FailedCount": 1,
                "SuccessCount": len(Findings) - 1,
                "FailedFindings": [
                    {"Id": Findings[0]["Id"], "ErrorCode": "InvalidInput", "ErrorMessage": "bad"}
                ],
            }

    run = run_check([PLAN], GuardrailsConfig())
    with pytest.raises(SecurityHubError, match="rejected 1 finding"):
        SecurityHubImporter(Rejecting(), run.catalog, account=ACCOUNT, region=REGION).sync(run.decisions)


def test_finding_ids_are_stable(run) -> None:
    d = run.decisions[0]
    assert finding_id(ACCOUNT, REGION, d, "S3-01") == finding_id(
        ACCOUNT, REGION, replace(d, decision_id="x"), "S3-01"
    )
    assert finding_id(ACCOUNT, REGION, d, "S3-01") != finding_id(ACCOUNT, "us-east-1", d, "S3-01")


def test_check_format_asff(monkeypatch) -> None:
    monkeypatch.delenv("AWS_ACCOUNT_ID", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    result = CliRunner().invoke(main, ["check", str(PLAN), "--format", "asff"])
    assert result.exit_code == 2 and "AWS_ACCOUNT_ID" in result.output
    monkeypatch.setenv("AWS_ACCOUNT_ID", ACCOUNT)
    result = CliRunner().invoke(main, ["check", str(PLAN), "--format", "asff"])
    findings = json.loads(result.stdout)
    assert result.exit_code == 1
    assert {f["SchemaVersion"] for f in findings} == {"2018-10-08"}
    assert all(f["AwsAccountId"] == ACCOUNT and f["Resources"][0]["Region"] == REGION for f in findings)


def test_runtime_lambda_imports_when_configured(aws, decider) -> None:
    """runtime.securityhub: true -> the processor imports each decision (in-process moto, `aws` clients)."""
    from fixtures.events.builders import sagemaker_call

    from guardrails.config import RuntimeConfig
    from guardrails.runtime.processor import process_event

    assert aws.region == REGION
    request = {
        "ModelName": "hub-model",
        "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/x",
        "PrimaryContainer": {"Image": "img"},
    }
    arn = aws.client("sagemaker").create_model(**request)["ModelArn"]
    event = sagemaker_call("CreateModel", request, account=ACCOUNT, region=REGION, arn=arn)
    process_event(event, decider=decider, trail=None, clients=aws, config=RuntimeConfig())
    assert aws.client("securityhub").get_findings()["Findings"] == []  # off by default
    outcome = process_event(
        event, decider=decider, trail=None, clients=aws, config=RuntimeConfig(securityhub=True)
    )
    findings = aws.client("securityhub").get_findings()["Findings"]
    failing = {v.control for v in outcome.decisions[0].violations if v.counts}
    assert {f["GeneratorId"] for f in findings} == {f"guardrails/{c}" for c in failing}
    assert all(f["Resources"][0]["Id"].endswith(":model/hub-model") for f in findings)
