"""One table of the resource kinds in scope: the single source of truth for every source adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from guardrails.lazy_exports import lazy_exports
from guardrails.partitions import build_arn, s3_bucket_arn

if TYPE_CHECKING:
    from guardrails.kms_keys import KMS_KEYS as KMS_KEYS  # re-exported (__getattr__)
    from guardrails.kms_keys import KeyReferences as KeyReferences


@dataclass(frozen=True)
class Reference:
    """A property that names another resource the policies judge this one through (SM-17: an Endpoint
    through its EndpointConfig, the config through its Models)."""

    to: str
    """The referenced resource type."""
    field: str
    """The property holding the referenced resource's name."""
    lists: tuple[str, ...] = ()
    """List properties whose items hold `field`; empty when `field` is a property of the resource itself."""

    def values(self, properties: dict[str, Any]) -> list[Any]:
        """The values of `field` in `properties`, in order (whatever they are: names, placeholders...)."""
        if not self.lists:
            return [properties[self.field]] if self.field in properties else []
        found: list[Any] = []
        for list_name in self.lists:
            items = properties.get(list_name)
            if isinstance(items, list):
                found += [item[self.field] for item in items if isinstance(item, dict) and self.field in item]
        return found


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
    follow_up_aspects: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Operation -> properties it cannot set, which later calls set (CreateBucket then PutBucketEncryption):
    the request is judged on them (the new resource starts with AWS's defaults), but an in-process
    admission hook does not block the call for them; the later calls are hooked themselves."""
    operation_name_fields: dict[str, str] = field(default_factory=dict)
    """Operation -> the request field naming the resource, where not `name_field` (UpdateDomain: DomainId)."""
    cfn_name_property: str | None = None
    """The CloudFormation property that names it (its literal name, when set); None: not named by one."""
    references: tuple[Reference, ...] = ()
    """Properties naming other resources the policies judge it through (followed by every source)."""
    # --- runtime (CloudTrail events, enrichment, remediation); every field has a default ---
    event_sources: tuple[str, ...] = ()
    """CloudTrail `eventSource` values the kind's events arrive under (default: `<service>.amazonaws.com`)."""
    event_names: dict[str, str] = field(default_factory=dict)
    """CloudTrail event names beyond `operations`: event name -> the API operation it mirrors."""
    state_change: str | None = None
    """EventBridge `detail-type` of the kind's native SageMaker state-change event."""
    describe: str | None = None
    """The Describe*/Get* operation that reads the current state (boto3 PascalCase)."""
    describe_param: str | None = None
    """The Describe request field naming the resource, when not `name_field`."""
    describe_renames: dict[str, str] = field(default_factory=dict)
    """Describe response field -> request field where the two shapes differ."""
    arn_field: str | None = None
    """The Describe response (and, lowerCamelCase, the CloudTrail `responseElements`) field with the ARN."""
    status_field: str | None = None
    """The Describe response field with the lifecycle status."""
    stop: str | None = None
    """The operation that stops it (Stop*Job, StopNotebookInstance, StopMonitoringSchedule)."""
    active_statuses: tuple[str, ...] = ()
    """Statuses in which stopping (or deleting) still has an effect; other statuses need no action."""
    delete: str | None = None
    """The operation that deletes it (remediation of endpoints; notebooks when configured)."""
    arn_has_name: bool = True
    """The ARN ends in the resource's name; False when it ends in an id AWS generates (HyperPod
    clusters), so the ARN is known only from AWS (a CloudTrail response, Describe), never built."""
    aspect_reads: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """S3 kinds: aspect -> (the Get* call that reads it live, the error code meaning "not configured")."""
    gone_codes: tuple[str, ...] = ()
    """Error codes of a live read meaning the resource itself does not exist (besides the generic ones)."""
    regional: bool = True
    """It lives in one region; False for account-wide settings (the account's public access block)."""
    securityhub_type: str = "Other"
    """The Security Hub (ASFF) resource type; `Other` where ASFF has none."""
    read_live: bool = False
    """Runtime always reads the live resource: its events carry one aspect (buckets, the account block),
    or it is judged through the resources it references (endpoints)."""

    @property
    def sources(self) -> tuple[str, ...]:
        return self.event_sources or (f"{self.service}.amazonaws.com",)

    @property
    def describe_field(self) -> str:
        return self.describe_param or self.name_field

    def name_field_for(self, operation: str) -> str:
        """The request field of `operation` that names the resource."""
        return self.operation_name_fields.get(operation, self.name_field)


def _sm(
    type_suffix: str, name_field: str, arn_resource: str, *ops: str, cfn: bool = False, **runtime: Any
) -> ResourceKind:
    """A SageMaker kind; `runtime` fills the runtime fields, by default from the usual API naming."""
    resource = type_suffix.removesuffix("V2")
    runtime.setdefault("describe", f"Describe{type_suffix}")
    runtime.setdefault("arn_field", f"{resource}Arn")
    runtime.setdefault("status_field", f"{resource}Status")
    if cfn:
        runtime.setdefault("cfn_name_property", name_field)
    return ResourceKind(
        f"AWS::SageMaker::{type_suffix}", "sagemaker", name_field, arn_resource, ops, cfn, **runtime
    )


_JOB_ACTIVE = ("InProgress",)
_PUBLIC_ACCESS_BLOCK_READ = ("GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration")
VARIANT_LISTS = ("ProductionVariants", "ShadowProductionVariants")
"""The EndpointConfig lists whose variants name a Model."""


S3_BUCKET_ASPECTS: tuple[str, ...] = (
    "PublicAccessBlockConfiguration",
    "AccessControl",
    "Policy",
    "BucketEncryption",
)
"""The bucket properties the S3 controls judge; a partial request leaves the others unknown."""
S3_BUCKET_JUDGED_ASPECTS: tuple[str, ...] = (*S3_BUCKET_ASPECTS, "OwnershipControls")
"""Every bucket aspect a control judges (S3-07 reads OwnershipControls): what a partial API request
(PutBucketPolicy...) leaves unknown, and what a live read of a bucket reads by default."""
S3_BUCKET_ASPECTS_NOT_IN_POLICY: tuple[str, ...] = tuple(a for a in S3_BUCKET_ASPECTS if a != "Policy")
"""What a lone bucket policy (`AWS::S3::BucketPolicy` of a bucket outside the template) cannot tell
about its bucket: unknown in its document, read from the live bucket at admission when allowed."""

KINDS: tuple[ResourceKind, ...] = (
    _sm(
        "TrainingJob",
        "TrainingJobName",
        "training-job",
        "CreateTrainingJob",
        state_change="SageMaker Training Job State Change",
        stop="StopTrainingJob",
        active_statuses=_JOB_ACTIVE,
    ),
    _sm(
        "ProcessingJob",
        "ProcessingJobName",
        "processing-job",
        "CreateProcessingJob",
        cfn=True,
        state_change="SageMaker Processing Job State Change",
        stop="StopProcessingJob",
        active_statuses=_JOB_ACTIVE,
    ),
    _sm(
        "TransformJob",
        "TransformJobName",
        "transform-job",
        "CreateTransformJob",
        state_change="SageMaker Transform Job State Change",
        stop="StopTransformJob",
        active_statuses=_JOB_ACTIVE,
    ),
    _sm(
        "HyperParameterTuningJob",
        "HyperParameterTuningJobName",
        "hyper-parameter-tuning-job",
        "CreateHyperParameterTuningJob",
        state_change="SageMaker HyperParameter Tuning Job State Change",
        stop="StopHyperParameterTuningJob",
        active_statuses=_JOB_ACTIVE,
    ),
    _sm(
        "AutoMLJob",
        "AutoMLJobName",
        "automl-job",
        "CreateAutoMLJob",
        stop="StopAutoMLJob",
        active_statuses=_JOB_ACTIVE,
    ),
    _sm(
        "AutoMLJobV2",
        "AutoMLJobName",
        "automl-job",
        "CreateAutoMLJobV2",
        stop="StopAutoMLJob",
        active_statuses=_JOB_ACTIVE,
    ),
    _sm(
        "CompilationJob",
        "CompilationJobName",
        "compilation-job",
        "CreateCompilationJob",
        stop="StopCompilationJob",
        active_statuses=("INPROGRESS", "STARTING"),
    ),
    _sm(
        "LabelingJob",
        "LabelingJobName",
        "labeling-job",
        "CreateLabelingJob",
        stop="StopLabelingJob",
        active_statuses=("Initializing", "InProgress"),
    ),
    _sm(
        "Model",
        "ModelName",
        "model",
        "CreateModel",
        cfn=True,
        state_change="SageMaker Model State Change",
        status_field=None,
    ),
    _sm(
        "EndpointConfig",
        "EndpointConfigName",
        "endpoint-config",
        "CreateEndpointConfig",
        cfn=True,
        state_change="SageMaker Endpoint Config State Change",
        status_field=None,
        references=(Reference("AWS::SageMaker::Model", "ModelName", VARIANT_LISTS),),
    ),
    _sm(
        "Endpoint",
        "EndpointName",
        "endpoint",
        "CreateEndpoint",
        "UpdateEndpoint",
        cfn=True,
        state_change="SageMaker Endpoint State Change",
        delete="DeleteEndpoint",
        references=(Reference("AWS::SageMaker::EndpointConfig", "EndpointConfigName"),),
        read_live=True,
        active_statuses=(
            "Creating",
            "Updating",
            "SystemUpdating",
            "RollingBack",
            "InService",
            "OutOfService",
            "UpdateRollbackFailed",
            "Failed",
        ),
    ),
    _sm(
        "NotebookInstance",
        "NotebookInstanceName",
        "notebook-instance",
        "CreateNotebookInstance",
        "UpdateNotebookInstance",
        cfn=True,
        state_change="SageMaker Notebook Instance State Change",
        describe_renames={"SecurityGroups": "SecurityGroupIds"},
        securityhub_type="AwsSageMakerNotebookInstance",
        stop="StopNotebookInstance",
        active_statuses=("Pending", "InService", "Updating"),
        delete="DeleteNotebookInstance",
    ),
    _sm(
        "Domain",
        "DomainName",
        "domain",
        "CreateDomain",
        "UpdateDomain",
        cfn=True,
        describe_param="DomainId",
        operation_name_fields={"UpdateDomain": "DomainId"},
    ),
    _sm("Pipeline", "PipelineName", "pipeline", "CreatePipeline", "UpdatePipeline", cfn=True),
    _sm(
        "Cluster",
        "ClusterName",
        "cluster",
        "CreateCluster",
        "UpdateCluster",
        cfn=True,
        arn_has_name=False,
    ),
    _sm(
        "FeatureGroup",
        "FeatureGroupName",
        "feature-group",
        "CreateFeatureGroup",
        "UpdateFeatureGroup",
        cfn=True,
        state_change="SageMaker Feature Group State Change",
    ),
    _sm(
        "MonitoringSchedule",
        "MonitoringScheduleName",
        "monitoring-schedule",
        "CreateMonitoringSchedule",
        "UpdateMonitoringSchedule",
        cfn=True,
        state_change="SageMaker Monitoring Schedule State Change",
        stop="StopMonitoringSchedule",
        active_statuses=("Pending", "Scheduled"),
    ),
    _sm(
        "DataQualityJobDefinition",
        "JobDefinitionName",
        "data-quality-job-definition",
        "CreateDataQualityJobDefinition",
        cfn=True,
        arn_field="JobDefinitionArn",
        status_field=None,
    ),
    _sm(
        "ModelQualityJobDefinition",
        "JobDefinitionName",
        "model-quality-job-definition",
        "CreateModelQualityJobDefinition",
        cfn=True,
        arn_field="JobDefinitionArn",
        status_field=None,
    ),
    _sm(
        "ModelBiasJobDefinition",
        "JobDefinitionName",
        "model-bias-job-definition",
        "CreateModelBiasJobDefinition",
        cfn=True,
        arn_field="JobDefinitionArn",
        status_field=None,
    ),
    _sm(
        "ModelExplainabilityJobDefinition",
        "JobDefinitionName",
        "model-explainability-job-definition",
        "CreateModelExplainabilityJobDefinition",
        cfn=True,
        arn_field="JobDefinitionArn",
        status_field=None,
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
            "PutBucketOwnershipControls": ("OwnershipControls",),
        },
        follow_up_aspects={"CreateBucket": ("PublicAccessBlockConfiguration", "Policy", "BucketEncryption")},
        cfn_name_property="BucketName",
        aspect_reads={
            "PublicAccessBlockConfiguration": _PUBLIC_ACCESS_BLOCK_READ,
            "AccessControl": ("GetBucketAcl", None),
            "Policy": ("GetBucketPolicy", "NoSuchBucketPolicy"),
            "BucketEncryption": ("GetBucketEncryption", "ServerSideEncryptionConfigurationNotFoundError"),
            "OwnershipControls": ("GetBucketOwnershipControls", "OwnershipControlsNotFoundError"),
            "Tags": ("GetBucketTagging", "NoSuchTagSet"),
        },
        gone_codes=("NoSuchBucket", "404"),
        securityhub_type="AwsS3Bucket",
        read_live=True,
        event_names={
            "CreateBucket": "CreateBucket",
            "PutBucketPolicy": "PutBucketPolicy",
            "DeleteBucketPolicy": "PutBucketPolicy",
            "PutBucketAcl": "PutBucketAcl",
            "PutBucketPublicAccessBlock": "PutPublicAccessBlock",
            "DeleteBucketPublicAccessBlock": "PutPublicAccessBlock",
            "PutBucketEncryption": "PutBucketEncryption",
            "DeleteBucketEncryption": "PutBucketEncryption",
            "PutBucketOwnershipControls": "PutBucketOwnershipControls",
        },
    ),
    ResourceKind(
        "AWS::S3::AccountPublicAccessBlock",
        "s3control",
        "AccountId",
        "",
        ("PutPublicAccessBlock",),
        event_sources=("s3.amazonaws.com", "s3-control.amazonaws.com"),
        event_names={
            "PutAccountPublicAccessBlock": "PutPublicAccessBlock",
            "DeleteAccountPublicAccessBlock": "PutPublicAccessBlock",
        },
        describe="GetPublicAccessBlock",
        aspect_reads={"PublicAccessBlockConfiguration": _PUBLIC_ACCESS_BLOCK_READ},
        regional=False,
        securityhub_type="AwsAccount",
        read_live=True,
    ),
    ResourceKind(
        "AWS::S3::AccessPoint",
        "s3control",
        "Name",
        "accesspoint",
        ("CreateAccessPoint", "PutAccessPointPolicy"),
        cloudformation=True,
        partial_operations={"PutAccessPointPolicy": ("Policy",)},
        event_sources=("s3.amazonaws.com", "s3-control.amazonaws.com"),
        event_names={
            "CreateAccessPoint": "CreateAccessPoint",
            "PutAccessPointPolicy": "PutAccessPointPolicy",
        },
        describe="GetAccessPoint",
        aspect_reads={"Policy": ("GetAccessPointPolicy", "NoSuchAccessPointPolicy")},
        gone_codes=("NoSuchAccessPoint", "404"),
    ),
)

BY_TYPE: dict[str, ResourceKind] = {k.type: k for k in KINDS}
SAGEMAKER_BY_OPERATION: dict[str, ResourceKind] = {
    op: k for k in KINDS if k.service == "sagemaker" for op in k.operations
}
S3_BUCKET = BY_TYPE["AWS::S3::Bucket"]
SAGEMAKER_BY_STATE_CHANGE: dict[str, ResourceKind] = {k.state_change: k for k in KINDS if k.state_change}
CLOUDTRAIL_EVENTS: dict[tuple[str, str], tuple[ResourceKind, str]] = {
    (source, event): (k, operation)
    for k in KINDS
    for event, operation in (
        {op: op for op in k.operations} if k.service == "sagemaker" else k.event_names
    ).items()
    for source in k.sources
}
"""(eventSource, eventName) -> (kind, the API operation whose request the event mirrors)."""
BY_OPERATION: dict[tuple[str, str], ResourceKind] = {(k.service, op): k for k in KINDS for op in k.operations}
"""(service, API operation) -> the kind it creates or changes (PutPublicAccessBlock is a bucket's in s3,
the account's in s3control)."""
BOTOCORE_EVENT_SERVICES: dict[str, str] = {"sagemaker": "sagemaker", "s3": "s3", "s3control": "s3-control"}
"""The kinds' service -> botocore's event service id (`before-parameter-build.s3-control.<Operation>`)."""
REFERENCED_TYPES: tuple[str, ...] = tuple(dict.fromkeys(r.to for k in KINDS for r in k.references))
"""The types other kinds reference (EndpointConfig, Model)."""
BUCKET_POLICY_BUCKET = Reference("AWS::S3::Bucket", "Bucket")
"""An `AWS::S3::BucketPolicy` names its bucket (joined to it: the policy is part of the bucket document)."""
CLOUDFORMATION_TYPES: frozenset[str] = frozenset(k.type for k in KINDS if k.cloudformation) | {
    "AWS::S3::BucketPolicy"
}
STACK_TYPE = "AWS::CloudFormation::Stack"
"""A nested stack, and what a template-wide decision is about (the stack the template deploys)."""


def arn_for(kind: ResourceKind, name: str, region: str | None, account: str | None) -> str | None:
    """Best-effort ARN of a named resource in its region's partition (aws, aws-us-gov, aws-cn...); None when
    region/account are not known (a bucket's ARN needs neither; without a region it is in `aws`)."""
    if kind.type == "AWS::S3::Bucket":
        return s3_bucket_arn(name, region)
    if kind.type == "AWS::S3::AccessPoint":
        if not region or not account:
            return None
        return build_arn("s3", f"accesspoint/{name}", region=region, account=account)
    if kind.service != "sagemaker" or not kind.arn_has_name or not region or not account:
        return None
    return build_arn("sagemaker", f"{kind.arn_resource}/{name.lower()}", region=region, account=account)


S3_BUCKET_READS: dict[str, tuple[str, str | None]] = S3_BUCKET.aspect_reads
"""Bucket aspect -> (the Get* call that reads it live, the error code meaning "not configured")."""


def cfn_name_property(resource_type: str) -> str | None:
    """The CloudFormation property that names a resource of `resource_type` (None: none in scope)."""
    kind = BY_TYPE.get(resource_type)
    return kind.cfn_name_property if kind is not None and kind.cloudformation else None


def securityhub_type(resource_type: str) -> str:
    """The Security Hub (ASFF) resource type of a document type (`Other` where ASFF has none)."""
    kind = BY_TYPE.get(resource_type)
    return kind.securityhub_type if kind is not None else "Other"


# `KMS_KEYS` and `KeyReferences` live in guardrails/kms_keys.py (the live readers' KMS lookups), imported on
# first use: a check of a template reads no key.
__getattr__ = lazy_exports(
    __name__, {"KMS_KEYS": "guardrails.kms_keys", "KeyReferences": "guardrails.kms_keys"}
)
