"""Helpers shared by the audit tests (no tests here): decisions, records, and the tampering a writer without
the key can try on a signed trail."""

from __future__ import annotations

import json
from pathlib import Path

from decision_factory import hand_made_decision

from guardrails.audit import Actor, AuditRecord, record_from_decision
from guardrails.audit.chain import GENESIS_HASH, record_hash
from guardrails.decision import Decision, EngineInfo, ResourceRef, Violation
from guardrails.documents import Location

ACTOR = Actor(kind="local-user", name="tester@host")
REGION = "us-east-1"


def make_decision(
    name: str = "churn-train", verdict: str = "deny", controls: tuple[str, ...] = ("SM-01",)
) -> Decision:
    return hand_made_decision(
        ResourceRef(
            type="AWS::SageMaker::TrainingJob",
            name=name,
            arn=f"arn:aws:sagemaker:{REGION}:111122223333:training-job/{name}",
            location=Location(file="stack.yaml", line=12, logical_id="Train"),
        ),
        [
            Violation(control=c, severity="high", enforcement="deny", message=f"{c} fails", path="VpcConfig")
            for c in controls
        ],
        verdict,
        bundle_version="0.1.0",
        engine=EngineInfo(name="regorus", version="0.0"),
    )


def make_record(name: str = "churn-train", **kwargs) -> AuditRecord:
    return record_from_decision(make_decision(name, **kwargs), actor=ACTOR)


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_lines(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def rehash(records: list[dict], start: int) -> None:
    """What a writer without the key can do: recompute every hash from `start` on, keeping the MACs."""
    prev = records[start - 1]["hash"] if start else GENESIS_HASH
    for record in records[start:]:
        record["prev_hash"] = prev
        body = {k: v for k, v in record.items() if k not in ("hash", "mac")}
        record["hash"] = prev = record_hash(body)


def forged(records: list[dict], name: str, **changes) -> dict:
    """A new record appended after `records` by someone who can write to the store."""
    last = records[-1]
    record = {**json.loads(make_record(name).model_dump_json(exclude_none=True)), **changes}
    record.update(stream=last["stream"], seq=last["seq"] + 1, prev_hash=last["hash"])
    record.pop("mac", None)
    record["hash"] = record_hash({k: v for k, v in record.items() if k != "mac"})
    return record


# Each attack: (name, tamper(records) -> records, exit code without the key, problem kind with the key).
def _unsigned_append(records):
    return [*records, forged(records, "forged")]


def _forged_append_with_copied_mac(records):
    record = forged(records, "forged")
    record["mac"] = {**records[-1]["mac"], "last": record["seq"]}
    return [*records, record]


def _forged_stream(records):
    other = [forged(records, "forged-stream")]
    other[0].update(stream="attacker-stream", seq=0, prev_hash=GENESIS_HASH)
    other[0]["hash"] = record_hash({k: v for k, v in other[0].items() if k != "hash"})
    other[0]["mac"] = {"alg": "HMAC_SHA_256", "key": records[0]["mac"]["key"], "last": 0, "value": "0" * 64}
    return [*records, *other]


def _rehashed_tail(records):
    records[3]["verdict"] = "allow"
    records[3]["violations"] = []
    rehash(records, 3)
    return records


def _rehashed_first_segment(records):
    records[0]["verdict"] = "allow"
    rehash(records, 0)
    return records


def _macs_stripped(records):
    for record in records:
        record.pop("mac")
    return records


def _truncated_inside_a_segment(records):
    return records[:4]  # seqs 3..4 were one signed segment; seq 4 is gone


def _changed_without_rehash(records):
    records[1]["verdict"] = "allow"
    return records


ATTACKS = [
    ("unsigned record appended", _unsigned_append, 1, "unsigned"),
    ("forged record with a copied MAC", _forged_append_with_copied_mac, 0, "bad-mac"),
    ("forged stream", _forged_stream, 0, "bad-mac"),
    ("re-hashed tail", _rehashed_tail, 0, "bad-mac"),
    ("whole stream re-hashed", _rehashed_first_segment, 0, "bad-mac"),
    ("MACs stripped", _macs_stripped, 0, "unsigned"),
    ("truncated inside a signed segment", _truncated_inside_a_segment, 1, "truncated"),
    ("changed record", _changed_without_rehash, 1, "changed"),
]
