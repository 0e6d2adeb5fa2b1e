"""`scan --remediate`: the runtime remediation with its safety rails, applied to scan decisions.

The same functions as the EventBridge handler: `plan_actions` (catalog `runtime_action` of definite,
unexempted deny violations), protection (`protect.arns`, name prefixes, trusted tags read live only when
configured), the action cap (`runtime.max_actions`, per scan), and each remediation re-reads the current
state before acting. `mode` (default dry-run) overrides the config's per-control modes.
"""

from __future__ import annotations

from guardrails.config import RuntimeConfig, RuntimeMode
from guardrails.runtime.processor import _skipped, plan_actions
from guardrails.runtime.remediation import ACTIONS, ActionResult, RemediationContext
from guardrails.runtime.safety import ActionBudget, live_tags, needs_tags, protected
from guardrails.scan.runner import ScanRun


def remediate(
    scan: ScanRun, decider: object, config: RuntimeConfig, mode: RuntimeMode
) -> dict[int, list[ActionResult]]:
    """Decision index -> the remediation steps taken (or skipped) for it."""
    budget = ActionBudget(config.max_actions)
    done: dict[int, list[ActionResult]] = {}
    for i, (decision, document) in enumerate(zip(scan.run.decisions, scan.run.documents, strict=True)):
        plan = plan_actions(decision, document, decider)  # type: ignore[arg-type]
        if not plan:
            continue
        clients = scan.shard_of[i].clients
        tags = live_tags(document, clients) if needs_tags(config) else dict(document.resource.tags)
        reason = protected(document, config, tags)
        steps: list[ActionResult] = []
        for action, controls in plan:
            if reason is not None:
                steps.append(_skipped(action, document, controls, config, mode, f"protected: {reason}"))
                continue
            dry_run = all(config.mode_for(c, mode) == "dry-run" for c in controls)
            if not dry_run and budget.exhausted:
                steps.append(
                    _skipped(action, document, controls, config, mode, f"action cap {budget.limit} reached")
                )
                continue
            ctx = RemediationContext(clients=clients, config=config, decider=decider, dry_run=dry_run)  # type: ignore[arg-type]
            step = ACTIONS[action](document, controls, ctx)
            if step.outcome != "skipped":
                budget.spend()
            steps.append(step)
        done[i] = steps
    return done
