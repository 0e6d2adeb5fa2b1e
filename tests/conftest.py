"""Shared fixtures: paths to the corpus and samples, one Decider per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = SHARED / "samples"


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
