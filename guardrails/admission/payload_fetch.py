"""Download the JSON payload object of a STACK / CHANGE_SET hook target (a presigned S3 URL).

The URL comes from the hook request, so it is treated as hostile input (server-side request forgery):

- `https` only, port 443, no user info, a DNS host name (never an IP literal) that is an S3 endpoint of an
  AWS partition (botocore's partition data: `bucket.s3.eu-west-1.amazonaws.com`,
  `bucket.s3.cn-north-1.amazonaws.com.cn`, `s3.us-gov-west-1.amazonaws.com`...), or one of the hosts of
  `admission.payload_hosts` when configured. S3 website, access-point and Object Lambda hosts are not S3
  endpoints: they serve what their owner wants.
- the name is resolved here, every address must be public (no loopback, private, link-local, reserved or
  multicast address), and the connection goes to the checked address (no second resolution a DNS rebind
  could answer differently); TLS verifies the certificate against the host name.
- one deadline covers the whole fetch (resolution, connection, TLS handshake, headers, body): a watchdog
  shuts the socket down when it expires, so a server dripping one byte a second cannot outrun it.
- a body over the size cap is refused (declared `Content-Length` or counted); redirects are not followed.
- every network failure (unknown name, refused, reset, timeout, TLS, a name resolving to a private address)
  gives the same message, so the answer never tells whether a host exists.

`PayloadRejected` (the URL or the body is not acceptable: the request's own content) and
`PayloadUnavailable` (the download failed: an infrastructure failure `admission.fail_open` may cover) are
both `PayloadFetchError`s.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import logging
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.admission.exceptions import PayloadFetchError, PayloadRejected, PayloadUnavailable
from guardrails.config import DEFAULT_PAYLOAD_MAX_BYTES, DEFAULT_PAYLOAD_TIMEOUT_SECONDS
from guardrails.errors import InfrastructureError

logger = logging.getLogger(__name__)

PayloadFetcher = Callable[[str], dict[str, Any]]
"""`fetch(url) -> payload object`; raises PayloadFetchError. Injectable so tests need no network."""

Resolver = Callable[[str, int], Sequence[str]]
"""`resolve(host, port) -> IP addresses`; the default asks the system resolver (getaddrinfo)."""

_CHUNK = 64 * 1024
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_S3_ENDPOINT = re.compile(
    r"^(?:(?P<bucket>[a-z0-9][a-z0-9.-]*)\.)?s3(?:-fips)?(?:\.dualstack)?(?:[.-](?P<region>[a-z0-9-]+))?$"
)
UNAVAILABLE = "could not be downloaded: no usable answer from the host within the deadline"
"""The one message of every network-level failure: it never tells whether the host exists."""


@dataclass(frozen=True)
class PayloadAccess:
    """Where payloads may be downloaded from.

    `hosts` None: the S3 endpoints of every AWS partition. Otherwise exact host names or `*.domain`
    (any host below `domain`). `ports`, `tls` and `private_addresses` exist for tests that serve payloads
    over loopback with their own certificate authority; the configuration file offers only `hosts`.
    """

    hosts: tuple[str, ...] | None = None
    ports: frozenset[int] = frozenset({443})
    tls: ssl.SSLContext | None = None
    """TLS context (default: the system trust store, certificate and host name verified)."""
    private_addresses: bool = False
    """Connect to loopback/private addresses too (loopback test servers only)."""
    resolve: Resolver | None = None
    """Name resolution (default: the system resolver); tests inject a slow or rebinding one."""

    def allows_host(self, host: str) -> bool:
        if self.hosts is None:
            return is_s3_endpoint(host)
        return any(host_matches(host, pattern) for pattern in self.hosts)


def is_s3_endpoint(host: str) -> bool:
    """`host` is an S3 endpoint (path- or virtual-hosted-style) of an AWS partition botocore knows."""
    from guardrails.partitions import partitions

    for partition in partitions():
        suffix = "." + partition.dns_suffix
        if not host.endswith(suffix):
            continue
        match = _S3_ENDPOINT.match(host[: -len(suffix)])
        if match is None:
            continue
        region = match.group("region")
        if region is None or region == "external-1" or partition.owns(region):
            return True
    return False


def host_matches(host: str, pattern: str) -> bool:
    """`pattern` is a host name (exact) or `*.domain` (any host strictly below `domain`)."""
    pattern = pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def fetch_payload(
    url: str,
    *,
    timeout: float = DEFAULT_PAYLOAD_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_PAYLOAD_MAX_BYTES,
    access: PayloadAccess | None = None,
) -> dict[str, Any]:
    """GET `url` and parse the body as a JSON object; PayloadFetchError for anything else.

    `timeout` bounds the whole fetch (resolution to last byte); a body over `max_bytes` is refused.
    """
    access = access or PayloadAccess()
    deadline = time.monotonic() + timeout
    host, port, target = check_url(url, access)
    body = _download(url, host, port, target, access, deadline, timeout, max_bytes)
    return parse_payload(body, url)


def check_url(url: Any, access: PayloadAccess) -> tuple[str, int, str]:
    """(host, port, request target) of an acceptable payload URL; PayloadRejected naming what is wrong."""
    if not isinstance(url, str) or not url:
        raise PayloadRejected(str(url), "the payload URL is empty or not a string")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise PayloadRejected(url, f"not a valid URL: {exc}") from None
    if parts.scheme.lower() != "https":
        raise PayloadRejected(url, f"only https payload URLs are fetched, not {parts.scheme or 'no'} scheme")
    if parts.username is not None or parts.password is not None:
        raise PayloadRejected(url, "a payload URL with user info is not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise PayloadRejected(url, "the payload URL has no host")
    if _is_ip_literal(host):
        raise PayloadRejected(url, "the payload host is an IP address, not an S3 host name")
    if not host.isascii() or len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        raise PayloadRejected(url, "the payload host is not a valid DNS host name")
    port = port if port is not None else 443
    if port not in access.ports:
        raise PayloadRejected(url, f"port {port} is not allowed for payload downloads")
    if not access.allows_host(host):
        allowed = (
            "the S3 endpoints of the AWS partitions" if access.hosts is None else ", ".join(access.hosts)
        )
        raise PayloadRejected(url, f"{host} is not an allowed payload host ({allowed})")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return host, port, target


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return True
    try:  # inet_aton accepts what ip_address does not: 127.1, 0x7f.1, 2130706433
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def _download(
    url: str,
    host: str,
    port: int,
    target: str,
    access: PayloadAccess,
    deadline: float,
    timeout: float,
    max_bytes: int,
) -> bytes:
    unavailable = PayloadUnavailable(url, f"{UNAVAILABLE} of {timeout:g} s")
    try:
        addresses = _resolve(host, port, access, deadline)
        sock = _connect(addresses, port, deadline)
    except (OSError, _Expired) as exc:
        logger.warning("guardrails: payload host %s: %s: %s", host, type(exc).__name__, exc)
        raise unavailable from None
    watchdog: _Watchdog | None = None
    tls: ssl.SSLSocket | None = None
    try:
        watchdog = _Watchdog(sock, deadline)
        context = access.tls or ssl.create_default_context()
        tls = context.wrap_socket(sock, server_hostname=host)
        connection = http.client.HTTPSConnection(host, port, context=context)
        connection.sock = tls
        connection.request("GET", target, headers={"Accept": "application/json"})
        response = connection.getresponse()
        if 300 <= response.status < 400:
            raise PayloadRejected(url, f"HTTP {response.status} redirect: redirects are not followed")
        if response.status != 200:
            raise PayloadUnavailable(url, f"HTTP {response.status} {response.reason}")
        declared = response.getheader("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > max_bytes:
            raise PayloadRejected(
                url, f"payload is {declared.strip()} bytes, more than the {max_bytes} allowed"
            )
        body = bytearray()
        while True:
            if watchdog.expired or time.monotonic() >= deadline:
                raise _Expired()
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            body.extend(chunk)
            if len(body) > max_bytes:
                raise PayloadRejected(url, f"payload is more than the {max_bytes} bytes allowed")
        if watchdog.expired or (response.length or 0) > 0:  # cut short: a partial body is no payload
            raise _Expired()
        return bytes(body)
    except PayloadFetchError:
        raise
    except (OSError, ssl.SSLError, http.client.HTTPException, ValueError, _Expired) as exc:
        logger.warning("guardrails: payload host %s: %s: %s", host, type(exc).__name__, exc)
        raise unavailable from None
    finally:
        if watchdog is not None:
            watchdog.stop()
        for opened in (tls, sock):
            if opened is not None:
                with contextlib.suppress(OSError):
                    opened.close()


class _Expired(InfrastructureError):
    """The fetch deadline passed."""


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Expired()
    return left


def _resolve(host: str, port: int, access: PayloadAccess, deadline: float) -> list[str]:
    """The host's addresses, all checked public (unless allowed), within the deadline."""
    resolver = access.resolve or _system_resolve
    found: list[Sequence[str]] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            found.append(resolver(host, port))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    worker = threading.Thread(target=run, name="guardrails-payload-dns", daemon=True)
    worker.start()
    worker.join(_remaining(deadline))
    if worker.is_alive():
        raise _Expired()
    if failed:
        raise OSError(f"resolution failed: {failed[0]}")
    addresses = list(found[0]) if found else []
    if not addresses:
        raise OSError("no address")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not access.private_addresses and not ip.is_global:
            raise OSError(f"resolves to a non-public address {ip}")
    return addresses


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _connect(addresses: Sequence[str], port: int, deadline: float) -> socket.socket:
    last: BaseException | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=_remaining(deadline))
        except OSError as exc:
            last = exc
    raise OSError(f"connection failed: {last}")


class _Watchdog:
    """Shuts the connection down when the deadline passes, whatever read (TLS handshake, headers, body) is
    blocked at that moment. It holds a duplicate of the socket's descriptor: shutting that down ends the
    one connection both share, also after TLS has taken the original socket object over."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._killer = sock.dup()
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        self._thread = threading.Thread(
            target=self._run, args=(deadline,), name="guardrails-payload-deadline", daemon=True
        )
        self._thread.start()

    def _run(self, deadline: float) -> None:
        if self._stopped.wait(max(0.0, deadline - time.monotonic())):
            return
        with self._lock:
            if self._stopped.is_set():
                return
            self.expired = True
            with contextlib.suppress(OSError):
                self._killer.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            self._killer.close()


def parse_payload(body: bytes, source: str) -> dict[str, Any]:
    """A payload body as a JSON object; PayloadRejected naming `source` otherwise."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PayloadRejected(source, f"not a JSON document: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadRejected(source, f"expected a JSON object, got {type(data).__name__}")
    return data


def payload_fetcher(
    timeout: float, max_bytes: int, hosts: Sequence[str] | None = None, access: PayloadAccess | None = None
) -> PayloadFetcher:
    """A fetcher bound to the configured deadline, size cap and allowed hosts."""
    access = access or PayloadAccess(hosts=tuple(hosts) if hosts is not None else None)

    def fetch(url: str) -> dict[str, Any]:
        return fetch_payload(url, timeout=timeout, max_bytes=max_bytes, access=access)

    return fetch
