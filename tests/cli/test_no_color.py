"""NO_COLOR (https://no-color.org): no ANSI styles from any command, even on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

REPO = Path(__file__).resolve().parents[2]
ESC = "\x1b["


@pytest.mark.slow
@pytest.mark.parametrize("no_color,styled", [(None, True), ("1", False), ("", True)])
def test_policy_test_styles_only_without_no_color(no_color, styled):
    result = CliRunner().invoke(main, ["policy", "test"], color=True, env={"NO_COLOR": no_color})
    assert result.exit_code == 0
    assert (ESC in result.output) is styled


def on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout/stderr on a pseudo-terminal (where colour is on by default)."""
    import pty  # POSIX only, like the CI machines

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from guardrails.cli.main import main; main()", *args],
        stdout=slave,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        cwd=REPO,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_check_on_a_terminal_is_coloured_unless_no_color():
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    template = "examples/ml-serving-stack.yaml"
    coloured = on_a_terminal("check", template, env=environment)
    plain = on_a_terminal("check", template, env={**environment, "NO_COLOR": "1"})
    assert ESC in coloured and "ml-serving-stack.yaml" in coloured
    assert ESC not in plain and "ml-serving-stack.yaml" in plain
