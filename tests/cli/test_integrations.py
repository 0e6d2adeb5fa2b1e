"""The pre-commit hook manifest, the GitHub composite action and the documented CI snippets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fixture_paths import unavailable

REPO = Path(__file__).resolve().parents[2]
CI_DOC = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")  # the CI snippets (the README links there)
BIN = Path(sys.executable).parent

COMPLIANT = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt Bucket.Arn, !Sub "${Bucket.Arn}/*"]
            Condition: {Bool: {aws:SecureTransport: "false"}}
"""
PUBLIC = COMPLIANT.replace(
    "    Properties:\n      BucketEncryption:",
    "    Properties:\n      AccessControl: PublicRead\n      BucketEncryption:",
    1,
)


def test_pre_commit_manifest_is_valid() -> None:
    from pre_commit import clientlib
    (hook,) = clientlib.load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "guardrails-check"
    assert hook["language"] == "python" and hook["entry"] == "guardrails check"
    assert "--skip-unrecognised" in hook["args"]


@pytest.mark.slow
def test_pre_commit_runs_the_hook_on_a_repository(tmp_path: Path) -> None:
    """pre-commit itself selects the files and runs the manifest's entry and args (as a local hook, so
    no package index is needed: `language: python` would pip-install this same package)."""
    if shutil.which("git") is None:
        unavailable("git", "apt-get install git")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    local = {**hook, "language": "system"}
    local.pop("minimum_pre_commit_version", None)
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "infra").mkdir()
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]})
    )
    (repo / "infra" / "bucket.yaml").write_text(PUBLIC)
    (repo / "package.json").write_text('{"name": "app"}\n')
    (repo / "infra" / "settings.json").write_text('{"not": "a template"}\n')
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    # pre-commit beside this python first (the dev extra installs it there), else on PATH
    pre_commit = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    if pre_commit is None:
        unavailable("pre-commit", "pip install -e '.[dev]'")
    run = [pre_commit, "run", "--all-files", "--color", "never"]
    failed = subprocess.run(run, cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "infra/bucket.yaml:2: x S3-02 [critical, deny] AWS::S3::Bucket Bucket" in failed.stdout, (
        failed.stdout
    )
    (repo / "infra" / "bucket.yaml").write_text(COMPLIANT)
    git("add", ".")
    passed = subprocess.run(run, cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_github_action_installs_checks_and_uploads_sarif() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"]
    check = next(s for s in steps if "guardrails check" in s.get("run", ""))
    assert "--format github" in check["run"] and '--format "sarif=' in check["run"]
    for name, spec in action["inputs"].items():
        assert "description" in spec, name
    assert all(s.get("shell") == "bash" for s in steps if "run" in s)


def test_github_action_command_is_a_valid_check_invocation(tmp_path: Path) -> None:
    """Run the action's shell step with its default inputs substituted, as the runner would."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    check = next(s for s in action["runs"]["steps"] if "guardrails check" in s.get("run", ""))
    script = check["run"]
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    defaults["paths"] = str(tmp_path / "infra")
    for name, value in defaults.items():
        script = script.replace("${{ inputs." + name + " }}", value)
    assert "${{" not in script.replace("${{ github.", "").replace("${{ steps.", "")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "bucket.yaml").write_text(PUBLIC)
    output = tmp_path / "github_output"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300
    )
    assert "::error file=" in done.stdout
    assert (tmp_path / defaults["sarif-file"]).exists()
    assert "exit-code=1" in output.read_text()


def test_docs_document_the_integrations() -> None:
    assert "id: guardrails-check" in CI_DOC
    assert "uses: sagemaker-guardrails/sagemaker-guardrails@" in CI_DOC
    gitlab = CI_DOC.split("```yaml\n# .gitlab-ci.yml", 1)[1].split("```", 1)[0]
    job = yaml.safe_load(gitlab)
    script = " ".join(next(iter(job.values()))["script"])
    assert "guardrails check" in script and "junit=" in script
    assert next(iter(job.values()))["artifacts"]["reports"]["junit"]
