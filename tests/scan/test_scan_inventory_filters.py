"""guardrails.scan.inventory under a --since window: the List calls' own filters (StatusEquals per active
status, LastModifiedTimeAfter) narrow what is listed, against moto_server (which honours both); the
client-side window check still judges every summary, so the jobs kept are exactly those of one unfiltered
listing. Requests are counted and read from botocore's `before-parameter-build` events of the client the scan uses."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from moto_server_support import client
from scan_support import ROLE

from guardrails.resource_kinds import BY_TYPE
from guardrails.scan.inventory import is_job, list_sagemaker, scannable_kinds, server_filters

TRAINING = BY_TYPE["AWS::SageMaker::TrainingJob"]
AUTOML = BY_TYPE["AWS::SageMaker::AutoMLJob"]
PAGE = 5  # small pages, so a long history of old jobs takes many List requests


def test_every_listable_job_kind_filters_on_the_server_under_a_window_and_nothing_else_does():
    since = datetime(2026, 11, 1, tzinfo=UTC)
    jobs = [k for k in scannable_kinds() if is_job(k)]
    assert {k.type.rsplit("::", 1)[1] for k in jobs} >= {"TrainingJob", "ProcessingJob", "TransformJob"}
    for kind in jobs:
        listings = server_filters(kind, since)
        assert listings[:-1] == [{"StatusEquals": s} for s in kind.active_statuses], kind.type
        assert listings[-1]["LastModifiedTimeAfter"] <= since, kind.type  # the server lists more, never less
        assert server_filters(kind, None) == [{}]  # no window: one unfiltered listing, as before
    for kind in scannable_kinds():
        if not is_job(kind):
            assert server_filters(kind, since) == [{}], kind.type


def test_a_status_the_list_call_cannot_filter_on_falls_back_to_the_unfiltered_listing():
    unknown = dataclasses.replace(TRAINING, active_statuses=("InProgress", "Warming"))
    assert server_filters(unknown, datetime(2026, 11, 1, tzinfo=UTC)) == [{}]


def _counted(url: str) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    sagemaker = client("sagemaker", url)
    sent: list[tuple[str, dict[str, Any]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        sent.append((model.name, dict(params)))

    def small_pages(params: dict[str, Any], **_: Any) -> None:
        params.setdefault("MaxResults", PAGE)

    for operation in ("ListTrainingJobs", "ListAutoMLJobs"):
        sagemaker.meta.events.register(f"provide-client-params.sagemaker.{operation}", small_pages)
    sagemaker.meta.events.register("before-parameter-build.sagemaker.*", record)
    return sagemaker, sent


def _training_job(sagemaker: Any, name: str) -> None:
    sagemaker.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "img:1", "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://out/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )


def _automl_job(sagemaker: Any, name: str) -> None:
    """An AutoML job (moto creates them through the V2 call; ListAutoMLJobs lists both): InProgress."""
    sagemaker.create_auto_ml_job_v2(
        AutoMLJobName=name,
        AutoMLJobInputDataConfig=[
            {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/"}}}
        ],
        OutputDataConfig={"S3OutputPath": "s3://out/"},
        AutoMLProblemTypeConfig={
            "TabularJobConfig": {
                "TargetAttributeName": "y",
                "ProblemType": "BinaryClassification",
                "CompletionCriteria": {"MaxCandidates": 1},
            }
        },
        RoleArn=ROLE,
    )


def _window_starts_now() -> datetime:
    """Everything created so far is older than the window by more than the filter's slack."""
    time.sleep(1.5)
    since = datetime.now(UTC)
    time.sleep(0.1)
    return since


@pytest.mark.slow
def test_old_ended_jobs_are_not_listed_old_running_and_recent_ones_are(moto_url):
    sagemaker, sent = _counted(moto_url)
    _automl_job(sagemaker, "old-still-running")  # moto: InProgress until stopped
    _automl_job(sagemaker, "old-stopped")
    sagemaker.stop_auto_ml_job(AutoMLJobName="old-stopped")
    since = _window_starts_now()
    _automl_job(sagemaker, "recent-stopped")
    sagemaker.stop_auto_ml_job(AutoMLJobName="recent-stopped")
    sent.clear()

    listed = {job.name for job in list_sagemaker(sagemaker, AUTOML, since)}

    assert listed == {"old-still-running", "recent-stopped"}
    lists = [params for op, params in sent if op == "ListAutoMLJobs"]
    assert [p.get("StatusEquals") for p in lists] == ["InProgress", None]
    assert "LastModifiedTimeAfter" in lists[1] and all("LastModifiedTimeAfter" not in p for p in lists[:1])
    # without a window nothing changes: one unfiltered listing, every job
    sent.clear()
    assert {j.name for j in list_sagemaker(sagemaker, AUTOML, None)} == {
        "old-still-running",
        "old-stopped",
        "recent-stopped",
    }
    assert [set(p) - {"MaxResults", "NextToken"} for op, p in sent] == [set()]


@pytest.mark.slow
def test_a_long_history_of_old_ended_jobs_costs_no_list_pages_under_a_window(moto_url):
    # AutoML jobs: moto filters them before it pages (as SageMaker does); it pages training jobs first
    sagemaker, sent = _counted(moto_url)
    for n in range(40):
        _automl_job(sagemaker, f"old-{n:02d}")
        sagemaker.stop_auto_ml_job(AutoMLJobName=f"old-{n:02d}")
    since = _window_starts_now()
    _automl_job(sagemaker, "recent")
    sent.clear()

    assert [j.name for j in list_sagemaker(sagemaker, AUTOML, since)] == ["recent"]
    windowed = Counter(op for op, _ in sent)
    sent.clear()
    assert len(list_sagemaker(sagemaker, AUTOML, None)) == 41
    full = Counter(op for op, _ in sent)

    assert full["ListAutoMLJobs"] == 9  # 41 jobs, pages of 5
    assert windowed["ListAutoMLJobs"] == 2  # InProgress ("recent"), changed in the window ("recent" again)


@pytest.mark.slow
def test_training_jobs_under_a_window_are_judged_as_without_server_filters(moto_url):
    sagemaker, _ = _counted(moto_url)
    for n in range(12):
        _training_job(sagemaker, f"old-{n:02d}")  # moto: Completed at once
    since = _window_starts_now()
    _training_job(sagemaker, "recent")

    assert [j.name for j in list_sagemaker(sagemaker, TRAINING, since)] == ["recent"]
    assert len(list_sagemaker(sagemaker, TRAINING, None)) == 13
