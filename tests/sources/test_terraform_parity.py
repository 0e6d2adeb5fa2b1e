"""One policy, one meaning: the same resources from CloudFormation and from a Terraform plan give the
same verdicts and the same findings (control, path)."""

from __future__ import annotations

from pathlib import Path

from guardrails.decider import Decider
from guardrails.sources.discovery import load_inputs

PARITY = Path(__file__).resolve().parents[1] / "fixtures" / "terraform" / "parity"


def findings(path: Path) -> dict[tuple[str, str], tuple[str, set[tuple[str, str | None, bool]]]]:
    documents = load_inputs([path]).documents
    decisions = Decider().decide_many(documents)
    return {
        (d.resource.type, d.resource.name): (
            d.verdict,
            {(v.control, v.path, v.unknown) for v in d.violations},
        )
        for d in decisions
    }


def test_cloudformation_and_terraform_give_the_same_verdicts() -> None:
    from_cloudformation = findings(PARITY / "template.yaml")
    from_terraform = findings(PARITY / "plan.json")
    assert len(from_terraform) == 7
    assert from_terraform == from_cloudformation
    verdicts = {key: verdict for key, (verdict, _) in from_terraform.items()}
    assert verdicts[("AWS::SageMaker::Domain", "parity-domain")] == "allow"
    assert verdicts[("AWS::S3::Bucket", "parity-bucket")] == "deny"
