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
) -> CheckRun:
    loaded = load_inputs(paths, parameters, excludes=excludes, point="pre-deploy")
    decider = decider or Decider(config)
    decisions = decider.decide_many(loaded.documents)
    return CheckRun(
        decisions=decisions,
        files_checked=loaded.files_checked,
        files_skipped=loaded.files_skipped,
        bundle_version=decider.bundle.version,
        bundle_digest=decider.bundle.digest,
        engine=f"{decider.evaluator.name} {decider.evaluator.version}",
    )
