"""The result of one `check` run: decisions plus what was read and skipped (the JSON contract)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from guardrails.decision import Decision
from guardrails.documents import ResourceDocument
from guardrails.engine.bundle import Catalog
from guardrails.sources.errors import SourceError
from guardrails.sources.notes import InputNote


@dataclass
class CheckRun:
    """Everything one `guardrails check` found, what every report format renders."""

    decisions: list[Decision]
    files_checked: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    bundle_version: str = ""
    bundle_digest: str = ""
    engine: str = ""
    documents: list[ResourceDocument] = field(default_factory=list, repr=False)
    """The decided inputs, in decision order (for the audit trail; not part of the report)."""
    errors: list[SourceError] = field(default_factory=list)
    """Files that could not be read or judged: the run exits 2 (the other files are still reported)."""
    unjudged: list[Decision] = field(default_factory=list, repr=False)
    """One `error` decision per entry of `errors` (Decider.unjudged): audited beside `decisions`; the
    reports show `errors`."""
    unseen: list[Decision] = field(default_factory=list, repr=False)
    """One decision per unknown-content or not-followed note (Decider.unseen): audited beside `decisions`
    so the trail says why the gate failed and what it never saw; the reports show `notes`."""
    notes: list[InputNote] = field(default_factory=list)
    """What the inputs hold that no control judged (not evaluated, not followed, unknown content)."""
    catalog: Catalog | None = field(default=None, repr=False)
    """The controls' metadata (SARIF rules, JUnit test cases); not part of the JSON report."""
    config_warnings: list[str] = field(default_factory=list)
    """Configuration problems that do not stop the run (an expired exemption)."""
    unknown_blocks: bool = True
    """Config `unknown: deny` (the default): unknown content fails the run like an unknown violation."""

    @property
    def has_deny(self) -> bool:
        blocked_by_notes = self.unknown_blocks and any(n.kind == "unknown-content" for n in self.notes)
        return blocked_by_notes or any(d.verdict in ("deny", "error") for d in self.decisions)

    @property
    def has_input_errors(self) -> bool:
        return bool(self.errors)

    def _violation_counts(self) -> dict[str, int]:
        """The summary's violation counts, in one pass over the violations (five passes cost ~10% of a
        large JSON report)."""
        deny = warn = exempted = suppressed = unknown = 0
        for decision in self.decisions:
            for v in decision.violations:
                counts = v.counts
                if counts and v.enforcement == "deny":
                    deny += 1
                elif counts and v.enforcement == "warn":
                    warn += 1
                if v.exemption is not None:
                    exempted += 1
                elif v.suppression is not None:
                    suppressed += 1
                if v.unknown:
                    unknown += 1
        return {
            "deny": deny,
            "warn": warn,
            "exempted": exempted,
            "suppressed": suppressed,
            "unknown": unknown,
        }

    def notes_of(self, kind: str) -> list[InputNote]:
        return [n for n in self.notes if n.kind == kind]

    def summary(self) -> dict[str, Any]:
        verdicts = Counter(d.verdict for d in self.decisions)
        return {
            "files_checked": len(self.files_checked),
            "files_skipped": len(self.files_skipped),
            "resources": len(self.decisions),
            "verdicts": {k: verdicts.get(k, 0) for k in ("allow", "warn", "deny", "error")},
            "violations": self._violation_counts(),
            "bundle": {"version": self.bundle_version, "digest": self.bundle_digest},
            "engine": self.engine,
            "errors": len(self.errors),
            "not_evaluated": [n.as_json() for n in self.notes_of("not-evaluated")],
            "not_followed": [n.as_json() for n in self.notes_of("not-followed")],
            "unknown_content": [n.as_json() for n in self.notes_of("unknown-content")],
            "terraform_sources": [n.file for n in self.notes_of("terraform-source")],
            "suppression_warnings": [n.as_json() for n in self.notes_of("suppression")],
        }
