"""Settings of the `opa-server` backend: the `engine.opa:` section of the configuration file (a plain
dataclass like every section, validated by pydantic only when read from a file or an option: see
guardrails/config_section.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from guardrails.config_section import ConfigSection

DEFAULT_TOKEN_ENV = "GUARDRAILS_OPA_TOKEN"


def _check_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL of an OPA server")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{value!r}: give the server's base URL (scheme, host, port) without a path")
    try:
        parts.port  # noqa: B018 (validates the port)
    except ValueError as exc:
        raise ValueError(f"{value!r}: {exc}") from None
    return value.rstrip("/")


@dataclass(kw_only=True)
class OpaServerSettings(ConfigSection):
    """Where the OPA server is and how to talk to it.

    ```yaml
    engine:
      backend: opa-server
      opa:
        url: https://opa.internal:8181
        token_env: GUARDRAILS_OPA_TOKEN   # bearer token read from this environment variable, if set
        ca_bundle: /etc/ssl/corp-ca.pem   # verify the server's certificate against this CA bundle
        timeout_seconds: 5
        retries: 2
        batch_size: 500
    ```
    """

    url: str | None = field(
        default=None,
        metadata={"description": "Base URL of the OPA server (http or https, host and port; no path)."},
    )
    token_env: str = field(
        default=DEFAULT_TOKEN_ENV,
        metadata={
            "description": "Environment variable holding the bearer token sent as `Authorization: Bearer "
            "...` (variable unset: no token is sent)."
        },
    )
    ca_bundle: Path | None = field(
        default=None,
        metadata={
            "description": "PEM file of the CA(s) that sign the server's certificate (https), relative to "
            "the config file's folder; default: the system's CAs."
        },
    )
    timeout_seconds: float = field(
        default=5.0, metadata={"gt": 0, "le": 60, "description": "Timeout of each request to the server."}
    )
    retries: int = field(
        default=2,
        metadata={
            "ge": 0,
            "le": 10,
            "description": "Retries of a request that could not connect or got a 500/502/504.",
        },
    )
    batch_size: int = field(
        default=500,
        metadata={
            "ge": 1,
            "le": 10_000,
            "description": "Documents per evaluation request (one batched query over a list input).",
        },
    )

    field_checks = {"url": _check_url}


def with_url(settings: OpaServerSettings, url: str) -> OpaServerSettings:
    """`settings` with the server URL `url` (the `--opa-url` option), checked as `engine.opa.url` is
    (ValueError, worded as pydantic words it for the file: `Value error, ...`)."""
    try:
        checked = _check_url(url)
    except ValueError as exc:
        raise ValueError(f"Value error, {exc}") from None
    return replace(settings, url=checked)
