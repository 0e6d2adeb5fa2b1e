"""Parity: a job as a CloudTrail event gives exactly the findings of the same API request.

For the job kinds CloudFormation lacks (training, transform, tuning, AutoML, compilation, labeling) this
is the parity proof between the pre-deploy/admission sources and the runtime path.
"""

from __future__ import annotations

from typing import Any

import pytest
from fixtures.events.builders import ACCOUNT, REGION, sagemaker_call

from guardrails.sources.api_request import document_from_request
from guardrails.sources.cloudtrail import documents_from_event

KMS = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::111122223333:role/sm-exec"
VPC = {"Subnets": ["subnet-0a"], "SecurityGroupIds": ["sg-0a"]}
IMAGE = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1"
TRAINING_DEF = {
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "StaticHyperParameters": {"eta": "0.1"},
}
SECURE_TRAINING_DEF = TRAINING_DEF | {
    "VpcConfig": VPC,
    "OutputDataConfig": {"S3OutputPath": "s3://b/out", "KmsKeyId": KMS},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30, "VolumeKmsKeyId": KMS},
    "EnableNetworkIsolation": True,
    "EnableInterContainerTrafficEncryption": True,
}
TRAINING = {"TrainingJobName": "train", "Environment": {"MODE": "x"},
            **{k: v for k, v in TRAINING_DEF.items() if k != "StaticHyperParameters"}}
TRANSFORM = {
    "TransformJobName": "batch",
    "ModelName": "m",
    "TransformInput": {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}},
    "TransformOutput": {"S3OutputPath": "s3://b/out"},
    "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
}
HPO_CONFIG = {"Strategy": "Bayesian", "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1}}
AUTOML_V1 = {
    "AutoMLJobName": "auto",
    "InputDataConfig": [{"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}, "TargetAttributeName": "y"}],
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "RoleArn": ROLE,
}
AUTOML_V2 = {
    "AutoMLJobName": "auto2",
    "AutoMLJobInputDataConfig": [{"ChannelType": "training", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}}],
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "AutoMLProblemTypeConfig": {"TabularJobConfig": {"TargetAttributeName": "y", "ProblemType": "BinaryClassification"}},
    "RoleArn": ROLE,
}
COMPILATION = {
    "CompilationJobName": "neo",
    "RoleArn": ROLE,
    "InputConfig": {"S3Uri": "s3://b/model.tar.gz", "Framework": "XGBOOST"},
    "OutputConfig": {"S3OutputLocation": "s3://b/compiled", "TargetDevice": "ml_c5"},
    "StoppingCondition": {"MaxRuntimeInSeconds": 900},
}
LABELING = {
    "LabelingJobName": "label",
    "LabelAttributeName": "label",
    "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/manifest"}}},
    "OutputConfig": {"S3OutputPath": "s3://b/labels"},
    "RoleArn": ROLE,
    "HumanTaskConfig": {"WorkteamArn": "arn:aws:sagemaker:eu-west-1:111122223333:workteam/private-crowd/t",
                        "UiConfig": {"UiTemplateS3Uri": "s3://b/t.html"}, "TaskTitle": "t", "TaskDescription": "d",
                        "NumberOfHumanWorkersPerDataObject": 1, "TaskTimeLimitInSeconds": 60,
                        "PreHumanTaskLambdaArn": "arn:aws:lambda:eu-west-1:111122223333:function:pre",
                        "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": "arn:aws:lambda:eu-west-1:111122223333:function:post"}},
    "LabelingJobAlgorithmsConfig": {"LabelingJobAlgorithmSpecificationArn": "arn:aws:sagemaker:eu-west-1:027400017018:labeling-job-algorithm-specification/image-classification",
                                    "LabelingJobResourceConfig": {}},
}

CASES: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("training-defaults", "CreateTrainingJob", TRAINING, {"SM-01", "SM-08", "SM-09", "SM-10"}),
    ("training-secure", "CreateTrainingJob", {"TrainingJobName": "train", **SECURE_TRAINING_DEF} | {"StaticHyperParameters": None}, set()),
    ("transform-defaults", "CreateTransformJob", TRANSFORM, {"SM-12"}),
    ("transform-secure", "CreateTransformJob", TRANSFORM | {"TransformOutput": {"S3OutputPath": "s3://b/out", "KmsKeyId": KMS},
     "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeKmsKeyId": KMS}}, set()),
    ("hpo-single-definition", "CreateHyperParameterTuningJob",
     {"HyperParameterTuningJobName": "hpo", "HyperParameterTuningJobConfig": HPO_CONFIG, "TrainingJobDefinition": TRAINING_DEF},
     {"SM-01", "SM-08", "SM-09", "SM-10"}),
    ("hpo-multi-definitions", "CreateHyperParameterTuningJob",
     {"HyperParameterTuningJobName": "hpo", "HyperParameterTuningJobConfig": HPO_CONFIG,
      "TrainingJobDefinitions": [SECURE_TRAINING_DEF | {"DefinitionName": "a"}, TRAINING_DEF | {"DefinitionName": "b"}]},
     {"SM-01", "SM-08", "SM-09", "SM-10"}),
    ("automl-v1-defaults", "CreateAutoMLJob", AUTOML_V1, {"SM-07", "SM-09", "SM-16"}),
    ("automl-v1-secure", "CreateAutoMLJob", AUTOML_V1 | {"OutputDataConfig": {"S3OutputPath": "s3://b/out", "KmsKeyId": KMS},
     "AutoMLJobConfig": {"SecurityConfig": {"VolumeKmsKeyId": KMS, "EnableInterContainerTrafficEncryption": True, "VpcConfig": VPC}}}, set()),
    ("automl-v2-defaults", "CreateAutoMLJobV2", AUTOML_V2, {"SM-07", "SM-09", "SM-16"}),
    ("compilation-defaults", "CreateCompilationJob", COMPILATION, {"SM-07", "SM-16"}),
    ("compilation-secure", "CreateCompilationJob", COMPILATION | {"VpcConfig": VPC,
     "OutputConfig": {"S3OutputLocation": "s3://b/compiled", "TargetDevice": "ml_c5", "KmsKeyId": KMS}}, set()),
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
    from_request = document_from_request(operation, request_body, account=ACCOUNT, region=REGION, point="runtime")
    (from_event,) = documents_from_event(sagemaker_call(operation, request_body))
    assert from_event.resource.properties == from_request.resource.properties
    expected = signature(decider, from_request)
    assert signature(decider, from_event) == expected
    if controls is not None:
        assert {c for c, _, unknown, _, _ in expected if not unknown} == controls
