"""Audit sinks, chosen by URL. Backends are imported on demand so boto3 and Powertools load only when used."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast
from urllib.parse import parse_qsl

from guardrails.audit.exceptions import SinkURLError
from guardrails.audit.sinks.base import AuditSink

if TYPE_CHECKING:
    from guardrails.audit.signing import AuditKey

__all__ = ["AuditSink", "open_sink"]

SCHEMES = ("file://", "dynamodb://", "s3://", "cloudwatch://")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def open_sink(url: str, *, stream: str | None = None, key: AuditKey | None = None) -> AuditSink:
    """The sink a URL names (no network call happens here); with `key`, every stored segment is signed.

    - `file://relative/or/absolute.jsonl` or a plain path (option `?fsync=false`)
    - `dynamodb://table`
    - `s3://bucket/prefix` (options `?retention-mode=GOVERNANCE|COMPLIANCE&retention-days=N`)
    - `cloudwatch://` or `cloudwatch://service`: Powertools Logger lines (write-only)
    Region, credentials and endpoint come from the environment (`AWS_REGION`, `AWS_ENDPOINT_URL`...).
    """
    sink = _open(url, stream)
    sink.signing_key = key
    return sink


def _open(url: str, stream: str | None) -> AuditSink:
    location, options = _split_options(url)
    scheme, sep, rest = location.partition("://")
    if not sep:
        scheme, rest = "file", location
    if scheme == "file":
        fsync = _flag(url, options.pop("fsync", "true"))
        _no_more(url, options)
        if not rest:
            raise SinkURLError(f"audit sink {url!r}: no file path")
        from guardrails.audit.sinks.file import FileSink

        return FileSink(rest, stream=stream, fsync=fsync)
    if scheme == "dynamodb":
        _no_more(url, options)
        if not rest or "/" in rest:
            raise SinkURLError(f"audit sink {url!r}: expected dynamodb://<table>")
        from guardrails.audit.sinks.dynamodb import DynamoDBSink

        return DynamoDBSink(rest, stream=stream)
    if scheme == "s3":
        bucket, _, prefix = rest.partition("/")
        mode = options.pop("retention-mode", None)
        days = options.pop("retention-days", None)
        _no_more(url, options)
        if not bucket:
            raise SinkURLError(f"audit sink {url!r}: expected s3://<bucket>/<prefix>")
        if (mode is None) != (days is None) or (
            mode is not None and mode not in ("GOVERNANCE", "COMPLIANCE")
        ):
            raise SinkURLError(
                f"audit sink {url!r}: retention needs retention-mode=GOVERNANCE|COMPLIANCE and retention-days"
            )
        if days is not None and (not days.isdigit() or int(days) < 1):
            raise SinkURLError(f"audit sink {url!r}: retention-days must be a positive whole number")
        from guardrails.audit.sinks.s3 import S3Sink

        return S3Sink(
            bucket,
            prefix,
            stream=stream,
            retention_mode=cast(Literal["GOVERNANCE", "COMPLIANCE"] | None, mode),  # checked above
            retention_days=int(days) if days else None,
        )
    if scheme == "cloudwatch":
        _no_more(url, options)
        from guardrails.audit.sinks.cloudwatch import DEFAULT_SERVICE, CloudWatchSink

        return CloudWatchSink(rest.strip("/") or DEFAULT_SERVICE, stream=stream)
    raise SinkURLError(
        f"audit sink {url!r}: unknown scheme {scheme!r} (use {', '.join(SCHEMES)} or a file path)"
    )


def _split_options(url: str) -> tuple[str, dict[str, str]]:
    location, sep, query = url.partition("?")
    return location, dict(parse_qsl(query, keep_blank_values=True)) if sep else {}


def _flag(url: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise SinkURLError(f"audit sink {url!r}: {value!r} is not true or false")


def _no_more(url: str, options: dict[str, str]) -> None:
    if options:
        raise SinkURLError(f"audit sink {url!r}: unknown option(s) {', '.join(sorted(options))}")
