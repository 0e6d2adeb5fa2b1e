"""The result of one `check` run: decisions plus what was read and skipped (the JSON contract)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from guardrails.decision import Decision
from guardrails.documents import ResourceDocument
from guardrails.engine.bundle import Catalog


@dataclass
class CheckRun:
    decisions: list[Decision]
    files_checked: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    bundle_version: str = ""
    bundle_digest: str = ""
    engine: str = ""
    notes: list[str] = field(default_factory=list)
    """What the user should know about inputs that were not read (e.g. a Terraform source, not a plan)."""
    documents: list[ResourceDocument] = field(default_factory=list, repr=False)
    catalog: Catalog | None = field(default=None, repr=False)
    """The controls' metadata (SARIF rules, JUnit test cases); not part of the JSON report."""
    """The decided inputs, in decision order (for the audit trail; not part of the report)."""

    @property
    def has_deny(self) -> bool:
        return any(d.verdict in ("deny", "error") for d in self.decisions)

    def summary(self) -> dict[str, Any]:
        verdicts = Counter(d.verdict for d in self.decisions)
        violations = [v for d in self.decisions for v in d.violations]
        return {
            "files_checked": len(self.files_checked),
            "files_skipped": len(self.files_skipped),
            "resources": len(self.decisions),
            "verdicts": {k: verdicts.get(k, 0) for k in ("allow", "warn", "deny", "error")},
            "violations": {
                "deny": sum(1 for v in violations if v.counts and v.enforcement == "deny"),
                "warn": sum(1 for v in violations if v.counts and v.enforcement == "warn"),
                "exempted": sum(1 for v in violations if v.exemption is not None),
                "suppressed": sum(1 for v in violations if v.suppression is not None and v.exemption is None),
                "unknown": sum(1 for v in violations if v.unknown),
            },
            "bundle": {"version": self.bundle_version, "digest": self.bundle_digest},
            "engine": self.engine,
            "notes": list(self.notes),
        }
