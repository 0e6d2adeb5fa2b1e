"""The parity cases (no tests here): SageMaker/S3 API requests and the controls each must fail, from every
source (tests/sources/test_parity.py); the engine differential tests also take their documents
(tests/engine_corpus.py). Each case: (id, operation, request, expected (control, enforcement, unknown))."""

from __future__ import annotations

import json
from typing import Any

from sagemaker_requests import CLUSTER_GROUP, IMAGE, KMS, ROLE, VPC

TRAINING_REQUEST = {
    "TrainingJobName": "step-train",
    "RoleArn": ROLE,
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "OutputDataConfig": {"S3OutputPath": "s3://b/out"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
}
PROCESSING_BASE = {
    "ProcessingJobName": "prep",
    "RoleArn": ROLE,
    "AppSpecification": {"ImageUri": IMAGE},
    "ProcessingResources": {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
    },
    "ProcessingOutputConfig": {
        "Outputs": [
            {
                "OutputName": "o",
                "S3Output": {"S3Uri": "s3://b/o", "LocalPath": "/opt/o", "S3UploadMode": "EndOfJob"},
            }
        ]
    },
}
MONITORING_JOB = {
    "MonitoringAppSpecification": {"ImageUri": IMAGE},
    "MonitoringInputs": [{"EndpointInput": {"EndpointName": "ep", "LocalPath": "/opt/in"}}],
    "MonitoringOutputConfig": {
        "MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://b/m", "LocalPath": "/opt/m"}}]
    },
    "MonitoringResources": {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}
    },
    "RoleArn": ROLE,
}

# (case id, operation, request, {(control, enforcement, unknown)} expected from every source)
CASES: list[tuple[str, str, dict[str, Any], set[tuple[str, str, bool]]]] = [
    (
        "notebook-defaults",
        "CreateNotebookInstance",
        {"NotebookInstanceName": "nb", "InstanceType": "ml.t3.medium", "RoleArn": ROLE},
        {
            ("SM-04", "deny", False),
            ("SM-05", "deny", False),
            ("SM-14", "deny", False),
            ("SM-18", "warn", False),
            ("SM-20", "deny", False),
        },
    ),
    (
        "notebook-explicit-internet",
        "CreateNotebookInstance",
        {
            "NotebookInstanceName": "nb",
            "InstanceType": "ml.t3.medium",
            "RoleArn": ROLE,
            "SubnetId": "subnet-0a",
            "SecurityGroupIds": ["sg-0a"],
            "KmsKeyId": KMS,
            "DirectInternetAccess": "Enabled",
            "RootAccess": "Enabled",
            "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "1"},
        },
        {("SM-05", "deny", False), ("SM-18", "warn", False), ("SM-20", "deny", False)},
    ),
    (
        "notebook-compliant",
        "CreateNotebookInstance",
        {
            "NotebookInstanceName": "nb",
            "InstanceType": "ml.t3.medium",
            "RoleArn": ROLE,
            "SubnetId": "subnet-0a",
            "SecurityGroupIds": ["sg-0a"],
            "KmsKeyId": KMS,
            "DirectInternetAccess": "Disabled",
            "RootAccess": "Disabled",
            "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
        },
        set(),
    ),
    (
        "model-defaults",
        "CreateModel",
        {"ModelName": "m", "ExecutionRoleArn": ROLE, "PrimaryContainer": {"Image": IMAGE}},
        {("SM-03", "deny", False), ("SM-08", "warn", False)},
    ),
    (
        "model-compliant",
        "CreateModel",
        {
            "ModelName": "m",
            "ExecutionRoleArn": ROLE,
            "PrimaryContainer": {"Image": IMAGE},
            "VpcConfig": VPC,
            "EnableNetworkIsolation": True,
        },
        set(),
    ),
    (
        "endpoint-config-capture-without-kms",
        "CreateEndpointConfig",
        {
            "EndpointConfigName": "ec",
            "ProductionVariants": [
                {
                    "VariantName": "v",
                    "ModelName": "m",
                    "InitialInstanceCount": 2,
                    "InstanceType": "ml.m5.large",
                }
            ],
            "DataCaptureConfig": {
                "EnableCapture": True,
                "InitialSamplingPercentage": 10,
                "DestinationS3Uri": "s3://b/c",
                "CaptureOptions": [{"CaptureMode": "Input"}],
            },
        },
        {("SM-13", "deny", False)},
    ),
    (
        "endpoint-config-async-compliant",
        "CreateEndpointConfig",
        {
            "EndpointConfigName": "ec",
            "KmsKeyId": KMS,
            "ProductionVariants": [
                {
                    "VariantName": "v",
                    "ModelName": "m",
                    "InitialInstanceCount": 2,
                    "InstanceType": "ml.m5.large",
                }
            ],
            "AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": "s3://b/a", "KmsKeyId": KMS}},
        },
        set(),
    ),
    (
        "endpoint-config-serverless",
        "CreateEndpointConfig",
        {
            "EndpointConfigName": "ec",
            "ProductionVariants": [
                {
                    "VariantName": "v",
                    "ModelName": "m",
                    "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                }
            ],
        },
        set(),
    ),
    (
        "domain-defaults",
        "CreateDomain",
        {
            "DomainName": "studio",
            "AuthMode": "IAM",
            "DefaultUserSettings": {"ExecutionRole": ROLE},
            "SubnetIds": ["subnet-0a"],
            "VpcId": "vpc-0a",
        },
        {("SM-06", "deny", False), ("SM-15", "deny", False)},
    ),
    (
        "domain-compliant",
        "CreateDomain",
        {
            "DomainName": "studio",
            "AuthMode": "IAM",
            "DefaultUserSettings": {"ExecutionRole": ROLE},
            "SubnetIds": ["subnet-0a"],
            "VpcId": "vpc-0a",
            "AppNetworkAccessType": "VpcOnly",
            "KmsKeyId": KMS,
        },
        set(),
    ),
    (
        "processing-defaults",
        "CreateProcessingJob",
        PROCESSING_BASE,
        {
            ("SM-02", "deny", False),
            ("SM-08", "warn", False),
            ("SM-09", "warn", False),
            ("SM-11", "deny", False),
        },
    ),
    (
        "processing-compliant",
        "CreateProcessingJob",
        {
            **PROCESSING_BASE,
            "NetworkConfig": {
                "VpcConfig": VPC,
                "EnableNetworkIsolation": True,
                "EnableInterContainerTrafficEncryption": True,
            },
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 30,
                    "VolumeKmsKeyId": KMS,
                }
            },
            "ProcessingOutputConfig": {**PROCESSING_BASE["ProcessingOutputConfig"], "KmsKeyId": KMS},
        },
        set(),
    ),
    (
        "feature-group-offline-without-kms",
        "CreateFeatureGroup",
        {
            "FeatureGroupName": "fg",
            "RecordIdentifierFeatureName": "id",
            "EventTimeFeatureName": "t",
            "FeatureDefinitions": [
                {"FeatureName": "id", "FeatureType": "String"},
                {"FeatureName": "t", "FeatureType": "String"},
            ],
            "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": "s3://b/fg"}},
            "RoleArn": ROLE,
        },
        {("SM-16", "deny", False)},
    ),
    (
        "monitoring-schedule-inline-defaults",
        "CreateMonitoringSchedule",
        {
            "MonitoringScheduleName": "ms",
            "MonitoringScheduleConfig": {"MonitoringJobDefinition": MONITORING_JOB},
        },
        {
            ("SM-07", "deny", False),
            ("SM-08", "warn", False),
            ("SM-09", "warn", False),
            ("SM-16", "deny", False),
        },
    ),
    (
        "pipeline-training-step-without-vpc-or-kms",
        "CreatePipeline",
        {
            "PipelineName": "p",
            "RoleArn": ROLE,
            "PipelineDefinition": json.dumps(
                {
                    "Version": "2020-12-01",
                    "Steps": [{"Name": "Train", "Type": "Training", "Arguments": TRAINING_REQUEST}],
                }
            ),
        },
        {("SM-19", "deny", False), ("SM-19", "warn", False)},
    ),
    (
        "hyperpod-cluster-without-vpc",
        "CreateCluster",
        {"ClusterName": "hp", "InstanceGroups": [CLUSTER_GROUP]},
        {("SM-21", "deny", False)},
    ),
    (
        "hyperpod-cluster-in-vpc",
        "CreateCluster",
        {"ClusterName": "hp", "InstanceGroups": [CLUSTER_GROUP], "VpcConfig": VPC},
        set(),
    ),
    (
        "bucket-public-acl",
        "CreateBucket",
        {"Bucket": "acme-public", "ACL": "public-read"},
        {("S3-02", "deny", False), ("S3-04", "deny", False), ("S3-05", "warn", False)},
    ),
]
