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
from fixture_paths import SAMPLES
from moto import mock_aws
from moto_server_support import aws_env

REPO = Path(__file__).resolve().parents[1]
HOOK_FIXTURES = REPO / "tests" / "fixtures" / "hooks"
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
    return json.loads((SAMPLES / name).read_text())


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


class Drip:
    """A route that answers 200 and then sends `body` one byte every `interval` seconds (forever when
    `forever`), or sends even its status line that way (`headers_too`)."""

    def __init__(
        self, body: bytes = b"{", *, interval: float = 0.05, forever: bool = True, headers_too: bool = False
    ) -> None:
        self.body, self.interval, self.forever, self.headers_too = body, interval, forever, headers_too


Route = bytes | tuple[int, bytes] | tuple[int, bytes, dict[str, str]] | Drip


@contextmanager
def payload_server(routes: dict[str, Route], *, delay: float = 0.0) -> Iterator[tuple[str, Any]]:
    """Serve `routes` over real HTTPS on 127.0.0.1 as `localhost`, with a test certificate authority.

    Yields (base URL, a PayloadAccess that trusts that authority and allows `localhost` on this port and
    loopback addresses — what the production fetcher refuses). A route is a body, (status, body),
    (status, body, headers) or a Drip. The paths carry a presigned-URL-like query string in the tests;
    only the path selects the route.
    """
    import ssl
    import time

    import trustme

    from guardrails.admission.payload_fetch import PayloadAccess

    authority = trustme.CA()
    certificate = authority.issue_cert("localhost")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if delay:
                time.sleep(delay)
            route = routes.get(self.path.split("?", 1)[0])
            try:
                if isinstance(route, Drip):
                    self._drip(route)
                    return
                status, body, headers = _route(route)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass

        def _drip(self, drip: Drip) -> None:
            head = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
            if not drip.headers_too:
                self.wfile.write(head + b"\r\n")
                head = b""
            data = head + drip.body
            index = 0
            while drip.forever or index < len(data):
                self.wfile.write(data[index % len(data) : index % len(data) + 1] if data else b" ")
                index += 1
                time.sleep(drip.interval)

        def log_message(self, *args: Any) -> None:
            pass

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_context)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.daemon_threads = True
    server.block_on_close = False  # a deliberately slow handler must not hold the test up
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    port = server.server_address[1]
    access = PayloadAccess(
        hosts=("localhost",),
        ports=frozenset({port}),
        tls=client_context,
        private_addresses=True,
        resolve=lambda host, port: ["127.0.0.1"],
    )
    try:
        yield f"https://localhost:{port}", access
    finally:
        server.shutdown()
        server.server_close()


def _route(route: Any) -> tuple[int, bytes, dict[str, str]]:
    if route is None:
        return 404, b"not found", {}
    if isinstance(route, bytes):
        return 200, route, {}
    if len(route) == 2:
        return route[0], route[1], {}
    return route


def loopback_fetch(access: Any, *, timeout: float = 5.0, max_bytes: int = 10 * 1024 * 1024):
    """The production fetcher, pointed at a `payload_server` (its PayloadAccess)."""
    from guardrails.admission.payload_fetch import payload_fetcher

    return payload_fetcher(timeout, max_bytes, access=access)




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
