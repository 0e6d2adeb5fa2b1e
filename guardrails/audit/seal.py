"""Seals: the chain heads of a sink, copied to a second place so that deleting the newest records shows.

A hash chain proves that nothing before a record was changed, removed, inserted or reordered, but not
that the newest records are still there: drop the last N lines and the shorter chain is still valid.
A seal stores `{stream: (seq, hash)}` for every stream at sealing time and a digest over them, in a
place the writers of the trail cannot change (another account's bucket, an Object Lock bucket, a CI
artifact). `verify --seal` then requires every sealed head to be present and unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guardrails.audit.chain import Head
from guardrails.audit.exceptions import SealError
from guardrails.audit.signing import AuditKey, seal_message
from guardrails.canonical import canonical_bytes


class SealHead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=0)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class SealMac(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alg: Literal["HMAC_SHA_256"] = "HMAC_SHA_256"
    key: str
    value: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Hex HMAC-SHA256 of `guardrails-audit-v1:seal:<digest>`."""


class Seal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    sink: str
    sealed_at: datetime
    heads: dict[str, SealHead]
    digest: str
    """`sha256:<hex>` of the RFC 8785 JSON of every other field (but `mac`)."""
    mac: SealMac | None = None
    """With a signing key: the MAC of `digest`, so that a writer without the key cannot recompute a seal."""

    @classmethod
    def create(
        cls,
        sink: str,
        heads: Mapping[str, Head],
        sealed_at: datetime | None = None,
        key: AuditKey | None = None,
    ) -> Seal:
        seal = cls(
            version=1,
            sink=sink,
            sealed_at=sealed_at or datetime.now(UTC),
            heads={s: SealHead(seq=h.seq, hash=h.hash) for s, h in sorted(heads.items())},
            digest="",
        )
        seal = seal.model_copy(update={"digest": seal.expected_digest()})
        if key is not None:
            key_id, value = key.mac(seal_message(seal.digest))
            seal = seal.model_copy(update={"mac": SealMac(key=key_id, value=value)})
        return seal

    def expected_digest(self) -> str:
        body = self.model_dump(mode="json", exclude={"digest", "mac"})
        return "sha256:" + hashlib.sha256(canonical_bytes(body)).hexdigest()

    def intact(self) -> bool:
        return self.digest == self.expected_digest()


def write_seal(seal: Seal, dest: str) -> str:
    """Write `seal` to a file path (`file://` too) or `s3://bucket/key`; a folder or a key ending in `/`
    gets `seal-<UTC time>.json` inside. Returns where it was written."""
    body = seal.model_dump(mode="json", exclude_none=True)
    data = json.dumps(body, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    name = f"seal-{seal.sealed_at.strftime('%Y%m%dT%H%M%S%fZ')}.json"
    if dest.startswith("s3://"):
        from guardrails.audit.sinks.s3 import put_seal_object

        return put_seal_object(dest if not dest.endswith("/") else dest + name, data)
    path = Path(dest.removeprefix("file://"))
    if dest.endswith(("/", os.sep)) or path.is_dir():
        path = path / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".seal-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise SealError(f"cannot write seal to {path}: {exc.strerror or exc}") from exc
    return str(path)


def read_seal(src: str) -> Seal:
    """Read a seal from a file path or `s3://bucket/key`; SealError when unreadable or not a seal."""
    if src.startswith("s3://"):
        from guardrails.audit.sinks.s3 import get_seal_object

        data = get_seal_object(src)
    else:
        try:
            data = Path(src.removeprefix("file://")).read_bytes()
        except OSError as exc:
            raise SealError(f"cannot read seal {src}: {exc.strerror or exc}") from exc
    try:
        return Seal.model_validate_json(data)
    except ValidationError as exc:
        raise SealError(f"{src} is not a seal: {exc.errors()[0]['msg']}") from exc
