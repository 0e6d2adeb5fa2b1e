"""Fixtures of the runtime tests (the moto `aws` clients and the `audit` trail are in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def trail(audit):
    """The audit trail alone, when a test does not read the file."""
    return audit[0]
