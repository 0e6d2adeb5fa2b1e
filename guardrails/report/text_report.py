"""The terminal report: grouped by file, then resource; one line per violation."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from guardrails.decision import Decision, Violation
from guardrails.report.model import CheckRun


def _style(text: str, **styles: Any) -> str:
    """click.style, imported for a coloured report only (a `check` without colour runs without click)."""
    import click

    return click.style(text, **styles)


VERDICT_COLOURS = {"allow": "green", "warn": "yellow", "deny": "red", "error": "magenta"}


def _violation_lines(v: Violation, colour: bool) -> list[str]:
    marker = "~" if not v.counts else ("?" if v.unknown else "x")
    state = "exempted" if v.exemption else ("suppressed" if v.suppression else v.enforcement)
    tag = f"{v.control} [{v.severity}, {state}]"
    if colour:
        tag = _style(tag, fg="red" if v.enforcement == "deny" and v.counts else "yellow", bold=True)
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
        verdict = _style(verdict, fg=VERDICT_COLOURS[d.verdict], bold=True)
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
        out.append(_style(heading, fg="magenta", bold=True) if colour else heading)
        out.extend(f"  ! {error}" for error in run.errors)
        out.append("")
    for kind, heading in NOTE_HEADINGS.items():
        notes = run.notes_of(kind)
        if not notes:
            continue
        out.append(_style(heading, bold=True) if colour else heading)
        for note in notes:
            what = " ".join(part for part in (note.type, note.logical_id) if part)
            out.append(f"  - {note.file}{': ' + what if what else ''}: {note.reason}")
        out.append("")
    return out


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 resource`, `2 resources`, `0 files`."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _is_failure(v: Violation) -> bool:
    return v.counts and v.enforcement == "deny"


def _compact_lines(run: CheckRun, quiet: bool) -> list[str]:
    """One grep-friendly line per violation: `file:line: x SM-05 [high, deny] Type name: message`."""
    out = []
    for d in run.decisions:
        loc = d.resource.location
        file = (loc.file if loc else None) or "(no file)"
        where = f"{file}:{loc.line}" if loc and loc.line else file
        name = loc.logical_id if loc and loc.logical_id else d.resource.name
        if d.error:
            out.append(f"{where}: ! engine error {d.resource.type} {name}: {d.error}")
        for v in d.violations:
            if quiet and not _is_failure(v):
                continue
            marker = "~" if not v.counts else ("?" if v.unknown else "x")
            state = "exempted" if v.exemption else ("suppressed" if v.suppression else v.enforcement)
            head = f"{where}: {marker} {v.control} [{v.severity}, {state}]"
            out.append(f"{head} {d.resource.type} {name}: {v.message}")
    return out


def render_text(
    run: CheckRun,
    *,
    colour: bool = False,
    show_passed: bool = False,
    quiet: bool = False,
    compact: bool = False,
) -> str:
    """`quiet`: failures only (deny violations that count, engine and input errors); `compact`: one line
    per violation."""
    if compact:
        out = _compact_lines(run, quiet)
        out.extend(f"! {error}" for error in run.errors)
        out.extend(_summary_lines(run))
        return "\n".join(out) + "\n"
    by_file: dict[str, list[Decision]] = defaultdict(list)
    for d in run.decisions:
        file = d.resource.location.file if d.resource.location and d.resource.location.file else "(no file)"
        by_file[file].append(d)
    out = []
    for file, decisions in by_file.items():
        shown = [d for d in decisions if show_passed or d.verdict != "allow" or d.violations]
        if quiet:
            shown = [d for d in decisions if d.error or any(_is_failure(v) for v in d.violations)]
        if not shown:
            continue
        out.append(_style(file, bold=True) if colour else file)
        for d in shown:
            out.append(_resource_header(d, colour))
            if d.error:
                out.append(f"    ! engine error: {d.error}")
            for v in d.violations:
                if not quiet or _is_failure(v):
                    out.extend(_violation_lines(v, colour))
        out.append("")
    if quiet:
        out.extend(_unjudged_lines(run, colour)[: _error_block_length(run)])
    else:
        out.extend(_unjudged_lines(run, colour))
    out.extend(_summary_lines(run))
    return "\n".join(out) + "\n"


def _error_block_length(run: CheckRun) -> int:
    """The lines `_unjudged_lines` gives to input errors (heading, one per error, blank)."""
    return len(run.errors) + 2 if run.errors else 0


def _summary_lines(run: CheckRun) -> list[str]:
    out: list[str] = []
    s = run.summary()
    verdicts, violations = s["verdicts"], s["violations"]
    counts = ", ".join(f"{verdicts[k]} {k}" for k in ("deny", "warn", "allow", "error"))
    out.append(
        f"{plural(s['resources'], 'resource')} in {plural(s['files_checked'], 'file')}"
        f" ({s['files_skipped']} skipped): {counts}"
    )
    if run.errors or run.notes:
        out.append(
            f"input errors: {len(run.errors)}; not evaluated: {len(run.notes_of('not-evaluated'))};"
            f" not followed: {len(run.notes_of('not-followed'))};"
            f" unknown content: {len(run.notes_of('unknown-content'))}"
        )
    suppressed = f" {violations['suppressed']} suppressed," if violations.get("suppressed") else ""
    out.append(
        f"violations: {violations['deny']} deny, {violations['warn']} warn,"
        f" {violations['exempted']} exempted,{suppressed}"
        f" {violations['unknown']} undecidable (unknown values);"
        f" policy bundle {s['bundle']['version']}"
    )
    return out
