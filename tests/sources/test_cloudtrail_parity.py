"""Parity: a job as a CloudTrail event gives exactly the findings of the same API request.

For the job kinds CloudFormation lacks (training, transform, tuning, AutoML, compilation, labeling) this
is the parity proof between the pre-deploy/admission sources and the runtime path.
"""

from __future__ import annotations

from typing import Any

import pytest
from fixtures.events.builders import ACCOUNT, REGION, sagemaker_call
from sagemaker_requests import (
    AUTOML_V1,
    AUTOML_V2,
    COMPILATION,
    HPO_CONFIG,
    KMS,
    LABELING,
    SECURE_TRAINING_DEF,
    TRAINING,
    TRAINING_DEF,
    TRANSFORM,
    VPC,
)

from guardrails.sources.api_request import document_from_request
from guardrails.sources.cloudtrail import documents_from_event

CASES: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("training-defaults", "CreateTrainingJob", TRAINING, {"SM-01", "SM-08", "SM-09", "SM-10"}),
    (
        "training-secure",
        "CreateTrainingJob",
        {"TrainingJobName": "train", **SECURE_TRAINING_DEF} | {"StaticHyperParameters": None},
        set(),
    ),
    ("transform-defaults", "CreateTransformJob", TRANSFORM, {"SM-12"}),
    (
        "transform-secure",
        "CreateTransformJob",
        TRANSFORM
        | {
            "TransformOutput": {"S3OutputPath": "s3://b/out", "KmsKeyId": KMS},
            "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeKmsKeyId": KMS},
        },
        set(),
    ),
    (
        "hpo-single-definition",
        "CreateHyperParameterTuningJob",
        {
            "HyperParameterTuningJobName": "hpo",
            "HyperParameterTuningJobConfig": HPO_CONFIG,
            "TrainingJobDefinition": TRAINING_DEF,
        },
        {"SM-01", "SM-08", "SM-09", "SM-10"},
    ),
    (
        "hpo-multi-definitions",
        "CreateHyperParameterTuningJob",
        {
            "HyperParameterTuningJobName": "hpo",
            "HyperParameterTuningJobConfig": HPO_CONFIG,
            "TrainingJobDefinitions": [
                SECURE_TRAINING_DEF | {"DefinitionName": "a"},
                TRAINING_DEF | {"DefinitionName": "b"},
            ],
        },
        {"SM-01", "SM-08", "SM-09", "SM-10"},
    ),
    ("automl-v1-defaults", "CreateAutoMLJob", AUTOML_V1, {"SM-07", "SM-09", "SM-16"}),
    (
        "automl-v1-secure",
        "CreateAutoMLJob",
        AUTOML_V1
        | {
            "OutputDataConfig": {"S3OutputPath": "s3://b/out", "KmsKeyId": KMS},
            "AutoMLJobConfig": {
                "SecurityConfig": {
                    "VolumeKmsKeyId": KMS,
                    "EnableInterContainerTrafficEncryption": True,
                    "VpcConfig": VPC,
                }
            },
        },
        set(),
    ),
    ("automl-v2-defaults", "CreateAutoMLJobV2", AUTOML_V2, {"SM-07", "SM-09", "SM-16"}),
    ("compilation-defaults", "CreateCompilationJob", COMPILATION, {"SM-07", "SM-16"}),
    (
        "compilation-secure",
        "CreateCompilationJob",
        COMPILATION
        | {
            "VpcConfig": VPC,
            "OutputConfig": {"S3OutputLocation": "s3://b/compiled", "TargetDevice": "ml_c5", "KmsKeyId": KMS},
        },
        set(),
    ),
    ("labeling-defaults", "CreateLabelingJob", LABELING, {"SM-07", "SM-16"}),
]


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def signature(decider, doc) -> set[tuple]:
    decision = decider.decide(doc)
    assert decision.verdict != "error", decision.error
    return {(v.control, v.enforcement, v.unknown, v.path, v.message) for v in decision.violations}


@pytest.mark.parametrize(("case", "operation", "request_body", "controls"), CASES, ids=[c[0] for c in CASES])
def test_job_event_and_api_request_give_the_same_findings(decider, case, operation, request_body, controls):
    request_body = _drop_none(request_body)
    from_request = document_from_request(
        operation, request_body, account=ACCOUNT, region=REGION, point="runtime"
    )
    (from_event,) = documents_from_event(sagemaker_call(operation, request_body))
    assert from_event.resource.properties == from_request.resource.properties
    expected = signature(decider, from_request)
    assert signature(decider, from_event) == expected
    if controls is not None:
        assert {c for c, _, unknown, _, _ in expected if not unknown} == controls
