"""The README's promises: its test command is what CI runs, and it documents every control."""

from __future__ import annotations

import sys
from pathlib import Path

from guardrails.engine import PolicyBundle

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_install_and_test_commands():
    block = README.split("```bash", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
    assert lines[0] == "pip install . && guardrails check examples/"
    assert lines[1] == "pip install -e '.[dev]' && python -m pytest -q"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "-m pip install --quiet -e '.[dev]' && python3 -m pytest -q" in ci


def test_readme_lists_every_control_of_the_catalog():
    for control in PolicyBundle.load().catalog.controls:
        assert f"| {control.id} | {control.title} |" in README, control.id


def test_readme_controls_table_is_the_catalog():
    """The whole table, row for row (severity, default, mappings too): `controls_table()` renders it from
    policies/catalog.yaml, as on docs/controls.md."""
    sys.path.insert(0, str(REPO / "docs"))
    from gen_reference import controls_table

    assert controls_table() in README, "the README's controls table is out of date: run python docs/gen_reference.py"


def test_readme_deploy_section_is_the_two_commands_the_tests_run():
    from readme_commands import deploy_commands, package_command, sam_deploy

    first, second = deploy_commands()[:2]
    assert first == package_command() == ["guardrails", "package", "--output", "build/lambda.zip"]
    assert second[:2] == ["sam", "deploy"]
    for mode, hook in (("dry-run", "WARN"), ("enforce", "FAIL")):
        template, overrides = sam_deploy(mode)
        assert (REPO / template).is_file() and overrides == {"Mode": mode, "HookFailureMode": hook}
