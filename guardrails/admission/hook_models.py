"""Pydantic models of the CloudFormation Lambda Hook request, its S3 payloads and the response.

Field names follow the wire format (camelCase aliases); Python attributes are snake_case. See
AWS_REFERENCE.md §3 and the CloudFormation Hooks User Guide ("Create Lambda functions to evaluate
resources for Lambda Hooks").
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

InvocationPoint = Literal["CREATE_PRE_PROVISION", "UPDATE_PRE_PROVISION", "DELETE_PRE_PROVISION"]
HookStatus = Literal["SUCCESS", "FAILED", "IN_PROGRESS"]
ErrorCode = Literal["NonCompliant", "InternalFailure"]
AnnotationStatus = Literal["PASSED", "FAILED", "SKIPPED"]
SeverityLevel = Literal["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
ChangeAction = Literal["CREATE", "UPDATE", "DELETE", "IMPORT"]

STACK = "STACK"
CHANGE_SET = "CHANGE_SET"
CLOUD_CONTROL_TARGET_TYPE = "RESOURCE"


class _WireModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class TargetModel(_WireModel):
    resource_properties: dict[str, Any] | None = None
    """Proposed properties, resolved by CloudFormation (empty on delete)."""
    previous_resource_properties: dict[str, Any] | None = None
    """Current properties (empty on create)."""


class RequestData(_WireModel):
    target_name: str = Field(min_length=1)
    """The resource type (`AWS::SageMaker::EndpointConfig`), or `STACK` / `CHANGE_SET`."""
    target_type: str = Field(min_length=1)
    """The resource type for CloudFormation resource targets; `RESOURCE` for Cloud Control; `STACK`,
    `CHANGE_SET`."""
    target_logical_id: str | None = None
    """Template logical id; the stack name for STACK, the change set ARN for CHANGE_SET."""
    target_model: TargetModel | None = None
    payload: str | None = None
    """STACK / CHANGE_SET: presigned S3 URL of the payload object."""


class RequestContext(_WireModel):
    invocation: int = 1
    callback_context: dict[str, Any] | None = None


class HookRequest(_WireModel):
    """What a Lambda Hook receives."""

    client_request_token: str = Field(
        min_length=1, validation_alias=AliasChoices("clientRequestToken", "clientRequesttoken")
    )
    aws_account_id: str | None = None
    stack_id: str | None = Field(default=None, validation_alias=AliasChoices("stackId", "stackID"))
    change_set_id: str | None = None
    hook_type_name: str | None = None
    hook_type_version: str | None = None
    hook_model: dict[str, Any] | None = None
    action_invocation_point: InvocationPoint
    request_data: RequestData
    request_context: RequestContext | None = None

    @property
    def target_kind(self) -> Literal["STACK", "CHANGE_SET", "CLOUD_CONTROL", "RESOURCE"]:
        target_type = self.request_data.target_type
        if target_type in (STACK, CHANGE_SET):
            return target_type  # type: ignore[return-value]
        if not self.stack_id or target_type == CLOUD_CONTROL_TARGET_TYPE:
            return "CLOUD_CONTROL"
        return "RESOURCE"

    @property
    def region(self) -> str | None:
        """The region of the stack (from its ARN); None for Cloud Control requests."""
        from guardrails.partitions import parse_arn

        arn = parse_arn(self.stack_id)
        return arn.region if arn is not None and arn.region else None


class StackPayload(_WireModel):
    """The object behind a STACK target's `payload` URL."""

    template: str | dict[str, Any]
    previous_template: str | dict[str, Any] | None = None


class ChangedResource(_WireModel):
    action: ChangeAction | str
    logical_resource_id: str = Field(min_length=1)
    resource_type: str = Field(min_length=1)
    before_context: dict[str, Any] | None = None
    after_context: dict[str, Any] | None = None
    line_number: int | None = None

    @field_validator("before_context", "after_context", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        """The contexts arrive as JSON strings of `{"Properties": {...}}` (values stringified)."""
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise ValueError(f"not a JSON document: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError("must be a JSON object")
        return value

    @property
    def properties(self) -> dict[str, Any]:
        """The proposed properties (`afterContext.Properties`)."""
        context = self.after_context or {}
        properties = context.get("Properties", context.get("properties"))
        return properties if isinstance(properties, dict) else {}

    @property
    def previous_properties(self) -> dict[str, Any] | None:
        context = self.before_context or {}
        properties = context.get("Properties", context.get("properties"))
        return properties if isinstance(properties, dict) else None


class ChangeSetPayload(_WireModel):
    """The object behind a CHANGE_SET target's `payload` URL."""

    template: str | dict[str, Any] | None = None
    changed_resources: list[ChangedResource] = Field(default_factory=list)


class Annotation(_WireModel):
    annotation_name: str = Field(min_length=1, max_length=1024)
    status: AnnotationStatus
    status_message: str | None = Field(default=None, max_length=16384)
    remediation_message: str | None = Field(default=None, max_length=16384)
    remediation_link: str | None = Field(default=None, max_length=5120)
    severity_level: SeverityLevel | None = None


class HookResponse(_WireModel):
    """What the Lambda returns. `to_wire()` gives the JSON-ready dict (camelCase, no empty fields)."""

    hook_status: HookStatus
    error_code: ErrorCode | None = None
    message: str
    client_request_token: str
    annotations: list[Annotation] = Field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        data = self.model_dump(by_alias=True, exclude_none=True)
        if not data.get("annotations"):
            data.pop("annotations", None)
        return data
