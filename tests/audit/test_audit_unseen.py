"""What no policy could see reaches the audit trail: the unknown content of a template (a macro, an
include from S3) and the nested stacks `check` did not follow are each a decision (Decider.unseen_decision)
in the gate record, with the note's kind and reason, the verdict the gate gave them, and a verifying chain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.audit import AuditRecord, open_sink, verify_sink
from guardrails.checking import record_check_run, run_check
from guardrails.config import GuardrailsConfig
from guardrails.decider import Decider
from guardrails.decision import ResourceRef
from guardrails.sources.notes import InputNote

TEMPLATE = {
    "Transform": "Acme::Expand",
    "Resources": {
        "Child": {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {"TemplateURL": "https://b.s3.amazonaws.com/child.yaml"},
        },
        "Topic": {"Type": "AWS::SNS::Topic"},
    },
}


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _checked(tmp_path: Path, config: GuardrailsConfig) -> list[dict]:
    (tmp_path / "stack.yaml").write_text(json.dumps(TEMPLATE))
    run = run_check([tmp_path / "stack.yaml"], config)
    assert run.decisions == [] and run.unjudged == []
    audit = tmp_path / "audit.jsonl"
    assert record_check_run(run, [f"file://{audit}"], store_input=True) == len(run.unseen) == 2
    with open_sink(f"file://{audit}") as sink:
        verification = verify_sink(sink)
    assert verification.ok and verification.records == 2
    return sorted(_records(audit), key=lambda r: r["unseen"][0]["kind"])


def test_check_records_unknown_content_and_a_stack_not_followed_with_the_gates_verdict(tmp_path):
    not_followed, unknown = _checked(tmp_path, GuardrailsConfig())
    assert unknown["verdict"] == "deny" and unknown["action"]["kind"] == "fail-pipeline"
    assert "error" not in unknown  # nothing failed: it is a decision, not an error
    assert unknown["resource"]["type"] == "AWS::CloudFormation::Stack"
    assert unknown["resource"]["name"].endswith("stack.yaml")
    (part,) = unknown["unseen"]
    assert part["kind"] == "unknown-content" and "Acme::Expand" in part["reason"]
    assert not_followed["verdict"] == "warn" and not_followed["action"]["kind"] == "pass-pipeline"
    assert not_followed["source_ref"]["logical_id"] == "Child"
    assert (not_followed["resource"]["type"], not_followed["resource"]["name"]) == (
        "AWS::CloudFormation::Stack",
        "Child",
    )
    assert not_followed["unseen"][0]["kind"] == "not-followed"
    assert not_followed["input"] == {"unseen": not_followed["unseen"]}
    for record in (unknown, not_followed):
        AuditRecord.model_validate(record)
        assert (record["point"], record["source"]) == ("pre-deploy", "cloudformation")


def test_unknown_warn_records_unknown_content_as_warn_and_the_pipeline_passing(tmp_path):
    _, unknown = _checked(tmp_path, GuardrailsConfig(unknown="warn"))
    assert unknown["verdict"] == "warn" and unknown["action"]["kind"] == "pass-pipeline"


def test_the_cli_gate_record_says_why_the_pipeline_failed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stack.yaml").write_text(json.dumps(TEMPLATE))
    audit = tmp_path / "audit.jsonl"
    result = CliRunner().invoke(main, ["check", "stack.yaml", "--audit", f"file://{audit}"])
    assert result.exit_code == 1, result.output
    verdicts = {r["unseen"][0]["kind"]: r["verdict"] for r in _records(audit)}
    assert verdicts == {"unknown-content": "deny", "not-followed": "warn"}


def test_unseen_decision_is_made_by_the_decider_and_refuses_other_notes(decider: Decider):
    where = {"resource": ResourceRef(type="AWS::CloudFormation::Stack", name="s"), "point": "admission"}
    macro = InputNote("unknown-content", "f", None, None, "macro M")
    nested = InputNote("not-followed", "f", "Child", "AWS::CloudFormation::Stack", "not local")
    both = decider.unseen_decision([macro, nested], source="cloudformation", unknown_blocks=True, **where)
    assert both.verdict == "deny" and both.error is None and both.violations == []
    assert [p.kind for p in both.unseen or []] == ["unknown-content", "not-followed"]
    assert (both.bundle_digest, both.engine.name) == (decider.bundle.digest, decider.evaluator.name)
    only_nested = decider.unseen_decision([nested], source="cloudformation", unknown_blocks=True, **where)
    assert only_nested.verdict == "warn"
    warned = decider.unseen_decision([macro], source="cloudformation", unknown_blocks=False, **where)
    assert warned.verdict == "warn"
    with pytest.raises(ValueError, match="no unseen content"):
        decider.unseen_decision(
            [InputNote("not-evaluated", "f", "U", "AWS::SageMaker::App", "no control")],
            source="cloudformation",
            unknown_blocks=True,
            **where,
        )
    with pytest.raises(ValueError):
        decider.unseen_decision([], source="cloudformation", unknown_blocks=True, **where)
    ignored = [InputNote("suppression", "f", "X", None, "expired"), macro]
    made = decider.unseen(ignored, point="pre-deploy", source="cloudformation", unknown_blocks=True)
    assert [d.unseen for d in made] == [both.unseen[:1] if both.unseen else None]


def test_a_secret_in_a_note_reason_is_redacted_in_the_record(decider: Decider, tmp_path):
    from guardrails.audit import AuditTrail, current_actor

    secret = "AKIAIOSFODNN7EXAMPLE"  # an access key id pasted into a nested stack's URL
    note = InputNote("not-followed", "f", "Child", "AWS::CloudFormation::Stack", f"not local: {secret}")
    (decision,) = decider.unseen([note], point="pre-deploy", source="cloudformation", unknown_blocks=True)
    url = f"file://{tmp_path / 'a.jsonl'}"
    with AuditTrail.from_urls([url], cloudwatch=False) as trail:
        trail.record(decision, actor=current_actor())
    (record,) = _records(tmp_path / "a.jsonl")
    assert record["unseen"][0]["reason"] != f"not local: {secret}"
    assert secret not in json.dumps(record)
