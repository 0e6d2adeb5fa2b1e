"""guardrails.scan.inventory: which kinds a scan lists, and which ended jobs fall in the --since window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from guardrails.resource_kinds import BY_TYPE
from guardrails.scan.inventory import _in_window, list_operation, scannable_kinds

NOW = datetime(2026, 12, 2, tzinfo=UTC)
JOB = BY_TYPE["AWS::SageMaker::TrainingJob"]


def test_every_listable_kind_is_scanned_by_default():
    types = {k.type for k in scannable_kinds()}
    assert {"AWS::S3::Bucket", "AWS::S3::AccountPublicAccessBlock", "AWS::SageMaker::Endpoint"} <= types
    assert "AWS::SageMaker::AutoMLJobV2" not in types  # listed by ListAutoMLJobs, no listing of its own
    assert list_operation(JOB) == ("ListTrainingJobs", "TrainingJobSummaries")
    assert list_operation(BY_TYPE["AWS::SageMaker::DataQualityJobDefinition"]) == (
        "ListDataQualityJobDefinitions",
        "JobDefinitionSummaries",
    )


def test_active_jobs_always_count_and_ended_jobs_only_inside_the_window():
    since = NOW - timedelta(days=30)
    old = NOW - timedelta(days=90)
    recent = NOW - timedelta(days=2)
    assert _in_window(JOB, {"TrainingJobStatus": "InProgress", "CreationTime": old}, since)
    assert not _in_window(JOB, {"TrainingJobStatus": "Completed", "CreationTime": old, "TrainingEndTime": old}, since)
    assert _in_window(JOB, {"TrainingJobStatus": "Failed", "CreationTime": old, "LastModifiedTime": recent}, since)
    assert _in_window(JOB, {"TrainingJobStatus": "Stopped"}, since)  # no time: judged, never dropped
