"""Fixtures of the audit tests."""

from __future__ import annotations

import pytest
from moto import mock_aws
from moto_server_support import aws_env


@pytest.fixture
def aws(monkeypatch):
    """moto in process with dummy credentials in us-east-1 (audit_support.REGION); the sinks make their own
    clients, so unlike the root `aws` fixture this one yields nothing."""
    aws_env(monkeypatch)
    with mock_aws():
        yield
