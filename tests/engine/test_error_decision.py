"""`Decider.error_decision`: one shape of `error` decision, built in one place and used by every
enforcement point (check, CloudFormation hook, boto3 hook, runtime processor, scan)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from admission_support import RecordingTrail

from guardrails.admission import GuardrailEvaluationError
from guardrails.admission.boto3_hook import install
from guardrails.admission.cfn_hook import handle_hook_request
from guardrails.audit import open_sink
from guardrails.checking import record_check_run, run_check
from guardrails.config import GuardrailsConfig
from guardrails.decider import Decider
from guardrails.decision import Decision, ResourceRef
from guardrails.documents import ResourceDocument
from guardrails.errors import EngineError, InputError, TransientAwsError
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.processor import process_event
from guardrails.validation import validate


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[Decision]:
    """Every decision Decider.error_decision returns during the test."""
    seen: list[Decision] = []
    original = Decider.error_decision

    def spy(self, *args, **kwargs):
        decision = original(self, *args, **kwargs)
        seen.append(decision)
        return decision

    monkeypatch.setattr(Decider, "error_decision", spy)
    return seen


def _notebook() -> ResourceDocument:
    return validate(
        ResourceDocument,
        {
            "resource": {
                "type": "AWS::SageMaker::NotebookInstance",
                "name": "nb",
                "properties": {"NotebookInstanceName": "nb"},
            },
            "context": {"point": "admission", "source": "cloudformation", "location": {"logical_id": "Nb"}},
        },
    )


def test_error_decision_about_a_document_has_the_engine_errors_shape(decider):
    document = _notebook()
    made = decider.error_decision(EngineError("policy entry point failed"), document=document)

    class Failing:
        name, version, bundle = decider.evaluator.name, decider.evaluator.version, decider.bundle

        def evaluate_many(self, documents):
            return [EngineError("policy entry point failed") for _ in documents]

    engine = Decider(decider.config, Failing()).decide(document)
    assert replace(made, decision_id="") == replace(engine, decision_id="")
    assert made.verdict == "error" and made.error == "policy entry point failed"
    assert made.resource.location is not None and made.resource.location.logical_id == "Nb"


def test_error_decision_reads_the_exception_and_classifies_it(decider):
    where = {"resource": ResourceRef(type="unknown", name="x"), "point": "runtime", "source": "cloudtrail"}
    bad_input = decider.error_decision(InputError("event.json: detail: missing"), subject={"a": 1}, **where)
    assert (bad_input.error, bad_input.infrastructure_failure) == ("event.json: detail: missing", False)
    outage = decider.error_decision(TransientAwsError("GetObject", "SlowDown"), subject={"a": 1}, **where)
    assert outage.infrastructure_failure is True
    bug = decider.error_decision(KeyError("k"), subject={"a": 1}, **where)
    assert bug.error == "internal error: KeyError: 'k'" and bug.infrastructure_failure is False
    assert bad_input.input_digest == outage.input_digest  # the digest is of the subject
    odd = decider.error_decision("x", subject={1: float("nan"), "a": object()}, **where)
    assert odd.input_digest.startswith("sha256:")
    assert (bug.bundle_digest, bug.engine.name) == (decider.bundle.digest, decider.evaluator.name)
    with pytest.raises(TypeError):
        decider.error_decision("no subject")


def test_check_records_an_error_decision_for_a_file_it_cannot_judge(tmp_path: Path, decider, made):
    (tmp_path / "broken.yaml").write_text("Resources: [1, 2\n")
    run = run_check([tmp_path], decider.config, decider=decider)
    assert run.errors and run.unjudged == made
    assert run.unjudged[0].resource.location.file.endswith("broken.yaml")
    sink = f"file://{tmp_path / 'audit.jsonl'}"
    record_check_run(run, [sink])
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [r["verdict"] for r in records] == ["error"]
    assert records[0]["decision_id"] == made[0].decision_id
    assert records[0]["action"]["kind"] == "fail-pipeline"


def test_cloudformation_hook_answers_a_malformed_request_with_an_error_decision(decider, made):
    trail = RecordingTrail()
    response = handle_hook_request({"clientRequestToken": "t-1"}, decider=decider, trail=trail)
    assert response["hookStatus"] == "FAILED"
    assert len(made) == 1 and made[0].point == "admission" and made[0].source == "cloudformation"
    assert [r.decision_id for r in trail.records] == [made[0].decision_id]


def test_boto3_hook_blocks_a_request_it_cannot_judge_with_an_error_decision(aws, decider, made):
    session = boto3.session.Session(region_name="eu-west-1")
    trail = RecordingTrail()
    hook = install(session, decider=decider, audit=trail)
    try:
        with pytest.raises(GuardrailEvaluationError) as raised:
            session.client("sagemaker").create_notebook_instance(
                InstanceType="ml.t3.medium", RoleArn="arn:aws:iam::111122223333:role/r"
            )
    finally:
        hook.uninstall()
    assert raised.value.decision is made[0]
    assert made[0].point == "admission" and made[0].source == "api-request"
    assert [r.decision_id for r in trail.records] == [made[0].decision_id]


def test_runtime_records_a_malformed_event_as_an_error_decision(decider, made):
    trail = RecordingTrail()
    outcome = process_event({"id": "e-1", "detail": "x"}, decider=decider, trail=trail, clients=AwsClients())
    assert outcome.malformed and outcome.error_decision is made[0]
    assert made[0].point == "runtime" and made[0].resource.name == "e-1"
    assert [r.decision_id for r in trail.records] == [made[0].decision_id]


def test_scan_records_an_error_decision_for_an_account_it_cannot_read(monkeypatch, tmp_path, made):
    from guardrails.scan import runner
    from guardrails.scan.audit import record_scan
    from guardrails.scan.counting import ApiCallCounter
    from guardrails.scan.targets import AccountAccess, AccountTarget

    monkeypatch.setattr(
        runner,
        "open_account",
        lambda base, target, **kw: AccountAccess(target.account_id, None, "cannot assume r [AccessDenied]"),
    )
    decider = Decider(GuardrailsConfig())
    scan = runner.run_scan(
        [AccountTarget(account_id="111122223333")],
        runner.ScanOptions(regions=["eu-west-1"], kinds=[]),
        decider,
        base_session=object(),
        counter=ApiCallCounter(),
    )
    assert scan.run.errors and scan.run.unjudged == made
    assert made[0].point == "scan" and made[0].resource.name == "111122223333"
    sink = f"file://{tmp_path / 'audit.jsonl'}"
    assert record_scan(scan, [sink], {}) == 1
    assert [e.record["decision_id"] for e in open_sink(sink).read()] == [made[0].decision_id]
