"""`guardrails check`: load inputs, decide every document, collect a CheckRun."""

from __future__ import annotations

from pathlib import Path

from guardrails.config import GuardrailsConfig
from guardrails.decider import Decider
from guardrails.report.model import CheckRun
from guardrails.sources.discovery import load_inputs
from guardrails.sources.notes import InputNote


def run_check(
    paths: list[Path],
    config: GuardrailsConfig,
    parameters: dict[str, str] | None = None,
    *,
    excludes: list[str] | None = None,
    decider: Decider | None = None,
    apply_suppressions: bool = True,
    config_path: Path | None = None,
    skip_unrecognised: bool = False,
) -> CheckRun:
    """Raises ConfigError when the config names a control the policy bundle does not have."""
    from guardrails.config_discovery import check_against_catalog

    decider = decider or Decider(config, apply_suppressions=apply_suppressions)
    config_warnings = check_against_catalog(config, decider.bundle.catalog, config_path)
    loaded = load_inputs(
        paths, parameters, excludes=excludes, point="pre-deploy", skip_unrecognised=skip_unrecognised
    )
    decisions = decider.decide_many(loaded.documents)
    for w in dict.fromkeys(decider.warnings):
        loaded.notes.append(InputNote("suppression", w.file or "", w.logical_id, w.type, w.reason))
    return CheckRun(
        decisions=decisions,
        files_checked=loaded.files_checked,
        files_skipped=loaded.files_skipped,
        bundle_version=decider.bundle.version,
        bundle_digest=decider.bundle.digest,
        engine=f"{decider.evaluator.name} {decider.evaluator.version}",
        documents=loaded.documents,
        errors=loaded.errors,
        notes=loaded.notes,
        catalog=decider.bundle.catalog,
        config_warnings=config_warnings,
        unknown_blocks=config.unknown != "warn",
    )


def record_check_run(
    run: CheckRun, sink_urls: list[str], *, store_input: bool = False, signing_key: str | None = None
) -> int:
    """Record every decision of a pre-deploy run (the CI gate record); raises AuditError on any failure.

    `signing_key` (a key URL; default GUARDRAILS_AUDIT_KEY) signs the records."""
    from guardrails.audit import ActionTaken, AuditTrail, current_actor

    def gate_action(decision) -> ActionTaken:
        blocked = decision.verdict in ("deny", "error")
        return ActionTaken(kind="fail-pipeline" if blocked else "pass-pipeline", outcome="succeeded")

    with AuditTrail.from_urls(sink_urls, cloudwatch=False, signing_key=signing_key) as trail:
        records = trail.record_decisions(
            run.decisions,
            actor=current_actor(),
            action_for=gate_action,
            documents=run.documents if store_input else None,
        )
    return len(records)
