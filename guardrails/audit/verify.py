"""Verification: walk every stream of a sink and name the first record that was tampered with.

Detects, per stream:
- changed:   a record whose content no longer matches its hash, or whose hash no longer matches the
             `prev_hash` the next record kept (changed and re-hashed);
- removed:   a gap in `seq` (seq 0 included);
- inserted:  a second record claiming a `seq` (the one the chain links through is kept as genuine);
- reordered: a record stored before a lower `seq` of its stream, or in another record's slot (key);
- truncated: with a seal, a sealed head that is no longer there (the newest records were deleted).
Deleting the newest records of a stream is only detectable against a seal (see seal.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import rfc8785

from guardrails.audit.chain import GENESIS_HASH, Head, record_hash

if TYPE_CHECKING:
    from guardrails.audit.seal import Seal

ProblemKind = Literal["changed", "removed", "inserted", "reordered", "truncated"]
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class StoredEntry:
    """One stored record as a sink reads it back, in storage order.

    `slot` is the (stream, seq) the storage location implies (a DynamoDB key, an S3 key), when it does.
    """

    location: str
    record: dict[str, Any] | None
    slot: tuple[str, int] | None = None
    error: str | None = None


@dataclass(frozen=True)
class ChainProblem:
    kind: ProblemKind
    stream: str | None
    seq: int | None
    decision_id: str | None
    location: str
    detail: str
    order: float = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        who = f"stream {self.stream} seq {self.seq}" if self.stream is not None else "record"
        decision = f" (decision {self.decision_id})" if self.decision_id else ""
        return f"{self.kind}: {who}{decision} at {self.location}: {self.detail}"


@dataclass
class Verification:
    records: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    heads: dict[str, Head] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> ChainProblem | None:
        return self.problems[0] if self.problems else None

    @property
    def streams(self) -> int:
        return len(self.heads)


@dataclass
class _Item:
    order: int
    entry: StoredEntry
    record: dict[str, Any]
    issue: tuple[ProblemKind, str] | None = None

    @property
    def seq(self) -> int:
        return self.record["seq"]

    @property
    def hash(self) -> str:
        return self.record["hash"]

    @property
    def prev_hash(self) -> str:
        return self.record["prev_hash"]

    def problem(self, kind: ProblemKind, detail: str) -> ChainProblem:
        r = self.record
        return ChainProblem(
            kind, r["stream"], r["seq"], r.get("decision_id"), self.entry.location, detail, self.order
        )


def verify_entries(entries: Iterable[StoredEntry], seal: Seal | None = None) -> Verification:
    """Verify every stream found in `entries`; with `seal`, also that no sealed head was lost."""
    result = Verification()
    streams: dict[str, list[_Item]] = defaultdict(list)
    for order, entry in enumerate(entries):
        result.records += 1
        record = entry.record
        if record is None or not _has_chain_fields(record):
            detail = entry.error or "not a chained audit record (stream, seq, prev_hash, hash)"
            result.problems.append(ChainProblem("changed", None, None, None, entry.location, detail, order))
            continue
        item = _Item(order, entry, record, _own_issue(entry, record))
        streams[record["stream"]].append(item)
    for stream, items in streams.items():
        problem, head = _walk(items)
        if problem is not None:
            result.problems.append(problem)
        if head is not None:
            result.heads[stream] = head
    if seal is not None:
        result.problems.extend(_check_seal(seal, streams, result.records))
    result.problems.sort(key=lambda p: p.order)
    return result


def _has_chain_fields(record: dict[str, Any]) -> bool:
    seq = record.get("seq")
    return (
        isinstance(record.get("stream"), str)
        and type(seq) is int
        and seq >= 0
        and all(_is_hex64(record.get(name)) for name in ("prev_hash", "hash"))
    )


def _is_hex64(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def _own_issue(entry: StoredEntry, record: dict[str, Any]) -> tuple[ProblemKind, str] | None:
    body = {k: v for k, v in record.items() if k != "hash"}
    try:
        intact = record_hash(body) == record["hash"]
    except (ValueError, rfc8785.CanonicalizationError):
        intact = False
    if not intact:
        return "changed", "the record's content does not match its hash"
    if entry.slot is not None and entry.slot != (record["stream"], record["seq"]):
        return "reordered", f"stored in the slot of stream {entry.slot[0]} seq {entry.slot[1]}"
    return None


def _walk(items: list[_Item]) -> tuple[ChainProblem | None, Head | None]:
    """The first problem of one stream (items in storage order) and its verified head."""
    by_seq: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        by_seq[item.seq].append(item)
    inserted = _inserted(by_seq)
    expected, prev, last = 0, GENESIS_HASH, None
    for item in items:
        if id(item) in inserted:
            return item.problem("inserted", f"a second record claims seq {item.seq} of this stream"), _head(
                last
            )
        if item.issue is not None:
            return item.problem(*item.issue), _head(last)
        if item.seq != expected:
            if item.seq < expected or expected in by_seq:
                return item.problem("reordered", f"stored where seq {expected} belongs"), _head(last)
            missing = f"seq {expected}" if item.seq == expected + 1 else f"seqs {expected}..{item.seq - 1}"
            detail = f"{missing} missing before seq {item.seq} (decision {item.record.get('decision_id')})"
            problem = ChainProblem(
                "removed", item.record["stream"], expected, None, item.entry.location, detail, item.order
            )
            return problem, _head(last)
        if item.prev_hash != prev:
            if last is None:
                return item.problem("changed", "seq 0 does not start from the genesis hash"), None
            detail = f"its hash no longer matches the prev_hash kept by seq {item.seq}: changed and re-hashed"
            return last.problem("changed", detail), _head(last)
        expected, prev, last = item.seq + 1, item.hash, item
    return None, _head(last)


def _inserted(by_seq: dict[int, list[_Item]]) -> set[int]:
    """ids of the extra records where several claim one seq; the one the chain links through is kept."""
    extra: set[int] = set()
    for seq, candidates in by_seq.items():
        if len(candidates) < 2:
            continue
        before = {c.hash for c in by_seq.get(seq - 1, [])} if seq else {GENESIS_HASH}
        after = {c.prev_hash for c in by_seq.get(seq + 1, [])}
        linked = [c for c in candidates if c.issue is None and c.prev_hash in before]
        keep = next((c for c in linked if c.hash in after), linked[0] if linked else candidates[0])
        extra.update(id(c) for c in candidates if c is not keep)
    return extra


def _head(item: _Item | None) -> Head | None:
    return None if item is None else Head(item.seq, item.hash)


def _check_seal(seal: Seal, streams: dict[str, list[_Item]], total: int) -> list[ChainProblem]:
    if not seal.intact():
        return [
            ChainProblem(
                "changed", None, None, None, "seal", "the seal's digest does not match its heads", -1
            )
        ]
    problems = []
    for stream, sealed in sorted(seal.heads.items()):
        items = streams.get(stream, [])
        same_seq = [i for i in items if i.seq == sealed.seq]
        if any(i.hash == sealed.hash for i in same_seq):
            continue
        if same_seq:
            item = same_seq[0]
            problems.append(item.problem("changed", "differs from the head recorded in the seal"))
            continue
        newest = max((i.seq for i in items), default=None)
        left = "the whole stream is gone" if newest is None else f"the newest record left is seq {newest}"
        order = max((i.order for i in items), default=total) + 0.5
        detail = f"sealed head seq {sealed.seq} ({sealed.hash[:12]}...) is missing: {left}"
        problems.append(ChainProblem("truncated", stream, sealed.seq, None, "seal", detail, order))
    return problems
