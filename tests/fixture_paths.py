"""Where the tests' data lives: the project's own fixtures, and ../shared (the third-party corpus only)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
FIXTURES = REPO / "tests" / "fixtures"
# AWS payload samples (hook requests, EventBridge events) in the shapes the AWS documentation gives.
SAMPLES = FIXTURES / "samples"


def in_ci() -> bool:
    """CI runs .ci/run with CI=true: there a missing prerequisite fails instead of skipping."""
    return os.environ.get("CI", "").lower() == "true"


def require(path: Path) -> Path:
    """`path` under ../shared (the third-party corpus); in CI (CI=true) its absence fails, elsewhere it skips."""
    if not path.exists():
        if in_ci():
            pytest.fail(f"{path} is not present: CI lays shared/ beside the repository")
        pytest.skip(f"{path} is not present (shared/ is laid beside the repository in CI)")
    return path
