"""Shared fixtures: paths to the corpus and samples, one Decider per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Interim: some test modules import fixtures from a test module of another area (tests/<area>/test_*.py);
# the area folders are on sys.path until those fixtures move to support modules.
for _area in sorted((REPO / "tests").iterdir()):
    if _area.is_dir() and any(_area.glob("test_*.py")) and str(_area) not in sys.path:
        sys.path.append(str(_area))
CORPUS = SHARED / "corpus"
FIXTURES = REPO / "tests" / "fixtures"
# AWS payload samples (hook requests, EventBridge events) in the shapes the AWS documentation gives.
SAMPLES = FIXTURES / "samples"


def require(path: Path) -> Path:
    """`path` under ../shared (the third-party corpus); in CI (CI=true) its absence fails, elsewhere it skips."""
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{path} is not present: CI lays shared/ beside the repository")
        pytest.skip(f"{path} is not present (shared/ is laid beside the repository in CI)")
    return path


@pytest.fixture(scope="session")
def decider():
    from guardrails.decider import Decider

    return Decider()
