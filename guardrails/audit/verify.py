"""Verification: walk every stream of a sink and name the first record that was tampered with.

Detects, per stream:
- changed:   a record whose content no longer matches its hash, or whose hash no longer matches the
             `prev_hash` the next record kept (changed and re-hashed);
- removed:   a gap in `seq` (seq 0 included);
- inserted:  a second record claiming a `seq` (the one the chain links through is kept as genuine);
- reordered: a record stored before a lower `seq` of its stream, or in another record's slot (key);
- truncated: with a seal, a sealed head that is no longer there (the newest records were deleted); and a
             signed record whose segment's last record (the one its MAC covers) is gone;
- unsigned:  with signing keys, any record (or seal) without a MAC; without keys, a record without a MAC
             in a stream whose other records carry one;
- bad-mac:   with signing keys, a MAC that does not verify with any of them (a forged or re-hashed
             record, a forged stream, a recomputed seal) or that names a key not given; with or without
             keys, a MAC that is malformed or differs from the one its segment's last record carries.
Deleting the newest records of a stream is only detectable against a seal (see seal.py); without a
signing key nothing stops a writer from appending records or streams, or re-hashing a stream's tail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

import rfc8785

from guardrails.audit.chain import GENESIS_HASH, UNHASHED_FIELDS, Head, record_hash

if TYPE_CHECKING:
    from guardrails.audit.seal import Seal
    from guardrails.audit.signing import Keyring

ProblemKind = Literal["changed", "removed", "inserted", "reordered", "truncated", "unsigned", "bad-mac"]
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
    signed: int = 0
    """Records that carry a MAC."""
    macs_checked: bool = False
    """True when signing keys were given: every MAC was verified and unsigned records are problems."""
    seal_checked: bool = False
    seal_signed: bool | None = None
    """None without a seal; whether the seal carries a MAC."""

    def unchecked(self) -> list[str]:
        """The guarantees this verification could not give (what verify says without a key or seal)."""
        notes = []
        if not self.macs_checked:
            if self.signed:
                notes.append(
                    f"{self.signed} signed record(s): their MACs were not checked (no --audit-key); a writer "
                    "could have forged or re-hashed records or streams"
                )
            else:
                notes.append(
                    "unsigned trail: anyone who can write to the sink can append forged records, add a "
                    "forged stream or change a stream's tail and re-hash it without being detected"
                )
        if not self.seal_checked:
            notes.append("no --seal: deleting the newest records of a stream is not detected")
        elif not self.macs_checked:
            notes.append("the seal's signature was not checked (no --audit-key): a writer could recompute it")
        return notes

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
        return cast(int, self.record["seq"])

    @property
    def hash(self) -> str:
        return cast(str, self.record["hash"])

    @property
    def prev_hash(self) -> str:
        return cast(str, self.record["prev_hash"])

    def problem(self, kind: ProblemKind, detail: str) -> ChainProblem:
        r = self.record
        return ChainProblem(
            kind, r["stream"], r["seq"], r.get("decision_id"), self.entry.location, detail, self.order
        )


def verify_entries(
    entries: Iterable[StoredEntry], seal: Seal | None = None, keys: Keyring | None = None
) -> Verification:
    """Verify every stream found in `entries`; with `seal`, also that no sealed head was lost; with
    `keys`, that every record and the seal carry a MAC one of the keys made (AuditKeyError when a key
    cannot be used, e.g. KMS unreachable: nothing can be concluded then)."""
    result = Verification(macs_checked=bool(keys), seal_checked=seal is not None)
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
        result.signed += sum(1 for item in items if "mac" in item.record)
        mac_problem = _check_macs(items, keys)
        if mac_problem is not None and mac_problem != problem:
            result.problems.append(mac_problem)
    if seal is not None:
        result.seal_signed = seal.mac is not None
        result.problems.extend(_check_seal(seal, streams, result.records))
        if keys:
            result.problems.extend(_check_seal_mac(seal, keys))
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
    body = {k: v for k, v in record.items() if k not in UNHASHED_FIELDS}
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


def _check_macs(items: list[_Item], keys: Keyring | None) -> ChainProblem | None:
    """The first MAC problem of one stream (items in storage order)."""
    from guardrails.audit.signing import MAC_ALGORITHM, record_message

    signed = [item for item in items if "mac" in item.record]
    if keys or signed:
        for item in items:
            if "mac" not in item.record:
                why = "a signing key was given" if keys else "this stream's other records carry one"
                return item.problem("unsigned", f"the record carries no MAC, but {why}")
    if not signed:
        return None
    by_seq: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        by_seq[item.seq].append(item)
    checked: dict[tuple[str, int, str], bool | None] = {}
    for item in signed:
        mac = item.record["mac"]
        if not _well_formed_mac(mac, MAC_ALGORITHM) or mac["last"] < item.seq:
            return item.problem("bad-mac", "malformed MAC (alg, key, last >= seq, 64 hex value)")
        ends = by_seq.get(mac["last"], [])
        if not ends:
            return item.problem(
                "truncated", f"its signed segment ends at seq {mac['last']}, which is missing"
            )
        end = next((e for e in ends if e.record.get("mac") == mac), None)
        if end is None:
            detail = f"seq {mac['last']}, where its signed segment ends, carries another MAC"
            return item.problem("bad-mac", detail)
        if not keys:
            continue
        batch = (mac["key"], mac["last"], mac["value"])
        if batch not in checked:
            checked[batch] = keys.verify(mac["key"], record_message(end.hash), mac["value"])
        valid = checked[batch]
        if valid is None:
            return item.problem("bad-mac", f"signed with key {mac['key']}, which is not among the given keys")
        if not valid:
            span = f"seqs {item.seq}..{mac['last']}" if mac["last"] != item.seq else f"seq {item.seq}"
            return item.problem(
                "bad-mac",
                f"the MAC of its signed segment ({span}) does not verify: forged, or changed and re-hashed",
            )
    return None


def _well_formed_mac(mac: Any, algorithm: str) -> bool:
    return (
        isinstance(mac, dict)
        and set(mac) == {"alg", "key", "last", "value"}
        and mac["alg"] == algorithm
        and isinstance(mac["key"], str)
        and type(mac["last"]) is int
        and _is_hex64(mac["value"])
    )


def _check_seal_mac(seal: Seal, keys: Keyring) -> list[ChainProblem]:
    from guardrails.audit.signing import seal_message

    if seal.mac is None:
        return [ChainProblem("unsigned", None, None, None, "seal", "the seal carries no MAC", -1)]
    valid = keys.verify(seal.mac.key, seal_message(seal.digest), seal.mac.value)
    if valid:
        return []
    detail = (
        f"signed with key {seal.mac.key}, which is not among the given keys"
        if valid is None
        else "the seal's MAC does not verify: forged or recomputed"
    )
    return [ChainProblem("bad-mac", None, None, None, "seal", detail, -1)]
