"""The CloudFormation benchmark (bench/generate_templates.py, bench/check_bench.py): guardrails finds every
violation planted in the generated 250-resource template and reports nothing else, and the bench measures
the guardrails installed next to the interpreter that runs it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from guardrails.checking import run_check
from guardrails.config import GuardrailsConfig
from guardrails.report.json_report import render_json

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import check_bench  # noqa: E402
import generate_templates  # noqa: E402


@pytest.fixture(scope="module")
def bench_250(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, object]:
    template, manifest_path = generate_templates.write_template(250, tmp_path_factory.mktemp("bench"))
    manifest = json.loads(manifest_path.read_text())
    run = run_check([template], GuardrailsConfig())
    pairs, others, unknown = check_bench.guardrails_findings(json.loads(render_json(run)))
    return manifest, check_bench.score(pairs, manifest), others


def test_every_planted_violation_is_found(bench_250) -> None:
    manifest, result, _ = bench_250
    assert result["planted"] == manifest["counts"]["planted"] > 20
    assert result["missed"] == []
    assert result["derived_found"] == result["derived"] > 0
    # both kinds of derived finding occur: SM-17 on endpoints, S3-07 on buckets planted with a public ACL
    assert {c: d["found"] > 0 for c, d in result["derived_by_control"].items()} == {
        "SM-17": True,
        "S3-07": True,
    }


def test_no_false_positive_outside_the_known_s3_05_gap(bench_250) -> None:
    _, result, others = bench_250
    assert set(others) <= {"S3-05"}, others
    assert all(control == "S3-05" for _, control in result["false_positive_pairs"])


def test_no_false_positive_at_all(bench_250) -> None:
    _, result, others = bench_250
    assert result["false_positives"] == 0 and not others, result["false_positive_pairs"]


def test_the_bench_runs_the_guardrails_next_to_its_interpreter(tmp_path: Path, monkeypatch) -> None:
    stray = tmp_path / "guardrails"
    stray.write_text("#!/bin/sh\nexit 0\n")
    stray.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    (command,) = check_bench.guardrails_command()
    assert Path(command) == Path(sys.executable).with_name("guardrails")


def test_paired_ratio_is_the_median_of_the_ratios_within_each_repeat() -> None:
    import measuring

    def runs(*cpus: float) -> list[measuring.Run]:
        return [measuring.Run(cpu_s=c, wall_s=c, rss_mb=1.0, returncode=0) for c in cpus]

    # repeat 2 met a slow phase for both tools: its ratio is 1.5 like repeat 1, not 4.0/1.0
    assert measuring.paired_ratio(runs(3.0, 6.0, 1.8), runs(2.0, 4.0, 1.0)) == 1.5
    # an even count: the mean of the middle two
    assert measuring.paired_ratio(runs(3.0, 4.0), runs(2.0, 2.0)) == 1.75
    assert measuring.paired_ratio(runs(1.0), runs(0.0)) is None
    assert measuring.paired_ratio([], []) is None
