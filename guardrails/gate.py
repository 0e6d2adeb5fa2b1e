"""The exit code of `guardrails check`: what blocks the pipeline (`--fail-on`, `--soft-fail`)."""

from __future__ import annotations

from guardrails.report.model import CheckRun

SEVERITIES = ("low", "medium", "high", "critical")
EXIT_PASS, EXIT_VIOLATIONS, EXIT_INPUT_ERROR = 0, 1, 2


def blocking_violations(run: CheckRun, fail_on: str | None = None) -> int:
    """Counting `deny` violations at or above `fail_on` (every severity when None)."""
    floor = SEVERITIES.index(fail_on) if fail_on else 0
    return sum(
        1
        for d in run.decisions
        for v in d.violations
        if v.counts and v.enforcement == "deny" and SEVERITIES.index(v.severity) >= floor
    )


def exit_code(run: CheckRun, *, fail_on: str | None = None, soft_fail: bool = False) -> int:
    """2: an input could not be judged. 1: an engine error (never softened: nothing was decided), or,
    unless `soft_fail`, a blocking violation or unknown content. 0 otherwise."""
    if run.has_input_errors:
        return EXIT_INPUT_ERROR
    if any(d.verdict == "error" for d in run.decisions):
        return EXIT_VIOLATIONS
    if soft_fail:
        return EXIT_PASS
    if fail_on is None:
        return EXIT_VIOLATIONS if run.has_deny else EXIT_PASS
    blocked_by_notes = run.unknown_blocks and bool(run.notes_of("unknown-content"))
    return EXIT_VIOLATIONS if blocked_by_notes or blocking_violations(run, fail_on) else EXIT_PASS
