"""GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` annotation per violation."""

from __future__ import annotations

from guardrails.report.model import CheckRun
from guardrails.report.sarif import artifact_uri


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(run: CheckRun, *, quiet: bool = False) -> str:
    """`quiet`: `::error` annotations only (deny violations that count, engine errors)."""
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
    return "\n".join(lines) + ("\n" if lines else "")
