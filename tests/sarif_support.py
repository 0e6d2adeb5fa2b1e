"""The official SARIF validator (npm @microsoft/sarif-multitool, installed by .ci/run) for the report tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from fixture_paths import REPO, unavailable


def sarif_multitool() -> str | None:
    candidates = [
        os.environ.get("SARIF_MULTITOOL"),
        shutil.which("sarif-multitool"),
        str(REPO / ".ci" / "node" / "node_modules" / ".bin" / "sarif-multitool"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    unavailable("the SARIF validator (npm @microsoft/sarif-multitool)", ".ci/run installs it")


def validate_sarif(path: Path, tmp_path: Path) -> list[dict]:
    """Run the official validator; its exit code is 0 even with errors, so read its own SARIF output."""
    tool = sarif_multitool()
    out = tmp_path / f"{path.stem}.validation.sarif"
    subprocess.run(
        [tool, "validate", str(path), "-o", str(out), "--log", "ForceOverwrite"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    results = json.loads(out.read_text())["runs"][0].get("results", [])
    return [r for r in results if r.get("level", "warning") == "error"]
