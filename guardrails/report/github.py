"""GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` annotation per violation."""

from __future__ import annotations

from guardrails.report.model import CheckRun
from guardrails.report.sarif import artifact_uri


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _file_properties(file: str, line: int | None) -> list[str]:
    uri = artifact_uri(file)
    if not uri or uri.startswith("file:"):
        return []
    return [f"file={_escape_property(uri)}", *([f"line={line}"] if line else [])]


def _unjudged(run: CheckRun, quiet: bool) -> list[str]:
    """`::error` per file not judged and per blocking unknown content; notes as warnings / notices."""
    lines: list[str] = []
    for error in run.errors:
        props = ",".join([*_file_properties(error.file, error.line), "title=guardrails input error"])
        lines.append(f"::error {props}::{_escape_data(f'not judged: {error.message}')}")
    for note in run.notes:
        if note.kind == "unknown-content":
            command = "error" if run.unknown_blocks else "warning"
        elif note.kind in ("not-followed", "not-evaluated"):
            command = "notice"
        else:
            continue
        if quiet and command != "error":
            continue
        where = " ".join(part for part in (note.type, note.logical_id) if part)
        title = f"guardrails {note.kind.replace('-', ' ')}"
        props = ",".join([*_file_properties(note.file, None), f"title={_escape_property(title)}"])
        lines.append(f"::{command} {props}::{_escape_data((where + ': ' if where else '') + note.reason)}")
    return lines


def render_github(run: CheckRun, *, quiet: bool = False) -> str:
    """`quiet`: `::error` annotations only (deny violations that count, engine and input errors, blocking
    unknown content)."""
    lines: list[str] = []
    for d in run.decisions:
        loc = d.resource.location
        properties = []
        uri = artifact_uri(loc.file if loc else None)
        if uri and not uri.startswith("file:"):
            properties.append(f"file={_escape_property(uri)}")
            if loc and loc.line:
                properties.append(f"line={loc.line}")
        logical = loc.logical_id if loc and loc.logical_id else d.resource.name
        if d.error:
            props = ",".join([*properties, f"title={_escape_property('guardrails engine error')}"])
            lines.append(f"::error {props}::{_escape_data(f'{logical}: {d.error}')}")
        for v in d.violations:
            if not v.counts:
                command = "notice"
                waiver = v.exemption or v.suppression
                kind = "exempted" if v.exemption else "suppressed"
                suffix = f" ({kind}: {waiver.reason})" if waiver else ""
            else:
                command = "error" if v.enforcement == "deny" else "warning"
                suffix = " (unknown before deploy)" if v.unknown else ""
            if quiet and command != "error":
                continue
            title = f"{v.control} {v.title or ''}".strip()
            props = ",".join([*properties, f"title={_escape_property(title)}"])
            message = f"{d.resource.type} {logical}: {v.message}{suffix}"
            lines.append(f"::{command} {props}::{_escape_data(message)}")
    lines.extend(_unjudged(run, quiet))
    return "\n".join(lines) + ("\n" if lines else "")
