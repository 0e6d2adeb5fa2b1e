"""Downloading the STACK / CHANGE_SET payload: real HTTP on 127.0.0.1, a timeout and a size cap."""

from __future__ import annotations

import json

import pytest
from test_admission_support import closed_port, payload_server

from guardrails.admission import PayloadFetchError, fetch_payload

PAYLOAD = {"template": '{"Resources": {}}', "previousTemplate": ""}


def test_fetches_and_parses_the_payload_object():
    with payload_server({"/p": json.dumps(PAYLOAD).encode()}) as base:
        assert fetch_payload(f"{base}/p?X-Amz-Signature=abc") == PAYLOAD


def test_http_error_names_the_url_without_its_signature():
    with (
        payload_server({"/p": (403, b"<Error>AccessDenied</Error>")}) as base,
        pytest.raises(PayloadFetchError, match="HTTP 403") as raised,
    ):
        fetch_payload(f"{base}/p?X-Amz-Signature=SECRET")
    assert "SECRET" not in str(raised.value) and f"{base}/p" in str(raised.value)


def test_closed_port_is_unreachable():
    with pytest.raises(PayloadFetchError, match="unreachable"):
        fetch_payload(f"http://127.0.0.1:{closed_port()}/p", timeout=2)


def test_slow_server_times_out():
    with (
        payload_server({"/p": json.dumps(PAYLOAD).encode()}, delay=2.0) as base,
        pytest.raises(PayloadFetchError, match="within 0.3 s"),
    ):
        fetch_payload(f"{base}/p", timeout=0.3)


def test_payload_over_the_size_cap_is_refused():
    with (
        payload_server({"/p": json.dumps({"template": "x" * 5000}).encode()}) as base,
        pytest.raises(PayloadFetchError, match="more than the 1024"),
    ):
        fetch_payload(f"{base}/p", max_bytes=1024)


@pytest.mark.parametrize(
    "body,problem", [(b"<html>", "not a JSON document"), (b"[1, 2]", "expected a JSON object")]
)
def test_body_that_is_not_a_json_object_is_refused(body, problem):
    with payload_server({"/p": body}) as base, pytest.raises(PayloadFetchError, match=problem):
        fetch_payload(f"{base}/p")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/p", "", "s3://bucket/key"])
def test_only_http_urls_are_fetched(url):
    with pytest.raises(PayloadFetchError, match="not an http"):
        fetch_payload(url)
