"""The hash chain: verification names the first changed, removed, inserted, reordered or truncated record."""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

import pytest
import rfc8785
from audit_support import ACTOR, make_decision, make_record, read_lines, write_lines

from guardrails.audit import AuditTrail, Seal, open_sink, read_seal, verify_entries, verify_sink, write_seal
from guardrails.audit.chain import GENESIS_HASH, record_hash
from guardrails.audit.sinks.base import parse_entry
from guardrails.audit.sinks.file import FileSink
from guardrails.canonical import canonical_bytes


@pytest.fixture
def trail_file(tmp_path: Path) -> Path:
    """Two streams of 6 records each, written one after the other."""
    path = tmp_path / "audit.jsonl"
    for writer in range(2):
        sink = FileSink(path, stream=f"writer-{writer}", fsync=False)
        sink.append([make_record(f"job-{writer}-{i}") for i in range(6)])
    return path


def verify_file(path: Path, seal: Seal | None = None):
    return verify_sink(FileSink(path), seal)


def rehash(record: dict) -> dict:
    body = {k: v for k, v in record.items() if k != "hash"}
    return {**body, "hash": record_hash(body)}


# --- hashing ------------------------------------------------------------------------------------------


def test_hash_is_sha256_of_previous_hash_bytes_and_canonical_record(trail_file: Path):
    first, second = read_lines(trail_file)[:2]
    assert first["seq"] == 0 and first["prev_hash"] == GENESIS_HASH
    body = {k: v for k, v in second.items() if k != "hash"}
    expected = hashlib.sha256(bytes.fromhex(first["hash"]) + rfc8785.dumps(body)).hexdigest()
    assert second["hash"] == expected and second["prev_hash"] == first["hash"]


def test_canonical_fast_path_gives_the_rfc8785_bytes():
    rng = random.Random(8785)
    alphabet = ["a", "Z", "é", "\u2028", "\x00", "\x1f", '"', "\\", "\n", "😀", "\ufb01", "𝄞", "ö", "/"]

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    def value(depth: int):
        kind = rng.randint(0, 8 if depth < 4 else 5)
        if kind == 0:
            return text()
        if kind == 1:
            return rng.choice([0, -1, 2**53 - 1, -(2**53 - 1), rng.randint(-(10**6), 10**6)])
        if kind == 2:
            return rng.choice([True, False, None])
        if kind == 3:
            return rng.choice([0.5, 1e-7, 1e21, 123.0, -0.0, 3.14159, 1e300, 1e-4, 9.999e15, 1e16, 0.1 + 0.2,
                               2.0**53, 2.0**53 + 2, rng.uniform(-1e6, 1e6), rng.random(), rng.uniform(1e15, 1e17),
                               float(rng.randint(-(10**9), 10**9))])
        if kind in (4, 5):
            return text()
        if kind == 6:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {text(): value(depth + 1) for _ in range(rng.randint(0, 5))}

    for _ in range(20000):
        sample = value(0)
        assert canonical_bytes(sample) == rfc8785.dumps(sample), sample
    record = json.loads(json.dumps(make_record().model_dump(mode="json", exclude_none=True)))
    assert canonical_bytes(record) == rfc8785.dumps(record)


def test_canonical_rejects_what_rfc8785_rejects():
    for bad in (float("nan"), 2**60, {"k": "\ud800"}):
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical_bytes(bad)


# --- clean trails ---------------------------------------------------------------------------------------


def test_untouched_trail_verifies_with_its_heads(trail_file: Path):
    result = verify_file(trail_file)
    assert result.ok and result.records == 12 and result.streams == 2
    assert {s: h.seq for s, h in result.heads.items()} == {"writer-0": 5, "writer-1": 5}


def test_interleaved_streams_verify(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    sinks = [FileSink(path, fsync=False) for _ in range(3)]
    for i in range(30):
        sinks[i % 3].append([make_record(f"job-{i}")])
    assert len({s.stream for s in sinks}) == 3
    assert verify_file(path).ok


# --- tampering --------------------------------------------------------------------------------------------


def test_changed_field_is_named(trail_file: Path):
    records = read_lines(trail_file)
    records[3]["verdict"] = "allow"
    write_lines(trail_file, records)
    first = verify_file(trail_file).first
    assert (first.kind, first.stream, first.seq) == ("changed", "writer-0", 3)
    assert first.decision_id == records[3]["decision_id"]
    assert first.location.endswith("audit.jsonl:4")


def test_changed_and_rehashed_record_is_named_by_the_broken_link(trail_file: Path):
    records = read_lines(trail_file)
    records[2]["violations"] = []
    records[2] = rehash(records[2])
    write_lines(trail_file, records)
    first = verify_file(trail_file).first
    assert (first.kind, first.stream, first.seq) == ("changed", "writer-0", 2)
    assert "re-hashed" in first.detail


def test_removed_record_in_the_middle_is_named(trail_file: Path):
    records = read_lines(trail_file)
    del records[7]  # writer-1 seq 1
    write_lines(trail_file, records)
    result = verify_file(trail_file)
    assert (result.first.kind, result.first.stream, result.first.seq) == ("removed", "writer-1", 1)
    assert len(result.problems) == 1


def test_removed_first_record_is_named(trail_file: Path):
    records = read_lines(trail_file)
    del records[0]
    write_lines(trail_file, records)
    first = verify_file(trail_file).first
    assert (first.kind, first.stream, first.seq) == ("removed", "writer-0", 0)


def test_inserted_forged_record_is_named(trail_file: Path):
    records = read_lines(trail_file)
    forged = dict(records[2], decision_id="forged", verdict="allow")
    records.insert(2, rehash(forged))  # claims seq 2, links to seq 1, valid own hash
    write_lines(trail_file, records)
    first = verify_file(trail_file).first
    assert (first.kind, first.stream, first.seq, first.decision_id) == ("inserted", "writer-0", 2, "forged")


def test_inserted_duplicate_is_named(trail_file: Path):
    records = read_lines(trail_file)
    records.insert(5, records[1])
    write_lines(trail_file, records)
    first = verify_file(trail_file).first
    assert (first.kind, first.seq) == ("inserted", 1)
    assert first.location.endswith(":6")


def test_inserted_record_without_valid_hash_is_named_inserted(trail_file: Path):
    records = read_lines(trail_file)
    records.insert(4, dict(records[4], decision_id="forged"))  # copy of seq 4, content changed, hash kept
    write_lines(trail_file, records)
    first = verify_file(trail_file).first
    assert (first.kind, first.seq, first.decision_id) == ("inserted", 4, "forged")


def test_reordered_lines_are_named(trail_file: Path):
    records = read_lines(trail_file)
    records[2], records[3] = records[3], records[2]
    write_lines(trail_file, records)
    first = verify_file(trail_file).first
    assert (first.kind, first.stream, first.seq) == ("reordered", "writer-0", 3)


def test_record_moved_to_another_slot_is_reordered():
    sink = FileSink("/nonexistent", stream="s")
    linked = sink._chain.link([make_record(f"job-{i}") for i in range(3)])
    entries = [parse_entry(item.line, f"key-{i}", slot=("s", i)) for i, item in enumerate(linked)]
    entries[1], entries[2] = (
        parse_entry(linked[2].line, "key-1", slot=("s", 1)),
        parse_entry(linked[1].line, "key-2", slot=("s", 2)),
    )
    first = verify_entries(entries).first
    assert (first.kind, first.seq, first.location) == ("reordered", 2, "key-1")


def test_garbled_line_is_changed(trail_file: Path):
    text = trail_file.read_text().splitlines()
    text[4] = text[4][:50]
    trail_file.write_text("\n".join(text) + "\n")
    first = verify_file(trail_file).first
    assert first.kind == "changed" and first.location.endswith(":5") and "JSON" in first.detail


def test_each_stream_reports_its_first_problem_and_the_earliest_comes_first(trail_file: Path):
    records = read_lines(trail_file)
    records[9]["verdict"] = "allow"
    records[1]["verdict"] = "allow"
    records[2]["verdict"] = "allow"
    write_lines(trail_file, records)
    result = verify_file(trail_file)
    assert [(p.stream, p.seq) for p in result.problems] == [("writer-0", 1), ("writer-1", 3)]


# --- seal ----------------------------------------------------------------------------------------------------


def test_truncation_is_only_detected_against_a_seal(trail_file: Path, tmp_path: Path):
    seal_path = write_seal(
        Seal.create("file://audit", verify_file(trail_file).heads), str(tmp_path / "seals/")
    )
    records = read_lines(trail_file)
    write_lines(trail_file, records[:4] + records[6:])  # drop writer-0 seq 4 and 5, the newest
    assert verify_file(trail_file).ok  # a shorter chain is still a valid chain
    result = verify_file(trail_file, read_seal(seal_path))
    first = result.first
    assert (first.kind, first.stream, first.seq) == ("truncated", "writer-0", 5)
    assert "newest record left is seq 3" in first.detail


def test_records_appended_after_the_seal_are_fine(trail_file: Path, tmp_path: Path):
    seal = Seal.create("file://audit", verify_file(trail_file).heads)
    FileSink(trail_file, fsync=False).append([make_record("later")])
    FileSink(trail_file, stream="writer-9", fsync=False).append([make_record("later")])
    assert verify_file(trail_file, seal).ok


def test_deleted_stream_and_changed_sealed_head_are_detected(trail_file: Path):
    seal = Seal.create("file://audit", verify_file(trail_file).heads)
    records = [r for r in read_lines(trail_file) if r["stream"] == "writer-0"]
    records[-1] = rehash(dict(records[-1], verdict="allow"))
    write_lines(trail_file, records)
    kinds = {(p.kind, p.stream) for p in verify_file(trail_file, seal).problems}
    assert kinds == {("changed", "writer-0"), ("truncated", "writer-1")}


def test_tampered_seal_fails(trail_file: Path, tmp_path: Path):
    path = Path(
        write_seal(Seal.create("file://audit", verify_file(trail_file).heads), str(tmp_path / "s.json"))
    )
    data = json.loads(path.read_text())
    data["heads"]["writer-0"]["seq"] = 3
    path.write_text(json.dumps(data))
    first = verify_file(trail_file, read_seal(str(path))).first
    assert first.kind == "changed" and first.location == "seal"


# --- writers ---------------------------------------------------------------------------------------------


def test_forked_child_writes_its_own_stream(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    sink = FileSink(path, fsync=False)
    sink.append([make_record("parent")])
    pid = os.fork()
    if pid == 0:  # child: same sink object, must not continue the parent's stream
        try:
            sink.append([make_record("child")])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    sink.append([make_record("parent-again")])
    records = read_lines(path)
    assert len({r["stream"] for r in records}) == 2
    assert verify_file(path).ok


def test_trail_appends_to_every_sink_each_with_its_own_chain(tmp_path: Path):
    first, second = FileSink(tmp_path / "a.jsonl", fsync=False), FileSink(tmp_path / "b.jsonl", fsync=False)
    trail = AuditTrail(first, second)
    stored = trail.record_decisions([make_decision(f"job-{i}") for i in range(3)], actor=ACTOR)
    assert [r.stream for r in stored] == [first.stream] * 3
    a, b = read_lines(tmp_path / "a.jsonl"), read_lines(tmp_path / "b.jsonl")
    assert [r["decision_id"] for r in a] == [r["decision_id"] for r in b]
    assert verify_file(tmp_path / "a.jsonl").ok and verify_file(tmp_path / "b.jsonl").ok


def test_open_sink_plain_path_and_file_url_are_the_same_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    open_sink("rel/audit.jsonl").append([make_record()])
    open_sink("file://rel/audit.jsonl?fsync=false").append([make_record()])
    open_sink(f"file://{tmp_path}/rel/audit.jsonl").append([make_record()])
    assert len(read_lines(tmp_path / "rel/audit.jsonl")) == 3


def test_a_line_still_being_written_is_not_read_yet(trail_file: Path):
    with trail_file.open("ab") as handle:
        handle.write(b'{"version":1,"decision_id":"in-prog')
    assert verify_file(trail_file).ok
