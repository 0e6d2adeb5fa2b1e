"""Input errors (files that could not be judged) and notes (unknown content, not followed, not evaluated)
appear in every report format that has a place for them, and any input error exits 2 whatever the formats."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

BROKEN = "Resources: [1, 2\n"
INCLUDE = """\
Resources:
  Fn::Transform:
    Name: AWS::Include
    Parameters: {Location: s3://bucket/snippet.yaml}
  Topic:
    Type: AWS::SNS::Topic
"""
NESTED = """\
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: https://b.s3.amazonaws.com/child.yaml}
  Space:
    Type: AWS::SageMaker::UserProfile
    Properties: {DomainId: d-1, UserProfileName: u}
"""


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.yaml").write_text(BROKEN)
    (tmp_path / "include.yaml").write_text(INCLUDE)
    (tmp_path / "nested.yaml").write_text(NESTED)
    return tmp_path


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "broken.yaml", "include.yaml", "nested.yaml", *args])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("formats", [["sarif"], ["junit"], ["github"], ["asff"], ["json", "sarif=s.sarif"]])
def test_an_input_error_exits_2_whatever_the_formats(inputs: Path, formats: list[str]) -> None:
    args = [arg for name in formats for arg in ("--format", name)]
    code, output = check(*args, "--soft-fail")
    assert code == 2, output
    code, output = check(*args, "--fail-on", "critical")
    assert code == 2, output


def test_sarif_names_the_bad_file_and_every_note(inputs: Path) -> None:
    code, output = check("--format", "sarif")
    assert code == 2
    run = json.loads(output)["runs"][0]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    by_uri = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n for n in notes}
    assert (
        by_uri["broken.yaml"]["level"] == "error"
        and "input error" in by_uri["broken.yaml"]["message"]["text"]
    )
    texts = " | ".join(n["message"]["text"] for n in notes)
    assert "unknown content" in texts and "AWS::Include" in texts
    assert "not followed" in texts and "Child" in texts
    assert "not evaluated" in texts and "AWS::SageMaker::UserProfile" in texts
    rules = {r["ruleId"] for r in run["results"]}
    assert {"GR-INPUT-ERROR", "GR-UNKNOWN-CONTENT"} <= rules


def test_sarif_execution_is_successful_without_input_errors(inputs: Path) -> None:
    result = CliRunner().invoke(main, ["check", "nested.yaml", "--format", "sarif"])
    assert result.exit_code == 0, result.output
    (invocation,) = json.loads(result.stdout)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    assert {n["level"] for n in invocation["toolExecutionNotifications"]} == {"note"}


def test_junit_has_an_errored_testcase_per_bad_file_and_cases_for_notes(inputs: Path) -> None:
    code, output = check("--format", "junit")
    assert code == 2
    root = ET.fromstring(output.split("\n", 1)[1])
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    broken = suites["broken.yaml"]
    (case,) = broken.iter("testcase")
    assert case.get("name") == "read input" and case.find("error") is not None
    assert broken.get("errors") == "1"
    include = suites["include.yaml"]
    assert include.find("testcase/failure") is not None and include.get("failures") == "1"
    assert suites["nested.yaml"].get("skipped") == "2"
    assert root.get("errors") == "1"


def test_junit_unknown_content_is_a_warning_under_unknown_warn(inputs: Path) -> None:
    (inputs / "warn.yaml").write_text("unknown: warn\n")
    result = CliRunner().invoke(main, ["check", "include.yaml", "--format", "junit", "--config", "warn.yaml"])
    assert result.exit_code == 0, result.output
    assert "<failure" not in result.output and "warning (unknown: warn)" in result.output


def test_github_error_line_per_bad_file_and_notes(inputs: Path) -> None:
    code, output = check("--format", "github")
    assert code == 2
    lines = output.splitlines()
    assert any(line.startswith("::error file=broken.yaml,line=") for line in lines), lines
    assert any(line.startswith("::error file=include.yaml,") and "AWS::Include" in line for line in lines)
    assert any(line.startswith("::notice file=nested.yaml,") and "Child" in line for line in lines)
    code, quiet = check("--format", "github", "--quiet")
    assert "::notice" not in quiet and "::error file=broken.yaml" in quiet


def test_sarif_with_input_errors_and_notes_passes_the_official_validator(inputs: Path) -> None:
    from sarif_support import validate_sarif

    code, _ = check("--format", "sarif=results.sarif")
    assert code == 2
    assert validate_sarif(inputs / "results.sarif", inputs) == []
