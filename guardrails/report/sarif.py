"""SARIF 2.1.0 report: one rule per catalog control, one result per violation (GitHub code scanning,
Azure DevOps, any SARIF viewer). Exempted and suppressed violations are results with `suppressions`."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from guardrails import __version__
from guardrails.decision import Decision, Violation
from guardrails.engine.bundle import Catalog, ControlInfo
from guardrails.report.model import CheckRun

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sagemaker-guardrails/sagemaker-guardrails"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
"""GitHub code scanning reads `security-severity` (CVSS-like score) to rank security alerts."""
ENGINE_ERROR_RULE = "GR-ENGINE-ERROR"
INPUT_ERROR_RULE = "GR-INPUT-ERROR"
UNKNOWN_CONTENT_RULE = "GR-UNKNOWN-CONTENT"
NOTE_LEVELS = {"unknown-content": "warning", "not-followed": "note", "not-evaluated": "note"}
"""Notes that become tool execution notifications (unknown content is "error" when it blocks the run)."""


def artifact_uri(file: str | None, base: Path | None = None) -> str | None:
    """A file path as a relative URI with forward slashes when it lies under `base` (the cwd)."""
    if not file:
        return None
    base = base or Path.cwd()
    path = Path(file)
    try:
        relative = path.resolve().relative_to(base.resolve())
    except ValueError:
        return path.resolve().as_uri() if path.is_absolute() else path.as_posix()
    return relative.as_posix()


def security_hub_controls(info: ControlInfo | None) -> list[str]:
    """`SecurityHub SageMaker.1` catalog mappings -> `["SageMaker.1"]`."""
    if info is None:
        return []
    out: list[str] = []
    for mapping in info.mappings:
        if mapping.startswith("SecurityHub "):
            out.extend(part.strip() for part in mapping.removeprefix("SecurityHub ").split(","))
    return out


def _rule(control: str, info: ControlInfo | None) -> dict[str, Any]:
    if info is None:
        return {
            "id": control,
            "shortDescription": {"text": f"{control} (custom control, not in the catalog)"},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["security", "guardrails"]},
        }
    hub = security_hub_controls(info)
    mapping_text = f" Maps to: {', '.join(info.mappings)}." if info.mappings else ""
    return {
        "id": info.id,
        "name": "".join(word[:1].upper() + word[1:] for word in info.title.split()),
        "shortDescription": {"text": info.title},
        "fullDescription": {
            "text": f"{info.title} ({', '.join(info.resource_types)}).{mapping_text}",
        },
        "help": {
            "text": f"{info.remediation}{mapping_text}",
            "markdown": f"**{info.id} {info.title}**\n\n{info.remediation}\n\n"
            + (f"Maps to: {', '.join(info.mappings)}\n" if info.mappings else ""),
        },
        "defaultConfiguration": {"level": "error" if info.default_enforcement == "deny" else "warning"},
        "properties": {
            "tags": ["security", "guardrails", *info.resource_types],
            "precision": "very-high",
            "problem.severity": "error" if info.default_enforcement == "deny" else "warning",
            "security-severity": SECURITY_SEVERITY[info.severity],
            "severity": info.severity,
            "securityHubControls": hub,
            "mappings": list(info.mappings),
        },
    }


def _level(v: Violation) -> str:
    return "error" if v.enforcement == "deny" else "warning"


def _location(decision: Decision, base: Path | None) -> dict[str, Any]:
    loc = decision.resource.location
    location: dict[str, Any] = {}
    uri = artifact_uri(loc.file if loc else None, base)
    if uri is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if not uri.startswith("file:"):
            physical["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
        if loc and loc.line:
            physical["region"] = {"startLine": loc.line}
        location["physicalLocation"] = physical
    logical_id = loc.logical_id if loc and loc.logical_id else decision.resource.name
    location["logicalLocations"] = [
        {"name": logical_id, "fullyQualifiedName": logical_id, "kind": "resource"},
    ]
    return location


def _fingerprint(decision: Decision, control: str, path: str | None) -> str:
    loc = decision.resource.location
    key = "|".join(
        [
            control,
            decision.resource.type,
            (loc.logical_id if loc and loc.logical_id else decision.resource.name) or "",
            path or "",
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _suppressions(v: Violation) -> list[dict[str, Any]]:
    """A config exemption is an `external` suppression, a template/plan one `inSource`."""
    if v.exemption is not None:
        until = f" (until {v.exemption.expires})" if v.exemption.expires else ""
        ticket = f" [{v.exemption.ticket}]" if v.exemption.ticket else ""
        justification = f"{v.exemption.reason}{ticket}{until}"
        return [{"kind": "external", "status": "accepted", "justification": justification}]
    if v.suppression is not None:
        until = f" (until {v.suppression.expires})" if v.suppression.expires else ""
        return [
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": f"{v.suppression.reason}{until}",
                "properties": {"source": v.suppression.source},
            }
        ]
    return []


def build_sarif(run: CheckRun, base: Path | None = None) -> dict[str, Any]:
    catalog = run.catalog or Catalog(version=run.bundle_version or "0", controls=[])
    rules: list[dict[str, Any]] = [_rule(c.id, c) for c in catalog.controls]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []

    def rule_index(control: str) -> int:
        if control not in index:
            index[control] = len(rules)
            rules.append(_rule(control, None))
        return index[control]

    for decision in run.decisions:
        location = _location(decision, base)
        if decision.error:
            if ENGINE_ERROR_RULE not in index:
                index[ENGINE_ERROR_RULE] = len(rules)
                rules.append(
                    {
                        "id": ENGINE_ERROR_RULE,
                        "shortDescription": {"text": "The policy engine could not evaluate the resource"},
                        "defaultConfiguration": {"level": "error"},
                    }
                )
            results.append(
                {
                    "ruleId": ENGINE_ERROR_RULE,
                    "ruleIndex": index[ENGINE_ERROR_RULE],
                    "level": "error",
                    "message": {"text": f"{decision.resource.name}: engine error: {decision.error}"},
                    "locations": [location],
                }
            )
            notifications.append({"level": "error", "message": {"text": decision.error}})
        for v in decision.violations:
            text = v.message
            if v.unknown:
                text = f"{text} (not decidable before deploy: a value is unknown)"
            result: dict[str, Any] = {
                "ruleId": v.control,
                "ruleIndex": rule_index(v.control),
                "level": _level(v),
                "message": {"text": f"{decision.resource.type} {decision.resource.name}: {text}"},
                "locations": [location],
                "partialFingerprints": {"guardrails/v1": _fingerprint(decision, v.control, v.path)},
                "properties": {
                    "severity": v.severity,
                    "enforcement": v.enforcement,
                    "resourceType": decision.resource.type,
                    "resourceName": decision.resource.name,
                    "path": v.path,
                    "unknown": v.unknown,
                    "decisionId": decision.decision_id,
                    **({"via": v.via} if v.via else {}),
                },
            }
            suppressions = _suppressions(v)
            if suppressions:
                result["suppressions"] = suppressions
            results.append(result)
    _unjudged(run, base, results, notifications, rules, index)
    run_object: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "guardrails",
                "fullName": "sagemaker-guardrails policy-as-code engine",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
                "properties": {"bundleVersion": run.bundle_version, "bundleDigest": run.bundle_digest},
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": (base or Path.cwd()).resolve().as_uri() + "/"}},
        "invocations": [
            {
                "executionSuccessful": not (run.errors or any(d.error for d in run.decisions)),
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
        "columnKind": "utf16CodeUnits",
    }
    if not notifications:
        del run_object["invocations"][0]["toolExecutionNotifications"]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run_object]}


def _file_location(file: str, line: int | None, base: Path | None) -> dict[str, Any] | None:
    uri = artifact_uri(file, base)
    if uri is None:
        return None
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if not uri.startswith("file:"):
        physical["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _unjudged(
    run: CheckRun,
    base: Path | None,
    results: list[dict[str, Any]],
    notifications: list[dict[str, Any]],
    rules: list[dict[str, Any]],
    index: dict[str, int],
) -> None:
    """Input errors (files not judged: the run exits 2) and notes, as notifications; an input error and
    blocking unknown content are also results, so code scanning shows why the gate failed."""

    def rule(rule_id: str, text: str) -> int:
        if rule_id not in index:
            index[rule_id] = len(rules)
            rules.append(
                {
                    "id": rule_id,
                    "shortDescription": {"text": text},
                    "defaultConfiguration": {"level": "error"},
                }
            )
        return index[rule_id]

    for error in run.errors:
        location = _file_location(error.file, error.line, base)
        notification: dict[str, Any] = {"level": "error", "message": {"text": f"input error: {error}"}}
        result: dict[str, Any] = {
            "ruleId": INPUT_ERROR_RULE,
            "ruleIndex": rule(INPUT_ERROR_RULE, "The input could not be read or judged"),
            "level": "error",
            "message": {"text": f"input error (not judged): {error.message}"},
        }
        if location is not None:
            notification["locations"] = [location]
            result["locations"] = [location]
        notifications.append(notification)
        results.append(result)
    for note in run.notes:
        if note.kind not in NOTE_LEVELS:
            continue
        blocks = note.kind == "unknown-content" and run.unknown_blocks
        where = " ".join(part for part in (note.type, note.logical_id) if part)
        text = f"{note.kind.replace('-', ' ')}: {where + ': ' if where else ''}{note.reason}"
        location = _file_location(note.file, None, base)
        notification = {"level": "error" if blocks else NOTE_LEVELS[note.kind], "message": {"text": text}}
        if location is not None:
            notification["locations"] = [location]
        notifications.append(notification)
        if blocks:
            result = {
                "ruleId": UNKNOWN_CONTENT_RULE,
                "ruleIndex": rule(UNKNOWN_CONTENT_RULE, "Content no control can see before deploy"),
                "level": "error",
                "message": {"text": f"{text} (unknown: deny)"},
            }
            if location is not None:
                result["locations"] = [location]
            results.append(result)


def render_sarif(run: CheckRun) -> str:
    return json.dumps(build_sarif(run, Path(os.getcwd())), indent=2) + "\n"
