"""Fixtures shared by every area: one Decider per session, moto (in process and as a server on loopback) and
an audit trail on a file. Each area's own fixtures are in tests/<area>/conftest.py; plain helpers and
constants (no fixtures) in the tests/*_support.py modules; data paths in tests/fixture_paths.py.

No test module imports from another test module, nor from a conftest.py."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixture_paths import CORPUS, require
from moto import mock_aws
from moto_server_support import running_moto


@pytest.fixture(scope="session")
def corpus() -> Path:
    """../shared/corpus, the third-party corpus: skips without it, except in CI, where it fails."""
    return require(CORPUS)


@pytest.fixture(scope="session")
def decider():
    from guardrails.decider import Decider

    return Decider()


@pytest.fixture
def aws(monkeypatch):
    """moto in process with dummy credentials in runtime_support.REGION: the runtime's AwsClients."""
    from runtime_support import REGION

    from guardrails.runtime.clients import AwsClients

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield AwsClients(region=REGION)


@pytest.fixture
def audit(tmp_path: Path):
    """An audit trail on a file: (trail, path)."""
    from guardrails.audit import AuditTrail, open_sink

    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(open_sink(f"file://{path}"))
    yield trail, path
    trail.close()


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """The URL of a moto_server on loopback for the test module; its state lives across the module's tests."""
    with running_moto() as url:
        yield url


@pytest.fixture
def moto_url(moto_server: str) -> str:
    """The module's moto_server, reset: every test starts from empty accounts."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")).read()
    return moto_server
