"""The Terraform adapter finds every violation planted in the benchmark plan (bench/terraform_generate.py;
the 100-resource plan is committed, made by terraform 1.11 + hashicorp/aws 5.100.0), and nothing else."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from guardrails.checking import run_check
from guardrails.config import GuardrailsConfig
from guardrails.report.json_report import render_json

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "terraform" / "bench_100"
sys.path.insert(0, str(REPO / "bench"))

import check_bench  # noqa: E402
import terraform_generate  # noqa: E402


def test_committed_module_is_what_the_generator_writes() -> None:
    text, manifest = terraform_generate.generate_module(100)
    assert (FIXTURE / "main.tf").read_text() == text
    assert json.loads((FIXTURE / "manifest.json").read_text()) == manifest


def test_every_planted_violation_is_found_without_false_positives() -> None:
    manifest = json.loads((FIXTURE / "manifest.json").read_text())
    run = run_check([FIXTURE / "plan.json"], GuardrailsConfig())
    assert len(run.decisions) == 100 - sum(  # split S3 resources are joined into their bucket's document
        1 for address in manifest["resources"] if address.split(".")[0].startswith("aws_s3_bucket_")
    )
    pairs, others, unknown = check_bench.guardrails_findings(json.loads(render_json(run)))
    result = check_bench.score(pairs, manifest)
    assert result["planted"] == manifest["counts"]["planted"] > 20
    assert result["missed"] == []
    assert result["found"] == result["planted"]
    assert result["derived_found"] == result["derived"] > 0
    assert result["false_positives"] == 0, result["false_positive_pairs"]
    assert not others and unknown == 0
    planted = {p["concept"] for p in manifest["planted"]}
    assert {
        "bucket_bpa_off",
        "bucket_public_policy",
        "bucket_public_acl",
        "bucket_no_kms",
        "model_no_vpc",
    } <= planted
