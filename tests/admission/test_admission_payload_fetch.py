"""Downloading the STACK / CHANGE_SET payload: hostile URLs and servers, over real HTTPS on 127.0.0.1.

The loopback server is reached through a PayloadAccess that allows `localhost` on its port and trusts the
test certificate authority; everything else is the production code path (one deadline, size cap, no
redirects, same message for every network failure).
"""

from __future__ import annotations

import json
import socket
import threading

import pytest
from admission_support import Drip, closed_port, payload_server

from guardrails.admission import PayloadFetchError, PayloadRejected, PayloadUnavailable
from guardrails.admission.payload_fetch import UNAVAILABLE, PayloadAccess, fetch_payload, is_s3_endpoint
from guardrails.config import AdmissionConfig, validated
from guardrails.infrastructure import InfrastructureError, is_infrastructure_failure

PAYLOAD = {"template": '{"Resources": {}}', "previousTemplate": ""}
BODY = json.dumps(PAYLOAD).encode()


def test_fetches_and_parses_the_payload_object():
    with payload_server({"/p": BODY}) as (base, access):
        assert fetch_payload(f"{base}/p?X-Amz-Signature=abc", access=access) == PAYLOAD


def test_http_error_names_the_url_without_its_signature():
    with (
        payload_server({"/p": (403, b"<Error>AccessDenied</Error>")}) as (base, access),
        pytest.raises(PayloadUnavailable, match="HTTP 403") as raised,
    ):
        fetch_payload(f"{base}/p?X-Amz-Signature=SECRET", access=access)
    assert "SECRET" not in str(raised.value) and f"{base}/p" in str(raised.value)


# ------------------------------------------------------------------------------ which URLs are fetched


@pytest.mark.parametrize(
    "url,problem",
    [
        ("http://bucket.s3.eu-west-1.amazonaws.com/key", "only https"),
        ("file:///etc/passwd", "only https"),
        ("ftp://bucket.s3.amazonaws.com/p", "only https"),
        ("s3://bucket/key", "only https"),
        ("", "empty"),
        ("https://example.com/payload", "not an allowed payload host"),
        ("https://bucket.s3.eu-west-1.amazonaws.com.evil.example/k", "not an allowed payload host"),
        ("https://127.0.0.1/p", "IP address"),
        ("https://[::1]/p", "IP address"),
        ("https://169.254.169.254/latest/meta-data/", "IP address"),
        ("https://2130706433/p", "IP address"),
        ("https://0x7f.1/p", "IP address"),
        ("https://user:pw@bucket.s3.amazonaws.com/p", "user info"),
        ("https://bucket.s3.eu-west-1.amazonaws.com:8443/p", "port 8443"),
        ("https://bücket.s3.amazonaws.com/p", "not a valid DNS host name"),
        ("https://ec2-1-2-3-4.eu-west-1.compute.amazonaws.com/p", "not an allowed payload host"),
        ("https://s3-evil-123.eu-west-1.elb.amazonaws.com/p", "not an allowed payload host"),
        ("https://site.s3-website-eu-west-1.amazonaws.com/p", "not an allowed payload host"),
        ("https://ap-111122223333.s3-accesspoint.eu-west-1.amazonaws.com/p", "not an allowed payload host"),
        ("https://ol-1.s3-object-lambda.eu-west-1.amazonaws.com/p", "not an allowed payload host"),
        ("https://api.execute-api.eu-west-1.amazonaws.com/p", "not an allowed payload host"),
    ],
)
def test_urls_that_are_not_https_s3_urls_are_refused_before_any_connection(url, problem):
    def resolver(host, port):  # pragma: no cover - must never be asked
        raise AssertionError(f"resolved {host}")

    with pytest.raises(PayloadRejected, match=problem):
        fetch_payload(url, access=PayloadAccess(resolve=resolver))


@pytest.mark.parametrize(
    "host",
    [
        "hooks-payload-bucket-example.s3.eu-west-1.amazonaws.com",
        "bucket.s3.amazonaws.com",
        "s3.amazonaws.com",
        "s3.us-east-1.amazonaws.com",
        "my.dotted.bucket.s3-eu-west-1.amazonaws.com",
        "bucket.s3.dualstack.eu-west-1.amazonaws.com",
        "bucket.s3-fips.us-gov-west-1.amazonaws.com",
        "bucket.s3.us-gov-east-1.amazonaws.com",
        "bucket.s3.cn-north-1.amazonaws.com.cn",
        "s3.cn-northwest-1.amazonaws.com.cn",
        "bucket.s3-external-1.amazonaws.com",
    ],
)
def test_s3_endpoints_of_every_partition_are_payload_hosts(host):
    assert is_s3_endpoint(host)


@pytest.mark.parametrize(
    "host",
    [
        "bucket.s3.cn-north-1.amazonaws.com",  # a China region under the aws suffix
        "bucket.s3.eu-west-1.amazonaws.com.cn",  # and the reverse
        "bucket.s3.not-a-region.amazonaws.com",
        "amazonaws.com",
        "evil-s3.amazonaws.com",
    ],
)
def test_hosts_that_only_look_like_s3_are_not(host):
    assert not is_s3_endpoint(host)


def test_a_configured_allow_list_replaces_the_default():
    access = PayloadAccess(hosts=("*.vpce.amazonaws.com", "payloads.example.com"))
    assert access.allows_host("bucket.vpce-1a2b.s3.eu-west-1.vpce.amazonaws.com")
    assert access.allows_host("payloads.example.com")
    assert not access.allows_host("vpce.amazonaws.com")
    assert not access.allows_host("bucket.s3.eu-west-1.amazonaws.com")


@pytest.mark.parametrize("pattern", ["10.0.0.1", "*.*.example.com", "https://x.example.com", "bad host"])
def test_configured_payload_hosts_must_be_host_names(pattern):
    with pytest.raises(ValueError, match="payload hosts|not a host name"):
        validated(AdmissionConfig, {"payload_hosts": [pattern]})


# ------------------------------------------------------------------------------ hostile servers


def test_redirect_to_another_host_is_not_followed():
    location = {"Location": "https://169.254.169.254/latest/meta-data/iam/"}
    with (
        payload_server({"/p": (307, b"", location), "/moved": BODY}) as (base, access),
        pytest.raises(PayloadRejected, match="redirects are not followed"),
    ):
        fetch_payload(f"{base}/p", access=access)


def test_a_server_dripping_the_body_cannot_outrun_the_deadline():
    # one byte every 0.05 s: each read is quick, only a deadline for the whole fetch ends it
    with (
        payload_server({"/p": Drip(b'{"template": "', interval=0.05)}) as (base, access),
        pytest.raises(PayloadUnavailable, match="within the deadline of 0.5 s"),
    ):
        fetch_payload(f"{base}/p", access=access, timeout=0.5)


def test_a_server_dripping_its_headers_cannot_outrun_the_deadline():
    with (
        payload_server({"/p": Drip(b"", interval=0.05, headers_too=True)}) as (base, access),
        pytest.raises(PayloadUnavailable, match="within the deadline"),
    ):
        fetch_payload(f"{base}/p", access=access, timeout=0.5)


def test_a_server_that_stalls_the_tls_handshake_is_cut_off():
    with socket.socket() as listener:  # accepts the TCP connection (kernel backlog), never speaks TLS
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        access = PayloadAccess(
            hosts=("localhost",),
            ports=frozenset({port}),
            private_addresses=True,
            resolve=lambda h, p: ["127.0.0.1"],
        )
        with pytest.raises(PayloadUnavailable, match="within the deadline"):
            fetch_payload(f"https://localhost:{port}/p", access=access, timeout=0.5)


def test_slow_name_resolution_counts_against_the_deadline():
    release = threading.Event()

    def slow_resolver(host, port):
        release.wait(30)
        return ["127.0.0.1"]

    access = PayloadAccess(hosts=("localhost",), private_addresses=True, resolve=slow_resolver)
    try:
        with pytest.raises(PayloadUnavailable, match="within the deadline"):
            fetch_payload("https://localhost/p", access=access, timeout=0.3)
        assert not release.is_set()  # the fetch gave up while the resolver was still busy
    finally:
        release.set()


@pytest.mark.parametrize("declared", [True, False])
def test_payload_over_the_size_cap_is_refused(declared):
    big = json.dumps({"template": "x" * 50_000}).encode()
    route = big if declared else Drip(big, interval=0, forever=False)
    with (
        payload_server({"/p": route}) as (base, access),
        pytest.raises(PayloadRejected, match="more than the 1024"),
    ):
        fetch_payload(f"{base}/p", access=access, max_bytes=1024)


@pytest.mark.parametrize(
    "body,problem", [(b"<html>", "not a JSON document"), (b"[1, 2]", "expected a JSON object")]
)
def test_body_that_is_not_a_json_object_is_refused(body, problem):
    with (
        payload_server({"/p": body}) as (base, access),
        pytest.raises(PayloadRejected, match=problem),
    ):
        fetch_payload(f"{base}/p", access=access)


def test_certificate_from_an_untrusted_authority_is_refused():
    with payload_server({"/p": BODY}) as (base, access):
        untrusting = PayloadAccess(
            hosts=access.hosts, ports=access.ports, private_addresses=True, resolve=access.resolve
        )  # system trust store: the test authority is unknown to it
        with pytest.raises(PayloadUnavailable):
            fetch_payload(f"{base}/p", access=untrusting)


# ------------------------------------------------------------------ failures never tell a host exists


def _unavailable_message(access: PayloadAccess, url: str) -> str:
    with pytest.raises(PayloadUnavailable) as raised:
        fetch_payload(url, access=access, timeout=0.5)
    return str(raised.value)


def test_unknown_host_refused_connection_timeout_and_private_address_read_the_same():
    port = closed_port()

    def unknown(host, p):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def rebinding(host, p):  # an allowed name a hostile resolver points at the metadata service
        return ["169.254.169.254"]

    base = dict(hosts=("localhost",), ports=frozenset({port}))
    url = f"https://localhost:{port}/p?X-Amz-Signature=SECRET"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", port))
        silent.listen(1)  # accepts, never answers: a timeout
        timeout = _unavailable_message(
            PayloadAccess(**base, private_addresses=True, resolve=lambda h, p: ["127.0.0.1"]), url
        )
    refused = _unavailable_message(
        PayloadAccess(**base, private_addresses=True, resolve=lambda h, p: ["127.0.0.1"]), url
    )
    messages = {
        timeout,
        refused,
        _unavailable_message(PayloadAccess(**base, resolve=unknown), url),
        _unavailable_message(PayloadAccess(**base, resolve=rebinding), url),
        _unavailable_message(PayloadAccess(**base), url),  # the system resolver: localhost is loopback
    }
    assert len(messages) == 1, messages
    (message,) = messages
    assert UNAVAILABLE in message and "SECRET" not in message


def test_the_kinds_of_fetch_errors_fail_open_may_or_may_not_cover():
    assert issubclass(PayloadUnavailable, InfrastructureError) and issubclass(
        PayloadRejected, PayloadFetchError
    )
    assert is_infrastructure_failure(PayloadUnavailable("u", "m"))
    assert not is_infrastructure_failure(PayloadRejected("u", "m"))
