"""The JSON report: the contract pipelines and our own hooks parse (documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from guardrails.decision import Decision
from guardrails.json_data import json_data
from guardrails.json_encoding import reusable_dumps
from guardrails.report.model import CheckRun


def result_entry(decision: Decision) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": decision.resource.type, "name": decision.resource.name}
    if decision.resource.arn:
        resource["arn"] = decision.resource.arn
    location = decision.resource.location
    resource["location"] = {
        "file": location.file if location else None,
        "line": location.line if location else None,
        "logical_id": location.logical_id if location else None,
    }
    violations = []
    for v in decision.violations:
        item: dict[str, Any] = {
            "control": v.control,
            "severity": v.severity,
            "enforcement": v.enforcement,
            "message": v.message,
            "path": v.path,
            "unknown": v.unknown,
        }
        if v.title:
            item["title"] = v.title
        if v.remediation:
            item["remediation"] = v.remediation
        if v.via:
            item["via"] = v.via
        if v.exemption:
            item["exemption"] = json_data(v.exemption)
        if v.suppression:
            item["suppression"] = json_data(v.suppression)
        violations.append(item)
    entry: dict[str, Any] = {
        "resource": resource,
        "violations": violations,
        "verdict": decision.verdict,
        "decision_id": decision.decision_id,
    }
    if decision.error:
        entry["error"] = decision.error
    return entry


_dumps = reusable_dumps(sort_keys=False, separators=(", ", ": "), ensure_ascii=True)
"""json.dumps with its defaults (one C encoder for every result: a check writes thousands)."""


def render_json(run: CheckRun) -> str:
    """One result per line: readable, diffable, and written by the C encoder (indent= is pure Python)."""
    results = ",\n    ".join(_dumps(result_entry(d)) for d in run.decisions)
    summary = json.dumps(run.summary())
    errors = json.dumps([{"file": e.file, "line": e.line, "message": e.message} for e in run.errors])
    if not results:
        return f'{{\n  "results": [],\n  "errors": {errors},\n  "summary": {summary}\n}}\n'
    return f'{{\n  "results": [\n    {results}\n  ],\n  "errors": {errors},\n  "summary": {summary}\n}}\n'
