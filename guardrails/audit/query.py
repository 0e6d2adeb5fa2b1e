"""Select stored records by control, resource, verdict and time (`guardrails audit query`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from guardrails.audit.verify import StoredEntry

_RELATIVE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """An ISO 8601 date or time (UTC when no zone is given), or a duration ago: `90m`, `24h`, `7d`, `2w`."""
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(text.strip())
    if match:
        return now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO date/time or a duration like 24h or 7d") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RecordFilter:
    control: str | None = None
    """A control id; matches records with a violation of it."""
    resource: str | None = None
    """A glob matched against the resource ARN, name and `type/name`."""
    verdict: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def matches(self, record: dict[str, Any]) -> bool:
        if self.verdict and record.get("verdict") != self.verdict:
            return False
        if self.control and not any(v.get("control") == self.control for v in record.get("violations", [])):
            return False
        if self.resource and not self._resource_matches(record.get("resource") or {}):
            return False
        if self.since or self.until:
            when = record_time(record)
            if when is None or (self.since and when < self.since) or (self.until and when > self.until):
                return False
        return True

    def _resource_matches(self, resource: dict[str, Any]) -> bool:
        candidates = [
            resource.get("arn"),
            resource.get("name"),
            f"{resource.get('type')}/{resource.get('name')}",
        ]
        return any(isinstance(c, str) and fnmatchcase(c, self.resource or "") for c in candidates)


def record_time(record: dict[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(record.get("time")))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def select(entries: Iterable[StoredEntry], flt: RecordFilter) -> tuple[list[dict[str, Any]], int]:
    """Matching records oldest first, and how many stored entries were unreadable (skipped here)."""
    unreadable = 0
    selected: list[dict[str, Any]] = []
    for entry in entries:
        if entry.record is None:
            unreadable += 1
        elif flt.matches(entry.record):
            selected.append(entry.record)
    oldest = datetime.min.replace(tzinfo=UTC)
    selected.sort(key=lambda r: (record_time(r) or oldest, str(r.get("stream")), r.get("seq") or 0))
    return selected, unreadable


def summary_row(record: dict[str, Any]) -> dict[str, Any]:
    """The flat view of a record used by the table and CSV formats."""
    resource = record.get("resource") or {}
    actor = record.get("actor") or {}
    action = record.get("action") or {}
    controls = sorted({v.get("control", "") for v in record.get("violations", [])})
    return {
        "time": record.get("time"),
        "point": record.get("point"),
        "verdict": record.get("verdict"),
        "resource_type": resource.get("type"),
        "resource": resource.get("arn") or resource.get("name"),
        "controls": " ".join(controls),
        "action": f"{action.get('kind')}:{action.get('outcome')}" if action else "",
        "actor": actor.get("name"),
        "decision_id": record.get("decision_id"),
        "stream": record.get("stream"),
        "seq": record.get("seq"),
        "reason": _reason(record),
    }


def _reason(record: dict[str, Any]) -> str:
    """Why a record without violations decided what it did: its error, or what could not be seen."""
    unseen = record.get("unseen") or []
    parts = [str(record["error"])] if record.get("error") else []
    parts += [f"{u.get('kind')}: {u.get('reason')}" for u in unseen if isinstance(u, dict)]
    return "; ".join(parts)
