"""The terminal report: grouped by file, then resource; one line per violation."""

from __future__ import annotations

from collections import defaultdict

import click

from guardrails.decision import Decision, Violation
from guardrails.report.model import CheckRun

VERDICT_COLOURS = {"allow": "green", "warn": "yellow", "deny": "red", "error": "magenta"}


def _violation_lines(v: Violation, colour: bool) -> list[str]:
    marker = "~" if not v.counts else ("?" if v.unknown else "x")
    state = "exempted" if v.exemption else ("suppressed" if v.suppression else v.enforcement)
    tag = f"{v.control} [{v.severity}, {state}]"
    if colour:
        tag = click.style(
            tag, fg="red" if v.enforcement == "deny" and v.counts else "yellow", bold=True
        )
    lines = [f"    {marker} {tag} {v.message}"]
    if v.path:
        lines.append(f"        at {v.path}")
    if v.exemption:
        until = f" until {v.exemption.expires}" if v.exemption.expires else ""
        ticket = f" ({v.exemption.ticket})" if v.exemption.ticket else ""
        lines.append(f"        exempted{until}{ticket}: {v.exemption.reason}")
    elif v.suppression:
        until = f" until {v.suppression.expires}" if v.suppression.expires else ""
        origin = "template Metadata" if v.suppression.source == "cloudformation-metadata" else "resource tag"
        lines.append(f"        suppressed ({origin}){until}: {v.suppression.reason}")
    elif v.remediation:
        lines.append(f"        fix: {v.remediation}")
    return lines


def _resource_header(d: Decision, colour: bool) -> str:
    loc = d.resource.location
    where = []
    if loc and loc.logical_id and loc.logical_id != d.resource.name:
        where.append(f"logical id {loc.logical_id}")
    if loc and loc.line:
        where.append(f"line {loc.line}")
    suffix = f" ({', '.join(where)})" if where else ""
    verdict = d.verdict.upper()
    if colour:
        verdict = click.style(verdict, fg=VERDICT_COLOURS[d.verdict], bold=True)
    return f"  {verdict:<5} {d.resource.type} {d.resource.name}{suffix}"


NOTE_HEADINGS = {
    "unknown-content": "Unknown content (macros, includes: fails like an unknown violation):",
    "not-followed": "Not followed (nested stacks whose child template is not a local file):",
    "not-evaluated": "Not evaluated (SageMaker/S3 resource types no control covers):",
    "terraform-source": "Not read (Terraform sources: check their plan instead):",
    "suppression": "Suppression warnings (not applied or not needed):",
}


def _unjudged_lines(run: CheckRun, colour: bool) -> list[str]:
    """Input errors and what no control judged, after the results."""
    out: list[str] = []
    if run.errors:
        heading = "Input errors (not judged; the run exits 2):"
        out.append(click.style(heading, fg="magenta", bold=True) if colour else heading)
        out.extend(f"  ! {error}" for error in run.errors)
        out.append("")
    for kind, heading in NOTE_HEADINGS.items():
        notes = run.notes_of(kind)
        if not notes:
            continue
        out.append(click.style(heading, bold=True) if colour else heading)
        for note in notes:
            what = " ".join(part for part in (note.type, note.logical_id) if part)
            out.append(f"  - {note.file}{': ' + what if what else ''}: {note.reason}")
        out.append("")
    return out


def render_text(run: CheckRun, *, colour: bool = False, show_passed: bool = False) -> str:
    by_file: dict[str, list[Decision]] = defaultdict(list)
    for d in run.decisions:
        file = d.resource.location.file if d.resource.location and d.resource.location.file else "(no file)"
        by_file[file].append(d)
    out: list[str] = []
    for file, decisions in by_file.items():
        shown = [d for d in decisions if show_passed or d.verdict != "allow" or d.violations]
        if not shown:
            continue
        out.append(click.style(file, bold=True) if colour else file)
        for d in shown:
            out.append(_resource_header(d, colour))
            if d.error:
                out.append(f"    ! engine error: {d.error}")
            for v in d.violations:
                out.extend(_violation_lines(v, colour))
        out.append("")
    out.extend(_unjudged_lines(run, colour))
    s = run.summary()
    verdicts, violations = s["verdicts"], s["violations"]
    counts = ", ".join(f"{verdicts[k]} {k}" for k in ("deny", "warn", "allow", "error"))
    out.append(
        f"{s['resources']} resources in {s['files_checked']} files ({s['files_skipped']} skipped): {counts}"
    )
    if run.errors or run.notes:
        out.append(
            f"input errors: {len(run.errors)}; not evaluated: {len(run.notes_of('not-evaluated'))};"
            f" not followed: {len(run.notes_of('not-followed'))};"
            f" unknown content: {len(run.notes_of('unknown-content'))}"
        )
    out.append(
        f"violations: {violations['deny']} deny, {violations['warn']} warn,"
        f" {violations['exempted']} exempted, {violations['unknown']} undecidable (unknown values);"
        f" policy bundle {s['bundle']['version']}"
    )
    return "\n".join(out) + "\n"
