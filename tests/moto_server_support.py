"""moto for tests: dummy credentials, and moto_server on 127.0.0.1 for end-to-end tests (started by a fixture
in tests/conftest.py, stopped by PID) with boto3 clients for it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from fixture_paths import unavailable


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


def offline_client(service: str, region: str = "us-east-1", **kwargs: Any):
    """A boto3 client with dummy credentials for botocore's Stubber (or moto in process)."""
    return boto3.client(
        service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x", **kwargs
    )


def client(service: str, url: str, region: str = "us-east-1", **creds: str):
    """A boto3 client of moto_server at `url`, with dummy credentials unless `creds` are given."""
    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, endpoint_url=url, region_name=region, **creds)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(env: dict[str, str] | None = None, *, timeout: float = 30) -> tuple[subprocess.Popen, str]:
    """A moto_server on a free loopback port, once it answers; skips when moto[server] is not installed."""
    binary = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    if not Path(binary).exists():
        unavailable("moto_server", "it is in the dev extra: pip install -e '.[dev]'")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                stop_moto(proc)
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)


def stop_moto(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def running_moto(env: dict[str, str] | None = None) -> Iterator[str]:
    """The URL of a moto_server that lives for the `with` block."""
    proc, url = start_moto(env)
    try:
        yield url
    finally:
        stop_moto(proc)
