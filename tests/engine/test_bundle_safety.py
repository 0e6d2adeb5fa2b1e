"""A --policy-dir never silently replaces or extends a shipped policy: collisions are exit-2 errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.engine import BundleError, PolicyBundle
from guardrails.engine.bundle import default_policy_dir

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "secure-notebook.yaml")
OWN_RULE = 'package guardrails.rules.acme\nimport rego.v1\ndeny contains {"control": "ACME-01", "message": "m"} if false\n'


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _check(policy_dir: Path):
    return CliRunner().invoke(main, ["check", "--policy-dir", str(policy_dir), EXAMPLE])


def test_a_module_at_a_bundled_path_is_an_error_naming_both(tmp_path):
    root = tmp_path / "policies"  # same folder name as the bundle: module keys would coincide
    mine = _write(root, "main.rego", "package acme.main\nimport rego.v1\nfindings := set()\n")
    result = _check(root)
    assert result.exit_code == 2
    assert str(mine) in result.output and str(default_policy_dir() / "main.rego") in result.output


@pytest.mark.parametrize(
    "package", ["guardrails.main", "guardrails.rules.s3", "guardrails.lib.iam", "guardrails.batch"]
)
def test_a_module_in_a_bundled_package_is_an_error_naming_both(tmp_path, package):
    mine = _write(tmp_path / "mine", "override.rego", f"package {package}\nimport rego.v1\nextra := 1\n")
    result = _check(tmp_path / "mine")
    assert result.exit_code == 2, result.output
    assert f"package {package} collides with" in result.output and str(mine) in result.output
    assert "policies" in result.output or "engine" in result.output  # the shipped file is named


def test_a_test_file_in_a_bundled_test_package_is_an_error(tmp_path):
    _write(
        tmp_path / "mine",
        "x_test.rego",
        "package guardrails.tests.fixtures_test\nimport rego.v1\ntest_x if true\n",
    )
    result = CliRunner().invoke(main, ["policy", "test", "--policy-dir", str(tmp_path / "mine")])
    assert result.exit_code == 2 and "fixtures_test.rego" in result.output


def test_a_catalog_redefining_a_bundled_control_is_an_error_naming_both(tmp_path):
    root = tmp_path / "mine"
    _write(root, "acme.rego", OWN_RULE)
    catalog = _write(
        root,
        "catalog.yaml",
        "version: '1'\ncontrols:\n  - id: S3-01\n    title: weaker\n    severity: low\n"
        "    resource_types: [AWS::S3::Bucket]\n    default_enforcement: warn\n    remediation: none\n",
    )
    result = _check(root)
    assert result.exit_code == 2
    assert (
        f"{catalog}: control S3-01 is already defined by {default_policy_dir() / 'catalog.yaml'}"
        in result.output
    )


def test_two_policy_dirs_colliding_with_each_other_are_an_error(tmp_path):
    _write(tmp_path / "a", "acme.rego", OWN_RULE)
    _write(tmp_path / "b", "acme.rego", OWN_RULE.replace("ACME-01", "ACME-02"))
    with pytest.raises(BundleError, match="package guardrails.rules.acme collides"):
        PolicyBundle.load([tmp_path / "a", tmp_path / "b"])


def test_own_packages_and_new_control_ids_load_beside_the_bundle(tmp_path):
    root = tmp_path / "mine"
    _write(root, "acme.rego", OWN_RULE)
    _write(root, "more/acme_more.rego", OWN_RULE)  # one folder may spread a package over files
    _write(
        root,
        "catalog.yaml",
        "version: '1'\ncontrols:\n  - id: ACME-01\n    title: t\n    severity: low\n"
        "    resource_types: [AWS::S3::Bucket]\n    default_enforcement: warn\n    remediation: r\n",
    )
    bundle = PolicyBundle.load([root])
    assert "ACME-01" in bundle.catalog.by_id and "S3-01" in bundle.catalog.by_id
    assert _check(root).exit_code == 0
