"""Stop*Job remediation with botocore's Stubber (moto lacks StopTrainingJob, StopTransformJob, ...).

Responses are generated from the service model's output shapes (every required member filled), so the
Stubber validates them exactly as it validates real responses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.stub import Stubber
from fixtures.events.builders import ACCOUNT, REGION, sagemaker_call
from moto_server_support import offline_client
from sagemaker_requests import (
    AUTOML_V1,
    AUTOML_V2,
    COMPILATION,
    LABELING,
    TRAINING,
    TRAINING_DEF,
    TRANSFORM,
)

from guardrails.config import RuntimeConfig
from guardrails.resource_kinds import SAGEMAKER_BY_OPERATION
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.processor import process_event

PROCESSING = {
    "ProcessingJobName": "prep",
    "RoleArn": "arn:aws:iam::111122223333:role/sm-exec",
    "AppSpecification": {"ImageUri": "763104351884.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"},
    "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
}
HPO = {
    "HyperParameterTuningJobName": "hpo",
    "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1}},
    "TrainingJobDefinition": TRAINING_DEF,
}
JOBS = [
    ("CreateTrainingJob", TRAINING, "StopTrainingJob"),
    ("CreateProcessingJob", PROCESSING, "StopProcessingJob"),
    ("CreateTransformJob", TRANSFORM, "StopTransformJob"),
    ("CreateHyperParameterTuningJob", HPO, "StopHyperParameterTuningJob"),
    ("CreateAutoMLJob", AUTOML_V1, "StopAutoMLJob"),
    ("CreateAutoMLJobV2", AUTOML_V2, "StopAutoMLJob"),
    ("CreateCompilationJob", COMPILATION, "StopCompilationJob"),
    ("CreateLabelingJob", LABELING, "StopLabelingJob"),
]


def fill(shape: Any, overrides: dict[str, Any] | None = None) -> Any:
    """A value of `shape` with every required member present (placeholders of the right type)."""
    kind = shape.type_name
    if kind == "structure":
        out = {name: fill(shape.members[name]) for name in shape.required_members}
        out.update(overrides or {})
        return out
    if kind == "list":
        return [fill(shape.member)] if shape.metadata.get("min", 0) > 0 else []
    if kind == "map":
        return {}
    if kind == "string":
        enum = shape.metadata.get("enum")
        if enum:
            return enum[0]
        if "Arn" in shape.name or shape.name.endswith("ARN"):
            return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:placeholder/x"
        minimum = shape.metadata.get("min", 1)
        return "x" * max(minimum, 1) if not shape.metadata.get("pattern") or "Uri" not in shape.name else "s3://b/k"
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("float", "double"):
        return 1.0
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return dt.datetime(2025, 6, 2, tzinfo=dt.UTC)
    if kind == "blob":
        return b""
    raise AssertionError(kind)


def describe_response(client: Any, kind: Any, name: str, status: str) -> dict[str, Any]:
    shape = client.meta.service_model.operation_model(kind.describe).output_shape
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind.arn_resource}/{name}"
    return fill(shape, {kind.name_field: name, kind.arn_field: arn, kind.status_field: status})


def stubbed_clients() -> tuple[Any, Stubber, AwsClients]:
    sm = offline_client("sagemaker", REGION)
    return sm, Stubber(sm), AwsClients(region=REGION, overrides={"sagemaker": sm}, account_id=ACCOUNT)


@pytest.mark.parametrize(("operation", "request_body", "stop"), JOBS, ids=[j[0] for j in JOBS])
def test_running_noncompliant_job_is_stopped_and_re_read(decider, operation, request_body, stop):
    kind = SAGEMAKER_BY_OPERATION[operation]
    name = request_body[kind.name_field]
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind.arn_resource}/{name}"
    active, stopping = kind.active_statuses[-1], "Stopping" if kind.active_statuses != ("INPROGRESS", "STARTING") else "STOPPING"
    sm, stub, clients = stubbed_clients()
    stub.add_response(_snake(kind.describe), describe_response(sm, kind, name, active), {kind.describe_field: name})
    stub.add_response(_snake(stop), {}, {kind.describe_field: name})
    stub.add_response(_snake(kind.describe), describe_response(sm, kind, name, stopping), {kind.describe_field: name})
    with stub:
        outcome = process_event(sagemaker_call(operation, request_body, arn=arn), decider=decider, trail=None,
                                clients=clients, config=RuntimeConfig(mode="enforce"))
        stub.assert_no_pending_responses()
    (action,) = outcome.actions
    assert action.outcome == "succeeded", action
    assert action.kind == _kebab(stop)
    assert action.state_before[kind.status_field] == active
    assert action.state_after[kind.status_field] == stopping


@pytest.mark.parametrize(("operation", "request_body", "stop"), JOBS[:3], ids=[j[0] for j in JOBS[:3]])
def test_already_finished_job_gets_no_stop_call(decider, operation, request_body, stop):
    kind = SAGEMAKER_BY_OPERATION[operation]
    name = request_body[kind.name_field]
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind.arn_resource}/{name}"
    sm, stub, clients = stubbed_clients()
    stub.add_response(_snake(kind.describe), describe_response(sm, kind, name, "Completed"), {kind.describe_field: name})
    with stub:
        outcome = process_event(sagemaker_call(operation, request_body, arn=arn), decider=decider, trail=None,
                                clients=clients, config=RuntimeConfig(mode="enforce"))
        stub.assert_no_pending_responses()
    (action,) = outcome.actions
    assert action.outcome == "skipped" and action.reason == "already Completed"


def test_dry_run_reads_but_never_stops(decider):
    kind = SAGEMAKER_BY_OPERATION["CreateTrainingJob"]
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/train"
    sm, stub, clients = stubbed_clients()
    stub.add_response("describe_training_job", describe_response(sm, kind, "train", "InProgress"), {"TrainingJobName": "train"})
    with stub:
        outcome = process_event(sagemaker_call("CreateTrainingJob", TRAINING, arn=arn), decider=decider, trail=None,
                                clients=clients)
        stub.assert_no_pending_responses()
    (action,) = outcome.actions
    assert action.mode == "dry-run" and action.reason == "dry-run: would stop-training-job"


def test_exempted_violation_is_not_remediated(decider):
    from guardrails.config import Exemption, GuardrailsConfig
    from guardrails.decider import Decider

    config = GuardrailsConfig(exemptions=[Exemption(control="*", resource="train", reason="approved spike")])
    exempting = Decider(config, evaluator=decider.evaluator)
    _, stub, clients = stubbed_clients()
    with stub:
        outcome = process_event(sagemaker_call("CreateTrainingJob", TRAINING), decider=exempting, trail=None,
                                clients=clients, config=RuntimeConfig(mode="enforce"))
    assert outcome.actions == [] and outcome.resources[0].decision.verdict == "allow"


def _snake(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)


def _kebab(operation: str) -> str:
    from guardrails.runtime.remediation.base import kebab

    return kebab(operation)
