"""Terraform files of the third-party corpus (shared/corpus/terraform, SOURCES.md), planned inside small
root modules (tests/fixtures/terraform/corpus/*/main.tf; plans made by regenerate.py there with
terraform 1.11 + hashicorp/aws 5.100.0): SOURCES.md's expected findings hold.

Not planned, and why: aws-ia and philschmid need the hashicorp/random provider and the ml-pipeline module
hashicorp/archive, which the local provider mirror does not hold; Young-ook and the terraform-aws-modules
example call registry modules (no network here). DNXLabs reads `data.aws_vpc` at plan time: its plan
was made with the provider's EC2 endpoint pointed at a moto_server on 127.0.0.1 (moto_setup.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.checking import run_check
from guardrails.config import GuardrailsConfig

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform" / "corpus"

# case -> {address: (controls that must deny definitely, controls that must be reported unknown)}
EXPECTED: dict[str, dict[str, tuple[set[str], set[str]]]] = {
    # SOURCES.md: "PUBLIC: bucket `data` (acl public-read). 4 buckets without encryption (only `logs` has
    # SSE-KMS). No PAB resources." (no PAB resource = a new bucket's default, all four on: S3-01 passes)
    "terragoat": {
        "aws_s3_bucket.data": ({"S3-02", "S3-04"}, set()),
        "aws_s3_bucket.financials": ({"S3-04"}, set()),
        "aws_s3_bucket.operations": ({"S3-04"}, set()),
        "aws_s3_bucket.data_science": ({"S3-04"}, set()),
        "aws_s3_bucket.logs": (set(), set()),
    },
    # SOURCES.md: "PUBLIC (PAB disabled + public-read ACL + public policy). No SSE configuration." The
    # policy names the bucket's ARN, known only after apply, so the whole policy text is unknown: S3-03
    # is reported unknown (which denies under the default `unknown: inherit`), never passed.
    "hashicorp-website": {
        "module.website_s3_bucket.aws_s3_bucket.s3_bucket": ({"S3-01", "S3-02", "S3-04"}, {"S3-03"}),
    },
    # SOURCES.md: "With variables.tf defaults: no kms_key_id, no subnet_id (no VPC), direct_internet_access
    # Enabled." (+ SM-20: the IMDS block is off by default)
    # SOURCES.md: "With _variables.tf defaults: Domain kms_key_id null (KMS missing),
    # app_network_access_type PublicInternetOnly. VPC set."
    "dnxlabs-domain": {
        "aws_sagemaker_domain.domain": ({"SM-06", "SM-15"}, set()),
    },
    "data-platform-notebook": {
        "module.notebook.aws_sagemaker_notebook_instance.this[0]": ({"SM-04", "SM-05", "SM-14"}, set()),
    },
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_corpus_plan_gives_the_expected_findings(case: str) -> None:
    run = run_check([CASES / case / "plan.json"], GuardrailsConfig())
    found = {}
    for decision in run.decisions:
        address = decision.resource.location.logical_id
        deny = {v.control for v in decision.violations if v.counts and v.enforcement == "deny"}
        definite = {
            v.control for v in decision.violations if v.counts and v.enforcement == "deny" and not v.unknown
        }
        unknown = deny - definite
        found[address] = (definite, unknown)
    assert set(found) == set(EXPECTED[case])
    for address, (must_deny, must_be_unknown) in EXPECTED[case].items():
        definite, unknown = found[address]
        assert must_deny <= definite, address
        assert must_be_unknown <= unknown, address
        if not must_deny and not must_be_unknown:
            assert not definite and not unknown, address


def test_every_case_plans_corpus_files_that_exist() -> None:
    import json

    from fixture_paths import CORPUS

    for case in EXPECTED:
        layout = json.loads((CASES / case / "layout.json").read_text())
        for source in filter(None, layout.values()):
            if CORPUS.is_dir():
                assert (CORPUS / "terraform" / source).is_file(), source
