"""What-if replay: re-decide the stored inputs of an audit trail with other policies or another config.

Every record that stored its input (`audit.store_input: true`) is decided again by a Decider built from
the given policies and config; the decisions whose verdict or violated controls would change are listed.
Records without a stored input are counted as not replayable. Exemption expiry is judged on the
record's date, so a replay shows what the new policies change, not what time changed. Inputs are
replayed as stored: redacted (the default) for Environment, entrypoints, arguments and secret-looking
values, so a control that judges those values sees their digests.

JSON contract (`--format json`, `replay_json`), version 1:

    {"version": 1, "sink": str, "bundle": {"version": str, "digest": str},
     "summary": {"records": int, "replayed": int, "changed": int, "unchanged": int,
                 "not_replayable": int, "unreadable": int, "transitions": {"allow -> deny": int, ...}},
     "changes": [{"decision_id": str, "time": str, "point": str, "source": str,
                  "resource": {"type": str, "name": str, "arn": str | null},
                  "old_verdict": str, "new_verdict": str,
                  "controls_added": [str], "controls_removed": [str],
                  "input_redacted": bool, "stream": str | null, "seq": int | null}],
     "not_replayable": [{"decision_id": str | null, "stream": str | null, "seq": int | null,
                         "reason": str}]}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from guardrails.audit.query import record_time
from guardrails.audit.verify import StoredEntry
from guardrails.validation import error_location, error_message

if TYPE_CHECKING:
    from guardrails.decider import Decider
    from guardrails.decision import Decision

REPLAY_FORMAT_VERSION = 1
NO_INPUT = "no stored input (record written without audit.store_input)"


@dataclass(frozen=True)
class ReplayChange:
    record: dict[str, Any]
    old_verdict: str
    new_verdict: str
    controls_added: list[str]
    controls_removed: list[str]

    def to_json(self) -> dict[str, Any]:
        r = self.record
        resource = r.get("resource") or {}
        return {
            "decision_id": r.get("decision_id"),
            "time": r.get("time"),
            "point": r.get("point"),
            "source": r.get("source"),
            "resource": {
                "type": resource.get("type"),
                "name": resource.get("name"),
                "arn": resource.get("arn"),
            },
            "old_verdict": self.old_verdict,
            "new_verdict": self.new_verdict,
            "controls_added": self.controls_added,
            "controls_removed": self.controls_removed,
            "input_redacted": r.get("input_redacted") is not False,
            "stream": r.get("stream"),
            "seq": r.get("seq"),
        }


@dataclass
class ReplayReport:
    sink: str
    bundle_version: str
    bundle_digest: str
    records: int = 0
    replayed: int = 0
    unreadable: int = 0
    changes: list[ReplayChange] = field(default_factory=list)
    not_replayable: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.changes)

    def transitions(self) -> dict[str, int]:
        counts = Counter(f"{c.old_verdict} -> {c.new_verdict}" for c in self.changes)
        return dict(sorted(counts.items()))


def replay_entries(
    entries: Iterable[StoredEntry],
    decider: Decider,
    *,
    sink: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ReplayReport:
    """Re-decide every stored input of `entries` (in the time window) with `decider`."""
    from guardrails.documents import ResourceDocument
    from guardrails.validation import validate

    report = ReplayReport(sink, decider.bundle.version, decider.bundle.digest)
    seen: set[str] = set()
    candidates: list[tuple[dict[str, Any], ResourceDocument]] = []
    for entry in entries:
        record = entry.record
        if record is None:
            report.unreadable += 1
            continue
        when = record_time(record)
        if (since or until) and (when is None or (since and when < since) or (until and when > until)):
            continue
        decision_id = record.get("decision_id")
        if isinstance(decision_id, str):
            if decision_id in seen:  # a retried write stored the same decision twice
                continue
            seen.add(decision_id)
        report.records += 1
        stored = record.get("input")
        if not isinstance(stored, dict):
            report.not_replayable.append(_skipped(record, NO_INPUT))
            continue
        try:
            document = validate(ResourceDocument, stored)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where, msg = error_location(problem), error_message(problem)
            report.not_replayable.append(_skipped(record, f"stored input is not a document: {where}: {msg}"))
            continue
        candidates.append((record, document))
    by_day: dict[date, list[int]] = defaultdict(list)
    for index, (record, _) in enumerate(candidates):
        by_day[(record_time(record) or datetime.now(UTC)).date()].append(index)
    decisions: dict[int, Decision] = {}
    for day, indexes in by_day.items():  # exemption expiry is judged on the record's date
        decided = decider.decide_many([candidates[i][1] for i in indexes], today=day)
        decisions.update(zip(indexes, decided, strict=True))
    for index, (record, _) in enumerate(candidates):
        decision = decisions[index]
        report.replayed += 1
        old_controls = {v.get("control") for v in record.get("violations") or [] if isinstance(v, dict)}
        new_controls = {v.control for v in decision.violations}
        old_verdict = str(record.get("verdict"))
        if decision.verdict != old_verdict or old_controls != new_controls:
            report.changes.append(
                ReplayChange(
                    record,
                    old_verdict,
                    decision.verdict,
                    sorted(str(c) for c in new_controls - old_controls),
                    sorted(str(c) for c in old_controls - new_controls),
                )
            )
    return report


def _skipped(record: dict[str, Any], reason: str) -> dict[str, Any]:
    return {
        "decision_id": record.get("decision_id"),
        "stream": record.get("stream"),
        "seq": record.get("seq"),
        "reason": reason,
    }


def replay_json(report: ReplayReport) -> dict[str, Any]:
    return {
        "version": REPLAY_FORMAT_VERSION,
        "sink": report.sink,
        "bundle": {"version": report.bundle_version, "digest": report.bundle_digest},
        "summary": {
            "records": report.records,
            "replayed": report.replayed,
            "changed": report.changed,
            "unchanged": report.replayed - report.changed,
            "not_replayable": len(report.not_replayable),
            "unreadable": report.unreadable,
            "transitions": report.transitions(),
        },
        "changes": [c.to_json() for c in report.changes],
        "not_replayable": report.not_replayable,
    }


def replay_text(report: ReplayReport) -> str:
    lines = []
    for change in report.changes:
        r = change.record
        resource = r.get("resource") or {}
        name = resource.get("arn") or f"{resource.get('type')} {resource.get('name')}"
        controls = " ".join(
            [*(f"+{c}" for c in change.controls_added), *(f"-{c}" for c in change.controls_removed)]
        )
        lines.append(
            f"{r.get('time')}  {r.get('point')}  {name}: {change.old_verdict} -> {change.new_verdict}"
            + (f"  {controls}" if controls else "")
        )
    transitions = ", ".join(f"{k}: {v}" for k, v in report.transitions().items())
    lines.append(
        f"{report.records} record(s): {report.replayed} replayed, {report.changed} would change"
        + (f" ({transitions})" if transitions else "")
        + f", {len(report.not_replayable)} not replayable"
        + (f", {report.unreadable} unreadable" if report.unreadable else "")
        + f"; policy bundle {report.bundle_version}"
    )
    return "\n".join(lines) + "\n"
