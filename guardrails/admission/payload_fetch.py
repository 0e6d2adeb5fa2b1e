"""Download the JSON payload object of a STACK / CHANGE_SET hook target (presigned S3 URL).

Plain urllib (no extra dependency): only http(s), a timeout for the whole read, and a size cap.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from guardrails.admission.config import DEFAULT_PAYLOAD_MAX_BYTES, DEFAULT_PAYLOAD_TIMEOUT_SECONDS
from guardrails.admission.exceptions import PayloadFetchError

PayloadFetcher = Callable[[str], dict[str, Any]]
"""`fetch(url) -> payload object`; raises PayloadFetchError. Injectable so tests need no network."""

_CHUNK = 64 * 1024


def fetch_payload(
    url: str,
    *,
    timeout: float = DEFAULT_PAYLOAD_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_PAYLOAD_MAX_BYTES,
) -> dict[str, Any]:
    """GET `url` and parse the body as a JSON object; PayloadFetchError for anything else.

    `timeout` bounds the connection and the whole download; a body over `max_bytes` is refused.
    """
    if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
        raise PayloadFetchError(str(url), "not an http(s) URL")
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, method="GET", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise PayloadFetchError(
                    url, f"payload is {declared} bytes, more than the {max_bytes} allowed"
                )
            body = bytearray()
            while True:
                if time.monotonic() > deadline:
                    raise PayloadFetchError(url, f"download took longer than {timeout:g} s")
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise PayloadFetchError(url, f"payload is more than the {max_bytes} bytes allowed")
    except PayloadFetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise PayloadFetchError(url, f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise PayloadFetchError(url, f"no answer within {timeout:g} s") from None
        raise PayloadFetchError(url, f"unreachable: {reason}") from None
    except TimeoutError:
        raise PayloadFetchError(url, f"no answer within {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        raise PayloadFetchError(url, f"download failed: {exc}") from None
    return parse_payload(bytes(body), url)


def parse_payload(body: bytes, source: str) -> dict[str, Any]:
    """A payload body as a JSON object; PayloadFetchError naming `source` otherwise."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadFetchError(source, f"not a JSON document: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadFetchError(source, f"expected a JSON object, got {type(data).__name__}")
    return data


def payload_fetcher(timeout: float, max_bytes: int) -> PayloadFetcher:
    """A fetcher bound to the configured timeout and size cap."""

    def fetch(url: str) -> dict[str, Any]:
        return fetch_payload(url, timeout=timeout, max_bytes=max_bytes)

    return fetch
