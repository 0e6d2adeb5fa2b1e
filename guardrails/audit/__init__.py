"""The tamper-evident audit trail: one hash-chained record per decision, stored in pluggable sinks.

from guardrails.audit import AuditTrail, current_actor, open_sink

with AuditTrail(open_sink("file://audit.jsonl")) as trail:
    trail.record_decisions(decisions, actor=current_actor())
"""

from guardrails.audit.actor import actor_from_principal, current_actor
from guardrails.audit.exceptions import (
    AuditError,
    AuditReadError,
    AuditSinkError,
    AuditWriteError,
    SealError,
    SinkURLError,
)
from guardrails.audit.record import (
    ActionTaken,
    Actor,
    AuditRecord,
    SourceRef,
    record_from_decision,
    source_ref_from_decision,
)
from guardrails.audit.seal import Seal, read_seal, write_seal
from guardrails.audit.signing import KEY_ENV, AuditKey, AuditKeyError, Keyring, load_key, resolve_key
from guardrails.audit.sinks import AuditSink, open_sink
from guardrails.audit.trail import AuditTrail
from guardrails.audit.verify import ChainProblem, Verification, verify_entries

__all__ = [
    "KEY_ENV",
    "ActionTaken",
    "Actor",
    "AuditError",
    "AuditKey",
    "AuditKeyError",
    "AuditReadError",
    "AuditRecord",
    "AuditSink",
    "AuditSinkError",
    "AuditTrail",
    "AuditWriteError",
    "ChainProblem",
    "Keyring",
    "Seal",
    "SealError",
    "SinkURLError",
    "SourceRef",
    "Verification",
    "actor_from_principal",
    "current_actor",
    "load_key",
    "open_sink",
    "read_seal",
    "record_from_decision",
    "resolve_key",
    "source_ref_from_decision",
    "verify_entries",
    "verify_sink",
    "write_seal",
]


def verify_sink(sink: AuditSink, seal: Seal | None = None, keys: Keyring | None = None) -> Verification:
    """Read every record of `sink` and verify its chains (with `seal`, the sealed heads; with `keys`, every
    record's and the seal's MAC)."""
    return verify_entries(sink.read(), seal, keys)
