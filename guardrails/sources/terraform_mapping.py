"""Terraform (hashicorp/aws) resource types and field names -> the canonical document (API request shape).

The full table, with examples, is in docs/terraform.md. Names are converted word by word
(`enable_network_isolation` -> `EnableNetworkIsolation`, `s3_kms_key_id` -> `S3KmsKeyId`,
`volume_size_in_gb` -> `VolumeSizeInGB`); `RENAMES` lists the fields whose API name differs from that.
A nested block that holds at most one item (`vpc_config { ... }`) becomes an object; a block that
holds a list in the API (`production_variants`, `container`) stays a list. The provider schema facts
used here (block list-ness, provider-computed attributes) come from the provider itself:
guardrails/schemas/terraform-aws-provider.json, written by tests/fixtures/terraform/regenerate.sh.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from guardrails.resource_kinds import BY_TYPE


@dataclass(frozen=True)
class TerraformType:
    """How one Terraform resource type maps onto a canonical kind."""

    canonical: str
    """The document type (`AWS::SageMaker::Model`); S3 split resources name the bucket they change."""
    name_attribute: str = "name"
    renames: dict[str, str] = field(default_factory=dict)
    """Terraform dotted path (no list indexes) -> API name of its last segment."""
    api_lists: tuple[str, ...] = ()
    """Blocks that hold one item in the provider but a list in the API (`MonitoringOutputs`)."""
    computed_blocks: tuple[str, ...] = ()
    """Blocks the provider marks "known after apply" whenever the configuration does not set them (it
    reads them back from AWS): unknown-and-unset there means AWS's default, i.e. absent."""


SAGEMAKER_TYPES: dict[str, TerraformType] = {
    "aws_sagemaker_model": TerraformType(
        "AWS::SageMaker::Model",
        renames={"name": "ModelName", "container": "Containers"},
        computed_blocks=("inference_execution_config", "primary_container.model_data_source"),
    ),
    "aws_sagemaker_endpoint_configuration": TerraformType(
        "AWS::SageMaker::EndpointConfig",
        renames={"name": "EndpointConfigName", "kms_key_arn": "KmsKeyId"},
    ),
    "aws_sagemaker_endpoint": TerraformType("AWS::SageMaker::Endpoint", renames={"name": "EndpointName"}),
    "aws_sagemaker_notebook_instance": TerraformType(
        "AWS::SageMaker::NotebookInstance",
        renames={"name": "NotebookInstanceName", "security_groups": "SecurityGroupIds"},
    ),
    "aws_sagemaker_domain": TerraformType(
        "AWS::SageMaker::Domain",
        name_attribute="domain_name",
        computed_blocks=(
            "default_user_settings.space_storage_settings",
            "default_space_settings.space_storage_settings",
        ),
        renames={
            "default_user_settings.custom_file_system_config": "CustomFileSystemConfigs",
            "default_space_settings.custom_file_system_config": "CustomFileSystemConfigs",
        },
    ),
    "aws_sagemaker_pipeline": TerraformType("AWS::SageMaker::Pipeline", name_attribute="pipeline_name"),
    "aws_sagemaker_feature_group": TerraformType(
        "AWS::SageMaker::FeatureGroup",
        name_attribute="feature_group_name",
        renames={"feature_definition": "FeatureDefinitions"},
        computed_blocks=("throughput_config", "offline_store_config.data_catalog_config"),
    ),
    "aws_sagemaker_monitoring_schedule": TerraformType(
        "AWS::SageMaker::MonitoringSchedule", renames={"name": "MonitoringScheduleName"}
    ),
    "aws_sagemaker_data_quality_job_definition": TerraformType(
        "AWS::SageMaker::DataQualityJobDefinition",
        renames={"name": "JobDefinitionName"},
        computed_blocks=("stopping_condition",),
        api_lists=("data_quality_job_output_config.monitoring_outputs",),
    ),
}

SAGEMAKER_TYPE_OF: dict[str, str] = {spec.canonical: t for t, spec in SAGEMAKER_TYPES.items()}
"""Canonical type -> the Terraform type that creates it (the targets of the kinds' references)."""

BUCKET_TYPE = "aws_s3_bucket"
BUCKET_PART_TYPES: tuple[str, ...] = (
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_ownership_controls",
)
"""The provider v4+ split resources that each set one aspect of a bucket named by their `bucket`."""
ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE = "aws_s3_account_public_access_block"

S3_TYPES: dict[str, TerraformType] = {
    BUCKET_TYPE: TerraformType(
        "AWS::S3::Bucket",
        name_attribute="bucket",
        computed_blocks=(
            "grant",
            "server_side_encryption_configuration",
            "cors_rule",
            "lifecycle_rule",
            "logging",
            "object_lock_configuration",
            "replication_configuration",
            "versioning",
            "website",
        ),
    ),
    **{t: TerraformType("AWS::S3::Bucket", name_attribute="bucket") for t in BUCKET_PART_TYPES},
    "aws_s3_bucket_acl": TerraformType(
        "AWS::S3::Bucket", name_attribute="bucket", computed_blocks=("access_control_policy",)
    ),
    ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE: TerraformType(
        "AWS::S3::AccountPublicAccessBlock", name_attribute="account_id"
    ),
}

TERRAFORM_TYPES: dict[str, TerraformType] = {**SAGEMAKER_TYPES, **S3_TYPES}

WORDS: dict[str, str] = {
    "ssm": "SSM",
    "gb": "GB",
    "mb": "MB",
    "s3": "S3",
    "csv": "Csv",
    "ami": "Ami",
}
"""Words whose API spelling is not just capitalised."""


def _check_kinds() -> None:
    for spec in TERRAFORM_TYPES.values():
        if spec.canonical not in BY_TYPE:  # pragma: no cover - guarded by tests
            raise AssertionError(f"{spec.canonical} is not a kind in resource_kinds.py")


_check_kinds()


def api_name(snake: str) -> str:
    """`enable_ssm_access` -> `EnableSSMAccess`."""
    return "".join(WORDS.get(word, word[:1].upper() + word[1:]) for word in snake.split("_"))


def terraform_name(api: str) -> str:
    """`EndpointConfigName` -> `endpoint_config_name` (the provider's name of an API field)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api).lower()


@lru_cache(maxsize=1)
def provider_schema() -> dict[str, Any]:
    text = resources.files("guardrails").joinpath("schemas/terraform-aws-provider.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def type_schema(terraform_type: str) -> dict[str, Any]:
    found: dict[str, Any] = provider_schema()["resources"].get(
        terraform_type, {"attributes": {}, "blocks": {}}
    )
    return found
