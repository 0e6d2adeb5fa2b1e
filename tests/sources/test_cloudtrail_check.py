"""`guardrails check` on EventBridge event files (evaluation only, no AWS calls)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fixture_paths import SAMPLES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"


def test_check_reads_event_files_and_reports_their_violations(tmp_path, decider):
    from guardrails.checking import run_check
    from guardrails.config import GuardrailsConfig

    shutil.copy((SAMPLES / "eventbridge-cloudtrail-CreateNotebookInstance.json"), tmp_path / "nb.json")
    shutil.copy(FIXTURES / "cloudtrail-CreateTrainingJob-AccessDenied.json", tmp_path / "failed.json")
    run = run_check([tmp_path], GuardrailsConfig(), decider=decider)
    (decision,) = run.decisions
    assert decision.point == "runtime" and decision.source == "cloudtrail"
    assert {v.control for v in decision.violations} >= {"SM-04", "SM-05"}


def test_check_rejects_a_malformed_event_file_with_its_name(tmp_path):
    from guardrails.checking import run_check
    from guardrails.config import GuardrailsConfig
    from guardrails.sources.errors import SourceError

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "id": "1",
                "detail-type": "AWS API Call via CloudTrail",
                "source": "aws.s3",
                "detail": {"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"},
            }
        )
    )
    run = run_check([bad], GuardrailsConfig())  # an error result: the run exits 2, other files still judged
    assert [str(e) for e in run.errors if isinstance(e, SourceError) and "bad.json" in str(e)]


def test_documents_from_event_is_what_discovery_calls():
    from guardrails.sources.cloudtrail import documents_from_event, looks_like_event

    data = json.loads((SAMPLES / "eventbridge-cloudtrail-PutBucketPolicy.json").read_text())
    assert looks_like_event(data)
    (doc,) = documents_from_event(data, "x.json")
    assert doc.context.location.file == "x.json" and doc.context.point == "runtime"
