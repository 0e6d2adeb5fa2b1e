"""The deploy commands the README documents, parsed so the tests run exactly those."""

from __future__ import annotations

import shlex
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def deploy_section() -> str:
    return README.split("## Deploy\n", 1)[1].split("\n## ", 1)[0]


def deploy_commands() -> list[list[str]]:
    """Every command line of the Deploy section's bash blocks, split like a shell would."""
    commands = []
    for block in deploy_section().split("```bash\n")[1:]:
        for line in block.split("```", 1)[0].splitlines():
            if line.strip():
                commands.append(shlex.split(line))
    return commands


def package_command() -> list[str]:
    (command,) = [c for c in deploy_commands() if c[:2] == ["guardrails", "package"]]
    return command


def sam_deploy(mode: str) -> tuple[str, dict[str, str]]:
    """(template file, parameter overrides) of the README's `sam deploy` with `Mode=<mode>`."""
    for command in deploy_commands():
        if command[:2] == ["sam", "deploy"] and f"Mode={mode}" in command:
            template = command[command.index("--template-file") + 1]
            overrides = command[command.index("--parameter-overrides") + 1:]
            return template, dict(item.split("=", 1) for item in overrides)
    raise AssertionError(f"the README has no `sam deploy ... Mode={mode}` command")
