"""JUnit XML: one test suite per file, one test case per resource x control that applies to it.

A `deny` violation is a <failure>, a `warn` violation passes with the warning in <system-out>, an
exempted or suppressed one is <skipped> with its reason, an engine error is an <error>. A file that could
not be judged is an <error> test case "read input"; unknown content is a <failure> (a warning under
`unknown: warn`); a nested stack not followed or a resource not evaluated is <skipped>.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from guardrails.decision import Decision, Violation
from guardrails.report.model import CheckRun


def _controls_for(decision: Decision, run: CheckRun) -> list[str]:
    applicable = []
    if run.catalog is not None:
        applicable = [c.id for c in run.catalog.controls if decision.resource.type in c.resource_types]
    fired = [v.control for v in decision.violations]
    return list(dict.fromkeys([*applicable, *fired]))


def _case_name(decision: Decision) -> str:
    loc = decision.resource.location
    logical = loc.logical_id if loc and loc.logical_id else decision.resource.name
    return f"{decision.resource.type} {logical}"


def _describe(v: Violation) -> str:
    lines = [v.message]
    if v.path:
        lines.append(f"at {v.path}")
    if v.unknown:
        lines.append("not decidable before deploy: a value is unknown")
    if v.remediation:
        lines.append(f"fix: {v.remediation}")
    return "\n".join(lines)


def _skip_reason(v: Violation) -> str | None:
    if v.exemption:
        return f"exempted: {v.exemption.reason}"
    if v.suppression:
        return f"suppressed: {v.suppression.reason}"
    return None


_NOTE_CASES = {
    "unknown-content": "unknown content",
    "not-followed": "nested stack not followed",
    "not-evaluated": "not evaluated",
}


def _unjudged_cases(run: CheckRun, file: str, suite: ET.Element, counts: dict[str, int]) -> None:
    for error in run.errors:
        if error.file != file:
            continue
        case = ET.SubElement(suite, "testcase", name="read input", classname=file, file=file)
        if error.line:
            case.set("line", str(error.line))
        ET.SubElement(case, "error", message="input error (not judged)", type="input-error").text = str(error)
        counts["tests"] += 1
        counts["errors"] += 1
    for note in run.notes:
        if note.file != file or note.kind not in _NOTE_CASES:
            continue
        classname = " ".join(part for part in (note.type, note.logical_id) if part) or file
        case = ET.SubElement(suite, "testcase", name=_NOTE_CASES[note.kind], classname=classname, file=file)
        counts["tests"] += 1
        if note.kind == "unknown-content" and run.unknown_blocks:
            ET.SubElement(case, "failure", message=note.reason, type="unknown-content").text = note.reason
            counts["failures"] += 1
        elif note.kind == "unknown-content":
            ET.SubElement(case, "system-out").text = f"warning (unknown: warn): {note.reason}"
        else:
            ET.SubElement(case, "skipped", message=note.reason)
            counts["skipped"] += 1


def render_junit(run: CheckRun) -> str:
    by_file: dict[str, list[Decision]] = defaultdict(list)
    for d in run.decisions:
        loc = d.resource.location
        by_file[loc.file if loc and loc.file else "(no file)"].append(d)
    titles = {c.id: c.title for c in run.catalog.controls} if run.catalog else {}
    root = ET.Element("testsuites", name="guardrails")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for error in run.errors:
        by_file.setdefault(error.file, [])
    for note in run.notes:
        if note.kind in _NOTE_CASES:
            by_file.setdefault(note.file, [])
    for file, decisions in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=file)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for d in decisions:
            classname = _case_name(d)
            if d.error:
                case = ET.SubElement(
                    suite, "testcase", name="policy evaluation", classname=classname, file=file
                )
                ET.SubElement(case, "error", message="engine error", type="error").text = d.error
                counts["tests"] += 1
                counts["errors"] += 1
            for control in _controls_for(d, run):
                violations = [v for v in d.violations if v.control == control]
                title = titles.get(control, "")
                case = ET.SubElement(
                    suite, "testcase", name=f"{control} {title}".strip(), classname=classname, file=file
                )
                if d.resource.location and d.resource.location.line:
                    case.set("line", str(d.resource.location.line))
                counts["tests"] += 1
                counting = [v for v in violations if v.counts]
                denies = [v for v in counting if v.enforcement == "deny"]
                if denies:
                    failure = ET.SubElement(
                        case, "failure", message=denies[0].message, type=f"{control} {denies[0].severity}"
                    )
                    failure.text = "\n\n".join(_describe(v) for v in denies)
                    counts["failures"] += 1
                elif counting:
                    ET.SubElement(case, "system-out").text = "warning: " + "\n\n".join(
                        _describe(v) for v in counting
                    )
                elif violations:
                    reasons = "; ".join(r for r in map(_skip_reason, violations) if r)
                    ET.SubElement(case, "skipped", message=reasons)
                    counts["skipped"] += 1
        _unjudged_cases(run, file, suite, counts)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
