"""Scan reports: the `check` report of the scan's CheckRun, plus the scan summary (per control, kind and
account; shards; API calls) and the remediation steps."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from guardrails.runtime.remediation import ActionResult
from guardrails.scan.runner import ScanRun

ScanRenderer = Callable[[ScanRun, dict[int, list[ActionResult]]], str]


def scan_renderer(name: str, *, colour: bool, show_passed: bool) -> ScanRenderer:
    """text and json add the scan summary and remediation steps; every other format is `check`'s own
    renderer (guardrails/report/outputs.py) over the scan's CheckRun (decisions carry account and region)."""
    if name == "text":
        return lambda scan, actions: render_scan_text(scan, actions, colour=colour, show_passed=show_passed)
    if name == "json":
        return render_scan_json
    from guardrails.report.outputs import renderer

    render = renderer(name, colour=colour, show_passed=show_passed)
    return lambda scan, _actions: render(scan.run)


def render_scan_json(scan: ScanRun, actions: dict[int, list[ActionResult]]) -> str:
    from guardrails.report import render_json

    data = json.loads(render_json(scan.run))
    for entry, decision in zip(data["results"], scan.run.decisions, strict=True):
        entry["resource"]["account"] = decision.resource.account
        entry["resource"]["region"] = decision.resource.region
    for i, steps in actions.items():
        data["results"][i]["actions"] = [s.model_dump(mode="json", exclude_none=True) for s in steps]
    data["scan"] = scan.summary()
    return json.dumps(data, indent=2) + "\n"


def render_scan_text(
    scan: ScanRun, actions: dict[int, list[ActionResult]], *, colour: bool, show_passed: bool
) -> str:
    from guardrails.report import render_text

    out = [render_text(scan.run, colour=colour, show_passed=show_passed).rstrip("\n")]
    steps = [(scan.run.decisions[i], s) for i, group in sorted(actions.items()) for s in group]
    if steps:
        out.append("")
        out.append("Remediation:")
        for decision, step in steps:
            detail = step.reason or step.error or ""
            what = f"{decision.resource.type} {decision.resource.name}"
            out.append(
                f"  {step.kind} [{step.mode}] {step.outcome}: {what}" + (f" ({detail})" if detail else "")
            )
    out.extend(["", *summary_lines(scan.summary())])
    return "\n".join(out) + "\n"


def summary_lines(summary: dict[str, Any]) -> list[str]:
    calls = summary["api_calls"]
    lines = [
        f"scan: {summary['shards']} account/region shards, {len(summary['failed_shards'])} with errors"
        + (f" ({', '.join(summary['failed_shards'])})" if summary["failed_shards"] else "")
        + f"; {summary['resources_gone']} deleted while scanning",
        f"api calls: {calls['total']} ({calls['http_requests']} HTTP requests with retries)",
    ]
    if summary["by_control"]:
        lines.append("by control: " + ", ".join(f"{k}: {n}" for k, n in summary["by_control"].items()))
    if summary["by_kind"]:
        lines.append("by kind: " + ", ".join(f"{k}: {n}" for k, n in summary["by_kind"].items()))
    for account, verdicts in summary["by_account"].items():
        lines.append(f"account {account}: " + ", ".join(f"{n} {v}" for v, n in verdicts.items()))
    return lines
