"""Python code run in a new interpreter, for the tests of start-up state (what is imported, compiled or
recorded when a process starts), which the test process itself has long changed."""

from __future__ import annotations

import subprocess
import sys


def run_in_fresh_interpreter(code: str) -> str:
    """Run `code` with this Python in a new process; it must exit 0 (its stderr is the failure message).
    Returns what it printed to standard output."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
