"""`guardrails check`: load inputs, decide every document, collect a CheckRun."""

from __future__ import annotations

from pathlib import Path

from guardrails.config import GuardrailsConfig
from guardrails.decider import Decider
from guardrails.report.model import CheckRun
from guardrails.sources.discovery import load_inputs


def run_check(
    paths: list[Path],
    config: GuardrailsConfig,
    parameters: dict[str, str] | None = None,
    *,
    excludes: list[str] | None = None,
    decider: Decider | None = None,
    apply_suppressions: bool = True,
) -> CheckRun:
    loaded = load_inputs(paths, parameters, excludes=excludes, point="pre-deploy")
    decider = decider or Decider(config, apply_suppressions=apply_suppressions)
    decisions = decider.decide_many(loaded.documents)
    loaded.notes.extend(f"warning: {w}" for w in dict.fromkeys(decider.warnings))
    return CheckRun(
        decisions=decisions,
        files_checked=loaded.files_checked,
        files_skipped=loaded.files_skipped,
        bundle_version=decider.bundle.version,
        bundle_digest=decider.bundle.digest,
        engine=f"{decider.evaluator.name} {decider.evaluator.version}",
        documents=loaded.documents,
        notes=loaded.notes,
        catalog=decider.bundle.catalog,
    )


def record_check_run(run: CheckRun, sink_urls: list[str], *, store_input: bool = False) -> int:
    """Record every decision of a pre-deploy run (the CI gate record); raises AuditError on any failure."""
    from guardrails.audit import ActionTaken, AuditTrail, current_actor, open_sink

    def gate_action(decision) -> ActionTaken:
        blocked = decision.verdict in ("deny", "error")
        return ActionTaken(kind="fail-pipeline" if blocked else "pass-pipeline", outcome="succeeded")

    with AuditTrail(*[open_sink(url) for url in sink_urls]) as trail:
        records = trail.record_decisions(
            run.decisions,
            actor=current_actor(),
            action_for=gate_action,
            documents=run.documents if store_input else None,
        )
    return len(records)
