"""Inline suppressions: CloudFormation Metadata and Terraform tags, reported, audited, pre-deploy only."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.decider import Decider
from guardrails.sources.discovery import load_inputs
from guardrails.suppressions import SuppressionError, from_cloudformation_metadata, from_tags

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEMPLATE = FIXTURES / "suppressions" / "template.yaml"
PLAN = FIXTURES / "terraform" / "sagemaker" / "plan.json"


def run_json(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    text = result.stdout
    return result.exit_code, json.loads(text[text.index("{") :]), result.output


def violations(report: dict, name: str) -> dict[str, dict]:
    entry = next(r for r in report["results"] if r["resource"]["name"] == name)
    return {v["control"]: v for v in entry["violations"]}


def test_cloudformation_metadata_suppression_is_applied_and_reported() -> None:
    code, report, _ = run_json(str(TEMPLATE))
    found = violations(report, "suppressed-notebook")
    assert found["SM-18"]["suppression"] == {
        "control": "SM-18",
        "reason": "data scientists need pip install; SEC-42",
        "expires": "2999-12-31",
        "source": "cloudformation-metadata",
    }
    # the expired one does not apply: SM-05 still denies
    assert "suppression" not in found["SM-05"]
    assert code == 1
    assert report["summary"]["violations"]["suppressed"] == 1
    notes = [n["reason"] for n in report["summary"]["suppression_warnings"]]
    assert any("suppression of SM-05 expired on 2020-01-01" in n for n in notes)
    assert any("suppression of SM-13 matches no violation" in n for n in notes)
    assert all(n["logical_id"] == "Notebook" for n in report["summary"]["suppression_warnings"])


def test_text_report_shows_the_suppression_and_the_warning() -> None:
    result = CliRunner().invoke(main, ["check", str(TEMPLATE)])
    assert "~ SM-18 [high, suppressed]" in result.output
    assert (
        "suppressed (template Metadata) until 2999-12-31: data scientists need pip install" in result.output
    )
    assert "Suppression warnings" in result.output and "expired on 2020-01-01" in result.output


def test_no_suppressions_shows_what_they_hide() -> None:
    _, with_them, _ = run_json(str(PLAN))
    _, without, _ = run_json(str(PLAN), "--no-suppressions")
    assert "suppression" in violations(with_them, "open-notebook")["SM-18"]
    assert "suppression" not in violations(without, "open-notebook")["SM-18"]
    assert without["summary"]["violations"]["warn"] == with_them["summary"]["violations"]["warn"] + 1


def test_missing_reason_is_an_input_error_naming_file_and_resource() -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "suppressions" / "no-reason.yaml")])
    assert result.exit_code == 2
    assert "no-reason.yaml" in result.output and "Notebook" in result.output and "reason" in result.output


def test_sarif_marks_inline_suppressions_in_source(tmp_path: Path) -> None:
    out = tmp_path / "r.sarif"
    CliRunner().invoke(main, ["check", str(TEMPLATE), "--format", f"sarif={out}"])
    results = json.loads(out.read_text())["runs"][0]["results"]
    sm18 = next(r for r in results if r["ruleId"] == "SM-18")
    assert sm18["suppressions"][0]["kind"] == "inSource"
    assert "SEC-42" in sm18["suppressions"][0]["justification"]
    assert "suppressions" not in next(r for r in results if r["ruleId"] == "SM-05")


def test_suppressions_are_audited(tmp_path: Path) -> None:
    trail = tmp_path / "audit.jsonl"
    result = CliRunner().invoke(main, ["check", str(TEMPLATE), "--audit", f"file://{trail}"])
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in trail.read_text().splitlines()]
    violations_recorded = [v for r in records for v in r["violations"] if v["control"] == "SM-18"]
    assert violations_recorded[0]["suppression"]["reason"] == "data scientists need pip install; SEC-42"


def test_suppressions_apply_at_pre_deploy_only() -> None:
    document = load_inputs([TEMPLATE]).documents[0]
    decider = Decider()
    assert decider.decide(document).violations[-1].control  # decided
    at_deploy = {v.control: v for v in decider.decide(document).violations}
    assert at_deploy["SM-18"].suppression is not None
    admission = copy.deepcopy(document)
    admission.context.point = "admission"
    at_admission = {v.control: v for v in decider.decide(admission).violations}
    assert at_admission["SM-18"].suppression is None and at_admission["SM-18"].counts


def test_expiry_is_inclusive() -> None:
    document = load_inputs([TEMPLATE]).documents[0]
    decided = {v.control: v for v in Decider().decide(document, today=date(2020, 1, 1)).violations}
    assert decided["SM-05"].suppression is not None
    decided = {v.control: v for v in Decider().decide(document, today=date(2020, 1, 2)).violations}
    assert decided["SM-05"].suppression is None


def test_terraform_tag_forms() -> None:
    found = from_tags(
        {
            "guardrails:suppress": "SM-18:needs root expires=2027-03-31",
            "guardrails:suppress:SM-05": "proxy is the notebook's gateway",
            "team": "ml",
        },
        "plan.json: x",
    )
    assert [(s.control, s.reason, str(s.expires)) for s in found] == [
        ("SM-18", "needs root", "2027-03-31"),
        ("SM-05", "proxy is the notebook's gateway", "None"),
    ]
    with pytest.raises(SuppressionError, match="CONTROL:reason"):
        from_tags({"guardrails:suppress": "SM-18"}, "plan.json: x")
    with pytest.raises(SuppressionError, match="reason"):
        from_tags({"guardrails:suppress": "SM-18: "}, "plan.json: x")
    with pytest.raises(SuppressionError, match="control id"):
        from_tags({"guardrails:suppress": "root:because"}, "plan.json: x")


def test_metadata_shapes_are_validated() -> None:
    assert from_cloudformation_metadata({"Other": 1}, "t.yaml: R") == []
    with pytest.raises(SuppressionError, match="must be a list"):
        from_cloudformation_metadata({"guardrails": {"suppress": {"control": "SM-18"}}}, "t.yaml: R")
    with pytest.raises(SuppressionError, match="unknown field"):
        from_cloudformation_metadata(
            {"guardrails": {"suppress": [{"control": "SM-18", "reason": "r", "until": "2027-01-01"}]}},
            "t.yaml: R",
        )
    with pytest.raises(SuppressionError, match="expires"):
        from_cloudformation_metadata(
            {"guardrails": {"suppress": [{"control": "SM-18", "reason": "r", "expires": "next year"}]}},
            "t.yaml: R",
        )
