"""`s3://bucket/prefix`: one object per appended segment, `prefix/<stream>/<first seq:012d>.jsonl`.

Objects are created with `If-None-Match: *` (S3 conditional writes), so nothing is ever overwritten; a
412 is accepted only when the object already holds exactly these records (our own retried write).
When the bucket has Object Lock with a default retention, or a retention is configured
(`?retention-mode=GOVERNANCE|COMPLIANCE&retention-days=N`), every object is written with
`ObjectLockMode` and `ObjectLockRetainUntilDate`, so records cannot be deleted or replaced before then.
The writer needs s3:PutObject, s3:GetBucketObjectLockConfiguration and, with retention,
s3:PutObjectRetention; the verifier s3:ListBucket and s3:GetObject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from guardrails.audit.chain import LinkedRecord
from guardrails.audit.exceptions import AuditReadError, AuditWriteError, SealError
from guardrails.audit.sinks.aws import aws_client, aws_errors, error_code, error_message
from guardrails.audit.sinks.base import AuditSink, entries_from_segment, segment_body
from guardrails.audit.verify import StoredEntry

RetentionMode = Literal["GOVERNANCE", "COMPLIANCE"]
_SEGMENT_NAME = re.compile(r"^(?P<stream>[^/]+)/(?P<seq>\d{12})\.jsonl$")
_READ_THREADS = 16


class S3Sink(AuditSink):
    max_segment_bytes = 8_000_000

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        stream: str | None = None,
        retention_mode: RetentionMode | None = None,
        retention_days: int | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        super().__init__(f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}", stream=stream)
        self.client = client if client is not None else aws_client("s3", self.url)
        if (retention_mode is None) != (retention_days is None):
            raise ValueError("retention needs both a mode and a number of days")
        self._retention: tuple[str, timedelta] | None = (
            (retention_mode, timedelta(days=retention_days)) if retention_mode and retention_days else None
        )
        self._retention_known = self._retention is not None

    def key(self, stream: str, seq: int) -> str:
        name = f"{stream}/{seq:012d}.jsonl"
        return f"{self.prefix}/{name}" if self.prefix else name

    def _write_segment(self, stream: str, segment: list[LinkedRecord]) -> None:
        first, last = segment[0].seq, segment[-1].seq
        key = self.key(stream, first)
        body = segment_body(segment)
        try:
            lock = self._object_lock()
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                IfNoneMatch="*",
                ContentType="application/x-ndjson",
                ChecksumAlgorithm="SHA256",
                **lock,
            )
        except aws_errors() as exc:
            code = error_code(exc)
            if code in ("PreconditionFailed", "ConditionalRequestConflict") and self._holds(key, body):
                return
            what = f"cannot store stream {stream} seq {first}..{last} as {key}: {error_message(exc)}"
            raise AuditWriteError(self.url, what, code) from exc

    def _object_lock(self) -> dict[str, Any]:
        """ObjectLock arguments for a new object: the configured retention, else the bucket default."""
        if not self._retention_known:
            self._retention = bucket_default_retention(self.client, self.bucket)
            self._retention_known = True
        if self._retention is None:
            return {}
        mode, period = self._retention
        return {"ObjectLockMode": mode, "ObjectLockRetainUntilDate": datetime.now(UTC) + period}

    def _holds(self, key: str, body: bytes) -> bool:
        try:
            return bool(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read() == body)
        except aws_errors():
            return False

    def read(self) -> Iterator[StoredEntry]:
        base = f"{self.prefix}/" if self.prefix else ""
        try:
            keys = [
                obj["Key"]
                for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=base
                )
                for obj in page.get("Contents", [])
            ]
        except aws_errors() as exc:
            raise AuditReadError(
                self.url, f"cannot list objects: {error_message(exc)}", error_code(exc)
            ) from exc
        with ThreadPoolExecutor(max_workers=_READ_THREADS) as pool:
            for key, body in zip(keys, pool.map(self._get, keys), strict=True):
                location = f"s3://{self.bucket}/{key}"
                match = _SEGMENT_NAME.match(key[len(base) :])
                if match is None:
                    yield StoredEntry(
                        location, None, None, "not an audit segment (<stream>/<seq:012d>.jsonl)"
                    )
                    continue
                yield from entries_from_segment(body, location, (match["stream"], int(match["seq"])))

    def _get(self, key: str) -> bytes:
        try:
            return cast(bytes, self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except aws_errors() as exc:
            raise AuditReadError(
                self.url, f"cannot read {key}: {error_message(exc)}", error_code(exc)
            ) from exc


def bucket_default_retention(client: Any, bucket: str) -> tuple[str, timedelta] | None:
    """The bucket's Object Lock default retention (mode, period), None without Object Lock or default."""
    try:
        config = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except aws_errors() as exc:
        if error_code(exc) == "ObjectLockConfigurationNotFoundError":
            return None
        raise
    default = config.get("Rule", {}).get("DefaultRetention")
    if not default:
        return None
    days = default.get("Days") or 365 * (default.get("Years") or 0)
    return (default["Mode"], timedelta(days=days)) if days else None


def split_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/key` -> ("bucket", "some/key")."""
    rest = url.removeprefix("s3://")
    bucket, _, key = rest.partition("/")
    return bucket, key


def put_seal_object(url: str, data: bytes) -> str:
    bucket, key = split_s3_url(url)
    if not bucket or not key:
        raise SealError(f"{url}: a seal destination needs a bucket and a key")
    client = aws_client("s3", url)
    try:
        retention = bucket_default_retention(client, bucket)
        lock = {}
        if retention is not None:
            lock = {
                "ObjectLockMode": retention[0],
                "ObjectLockRetainUntilDate": datetime.now(UTC) + retention[1],
            }
        client.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",
            **lock,
        )
    except aws_errors() as exc:
        raise SealError(f"cannot write seal to {url}: {error_message(exc)} [{error_code(exc)}]") from exc
    return url


def get_seal_object(url: str) -> bytes:
    bucket, key = split_s3_url(url)
    try:
        return cast(bytes, aws_client("s3", url).get_object(Bucket=bucket, Key=key)["Body"].read())
    except aws_errors() as exc:
        raise SealError(f"cannot read seal {url}: {error_message(exc)} [{error_code(exc)}]") from exc
