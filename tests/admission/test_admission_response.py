"""The response contract: bounded message naming controls and decision ids, annotations per violation."""

from __future__ import annotations

from dataclasses import replace

from decision_factory import hand_made_decision

from guardrails.admission.hook_models import HookRequest
from guardrails.admission.response import annotations_for, bounded_message, hook_response
from guardrails.decision import AppliedExemption, Decision, ResourceRef, Violation
from guardrails.documents import Location


def decision(logical_id: str, verdict: str, *violations: Violation, error: str | None = None) -> Decision:
    return hand_made_decision(
        ResourceRef(
            type="AWS::SageMaker::Model", name=logical_id.lower(), location=Location(logical_id=logical_id)
        ),
        violations,
        verdict,
        error=error,
        point="admission",
    )


def violation(control: str, enforcement: str = "deny", **extra) -> Violation:
    return Violation(
        control=control,
        severity=extra.pop("severity", "high"),
        enforcement=enforcement,  # type: ignore[arg-type]
        message=extra.pop("message", f"{control} fails"),
        path="X",
        **extra,
    )


def test_bounded_message_keeps_header_and_footer_and_cuts_at_lines():
    lines = [f"R{i}: SM-01 [deny] " + "x" * 80 for i in range(100)]
    for limit in (4096, 1024, 300):
        message = bounded_message("NonCompliant: header.", lines, "decision_ids=a,b", limit)
        parts = message.split("\n")
        assert len(message) <= limit
        assert parts[0] == "NonCompliant: header." and parts[-1] == "decision_ids=a,b"
        kept = parts[1:-2]
        assert all(line in lines for line in kept)
        assert parts[-2] == f"… and {100 - len(kept)} more"


def test_message_that_fits_is_not_cut():
    message = bounded_message("H.", ["a", "b"], "decision_id=1", 4096)
    assert message == "H.\na\nb\ndecision_id=1"


def test_deny_beats_error_and_warn_is_success():
    deny = decision("A", "deny", violation("SM-05"))
    err = decision("B", "error", error="engine panic")
    warn = decision("C", "warn", violation("SM-08", "warn", severity="low"))
    response = hook_response("t", [deny, err, warn]).to_wire()
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "NonCompliant")
    assert response["message"].startswith(
        "NonCompliant: 1 of 3 resources violate deny control SM-05; 1 of 3 resources could not be evaluated (warn: SM-08)."
    )
    assert hook_response("t", [warn]).hook_status == "SUCCESS"
    assert hook_response("t", [err]).error_code == "InternalFailure"
    assert hook_response("t", [err], fail_open=True).hook_status == "FAILED"  # the request's own error
    outage = replace(err, infrastructure_failure=True)
    assert hook_response("t", [outage]).hook_status == "FAILED"
    assert hook_response("t", [outage], fail_open=True).hook_status == "SUCCESS"
    assert hook_response("t", [outage, err], fail_open=True).hook_status == "FAILED"


def test_annotations_map_status_severity_and_remediation():
    exemption = AppliedExemption(control="SM-18", resource="A", reason="lab")
    annotations = annotations_for(
        [
            decision(
                "A",
                "deny",
                violation("SM-05", severity="critical", remediation="Disable it."),
                violation("SM-18", "warn", severity="low", exemption=exemption),
                violation("SM-17", unknown=True, title="Endpoints serve only compliant configs"),
            ),
        ]
    )
    wire = [a.model_dump(by_alias=True, exclude_none=True) for a in annotations]
    assert wire[0] == {
        "annotationName": "SM-05",
        "status": "FAILED",
        "statusMessage": "A: SM-05 fails",
        "remediationMessage": "Disable it.",
        "severityLevel": "CRITICAL",
    }
    assert wire[1]["status"] == "SKIPPED" and wire[1]["severityLevel"] == "LOW"
    assert "undecidable before deploy" in wire[2]["statusMessage"]
    assert wire[2]["remediationMessage"] == "Endpoints serve only compliant configs"


def test_request_model_accepts_the_documented_spelling_variants():
    request = HookRequest.model_validate(
        {
            "clientRequesttoken": "t",
            "stackID": "arn:aws:cloudformation:eu-west-1:1:stack/s/x",
            "actionInvocationPoint": "CREATE_PRE_PROVISION",
            "requestData": {"targetName": "STACK", "targetType": "STACK", "payload": "https://x"},
        }
    )
    assert request.client_request_token == "t" and request.region == "eu-west-1"
    assert request.target_kind == "STACK"
