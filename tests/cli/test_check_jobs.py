"""`guardrails check --jobs N`: files judged in worker processes give the serial run's output, in order."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.checking import _chunks, run_check
from guardrails.config import GuardrailsConfig
from guardrails.sources.discovery import Candidate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VOLATILE = {
    "stream",
    "decision_id",
    "timestamp",
    "recorded_at",
    "time",
    "prev_hash",
    "hash",
    "record_hash",
    "signature",
}


@pytest.fixture(autouse=True)
def pool_for_any_size(monkeypatch):
    """These folders are small: let them use the worker pool anyway."""
    from guardrails import checking

    monkeypatch.setattr(checking, "PARALLEL_MIN_BYTES", 0)


def folder_of_templates(tmp_path: Path) -> Path:
    """Several templates (compliant, failing, with inline suppressions, a Terraform plan), a bad file
    and an unknown file among them, in sub-folders."""
    root = tmp_path / "in"
    shutil.copytree(ROOT / "examples", root / "examples")
    shutil.copytree(FIXTURES / "suppressions", root / "suppressions")
    shutil.copy(FIXTURES / "terraform" / "bench_100" / "plan.json", root / "plan.json")
    (root / "b-broken.yaml").write_text("Resources:\n  A: [unclosed\n", encoding="utf-8")
    (root / "c-notes.txt").write_text("not an input\n", encoding="utf-8")
    (root / "d-bucket.yaml").write_text(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
        encoding="utf-8",
    )
    return root


def stable(text: str) -> str:
    return UUID.sub("<uuid>", text)


def audit_records(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in records]


def run_cli(tmp_path: Path, root: Path, jobs: int) -> dict:
    out = tmp_path / f"jobs{jobs}"
    out.mkdir()
    sink = out / "audit.jsonl"
    args = ["check", "--jobs", str(jobs), "--audit", f"file://{sink}"]
    for fmt in ("text", "json", "sarif", "junit", "github"):
        args += ["--format", f"{fmt}={out / fmt}"]
    result = CliRunner().invoke(main, [*args, str(root)], catch_exceptions=False)
    reports = {
        fmt: stable((out / fmt).read_text(encoding="utf-8"))
        for fmt in ("text", "json", "sarif", "junit", "github")
    }
    return {"exit": result.exit_code, "stderr": result.stderr, "audit": audit_records(sink), **reports}


# A regorus engine dropped by a collection in the pool's result thread is reported as unraisable.
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_jobs_2_gives_the_serial_output_in_the_same_order(tmp_path):
    root = folder_of_templates(tmp_path)
    serial = run_cli(tmp_path, root, 1)
    parallel = run_cli(tmp_path, root, 2)
    assert serial["exit"] == 2  # the broken file is an input error; every other file is still judged
    assert "b-broken.yaml" in serial["stderr"]
    report = json.loads(serial["json"])
    assert len(report["results"]) > 50
    # one record per decision, and one `error` record per file that could not be judged
    assert len(serial["audit"]) == len(report["results"]) + len(report["errors"])
    assert [r["verdict"] for r in serial["audit"][len(report["results"]) :]] == ["error"] * len(
        report["errors"]
    )
    assert parallel == serial


def test_run_check_in_processes_matches_serial_run(tmp_path):
    root = folder_of_templates(tmp_path)
    one = run_check([root], GuardrailsConfig(), jobs=1)
    three = run_check([root], GuardrailsConfig(), jobs=3)
    assert [replace(d, decision_id="") for d in three.decisions] == [
        replace(d, decision_id="") for d in one.decisions
    ]
    assert three.documents == one.documents
    assert three.files_checked == one.files_checked and three.files_skipped == one.files_skipped
    assert [str(e) for e in three.errors] == [str(e) for e in one.errors] and one.errors
    assert three.notes == one.notes and any(n.kind == "suppression" for n in one.notes)
    lean = run_check([root], GuardrailsConfig(), jobs=2, keep_documents=False)
    assert lean.documents == [] and len(lean.decisions) == len(one.decisions)


def test_chunks_are_contiguous_and_cover_every_candidate():
    candidates = [Candidate(Path(f"f{i}"), False) for i in range(10)]
    for count in (1, 3, 4, 10, 40):
        chunks = _chunks(candidates, count)
        assert [c for chunk in chunks for c in chunk] == candidates
        assert len(chunks) == min(count, 10) and all(chunks)
        assert max(map(len, chunks)) - min(map(len, chunks)) <= 1


def test_cyclic_gc_is_paused_during_the_batch_and_restored_after(monkeypatch):
    import gc

    from guardrails import checking

    seen = []
    real = checking._judge_chunk_with

    def spy(*args):
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return real(*args)

    monkeypatch.setattr(checking, "_judge_chunk_with", spy)
    assert gc.isenabled()
    run_check([ROOT / "examples" / "secure-notebook.yaml"], GuardrailsConfig())
    assert seen == [(False, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0

    def boom(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(checking, "_judge_chunk_with", boom)
    with pytest.raises(RuntimeError, match="boom"):
        run_check([ROOT / "examples" / "secure-notebook.yaml"], GuardrailsConfig())
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()  # a caller that disabled the collector keeps it disabled
    try:
        monkeypatch.setattr(checking, "_judge_chunk_with", real)
        run_check([ROOT / "examples" / "secure-notebook.yaml"], GuardrailsConfig())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_small_inputs_stay_in_one_process(tmp_path, monkeypatch):
    from guardrails import checking

    monkeypatch.setattr(checking, "PARALLEL_MIN_BYTES", 1_000_000)
    root = folder_of_templates(tmp_path)

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool for a few kilobytes of input")

    monkeypatch.setattr(checking, "_judge_in_processes", no_pool)
    assert run_check([root], GuardrailsConfig(), jobs=4).decisions
