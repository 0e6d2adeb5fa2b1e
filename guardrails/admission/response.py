"""Decisions -> the Lambda Hook response: status, a bounded message naming the controls, annotations.

- any `deny` decision -> FAILED / NonCompliant
- else any `error` decision -> FAILED / InternalFailure (fail closed); with `fail_open`, SUCCESS with a
  warning annotation when every error is an infrastructure failure (`Decision.infrastructure_failure`:
  payload download, deadline, policy-server outage). An error caused by the request's own content always
  blocks.
- else SUCCESS (annotations for `warn` violations)

The message starts with the verdict summary, lists `<logical id>: <control> [<enforcement>] <message>`
lines, is cut at a line boundary with "… and N more", and always ends with the decision id(s) (the key
to the audit trail). CloudFormation keeps 4,096 characters of it, Cloud Control 1,024.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from guardrails.admission.hook_models import Annotation, ErrorCode, HookResponse, HookStatus, SeverityLevel
from guardrails.decision import Decision, Violation

CLOUDFORMATION_MESSAGE_LIMIT = 4096
CLOUD_CONTROL_MESSAGE_LIMIT = 1024
ERROR_ANNOTATION = "GUARDRAILS-EVALUATION-ERROR"
_LINE_LIMIT = 300
_ANNOTATION_TEXT_LIMIT = 4096
_SEVERITY: dict[str, SeverityLevel] = {
    "low": "LOW",
    "medium": "MEDIUM",
    "high": "HIGH",
    "critical": "CRITICAL",
}
_SPACES = re.compile(r"\s+")


def hook_response(
    client_request_token: str,
    decisions: Sequence[Decision],
    *,
    fail_open: bool = False,
    message_limit: int = CLOUDFORMATION_MESSAGE_LIMIT,
    request_id: str | None = None,
) -> HookResponse:
    """The response for the decisions of one hook invocation (at least one decision)."""
    denied = [d for d in decisions if d.verdict == "deny"]
    errors = [d for d in decisions if d.verdict == "error"]
    blocking = [d for d in errors if not passes_open(d, fail_open)]
    warned = [d for d in decisions if d.verdict == "warn"]
    total = len(decisions)
    deny_controls = _controls(decisions, "deny")
    warn_controls = _controls(decisions, "warn")
    status: HookStatus
    error_code: ErrorCode | None = None
    if denied:
        status, error_code = "FAILED", "NonCompliant"
        header = (
            f"NonCompliant: {_count(len(denied), total)} {_verb('violate', total)} "
            f"deny {_noun('control', len(deny_controls))} {', '.join(deny_controls)}"
        )
        if errors:
            header += f"; {_count(len(errors), total)} could not be evaluated"
    elif blocking:
        status, error_code = "FAILED", "InternalFailure"
        header = f"InternalFailure: {_count(len(errors), total)} could not be evaluated (fail closed)"
        if fail_open:
            header += (
                "; admission.fail_open covers infrastructure failures only, "
                "not a request that cannot be judged"
            )
    elif errors:
        status = "SUCCESS"
        header = (
            f"Allowed with warnings: {_count(len(errors), total)} could not be evaluated and "
            "admission.fail_open is set"
        )
    elif warned:
        status = "SUCCESS"
        header = (
            f"Compliant with warnings: {_count(len(warned), total)} {_verb('fail', total)} "
            f"warn {_noun('control', len(warn_controls))} {', '.join(warn_controls)}"
        )
    else:
        status = "SUCCESS"
        header = f"Compliant: {_plural(total, 'resource')} evaluated, no violations"
    if warn_controls and (denied or errors):
        header += f" (warn: {', '.join(warn_controls)})"
    message = bounded_message(
        header + ".", _detail_lines(decisions), _decision_ids(decisions, request_id), message_limit
    )
    return HookResponse(
        hook_status=status,
        error_code=error_code,
        message=message,
        client_request_token=client_request_token,
        annotations=annotations_for(decisions, fail_open=fail_open),
    )


def passes_open(decision: Decision, fail_open: bool) -> bool:
    """An `error` decision `fail_open` lets pass: only an infrastructure failure, never the request's own."""
    return fail_open and decision.verdict == "error" and decision.infrastructure_failure


def failure_response(
    client_request_token: str,
    message: str,
    *,
    error_code: str = "InternalFailure",
    message_limit: int = CLOUDFORMATION_MESSAGE_LIMIT,
) -> HookResponse:
    return HookResponse(
        hook_status="FAILED",
        error_code=error_code,  # type: ignore[arg-type]
        message=_cut(message, message_limit),
        client_request_token=client_request_token,
    )


def success_response(
    client_request_token: str, message: str, *, message_limit: int = CLOUDFORMATION_MESSAGE_LIMIT
) -> HookResponse:
    return HookResponse(
        hook_status="SUCCESS", message=_cut(message, message_limit), client_request_token=client_request_token
    )


def bounded_message(header: str, lines: Sequence[str], footer: str, limit: int) -> str:
    """`header`, as many `lines` as fit, "… and N more", `footer`: at most `limit` characters.

    The footer (decision ids) is always kept; the header is shortened only when it alone would not fit.
    """
    footer = _cut(footer, limit // 3)
    header = _cut(header, limit - len(footer) - 1)
    budget = limit - len(header) - len(footer) - 2  # two newlines
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        remaining = len(lines) - index - 1
        more = f"… and {remaining} more" if remaining else ""
        cost = len(line) + 1
        reserve = len(more) + 1 if more else 0
        if used + cost + reserve > budget:
            break
        kept.append(line)
        used += cost
    if len(kept) < len(lines):
        more_line = f"… and {len(lines) - len(kept)} more"
        while kept and used + len(more_line) + 1 > budget:
            used -= len(kept.pop()) + 1
            more_line = f"… and {len(lines) - len(kept)} more"
        if used + len(more_line) + 1 <= budget:
            kept.append(more_line)
    return "\n".join([header, *kept, footer])[:limit]


def annotations_for(decisions: Sequence[Decision], *, fail_open: bool = False) -> list[Annotation]:
    """One annotation per violation (FAILED; SKIPPED when exempted) and per evaluation error."""
    annotations: list[Annotation] = []
    for decision in decisions:
        where = _where(decision)
        if decision.verdict == "error":
            consequence = (
                "allowed only because admission.fail_open is set"
                if passes_open(decision, fail_open)
                else "the operation is blocked because it could not be evaluated (fail closed)"
            )
            annotations.append(
                Annotation(
                    annotation_name=ERROR_ANNOTATION,
                    status="FAILED",
                    status_message=_cut(
                        f"{where}: could not be evaluated: {decision.error}", _ANNOTATION_TEXT_LIMIT
                    ),
                    remediation_message=(
                        f"Fix the input or the policy bundle and retry; {consequence}. "
                        f"decision_id={decision.decision_id}"
                    ),
                    severity_level="HIGH",
                )
            )
            continue
        for violation in decision.violations:
            annotations.append(_violation_annotation(where, violation))
    return annotations


def _violation_annotation(where: str, violation: Violation) -> Annotation:
    text = f"{where}: {violation.message}"
    if violation.unknown:
        text += " (undecidable before deploy: reported unknown, enforced as a failure)"
    if violation.exemption is not None:
        exemption = violation.exemption
        ticket = f", ticket {exemption.ticket}" if exemption.ticket else ""
        expires = f", expires {exemption.expires}" if exemption.expires else ""
        text += f" [exempted: {exemption.reason}{ticket}{expires}]"
    remediation = violation.remediation or violation.title or f"See control {violation.control}."
    return Annotation(
        annotation_name=violation.control,
        status="FAILED" if violation.counts else "SKIPPED",
        status_message=_cut(text, _ANNOTATION_TEXT_LIMIT),
        remediation_message=_cut(remediation, _ANNOTATION_TEXT_LIMIT),
        severity_level=_SEVERITY.get(violation.severity, "MEDIUM"),
    )


def _detail_lines(decisions: Sequence[Decision]) -> list[str]:
    """Deny violations first, then evaluation errors, warn violations, exempted ones."""
    ranked: list[tuple[int, int, str]] = []
    for order, decision in enumerate(decisions):
        where = _where(decision)
        if decision.verdict == "error":
            ranked.append((1, order, _cut(f"{where}: error {_one_line(decision.error or '')}", _LINE_LIMIT)))
            continue
        for violation in decision.violations:
            if not violation.counts:
                rank, label = 3, f"{violation.enforcement}, exempted"
            elif violation.enforcement == "deny":
                rank, label = 0, "deny"
            else:
                rank, label = 2, "warn"
            if violation.unknown:
                label += ", unknown"
            line = f"{where}: {violation.control} [{label}] {_one_line(violation.message)}"
            ranked.append((rank, order, _cut(line, _LINE_LIMIT)))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [line for _, _, line in ranked]


def _decision_ids(decisions: Sequence[Decision], request_id: str | None) -> str:
    if len(decisions) == 1:
        return f"decision_id={decisions[0].decision_id}"
    rank = {"deny": 0, "error": 1, "warn": 2, "allow": 3}
    ordered = sorted(decisions, key=lambda d: rank.get(d.verdict, 4))
    ids = [d.decision_id for d in ordered if d.verdict != "allow"] or [d.decision_id for d in ordered]
    shown = ids[:8]
    text = "decision_ids=" + ",".join(shown)
    rest = len(decisions) - len(shown)
    if rest:
        text += f" (+{rest} more" + (f"; audit request_id={request_id})" if request_id else ")")
    return text


def _controls(decisions: Sequence[Decision], enforcement: str) -> list[str]:
    return sorted(
        {v.control for d in decisions for v in d.violations if v.counts and v.enforcement == enforcement}
    )


def _where(decision: Decision) -> str:
    location = decision.resource.location
    return (location.logical_id if location and location.logical_id else None) or decision.resource.name


def _count(count: int, total: int) -> str:
    return f"{count} of {total} resources" if total > 1 else "the resource"


def _verb(verb: str, total: int) -> str:
    return verb + "s" if total == 1 else verb


def _plural(count: int, noun: str) -> str:
    return f"{count} {_noun(noun, count)}"


def _noun(noun: str, count: int) -> str:
    return noun if count == 1 else noun + "s"


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"
