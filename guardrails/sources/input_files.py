"""Reading one input file, the same way on every code path (`check`, `handle-hook`, `handle-event`).

An input is read only when it is a regular file (a FIFO, socket or device is refused without blocking on
it) and at most `max_input_bytes()` bytes are ever read: a larger input is an error naming the file and
the limit, never a partial read. Text must be UTF-8 without NUL bytes.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from guardrails.sources.errors import SourceError

MAX_INPUT_BYTES = 16 * 1024 * 1024
"""Default cap on one input file: 16 times CloudFormation's own 1 MB limit on a template (CloudTrail
events and hook payloads are far smaller). `GUARDRAILS_MAX_INPUT_BYTES` overrides it."""

MAX_INPUT_BYTES_ENV = "GUARDRAILS_MAX_INPUT_BYTES"


def max_input_bytes() -> int:
    """The cap in force: `GUARDRAILS_MAX_INPUT_BYTES` when it is a positive integer, else the default."""
    raw = os.environ.get(MAX_INPUT_BYTES_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return MAX_INPUT_BYTES


def display_name(path: Path) -> str:
    """The path as text that can be printed, hashed and put in JSON: bytes of a file name that are not
    UTF-8 (kept by Python as lone surrogates) are shown as `\\xNN` escapes."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def file_kind(mode: int) -> str:
    """A person's name for what a stat mode describes."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def too_large(file: str, size: int, limit: int, *, exact: bool = False) -> SourceError:
    measured = f"{size:,} bytes" if exact else f"more than {limit:,} bytes"
    return SourceError(
        file,
        f"input is {measured}, above the {limit:,}-byte limit for one input file (CloudFormation itself "
        f"accepts templates up to 1 MB); set {MAX_INPUT_BYTES_ENV} to raise the limit",
    )


def read_input_bytes(path: Path, *, allow_special: bool = False) -> bytes:
    """The bytes of an input file; SourceError when it cannot be read, is not a regular file (unless
    `allow_special`, for a pipe named explicitly to `handle-*`) or is larger than the cap."""
    file = str(path)
    limit = max_input_bytes()
    if file == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise too_large("(standard input)", len(data), limit)
        return data
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat decides before any read.
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SourceError(file, f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if not regular and (not allow_special or stat.S_ISDIR(info.st_mode)):
            raise SourceError(file, f"{file_kind(info.st_mode)}, not an input file")
        if regular and info.st_size > limit:
            raise too_large(file, info.st_size, limit, exact=True)
        if not regular:
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise too_large(file, total, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise SourceError(file, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 text of an input (a BOM is dropped); SourceError for binary or undecodable content."""
    if b"\x00" in data:
        raise SourceError(file, "binary file (contains NUL bytes), not a template or request document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(file, f"not UTF-8 text (undecodable byte at offset {exc.start})", line) from None


def read_input_text(path: Path, *, allow_special: bool = False) -> str:
    """`read_input_bytes` then `decode_text`."""
    return decode_text(read_input_bytes(path, allow_special=allow_special), str(path))
