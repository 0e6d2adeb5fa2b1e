"""One table of the resource kinds in scope: the single source of truth for every source adapter."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ResourceKind:
    """How one resource type appears across sources.

    `type` is the CloudFormation-style name used in documents (also for kinds CloudFormation lacks).
    `operations` are the SageMaker/S3 API operations (boto3 PascalCase) that create or change it.
    `name_field` is the request field that names it; `arn_resource` the ARN resource-type segment.
    """

    type: str
    service: str
    name_field: str
    arn_resource: str
    operations: tuple[str, ...]
    cloudformation: bool = False
    partial_operations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Operations that set only part of the resource: operation -> the property roots they carry."""


def _sm(type_suffix: str, name_field: str, arn_resource: str, *ops: str, cfn: bool = False) -> ResourceKind:
    return ResourceKind(f"AWS::SageMaker::{type_suffix}", "sagemaker", name_field, arn_resource, ops, cfn)


S3_BUCKET_ASPECTS: tuple[str, ...] = (
    "PublicAccessBlockConfiguration",
    "AccessControl",
    "Policy",
    "BucketEncryption",
)
"""The bucket properties the S3 controls judge; a partial request leaves the others unknown."""

KINDS: tuple[ResourceKind, ...] = (
    _sm("TrainingJob", "TrainingJobName", "training-job", "CreateTrainingJob"),
    _sm("ProcessingJob", "ProcessingJobName", "processing-job", "CreateProcessingJob", cfn=True),
    _sm("TransformJob", "TransformJobName", "transform-job", "CreateTransformJob"),
    _sm(
        "HyperParameterTuningJob",
        "HyperParameterTuningJobName",
        "hyper-parameter-tuning-job",
        "CreateHyperParameterTuningJob",
    ),
    _sm("AutoMLJob", "AutoMLJobName", "automl-job", "CreateAutoMLJob"),
    _sm("AutoMLJobV2", "AutoMLJobName", "automl-job", "CreateAutoMLJobV2"),
    _sm("CompilationJob", "CompilationJobName", "compilation-job", "CreateCompilationJob"),
    _sm("LabelingJob", "LabelingJobName", "labeling-job", "CreateLabelingJob"),
    _sm("Model", "ModelName", "model", "CreateModel", cfn=True),
    _sm("EndpointConfig", "EndpointConfigName", "endpoint-config", "CreateEndpointConfig", cfn=True),
    _sm("Endpoint", "EndpointName", "endpoint", "CreateEndpoint", "UpdateEndpoint", cfn=True),
    _sm(
        "NotebookInstance",
        "NotebookInstanceName",
        "notebook-instance",
        "CreateNotebookInstance",
        "UpdateNotebookInstance",
        cfn=True,
    ),
    _sm("Domain", "DomainName", "domain", "CreateDomain", "UpdateDomain", cfn=True),
    _sm("Pipeline", "PipelineName", "pipeline", "CreatePipeline", "UpdatePipeline", cfn=True),
    _sm(
        "FeatureGroup",
        "FeatureGroupName",
        "feature-group",
        "CreateFeatureGroup",
        "UpdateFeatureGroup",
        cfn=True,
    ),
    _sm(
        "MonitoringSchedule",
        "MonitoringScheduleName",
        "monitoring-schedule",
        "CreateMonitoringSchedule",
        "UpdateMonitoringSchedule",
        cfn=True,
    ),
    _sm(
        "DataQualityJobDefinition",
        "JobDefinitionName",
        "data-quality-job-definition",
        "CreateDataQualityJobDefinition",
        cfn=True,
    ),
    _sm(
        "ModelQualityJobDefinition",
        "JobDefinitionName",
        "model-quality-job-definition",
        "CreateModelQualityJobDefinition",
        cfn=True,
    ),
    _sm(
        "ModelBiasJobDefinition",
        "JobDefinitionName",
        "model-bias-job-definition",
        "CreateModelBiasJobDefinition",
        cfn=True,
    ),
    _sm(
        "ModelExplainabilityJobDefinition",
        "JobDefinitionName",
        "model-explainability-job-definition",
        "CreateModelExplainabilityJobDefinition",
        cfn=True,
    ),
    ResourceKind(
        "AWS::S3::Bucket",
        "s3",
        "Bucket",
        "",
        (
            "CreateBucket",
            "PutBucketPolicy",
            "PutBucketAcl",
            "PutPublicAccessBlock",
            "PutBucketEncryption",
            "PutBucketOwnershipControls",
        ),
        cloudformation=True,
        partial_operations={
            "PutBucketPolicy": ("Policy",),
            "PutBucketAcl": ("AccessControl",),
            "PutPublicAccessBlock": ("PublicAccessBlockConfiguration",),
            "PutBucketEncryption": ("BucketEncryption",),
            "PutBucketOwnershipControls": (),
        },
    ),
    ResourceKind(
        "AWS::S3::AccountPublicAccessBlock",
        "s3control",
        "AccountId",
        "",
        ("PutPublicAccessBlock",),
    ),
)

BY_TYPE: dict[str, ResourceKind] = {k.type: k for k in KINDS}
SAGEMAKER_BY_OPERATION: dict[str, ResourceKind] = {
    op: k for k in KINDS if k.service == "sagemaker" for op in k.operations
}
S3_BUCKET = BY_TYPE["AWS::S3::Bucket"]
CLOUDFORMATION_TYPES: frozenset[str] = frozenset(k.type for k in KINDS if k.cloudformation) | {
    "AWS::S3::BucketPolicy"
}


def arn_for(kind: ResourceKind, name: str, region: str | None, account: str | None) -> str | None:
    """Best-effort ARN of a named resource; None when region/account are not known."""
    if kind.type == "AWS::S3::Bucket":
        return f"arn:aws:s3:::{name}"
    if kind.service != "sagemaker" or not region or not account:
        return None
    return f"arn:aws:sagemaker:{region}:{account}:{kind.arn_resource}/{name.lower()}"
