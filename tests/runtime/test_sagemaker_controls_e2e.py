"""`guardrails check` end to end for the issue-8 SageMaker rules, from every source that carries them.

Each case is one SageMaker request, written as an API request file, as the equivalent CloudFormation
template (where CloudFormation has the type) and as the CloudTrail event of the call; `guardrails
check --format json` must report the same findings of the controls under test from each of them:
customer-managed keys (SM-10..SM-16), local NVMe instance storage (no volume key), SM-19 pipeline
steps at any depth, SM-20 (notebook IMDSv2) and SM-21 (HyperPod cluster VPC).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from fixtures.events.builders import sagemaker_call
from guardrails.cli.main import main
from sagemaker_requests import CLUSTER_GROUP, IMAGE, ROLE, VPC
from sagemaker_requests import KMS as KEY

from guardrails.resource_kinds import SAGEMAKER_BY_OPERATION

MANAGED = "alias/aws/sagemaker"
MANAGED_ARN = "arn:aws:kms:eu-west-1:111122223333:alias/aws/sagemaker"
IMDS_V2 = {"MinimumInstanceMetadataServiceVersion": "2"}

NOTEBOOK = {
    "NotebookInstanceName": "nb",
    "InstanceType": "ml.t3.medium",
    "RoleArn": ROLE,
    "SubnetId": "subnet-0a",
    "SecurityGroupIds": ["sg-0a"],
    "KmsKeyId": KEY,
    "DirectInternetAccess": "Disabled",
    "RootAccess": "Disabled",
}
PROCESSING = {
    "ProcessingJobName": "prep",
    "RoleArn": ROLE,
    "AppSpecification": {"ImageUri": IMAGE},
    "NetworkConfig": {
        "VpcConfig": VPC,
        "EnableNetworkIsolation": True,
        "EnableInterContainerTrafficEncryption": True,
    },
    "ProcessingResources": {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
    },
    "ProcessingOutputConfig": {
        "Outputs": [
            {
                "OutputName": "o",
                "S3Output": {"S3Uri": "s3://b/o", "LocalPath": "/opt/o", "S3UploadMode": "EndOfJob"},
            }
        ],
        "KmsKeyId": KEY,
    },
}
TRAINING = {
    "TrainingJobName": "train",
    "RoleArn": ROLE,
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "OutputDataConfig": {"S3OutputPath": "s3://b/out", "KmsKeyId": KEY},
    "ResourceConfig": {
        "InstanceType": "ml.m5.xlarge",
        "InstanceCount": 1,
        "VolumeSizeInGB": 30,
        "VolumeKmsKeyId": KEY,
    },
    "VpcConfig": VPC,
    "EnableNetworkIsolation": True,
    "EnableInterContainerTrafficEncryption": True,
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
}
VARIANT = {"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 2, "InstanceType": "ml.m5.large"}


def with_(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of base with the dotted path set (None removes it)."""
    out = json.loads(json.dumps(base))
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node.setdefault(key, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return out


def pipeline(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "PipelineName": "p",
        "RoleArn": ROLE,
        "PipelineDefinition": json.dumps({"Version": "2020-12-01", "Steps": steps}),
    }


def condition(name: str, if_steps: list[Any], else_steps: list[Any]) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "Condition",
        "Arguments": {
            "Conditions": [{"Type": "Equals", "LeftValue": {"Get": "Parameters.Mode"}, "RightValue": "full"}],
            "IfSteps": if_steps,
            "ElseSteps": else_steps,
        },
    }


TRAINING_ARGS = {k: v for k, v in TRAINING.items() if k != "TrainingJobName"}
DEEP_PIPELINE = pipeline(
    [
        condition(
            "gate",
            [
                condition(
                    "inner",
                    [],
                    [
                        {
                            "Name": "retrain",
                            "Type": "Training",
                            "Arguments": with_(TRAINING_ARGS, "VpcConfig", None),
                        }
                    ],
                )
            ],
            [],
        )
    ]
)

# (case id, operation, request, controls under test, expected {(control, unknown)} among them)
CASES: list[tuple[str, str, dict[str, Any], set[str], set[tuple[str, bool]]]] = [
    # 5. customer-managed keys
    (
        "processing-aws-managed-output-key",
        "CreateProcessingJob",
        with_(PROCESSING, "ProcessingOutputConfig.KmsKeyId", MANAGED),
        {"SM-11"},
        {("SM-11", False)},
    ),
    (
        "processing-customer-managed-keys",
        "CreateProcessingJob",
        with_(PROCESSING, "ProcessingResources.ClusterConfig.VolumeKmsKeyId", "alias/ml-volumes"),
        {"SM-11"},
        set(),
    ),
    (
        "notebook-aws-managed-alias-arn",
        "CreateNotebookInstance",
        {**NOTEBOOK, "KmsKeyId": MANAGED_ARN, "InstanceMetadataServiceConfiguration": IMDS_V2},
        {"SM-14"},
        {("SM-14", False)},
    ),
    (
        "endpoint-config-aws-managed-key",
        "CreateEndpointConfig",
        {"EndpointConfigName": "ec", "KmsKeyId": MANAGED, "ProductionVariants": [VARIANT]},
        {"SM-13"},
        {("SM-13", False)},
    ),
    (
        "training-aws-managed-volume-key",
        "CreateTrainingJob",
        with_(TRAINING, "ResourceConfig.VolumeKmsKeyId", MANAGED),
        {"SM-10"},
        {("SM-10", False)},
    ),
    # 6. local NVMe instance storage: no volume key, the output key is still required
    (
        "processing-on-local-nvme-without-volume-key",
        "CreateProcessingJob",
        with_(PROCESSING, "ProcessingResources.ClusterConfig.InstanceType", "ml.r5d.xlarge"),
        {"SM-11"},
        set(),
    ),
    (
        "processing-on-ebs-without-volume-key",
        "CreateProcessingJob",
        PROCESSING,
        {"SM-11"},
        {("SM-11", False)},
    ),
    (
        "endpoint-config-on-local-nvme-without-key",
        "CreateEndpointConfig",
        {"EndpointConfigName": "ec", "ProductionVariants": [{**VARIANT, "InstanceType": "ml.g5.2xlarge"}]},
        {"SM-13"},
        set(),
    ),
    (
        "endpoint-config-on-ebs-without-key",
        "CreateEndpointConfig",
        {"EndpointConfigName": "ec", "ProductionVariants": [VARIANT]},
        {"SM-13"},
        {("SM-13", False)},
    ),
    (
        "training-on-local-nvme-without-volume-key",
        "CreateTrainingJob",
        with_(
            with_(TRAINING, "ResourceConfig.VolumeKmsKeyId", None),
            "ResourceConfig.InstanceType",
            "ml.p4d.24xlarge",
        ),
        {"SM-10"},
        set(),
    ),
    (
        "training-on-local-nvme-without-output-key",
        "CreateTrainingJob",
        with_(with_(TRAINING, "ResourceConfig.VolumeKmsKeyId", None), "OutputDataConfig.KmsKeyId", None)
        | {"ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}},
        {"SM-10"},
        {("SM-10", False)},
    ),
    # 7. pipelines: nested steps at any depth, definitions stored in S3
    (
        "pipeline-step-nested-two-conditions-deep",
        "CreatePipeline",
        DEEP_PIPELINE,
        {"SM-19"},
        {("SM-19", False)},
    ),
    (
        "pipeline-definition-in-s3",
        "CreatePipeline",
        {
            "PipelineName": "p",
            "RoleArn": ROLE,
            "PipelineDefinitionS3Location": {"Bucket": "b", "ObjectKey": "p.json"},
        },
        {"SM-19"},
        {("SM-19", True)},
    ),
    # 11. SM-20 and SM-21
    (
        "notebook-imds-v1",
        "CreateNotebookInstance",
        {**NOTEBOOK, "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "1"}},
        {"SM-20"},
        {("SM-20", False)},
    ),
    ("notebook-imds-unset", "CreateNotebookInstance", NOTEBOOK, {"SM-20"}, {("SM-20", False)}),
    (
        "notebook-imds-v2",
        "CreateNotebookInstance",
        {**NOTEBOOK, "InstanceMetadataServiceConfiguration": IMDS_V2},
        {"SM-20"},
        set(),
    ),
    (
        "cluster-without-vpc",
        "CreateCluster",
        {"ClusterName": "hp", "InstanceGroups": [CLUSTER_GROUP]},
        {"SM-21"},
        {("SM-21", False)},
    ),
    (
        "cluster-in-vpc",
        "CreateCluster",
        {"ClusterName": "hp", "InstanceGroups": [CLUSTER_GROUP], "VpcConfig": VPC},
        {"SM-21"},
        set(),
    ),
]


def cloudformation(operation: str, request: dict[str, Any]) -> dict[str, Any] | None:
    kind = SAGEMAKER_BY_OPERATION[operation]
    if not kind.cloudformation:
        return None
    properties = dict(request)
    if operation == "CreatePipeline":
        if "PipelineDefinition" in request:
            properties["PipelineDefinition"] = {"PipelineDefinitionBody": request["PipelineDefinition"]}
        else:
            properties["PipelineDefinition"] = {
                "PipelineDefinitionS3Location": properties.pop("PipelineDefinitionS3Location")
            }
    return {"Resources": {"R": {"Type": kind.type, "Properties": properties}}}


def check(path: Path) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    (decision,) = json.loads(result.stdout)["results"]
    assert decision["verdict"] != "error", decision
    return result.exit_code, decision["violations"]


def reported(violations: list[dict[str, Any]], controls: set[str]) -> set[tuple[str, bool]]:
    return {(v["control"], v["unknown"]) for v in violations if v["control"] in controls}


@pytest.mark.parametrize(
    ("case", "operation", "request_body", "controls", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_same_findings_from_api_request_cloudformation_and_cloudtrail(
    tmp_path: Path, case, operation, request_body, controls, expected
):
    files = {"request.json": json.dumps({"operation": operation, "request": request_body})}
    template = cloudformation(operation, request_body)
    if template is not None:
        files["template.yaml"] = yaml.safe_dump(template)
    files["event.json"] = json.dumps(sagemaker_call(operation, request_body))
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        _, violations = check(path)
        assert reported(violations, controls) == expected, (name, violations)
    assert ("template.yaml" in files) == (operation not in ("CreateTrainingJob",))


def test_messages_say_why_an_aws_managed_key_fails(tmp_path: Path):
    path = tmp_path / "request.json"
    request = with_(PROCESSING, "ProcessingOutputConfig.KmsKeyId", MANAGED)
    path.write_text(json.dumps({"operation": "CreateProcessingJob", "request": request}))
    code, violations = check(path)
    (sm11,) = [v for v in violations if v["path"] == "ProcessingOutputConfig.KmsKeyId"]
    assert code == 1 and sm11["control"] == "SM-11" and sm11["enforcement"] == "deny"
    assert "alias/aws/sagemaker is an AWS managed key" in sm11["message"]
    assert "customer-managed KMS key" in sm11["message"]


def test_nested_pipeline_step_is_reported_with_its_name_and_path(tmp_path: Path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps({"operation": "CreatePipeline", "request": DEEP_PIPELINE}))
    code, violations = check(path)
    paths = {v["path"] for v in violations if v["control"] == "SM-19"}
    deep = "PipelineDefinition.Steps.0.Arguments.IfSteps.0.Arguments.ElseSteps.0.Arguments.VpcConfig"
    assert code == 1 and paths == {f"{deep}.Subnets", f"{deep}.SecurityGroupIds"}
    assert all(
        "Pipeline step 'retrain' (Training) fails SM-01" in v["message"]
        for v in violations
        if v["control"] == "SM-19"
    )


def test_unknown_instance_type_from_a_template_parameter_is_unknown(tmp_path: Path):
    template = {
        "Parameters": {"InstanceType": {"Type": "String"}},
        "Resources": {
            "Config": {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {"ProductionVariants": [{**VARIANT, "InstanceType": {"Ref": "InstanceType"}}]},
            }
        },
    }
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template))
    assert reported(check(path)[1], {"SM-13"}) == {("SM-13", True)}
    result = CliRunner().invoke(
        main, ["check", "--format", "json", "-p", "InstanceType=ml.g5.xlarge", str(path)]
    )
    assert reported(json.loads(result.stdout)["results"][0]["violations"], {"SM-13"}) == set()
    result = CliRunner().invoke(
        main, ["check", "--format", "json", "-p", "InstanceType=ml.c5.xlarge", str(path)]
    )
    assert reported(json.loads(result.stdout)["results"][0]["violations"], {"SM-13"}) == {("SM-13", False)}


def test_update_cluster_leaves_the_vpc_unknown_until_the_cluster_is_read(tmp_path: Path):
    path = tmp_path / "event.json"
    path.write_text(
        json.dumps(sagemaker_call("UpdateCluster", {"ClusterName": "hp", "InstanceGroups": [CLUSTER_GROUP]}))
    )
    assert (
        reported(check(path)[1], {"SM-21"}) == set()
    )  # VpcConfig not in UpdateCluster: unknown counts as set
    path.write_text(
        json.dumps(
            sagemaker_call(
                "UpdateNotebookInstance",
                {
                    "NotebookInstanceName": "nb",
                    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "1"},
                },
            )
        )
    )
    assert reported(check(path)[1], {"SM-20"}) == {("SM-20", False)}
