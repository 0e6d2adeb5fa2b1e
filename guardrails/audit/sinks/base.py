"""The sink interface: where chained records are stored and read back."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from types import TracebackType

import rfc8785

from guardrails.audit.chain import Head, LinkedRecord, StreamChain
from guardrails.audit.exceptions import AuditReadError, AuditWriteError
from guardrails.audit.record import AuditRecord, RecordMac
from guardrails.audit.signing import AuditKey, AuditKeyError, record_message
from guardrails.audit.strict_json import StrictJSONError, loads_strict
from guardrails.audit.verify import StoredEntry, verify_entries

MAC_LINE_OVERHEAD = 512
"""Bytes reserved per line for its `mac` when segments are sized (about 120 + the key id, a KMS key ARN)."""


class AuditSink(ABC):
    """Stores chained audit records. One instance is one writer: it owns one stream (see chain.py).

    `append` links the records after the stream's head, writes them (in segments of at most
    `max_segment_bytes` / `max_segment_records`, each written atomically and never over an existing one)
    and only then moves the head. Every failure raises AuditWriteError; nothing is skipped.
    Instances are thread-safe; a forked child process continues on a new stream.
    """

    max_segment_bytes: int | None = None
    max_segment_records: int | None = None
    signing_key: AuditKey | None = None
    """Signing key: every stored segment is signed (see signing.py); set by `open_sink(url, key=...)`."""

    def __init__(self, url: str, *, stream: str | None = None) -> None:
        self.url = url
        self._chain = StreamChain(stream)

    @property
    def stream(self) -> str:
        return self._chain.stream

    def append(self, records: Sequence[AuditRecord]) -> list[AuditRecord]:
        """Store `records` (chain fields are assigned here) and return them as stored."""
        if not records:
            return []
        with self._chain.lock:
            try:
                linked = self._chain.link(records)
            except rfc8785.CanonicalizationError as exc:
                raise AuditWriteError(
                    self.url, f"record is not valid JSON data: {exc}", "CanonicalizationError"
                ) from exc
            stored: list[AuditRecord] = []
            for segment in self._segments(linked):
                if self.signing_key is not None:
                    segment = self._signed(segment)
                self._write_segment(self._chain.stream, segment)
                self._chain.commit(segment[-1])
                stored.extend(item.record for item in segment)
        return stored

    def _signed(self, segment: list[LinkedRecord]) -> list[LinkedRecord]:
        """The segment with the MAC of its last record on every record (one key call per segment)."""
        assert self.signing_key is not None
        last = segment[-1].record
        try:
            key_id, value = self.signing_key.mac(record_message(last.hash or ""))
        except AuditKeyError as exc:  # never store unsigned: the invocation fails and is retried
            raise AuditWriteError(self.url, f"cannot sign the records: {exc}", exc.code) from exc
        mac = RecordMac(key=key_id, last=last.seq or 0, value=value)
        mac_json = json.dumps(mac.model_dump(), sort_keys=True, separators=(",", ":")).encode()
        tail = b',"mac":' + mac_json + b"}"
        return [
            LinkedRecord(item.record.model_copy(update={"mac": mac}), item.line[:-1] + tail)
            for item in segment
        ]

    @abstractmethod
    def _write_segment(self, stream: str, segment: list[LinkedRecord]) -> None:
        """Durably store consecutive records of `stream` at once, never overwriting; else AuditWriteError."""

    def read(self) -> Iterator[StoredEntry]:
        """Every stored record, in storage order (streams in order, seq order within each)."""
        raise AuditReadError(
            self.url, "this sink is write-only; read the records from where it delivers them"
        )

    def heads(self) -> dict[str, Head]:
        """The newest verified record of every stream."""
        return verify_entries(self.read()).heads

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients and file handles."""

    def __enter__(self) -> AuditSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r}, stream={self.stream!r})"

    def _segments(self, linked: list[LinkedRecord]) -> Iterator[list[LinkedRecord]]:
        max_bytes, max_records = self.max_segment_bytes, self.max_segment_records
        segment: list[LinkedRecord] = []
        size = 0
        overhead = 0 if self.signing_key is None else MAC_LINE_OVERHEAD
        for item in linked:
            item_size = len(item.line) + 1 + overhead
            full = (max_records is not None and len(segment) >= max_records) or (
                max_bytes is not None and size + item_size > max_bytes
            )
            if segment and full:
                yield segment
                segment, size = [], 0
            segment.append(item)
            size += item_size
        if segment:
            yield segment


def segment_body(segment: list[LinkedRecord]) -> bytes:
    """The stored form of a segment: one JSON record per line."""
    return b"".join(item.line + b"\n" for item in segment)


def entries_from_segment(body: bytes, location: str, slot: tuple[str, int] | None) -> Iterator[StoredEntry]:
    """Parse a stored segment; `slot` is the (stream, first seq) its key names, if any."""
    lines = body.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    for index, line in enumerate(lines):
        where = f"{location}#{index}" if len(lines) > 1 else location
        line_slot = None if slot is None else (slot[0], slot[1] + index)
        yield parse_entry(line, where, line_slot)


def parse_entry(line: bytes | str, location: str, slot: tuple[str, int] | None = None) -> StoredEntry:
    """One stored line, parsed strictly (strict_json.py): a line with duplicate keys or numbers that
    parsers read differently is an error entry, like a line that does not parse."""
    try:
        data = loads_strict(line)
    except StrictJSONError as exc:
        return StoredEntry(location, None, slot, f"ambiguous JSON: {exc}")
    except (ValueError, UnicodeDecodeError) as exc:
        return StoredEntry(location, None, slot, f"not valid JSON ({exc})")
    if not isinstance(data, dict):
        return StoredEntry(location, None, slot, "not a JSON object")
    return StoredEntry(location, data, slot)
