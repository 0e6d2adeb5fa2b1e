"""The hash chain: one chain per writer stream, linked record by record.

A record stored at position `seq` of stream `stream` carries `prev_hash` (the `hash` of seq-1 in the
same stream, `GENESIS_HASH` for seq 0) and

    hash = sha256(bytes.fromhex(prev_hash) || RFC8785(record without "hash" and "mac")).hexdigest()

A sink with a signing key adds `mac` (outside the hash: it signs the hash; see signing.py).

Each writer (a sink instance) owns its stream: a fresh id per instance and per process, so writers
never share a head and never need a lock or a read-modify-write across processes or Lambdas.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import threading
import uuid
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.audit.record import AuditRecord
from guardrails.canonical import canonical_bytes

GENESIS_HASH = "0" * 64
CHAIN_FIELDS = ("stream", "seq", "prev_hash", "hash", "mac")
UNHASHED_FIELDS = ("hash", "mac")
_STREAM_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def record_hash(body: Mapping[str, Any]) -> str:
    """The hash of a stored record given without its "hash" and "mac" fields (it includes `prev_hash`)."""
    prev = bytes.fromhex(body["prev_hash"])
    return hashlib.sha256(prev + canonical_bytes(body)).hexdigest()


def default_stream_id() -> str:
    """`<Lambda log stream or host-pid>-<8 hex>`: unique per writer instance, safe in keys and paths."""
    base = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME") or f"{socket.gethostname()}-{os.getpid()}"
    base = _STREAM_CHARS.sub("-", base).strip("-")[:80] or "writer"
    return f"{base}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Head:
    """The newest record of a stream: what a seal keeps."""

    seq: int
    hash: str


@dataclass(frozen=True)
class LinkedRecord:
    """A chained record and the JSON line (without newline) a sink stores for it."""

    record: AuditRecord
    line: bytes

    @property
    def seq(self) -> int:
        """The record's position in its stream (always set on a linked record)."""
        assert self.record.seq is not None
        return self.record.seq

    @property
    def hash(self) -> str:
        """The record's hash (always set on a linked record)."""
        assert self.record.hash is not None
        return self.record.hash


class StreamChain:
    """The writer side of one stream: next seq and head hash. Thread-safe; a forked child starts a new one."""

    def __init__(self, stream: str | None = None) -> None:
        self.lock = threading.RLock()
        self._reset(stream or default_stream_id())
        _CHAINS.add(self)

    def _reset(self, stream: str) -> None:
        self.stream = stream
        self.next_seq = 0
        self.head = GENESIS_HASH

    def _after_fork(self) -> None:
        self.lock = threading.RLock()
        self._reset(default_stream_id())

    def link(self, records: Sequence[AuditRecord]) -> list[LinkedRecord]:
        """Chain `records` after the current head, without moving it (call `commit` once stored)."""
        linked: list[LinkedRecord] = []
        seq, prev = self.next_seq, self.head
        for record in records:
            body = record.model_dump(mode="json", exclude_none=True)
            for name in CHAIN_FIELDS:
                body.pop(name, None)
            body.update(stream=self.stream, seq=seq, prev_hash=prev)
            canonical = canonical_bytes(body)
            digest = hashlib.sha256(bytes.fromhex(prev) + canonical).hexdigest()
            # The stored line need not be canonical (verification re-canonicalizes what it parses):
            # appending the hash to the canonical body saves a second serialization.
            line = canonical[:-1] + b',"hash":"' + digest.encode("ascii") + b'"}'
            chained = record.model_copy(
                update={"stream": self.stream, "seq": seq, "prev_hash": prev, "hash": digest}
            )
            linked.append(LinkedRecord(chained, line))
            seq, prev = seq + 1, digest
        return linked

    def commit(self, stored: LinkedRecord) -> None:
        """Move the head to `stored`, which the sink has durably written."""
        self.next_seq = stored.seq + 1
        self.head = stored.hash


_CHAINS: weakref.WeakSet[StreamChain] = weakref.WeakSet()


def _renew_chains_after_fork() -> None:
    for chain in list(_CHAINS):
        chain._after_fork()


os.register_at_fork(after_in_child=_renew_chains_after_fork)
