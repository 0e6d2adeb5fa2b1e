"""The benchmark's floor (bench/floor.py) evaluates exactly what guardrails evaluates: the same documents
through the same bundle give the same number of raw findings, so guardrails / floor compares like with
like."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from guardrails.config import default_config
from guardrails.decider import Decider
from guardrails.sources.discovery import load_inputs

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import floor  # noqa: E402
import generate_templates  # noqa: E402


def test_floor_finds_what_the_engine_finds(tmp_path: Path) -> None:
    template, _ = generate_templates.write_template(30, tmp_path)
    inputs, bundle = floor.prepare(template, tmp_path)
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "floor.py"), str(template), str(inputs), str(bundle)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    counted = json.loads(proc.stdout)
    documents = load_inputs([template], None, point="pre-deploy").documents
    evaluator = Decider(default_config()).evaluator
    raw = evaluator.evaluate_many([d.to_input() for d in documents])
    assert counted["documents"] == len(documents) > 20
    assert counted["findings"] == sum(len(r) for r in raw) > 0
