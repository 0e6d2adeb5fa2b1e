"""Helpers shared by the admission tests (no tests here): fixtures, a recording trail, a payload server."""

from __future__ import annotations

import copy
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

REPO = Path(__file__).resolve().parents[1]
HOOK_FIXTURES = REPO / "tests" / "fixtures" / "hooks"
SAMPLES = REPO.parent / "shared" / "samples"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
STACK_ID = (
    f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/churn-serving/0a1b2c3d-4e5f-11ef-9a8b-0c1d2e3f4a5b"
)
KMS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sm-exec-role"
IMAGE = "683313688378.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((HOOK_FIXTURES / name).read_text())


def sample(name: str) -> dict[str, Any]:
    import pytest

    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is not present (shared/ is laid beside the repository in CI)")
    return json.loads(path.read_text())


class RecordingTrail:
    """Stands in for AuditTrail: keeps what `append` receives (or fails like a broken sink)."""

    def __init__(self, fail: bool = False) -> None:
        self.records: list[Any] = []
        self.fail = fail

    def append(self, records):
        if self.fail:
            from guardrails.audit import AuditWriteError

            raise AuditWriteError("file:///broken.jsonl", "disk full", "ENOSPC")
        self.records.extend(records)
        return list(records)

    def record(self, decision, **kwargs):
        from guardrails.audit import record_from_decision

        return self.append([record_from_decision(decision, **kwargs)])[0]

    def by_logical_id(self) -> dict[str, Any]:
        return {r.source_ref.logical_id: r for r in self.records}


def resource_event(
    resource_type: str,
    logical_id: str,
    properties: dict[str, Any],
    *,
    point: str = "CREATE_PRE_PROVISION",
    previous: dict[str, Any] | None = None,
    token: str = "tok-resource",
    stack_id: str = STACK_ID,
) -> dict[str, Any]:
    return {
        "clientRequestToken": token,
        "awsAccountId": ACCOUNT,
        "stackId": stack_id,
        "changeSetId": None,
        "hookTypeName": "Acme::MLGuard::LambdaHook",
        "hookTypeVersion": "00000001",
        "hookModel": {"LambdaFunction": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ml-guardrail-cfn-hook"},
        "actionInvocationPoint": point,
        "requestData": {
            "targetName": resource_type,
            "targetType": resource_type,
            "targetLogicalId": logical_id,
            "targetModel": {
                "resourceProperties": copy.deepcopy(properties),
                "previousResourceProperties": copy.deepcopy(previous or {}),
            },
        },
        "requestContext": {"invocation": 1, "callbackContext": None},
    }


def stack_event(payload_url: str, *, token: str = "tok-stack", stack_id: str = STACK_ID) -> dict[str, Any]:
    return {
        "clientRequestToken": token,
        "awsAccountId": ACCOUNT,
        "stackId": stack_id,
        "changeSetId": None,
        "hookTypeName": "Acme::MLGuard::StackHook",
        "hookTypeVersion": "00000001",
        "hookModel": {"LambdaFunction": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ml-guardrail-cfn-hook"},
        "actionInvocationPoint": "CREATE_PRE_PROVISION",
        "requestData": {
            "targetName": "STACK",
            "targetType": "STACK",
            "targetLogicalId": stack_id.split(":stack/", 1)[-1].split("/", 1)[0],
            "payload": payload_url,
        },
        "requestContext": {"invocation": 1, "callbackContext": None},
    }


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def payload_server(routes: dict[str, bytes | tuple[int, bytes]], *, delay: float = 0.0) -> Iterator[str]:
    """Serve `routes` (path -> body, or (status, body)) over real HTTP on 127.0.0.1; yields the base URL.

    The paths carry a presigned-URL-like query string in the tests; only the path selects the route.
    """
    import time

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if delay:
                time.sleep(delay)
            route = routes.get(self.path.split("?", 1)[0])
            status, body = (
                (404, b"not found")
                if route is None
                else (route if isinstance(route, tuple) else (200, route))
            )
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a deliberately slow handler must not hold the test up
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def aws_env(monkeypatch, region: str = "us-east-1") -> None:
    """Dummy credentials and a region so boto3 clients never reach a real account."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def tls_only_policy(bucket: str) -> dict[str, Any]:
    """The usual TLS-only bucket policy (S3-05 passes, nothing public)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


@pytest.fixture
def aws(monkeypatch):
    """moto in-process with dummy credentials in REGION."""
    aws_env(monkeypatch, REGION)
    with mock_aws():
        yield
