"""`guardrails scan --format FORMAT[=FILE]` (check's formats and renderers) and `--securityhub`, end to end
against moto_server: findings land in each account's own Security Hub, in the resource's region, and the
ones fixed since the last scan are resolved."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from moto_server_support import client
from scan_support import ACCOUNT, FLAGS, OTHER, by_name, compliant_bucket, notebook, role_creds, scan

pytestmark = pytest.mark.slow  # `guardrails scan` subprocesses against moto_server


def findings(url: str, region: str, **creds: str) -> dict[str, dict]:
    hub = client("securityhub", url, region, **creds)
    found, token = {}, None
    while True:
        page = hub.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        found.update({f["Id"]: f for f in page["Findings"]})
        token = page.get("NextToken")
        if not token:
            return found


def pairs(found: dict[str, dict], state: str = "ACTIVE") -> set[tuple[str, str]]:
    return {
        (f["ProductFields"]["guardrails/ResourceName"], f["ProductFields"]["guardrails/Control"])
        for f in found.values()
        if f["RecordState"] == state
    }


def test_every_check_format_renders_the_scan_to_its_file(moto_url, tmp_path):
    notebook(moto_url, "nb-west", "eu-west-1")
    s3 = client("s3", moto_url)
    s3.create_bucket(Bucket="fmt-public")
    s3.put_bucket_acl(Bucket="fmt-public", ACL="public-read")
    compliant_bucket(s3, "fmt-good")
    files = {name: tmp_path / f"scan.{name}" for name in ("sarif", "junit", "asff", "github")}
    args = [x for name, path in files.items() for x in ("--format", f"{name}={path}")]

    code, report, err = scan(
        moto_url,
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--kinds",
        "NotebookInstance,Bucket",
        *args,
    )

    assert code == 1, err
    assert set(by_name(report)) == {"nb-west", "fmt-public", "fmt-good"}  # json still on stdout
    sarif = json.loads(files["sarif"].read_text())
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"SM-04", "SM-05", "S3-02"} <= rules
    junit = ET.fromstring(files["junit"].read_text())
    assert int(junit.get("failures") or junit.find("testsuite").get("failures")) > 0
    asff = json.loads(files["asff"].read_text())
    asff = asff["Findings"] if isinstance(asff, dict) else asff
    where = {
        (f["ProductFields"]["guardrails/ResourceName"], f["AwsAccountId"], f["Resources"][0]["Region"])
        for f in asff
    }
    assert ("nb-west", ACCOUNT, "eu-west-1") in where and ("fmt-public", ACCOUNT, "us-east-1") in where
    assert "::error" in files["github"].read_text()


def test_format_errors_exit_two_before_anything_is_read(moto_url):
    code, _, err = scan(moto_url, "--region", "us-east-1", "--format", "text")  # json and text on stdout
    assert code == 2 and "only one report can go to standard output" in err
    code, _, err = scan(moto_url, "--region", "us-east-1", "--format", "pdf=x.pdf")
    assert code == 2 and "unknown format 'pdf'" in err
    calls = json.loads(__import__("urllib.request").request.urlopen(f"{moto_url}/moto-api/data.json").read())
    assert not calls.get("sagemaker") or not any(calls["sagemaker"].values())


def test_securityhub_imports_per_account_and_region_then_resolves_what_was_fixed(moto_url, tmp_path):
    notebook(moto_url, "hub-nb-east", "us-east-1")
    notebook(moto_url, "hub-nb-west", "eu-west-1")
    s3 = client("s3", moto_url)
    s3.create_bucket(Bucket="hub-bucket")
    s3.put_bucket_acl(Bucket="hub-bucket", ACL="public-read")
    role = f"arn:aws:iam::{OTHER}:role/guardrails-scan"
    other = role_creds(moto_url, role)
    client("s3", moto_url, **other).create_bucket(Bucket="hub-other-bucket")
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text(
        f"accounts:\n  - account_id: '{ACCOUNT}'\n    regions: [us-east-1, eu-west-1]\n"
        f"  - account_id: '{OTHER}'\n    role_arn: {role}\n    regions: [us-east-1]\n"
    )
    base = ("--accounts", str(accounts), "--kinds", "NotebookInstance,Bucket", "--securityhub")

    code, report, err = scan(moto_url, *base)

    assert code == 1, err
    assert "securityhub:" in err and "resolved" in err
    failing = {
        (r["resource"]["name"], v["control"])
        for r in report["results"]
        for v in r["violations"]
        if "exemption" not in v and "suppression" not in v
    }
    east, west = findings(moto_url, "us-east-1"), findings(moto_url, "eu-west-1")
    in_other = findings(moto_url, "us-east-1", **other)
    assert {n for n, _ in pairs(east)} == {"hub-nb-east", "hub-bucket"}
    assert {n for n, _ in pairs(west)} == {"hub-nb-west"}
    assert {n for n, _ in pairs(in_other)} == {"hub-other-bucket"}
    assert pairs(east) | pairs(west) | pairs(in_other) == failing
    assert all(f["AwsAccountId"] == OTHER for f in in_other.values())
    assert all(f["Resources"][0]["Region"] == "eu-west-1" for f in west.values())
    assert report["scan"]["api_calls"]["by_operation"]["securityhub:BatchImportFindings"] == 3

    # the bucket is fixed; the next scan resolves its findings under the same ids, the others stay active
    s3.put_bucket_acl(Bucket="hub-bucket", ACL="private")
    s3.put_public_access_block(Bucket="hub-bucket", PublicAccessBlockConfiguration=dict.fromkeys(FLAGS, True))
    code, report, err = scan(moto_url, *base)
    assert code == 1, err
    after = findings(moto_url, "us-east-1")
    assert set(after) >= set(east)
    still_failing = {
        (r["resource"]["name"], v["control"])
        for r in report["results"]
        for v in r["violations"]
        if "exemption" not in v and "suppression" not in v and r["resource"]["name"] == "hub-bucket"
    }
    resolved = pairs(after, "ARCHIVED")
    assert resolved and all(name == "hub-bucket" for name, _ in resolved)
    assert resolved == {p for p in pairs(east) if p[0] == "hub-bucket"} - still_failing
    assert all(
        after[i]["Compliance"]["Status"] == "PASSED" for i in after if after[i]["RecordState"] == "ARCHIVED"
    )
    assert {n for n, _ in pairs(after)} == {"hub-nb-east"} | {n for n, _ in still_failing}


def test_a_failed_import_is_an_error_naming_the_account_and_region(moto_url):
    import boto3
    from botocore.config import Config

    from guardrails.config import GuardrailsConfig
    from guardrails.decider import Decider
    from guardrails.scan.runner import ScanOptions, run_scan
    from guardrails.scan.securityhub import import_scan

    notebook(moto_url, "hub-east", "us-east-1")
    notebook(moto_url, "hub-west", "eu-west-1")
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    decider = Decider(GuardrailsConfig())
    options = ScanOptions(
        regions=["us-east-1", "eu-west-1"], kinds=["AWS::SageMaker::NotebookInstance"], endpoint_url=moto_url
    )
    result = run_scan(None, options, decider, base_session=session)
    east = next(s for s in result.shard_of.values() if s.region == "us-east-1")
    # us-east-1's Security Hub cannot be reached (nothing listens on port 9): its import fails, not eu-west-1's
    east.clients._clients["securityhub"] = session.client(
        "securityhub", endpoint_url="http://127.0.0.1:9", config=Config(retries={"max_attempts": 1})
    )

    imported = import_scan(result, decider.bundle.catalog)

    assert len(imported.errors) == 1
    assert imported.errors[0].startswith(f"{ACCOUNT}/us-east-1: Security Hub import failed")
    assert imported.groups == [f"{ACCOUNT}/eu-west-1"] and imported.imported > 0
    assert {n for n, _ in pairs(findings(moto_url, "eu-west-1"))} == {"hub-west"}


def test_a_fan_out_shard_imports_to_its_accounts_security_hub_before_auditing(moto_url, tmp_path):
    import boto3

    from guardrails.config import GuardrailsConfig, validated
    from guardrails.scan.shard import scan_shard

    role = f"arn:aws:iam::{OTHER}:role/guardrails-scan"
    other = role_creds(moto_url, role)
    s3 = client("s3", moto_url, **other)
    s3.create_bucket(Bucket="shard-hub-public")
    s3.put_bucket_acl(Bucket="shard-hub-public", ACL="public-read")
    audit = tmp_path / "audit.jsonl"
    config = validated(GuardrailsConfig, {"audit": {"sinks": [f"file://{audit}"]}})
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    item = {
        "account_id": OTHER,
        "region": "us-east-1",
        "role_arn": role,
        "kinds": ["AWS::S3::Bucket"],
        "securityhub": True,
    }

    result = scan_shard(item, config, base_session=session, endpoint_url=moto_url)

    assert result.status == "ok", result.errors
    found = findings(moto_url, "us-east-1", **other)
    assert {n for n, _ in pairs(found)} == {"shard-hub-public"}
    assert result.securityhub_imported == len(found) > 0
    assert all(f["AwsAccountId"] == OTHER for f in found.values())
    assert not findings(moto_url, "us-east-1")  # nothing in the caller's own account
    assert len(audit.read_text().splitlines()) == result.audit_records == 1
