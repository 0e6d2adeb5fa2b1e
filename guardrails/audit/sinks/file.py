"""`file://path.jsonl`: one JSON record per line, appended under an exclusive `flock`.

Every append opens the file with O_APPEND, takes an exclusive lock, writes its whole lines, fsyncs
(unless `fsync=False`) and closes. Writers in other threads and processes therefore interleave whole
lines, and since each writer has its own stream nobody reads or rewrites a shared head. A failed write is
truncated away so no torn line stays behind.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from guardrails.audit.chain import LinkedRecord
from guardrails.audit.exceptions import AuditReadError, AuditWriteError
from guardrails.audit.sinks.base import AuditSink, parse_entry, segment_body
from guardrails.audit.verify import StoredEntry

CLOUDWATCH_KEY = "audit_record"
"""Key of the record in a Powertools log line (sinks/cloudwatch.py): exported logs verify as files."""


class FileSink(AuditSink):
    def __init__(self, path: str | Path, *, stream: str | None = None, fsync: bool = True) -> None:
        self.path = Path(path)
        super().__init__(f"file://{self.path}", stream=stream)
        self.fsync = fsync

    def _write_segment(self, stream: str, segment: list[LinkedRecord]) -> None:
        data = segment_body(segment)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as exc:
            raise self._error("cannot open for appending", exc) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a torn line left by a crashed writer must not swallow ours
            try:
                _write_all(fd, data)
                if self.fsync:
                    os.fsync(fd)
            except OSError:
                os.ftruncate(fd, size)
                raise
        except OSError as exc:
            raise self._error("cannot append", exc) from exc
        finally:
            os.close(fd)  # also releases the lock

    def read(self) -> Iterator[StoredEntry]:
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            code = errno.errorcode.get(exc.errno or 0)
            raise AuditReadError(self.url, f"cannot read: {exc.strerror or exc}", code) from exc
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                entry = parse_entry(line, f"{self.path}:{number}")
                torn = entry.record is None and (entry.error or "").startswith("not valid JSON")
                if torn and not line.endswith(b"\n"):
                    continue  # the last line, still being written by another process
                wrapped = entry.record.get(CLOUDWATCH_KEY) if entry.record else None
                if isinstance(wrapped, dict):
                    entry = StoredEntry(entry.location, wrapped)
                yield entry

    def _error(self, action: str, exc: OSError) -> AuditWriteError:
        return AuditWriteError(
            self.url, f"{action}: {exc.strerror or exc}", errno.errorcode.get(exc.errno or 0)
        )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
