"""AuditTrail: record decisions to every configured sink; any sink that fails makes the call fail."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from guardrails.audit.exceptions import AuditWriteError
from guardrails.audit.record import ActionTaken, Actor, AuditRecord, SourceRef, record_from_decision
from guardrails.audit.signing import AuditKey, AuditKeyError, resolve_key
from guardrails.audit.sinks import AuditSink, open_sink
from guardrails.decision import Decision
from guardrails.documents import ResourceDocument


def in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class AuditTrail:
    """Appends every record to each sink. Each sink keeps its own chain (stream), so a failure in one
    never leaves a gap in another. All sinks are attempted; then the failures raise together."""

    def __init__(self, *sinks: AuditSink, key: AuditKey | None = None) -> None:
        if not sinks:
            raise ValueError("an audit trail needs at least one sink")
        self.sinks = list(sinks)
        self.key = key if key is not None else next((s.signing_key for s in sinks if s.signing_key), None)
        """The signing key; it also keys the redaction digests of the records this trail makes."""
        self._digest_key: bytes | None = None

    @classmethod
    def from_urls(
        cls,
        urls: Sequence[str],
        *,
        cloudwatch: bool | None = None,
        signing_key: str | AuditKey | None = None,
    ) -> AuditTrail:
        """Sinks for `urls`, plus the CloudWatch Logs sink when `cloudwatch` (default: inside Lambda).

        `signing_key` (a key URL or AuditKey; default: the GUARDRAILS_AUDIT_KEY environment variable)
        signs every record; AuditKeyError when it cannot be loaded.
        """
        key = resolve_key(signing_key)
        sinks = [open_sink(url, key=key) for url in urls]
        wanted = in_lambda() if cloudwatch is None else cloudwatch
        if wanted and not any(s.url.startswith("cloudwatch://") for s in sinks):
            sinks.append(open_sink("cloudwatch://", key=key))
        return cls(*sinks, key=key)

    @property
    def digest_key(self) -> bytes | None:
        """The secret keying redaction digests (None without a signing key); AuditWriteError if the key
        cannot be used (a KMS key is asked once per trail)."""
        if self.key is None:
            return None
        if self._digest_key is None:
            try:
                self._digest_key = self.key.redaction_secret()
            except AuditKeyError as exc:
                what = f"cannot derive the redaction key: {exc}"
                raise AuditWriteError(self.key.url, what, exc.code) from exc
        return self._digest_key

    def append(self, records: Sequence[AuditRecord]) -> list[AuditRecord]:
        """Store `records` in every sink; returns them as stored by the first sink."""
        stored: list[AuditRecord] | None = None
        failures: list[AuditWriteError] = []
        for sink in self.sinks:
            try:
                result = sink.append(records)
            except AuditWriteError as exc:
                failures.append(exc)
                continue
            if stored is None:
                stored = result
        if failures:
            if len(failures) == 1:
                raise failures[0]
            raise AuditWriteError(
                ", ".join(f.sink for f in failures), "; ".join(str(f) for f in failures), failures[0].code
            ) from failures[0]
        return stored or []

    def record(
        self,
        decision: Decision,
        *,
        actor: Actor,
        source_ref: SourceRef | None = None,
        action: ActionTaken | None = None,
        document: ResourceDocument | dict[str, Any] | None = None,
        redact: bool = True,
        time: datetime | None = None,
    ) -> AuditRecord:
        """Record one decision (see `record_from_decision`); raises AuditWriteError if any sink fails."""
        record = record_from_decision(
            decision,
            source_ref=source_ref,
            actor=actor,
            action=action,
            document=document,
            redact=redact,
            time=time,
            digest_key=self.digest_key if redact else None,
        )
        return self.append([record])[0]

    def record_decisions(
        self,
        decisions: Sequence[Decision],
        *,
        actor: Actor,
        source_ref_for: Callable[[Decision], SourceRef] | None = None,
        action_for: Callable[[Decision], ActionTaken | None] | None = None,
        documents: Sequence[ResourceDocument | dict[str, Any]] | None = None,
        redact: bool = True,
    ) -> list[AuditRecord]:
        """Record a run's decisions in one append per sink (a `check` run, a scan page).

        `source_ref_for` defaults to the decision's file location; `documents`, when given, are the
        decided inputs in the same order (stored redacted unless `redact=False`).
        """
        if documents is not None and len(documents) != len(decisions):
            raise ValueError(f"{len(documents)} documents for {len(decisions)} decisions")
        digest_key = self.digest_key if redact else None
        records = [
            record_from_decision(
                decision,
                source_ref=source_ref_for(decision) if source_ref_for else None,
                actor=actor,
                action=action_for(decision) if action_for else None,
                document=documents[i] if documents is not None else None,
                redact=redact,
                digest_key=digest_key,
            )
            for i, decision in enumerate(decisions)
        ]
        return self.append(records)

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
