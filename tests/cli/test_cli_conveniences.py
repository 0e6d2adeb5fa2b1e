"""check: config discovery, --fail-on / --soft-fail, --quiet / --compact, stdin, gitignore-style
--exclude, singular/plural, config validation against the catalog."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.config import ConfigError
from guardrails.config_discovery import discover_config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PARITY_TEMPLATE = FIXTURES / "terraform" / "parity" / "template.yaml"
PLAN = FIXTURES / "terraform" / "parity" / "plan.json"

NOTEBOOK = """\
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      NotebookInstanceName: lab
      RoleArn: arn:aws:iam::123456789012:role/sagemaker
      InstanceType: ml.t3.medium
      SubnetId: subnet-0123456789abcdef0
      SecurityGroupIds: [sg-0123456789abcdef0]
      KmsKeyId: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
      InstanceMetadataServiceConfiguration:
        MinimumInstanceMetadataServiceVersion: "2"
"""
"""Fails SM-05 (high, deny: direct internet access by default) and SM-18 (high, warn)."""


def check(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["check", *args], input=input)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "infra" / "ml").mkdir(parents=True)
    (root / "infra" / "ml" / "notebook.yaml").write_text(NOTEBOOK)
    monkeypatch.chdir(root / "infra" / "ml")
    return root


def test_config_is_discovered_up_to_the_repository_root(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "guardrails.yaml").write_text('controls: {SM-18: "off"}\n')  # above the repo: ignored
    assert discover_config() is None
    (repo / ".guardrails.yaml").write_text('controls: {SM-05: "off"}\n')
    assert discover_config() == (repo / ".guardrails.yaml").resolve()
    result = check("notebook.yaml", "--format", "json")
    controls = {v["control"] for r in json.loads(result.stdout)["results"] for v in r["violations"]}
    assert "SM-05" not in controls and "SM-18" in controls
    assert result.exit_code == 0  # SM-18 only warns


def test_nearest_config_wins_and_config_option_wins_over_discovery(repo: Path) -> None:
    (repo / ".guardrails.yaml").write_text('controls: {SM-05: "off"}\n')
    (repo / "infra" / "guardrails.yaml").write_text('controls: {SM-18: "off"}\n')
    result = check("notebook.yaml", "--format", "json")
    controls = {v["control"] for r in json.loads(result.stdout)["results"] for v in r["violations"]}
    assert controls >= {"SM-05"} and "SM-18" not in controls
    explicit = repo / "explicit.yaml"
    explicit.write_text("controls: {}\n")
    result = check("notebook.yaml", "--format", "json", "--config", str(explicit))
    controls = {v["control"] for r in json.loads(result.stdout)["results"] for v in r["violations"]}
    assert {"SM-05", "SM-18"} <= controls


def test_two_configs_in_one_folder_are_an_error(repo: Path) -> None:
    (repo / ".guardrails.yaml").write_text("controls: {}\n")
    (repo / "guardrails.yaml").write_text("controls: {}\n")
    with pytest.raises(ConfigError, match="two configuration files"):
        discover_config()
    assert check("notebook.yaml").exit_code == 2


def test_unknown_control_ids_are_rejected(repo: Path) -> None:
    (repo / ".guardrails.yaml").write_text(
        'controls: {SM-99: "off"}\nexemptions: [{control: S3-42, resource: "*", reason: r}]\nruntime: {controls: {SM-98: enforce}}\n'
    )
    result = check("notebook.yaml")
    assert result.exit_code == 2
    assert "controls.SM-99" in result.output and "exemptions[0].control S3-42" in result.output
    assert "runtime.controls.SM-98" in result.output
    validate = CliRunner().invoke(main, ["config", "validate", str(repo / ".guardrails.yaml")])
    assert validate.exit_code == 2 and "SM-99" in validate.output


def test_expired_exemptions_warn(repo: Path) -> None:
    (repo / ".guardrails.yaml").write_text(
        "exemptions: [{control: SM-05, resource: Notebook, reason: lab, expires: 2020-01-31}]\n"
    )
    result = check("notebook.yaml")
    assert result.exit_code == 1  # the expired exemption does not apply
    assert "exemptions[0] (SM-05 on Notebook) expired on 2020-01-31" in result.stderr
    validate = CliRunner().invoke(main, ["config", "validate", str(repo / ".guardrails.yaml")])
    assert validate.exit_code == 0 and "expired on 2020-01-31" in validate.stderr


def test_fail_on_severity_threshold(repo: Path) -> None:
    assert check("notebook.yaml").exit_code == 1
    assert check("notebook.yaml", "--fail-on", "high").exit_code == 1
    assert check("notebook.yaml", "--fail-on", "critical").exit_code == 0  # SM-05 is high
    assert check(str(PARITY_TEMPLATE), "--fail-on", "critical").exit_code == 1  # S3-02/S3-03 critical
    assert check("notebook.yaml", "--fail-on", "urgent").exit_code == 2


def test_soft_fail_reports_but_exits_zero(repo: Path, tmp_path: Path) -> None:
    result = check("notebook.yaml", "--soft-fail")
    assert result.exit_code == 0 and "SM-05" in result.output
    (tmp_path / "broken.yaml").write_text("Resources: [1, 2]\n")
    assert check(str(tmp_path / "broken.yaml"), "--soft-fail").exit_code == 2  # input errors still fail


def test_quiet_shows_failures_only(repo: Path) -> None:
    result = check("notebook.yaml", "--quiet")
    assert "SM-05" in result.output and "SM-18" not in result.output
    loud = check("notebook.yaml")
    assert "SM-18" in loud.output


def test_compact_is_one_line_per_violation(repo: Path) -> None:
    lines = check("notebook.yaml", "--compact").output.splitlines()
    assert any(
        line.startswith("notebook.yaml:2: x SM-05 [high, deny] AWS::SageMaker::NotebookInstance Notebook:")
        for line in lines
    )
    assert not any(line.lstrip().startswith(("fix:", "at ")) for line in lines)


def test_standard_input(repo: Path) -> None:
    result = check("-", "--format", "json", input=PLAN.read_text())
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["summary"]["resources"] == 7
    assert {r["resource"]["location"]["file"] for r in report["results"]} == {"-"}


def test_singular_and_plural_in_the_summary(repo: Path) -> None:
    assert "1 resource in 1 file (0 skipped)" in check("notebook.yaml").output
    shutil.copy("notebook.yaml", "second.yaml")
    assert "2 resources in 2 files (0 skipped)" in check(".").output


def test_exclude_is_gitignore_style(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in (
        "a.yaml",
        "cdk.out/b.template.json",
        "nested/cdk.out/c.yaml",
        "tests/x.test.yaml",
        "keep.test.yaml",
    ):
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(NOTEBOOK)
    args = ["src", "--format", "json", "--exclude", "cdk.out/", "--exclude", "*.test.yaml"]
    files = {r["resource"]["location"]["file"] for r in json.loads(check(*args).stdout)["results"]}
    assert files == {"src/a.yaml"}
    args += ["--exclude", "!keep.test.yaml"]
    files = {r["resource"]["location"]["file"] for r in json.loads(check(*args).stdout)["results"]}
    assert files == {"src/a.yaml", "src/keep.test.yaml"}
    anchored = ["src", "--format", "json", "--exclude", "/cdk.out/"]  # only at the top of the walk
    files = {r["resource"]["location"]["file"] for r in json.loads(check(*anchored).stdout)["results"]}
    assert "src/nested/cdk.out/c.yaml" in files and "src/cdk.out/b.template.json" not in files
