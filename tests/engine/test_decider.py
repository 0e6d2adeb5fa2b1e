"""Configuration and exemptions applied to raw findings (engine replaced by a fixed evaluator)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from guardrails.config import Exemption, GuardrailsConfig
from guardrails.decider import Decider
from guardrails.documents import Context, Location, Resource, ResourceDocument
from guardrails.engine import EngineError, Finding, PolicyBundle

CATALOG_IDS = ("SM-05", "SM-18")


class FixedEvaluator:
    """Returns the same findings for every document; raises for documents named 'broken'."""

    name, version = "fixed", "1"

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.bundle = PolicyBundle.load()

    def evaluate(self, document):
        if document["resource"]["name"] == "broken":
            raise EngineError("boom")
        return list(self.findings)

    def evaluate_many(self, documents):
        out = []
        for d in documents:
            try:
                out.append(self.evaluate(d))
            except EngineError as exc:
                out.append(exc)
        return out

    def run_tests(self):
        return []


def notebook(name: str = "nb") -> ResourceDocument:
    return ResourceDocument(
        resource=Resource(
            type="AWS::SageMaker::NotebookInstance",
            name=name,
            arn=f"arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/{name}",
        ),
        context=Context(location=Location(file="t.yaml", line=3, logical_id="Nb")),
    )


def decide(findings, config=None, name="nb", today=date(2026, 6, 1)):
    return Decider(config or GuardrailsConfig(), FixedEvaluator(findings)).decide(notebook(name), today)


SM05 = Finding(control="SM-05", message="direct internet", path="DirectInternetAccess")
SM18 = Finding(control="SM-18", message="root", path="RootAccess")


def test_catalog_default_enforcement_and_severity_apply():
    decision = decide([SM05, SM18])
    by_control = {v.control: v for v in decision.violations}
    assert by_control["SM-05"].enforcement == "deny"
    assert by_control["SM-18"].enforcement == "warn"
    assert by_control["SM-05"].remediation
    assert decision.verdict == "deny"


def test_config_can_downgrade_and_switch_off():
    decision = decide([SM05, SM18], GuardrailsConfig(controls={"SM-05": "warn", "SM-18": "off"}))
    assert [(v.control, v.enforcement) for v in decision.violations] == [("SM-05", "warn")]
    assert decision.verdict == "warn"


def test_no_findings_is_allow():
    assert decide([]).verdict == "allow"


def test_active_exemption_marks_but_keeps_the_violation():
    exemption = Exemption(
        control="SM-05",
        resource="arn:aws:sagemaker:*:notebook-instance/nb",
        reason="lab",
        ticket="SEC-1",
        expires=date(2026, 12, 31),
    )
    decision = decide([SM05], GuardrailsConfig(exemptions=[exemption]))
    assert decision.violations[0].exemption is not None
    assert decision.violations[0].exemption.ticket == "SEC-1"
    assert decision.verdict == "allow"


def test_expired_exemption_no_longer_applies():
    exemption = Exemption(control="SM-05", resource="nb", reason="lab", expires=date(2026, 1, 31))
    decision = decide([SM05], GuardrailsConfig(exemptions=[exemption]))
    assert decision.violations[0].exemption is None
    assert decision.verdict == "deny"


def test_exemption_glob_matches_logical_id_and_star_control():
    exemption = Exemption(control="*", resource="N?", reason="all")
    decision = decide([SM05, SM18], GuardrailsConfig(exemptions=[exemption]))
    assert all(v.exemption for v in decision.violations)
    other = Exemption(control="SM-05", resource="someone-else-*", reason="x")
    assert decide([SM05], GuardrailsConfig(exemptions=[other])).violations[0].exemption is None


def test_unknown_findings_inherit_enforcement_unless_configured():
    unknown = Finding(control="SM-05", message="cannot know", path="DirectInternetAccess", unknown=True)
    assert decide([unknown]).verdict == "deny"
    assert decide([unknown], GuardrailsConfig(unknown="warn")).verdict == "warn"


def test_uncatalogued_control_uses_the_policy_default():
    custom = Finding(control="ACME-1", message="custom", default_enforcement="warn")
    decision = decide([custom])
    assert decision.violations[0].severity == "medium"
    assert decision.verdict == "warn"
    assert decide([Finding(control="ACME-2", message="custom deny")]).verdict == "deny"


def test_engine_error_becomes_error_verdict():
    decision = decide([], name="broken")
    assert decision.verdict == "error"
    assert decision.error == "boom"


def test_decision_carries_digests_and_location():
    decision = decide([SM05])
    assert decision.input_digest.startswith("sha256:") and len(decision.input_digest) == 71
    assert decision.bundle_digest.startswith("sha256:")
    assert decision.resource.location.logical_id == "Nb"
    assert decide([SM05]).input_digest == decision.input_digest
    assert decide([SM05]).decision_id != decision.decision_id


def test_composite_control_is_enforced_no_harder_than_the_control_underneath():
    via_warn = Finding(control="SM-19", message="step fails SM-08", path="PipelineDefinition", via="SM-08")
    via_deny = Finding(control="SM-19", message="step fails SM-10", path="PipelineDefinition", via="SM-10")
    decision = decide([via_warn, via_deny])
    assert [(v.via, v.enforcement) for v in decision.violations] == [("SM-08", "warn"), ("SM-10", "deny")]
    relaxed = decide([via_deny], GuardrailsConfig(controls={"SM-10": "off"}))
    assert relaxed.violations == [] and relaxed.verdict == "allow"
    assert decide([via_warn], GuardrailsConfig(controls={"SM-19": "off"})).violations == []


def test_decisions_built_without_validation_are_what_validation_gives() -> None:
    """The Decider builds plain dataclasses of its own typed values: pydantic's validation of their
    json-mode dump gives them back (infrastructure_failure is never dumped: it stays at its default)."""
    from pydantic import TypeAdapter

    from guardrails.decision import Decision
    from guardrails.json_data import json_data

    decider = Decider()
    document = ResourceDocument(
        resource=Resource(
            type="AWS::SageMaker::NotebookInstance", name="nb", properties={"RootAccess": "Enabled"}
        )
    )
    decision = decider.decide(document)
    assert decision.violations
    adapter = TypeAdapter(Decision)
    assert adapter.validate_python(json_data(decision)) == decision
    assert adapter.dump_python(decision, mode="json", exclude_none=True) == json_data(decision)
    error = decider.error_decision("boom", document=document, infrastructure=True)
    assert adapter.validate_python(json_data(error)) == replace(error, infrastructure_failure=False)
