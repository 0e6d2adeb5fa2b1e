"""SARIF / JUnit / GitHub reports, several at once; the SARIF is checked with Microsoft's official
validator (npm @microsoft/sarif-multitool, installed by .ci/run)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main
from sarif_support import validate_sarif

from guardrails.report.github import render_github
from guardrails.report.outputs import OutputSpecError, parse_output_specs

ROOT = Path(__file__).resolve().parents[2]
PARITY = Path("tests/fixtures/terraform/parity")
TEMPLATE = PARITY / "template.yaml"
PLAN = PARITY / "plan.json"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    out = tmp_path_factory.mktemp("reports")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "check",
            str(TEMPLATE),
            str(PLAN),
            "--format",
            "text",
            "--format",
            f"sarif={out / 'results.sarif'}",
            "--format",
            f"junit={out / 'results.xml'}",
            "--format",
            f"github={out / 'annotations.txt'}",
            "--format",
            f"json={out / 'results.json'}",
        ],
    )
    assert result.exit_code == 1, result.output
    return {
        "stdout": result.output,
        "sarif": out / "results.sarif",
        "junit": out / "results.xml",
        "github": out / "annotations.txt",
        "json": out / "results.json",
    }


def test_several_formats_at_once(reports: dict) -> None:
    assert "parity-bucket" in reports["stdout"] and "violations:" in reports["stdout"]
    for name in ("sarif", "junit", "github", "json"):
        assert reports[name].stat().st_size > 0


def test_sarif_rules_results_and_locations(reports: dict) -> None:
    sarif = json.loads(reports["sarif"].read_text())
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "SM-05" in rules and "S3-02" in rules
    assert rules["SM-05"]["properties"]["securityHubControls"] == ["SageMaker.1"]
    assert "Disabled" in rules["SM-05"]["help"]["text"]
    assert rules["S3-02"]["properties"]["security-severity"] == "9.5"
    json_report = json.loads(reports["json"].read_text())
    expected = sum(len(r["violations"]) for r in json_report["results"])
    assert len(run["results"]) == expected
    by_file = {}
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        by_file.setdefault(uri, set()).add(location["logicalLocations"][0]["fullyQualifiedName"])
        assert location["physicalLocation"]["region"]["startLine"] >= 1
    assert "aws_sagemaker_notebook_instance.notebook" in by_file[PLAN.as_posix()]
    assert "Notebook" in by_file[TEMPLATE.as_posix()]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["SM-05"] == "error" and levels["SM-18"] == "warning"


def test_sarif_passes_the_official_validator(reports: dict, tmp_path: Path) -> None:
    assert validate_sarif(reports["sarif"], tmp_path) == []


def test_the_validator_does_report_errors(tmp_path: Path) -> None:
    """Guard against a validator that silently validates nothing."""
    broken = tmp_path / "broken.sarif"
    broken.write_text(
        json.dumps(
            {
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {"driver": {"name": "x"}},
                        "results": [
                            {
                                "ruleId": "A",
                                "message": {"text": "t"},
                                "locations": [
                                    {
                                        "physicalLocation": {
                                            "artifactLocation": {"uri": "a"},
                                            "region": {"startLine": 0},
                                        }
                                    }
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    )
    assert validate_sarif(broken, tmp_path)


def test_junit_one_testcase_per_resource_and_control(reports: dict) -> None:
    root = ET.parse(reports["junit"]).getroot()
    cases = root.findall(".//testcase")
    names = {(c.get("classname"), c.get("name").split()[0]) for c in cases}
    assert len(names) == len(cases)  # no duplicates
    assert ("AWS::SageMaker::NotebookInstance Notebook", "SM-05") in names
    assert ("AWS::SageMaker::NotebookInstance aws_sagemaker_notebook_instance.notebook", "SM-14") in names
    failed = {(c.get("classname"), c.get("name").split()[0]) for c in cases if c.find("failure") is not None}
    assert ("AWS::SageMaker::NotebookInstance Notebook", "SM-05") in failed
    assert ("AWS::SageMaker::NotebookInstance Notebook", "SM-14") not in failed  # KmsKeyId is set
    assert ("AWS::SageMaker::NotebookInstance Notebook", "SM-18") not in failed  # warn: passes, with output
    assert int(root.get("failures")) == len(failed)


def test_github_annotations(reports: dict) -> None:
    lines = reports["github"].read_text().splitlines()
    assert any(
        line.startswith(f"::error file={PLAN.as_posix()},line=") and "title=SM-05 " in line for line in lines
    )
    assert any(line.startswith("::warning ") and "SM-18" in line for line in lines)


def test_github_escapes_workflow_command_data(reports: dict) -> None:
    from guardrails.report.model import CheckRun

    assert render_github(CheckRun(decisions=[])) == ""
    for line in reports["github"].read_text().splitlines():
        body = line.split("::", 2)[2]
        assert "\n" not in body and "\r" not in body


def test_format_specs() -> None:
    specs = parse_output_specs(["text", "sarif=out.sarif"])
    assert [(s.format, s.path) for s in specs] == [("text", None), ("sarif", Path("out.sarif"))]
    with pytest.raises(OutputSpecError, match="only one report"):
        parse_output_specs(["text", "json"])
    with pytest.raises(OutputSpecError, match="unknown format"):
        parse_output_specs(["xml"])
    result = CliRunner().invoke(main, ["check", str(TEMPLATE), "--format", "yaml"])
    assert result.exit_code == 2 and "unknown format" in result.output
