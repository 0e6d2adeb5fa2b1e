"""Where the tests' data lives (the project's own fixtures, and ../shared for the third-party corpus only),
and what a test does when a prerequisite is missing: skip on a developer's machine, fail in CI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
FIXTURES = REPO / "tests" / "fixtures"
# AWS payload samples (hook requests, EventBridge events) in the shapes the AWS documentation gives.
SAMPLES = FIXTURES / "samples"


def in_ci() -> bool:
    """In CI (CI=true from the CI runner, GUARDRAILS_CI=1 from .ci/run) every prerequisite must be there."""
    return os.environ.get("CI", "").lower() == "true" or bool(os.environ.get("GUARDRAILS_CI"))


def unavailable(what: str, how: str) -> NoReturn:
    """`what` (a tool, package or file a test needs) is missing: fail in CI, skip elsewhere; `how` says how
    to get it."""
    if in_ci():
        pytest.fail(f"{what} is missing in CI: {how}")
    pytest.skip(f"{what} is missing ({how})", allow_module_level=True)


def require(path: Path) -> Path:
    """`path` under ../shared (the third-party corpus); in CI its absence fails, elsewhere it skips."""
    if not path.exists():
        unavailable(str(path), "CI lays shared/ beside the repository")
    return path
