"""Shared fixtures: paths to the corpus and samples, one Decider per session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = SHARED / "samples"


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not present (shared/ is laid beside the repository in CI)")
    return path


@pytest.fixture(scope="session")
def decider():
    from guardrails.decider import Decider

    return Decider()
