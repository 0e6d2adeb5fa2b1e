"""The canonical resource document: the one input shape every policy sees (see DESIGN.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from guardrails.suppressions import InlineSuppression

EnforcementPoint = Literal["pre-deploy", "admission", "runtime", "scan"]
SourceKind = Literal["cloudformation", "terraform", "api-request", "cloudtrail", "sagemaker-event", "live"]

UNKNOWN_PREFIX = "<unknown"
SPECIFIC_UNKNOWN_PREFIX = "<unknown specific:"


def unknown_value(reason: str, *, specific: bool = False) -> str:
    """Placeholder for a value that is present but not knowable now (unresolved Ref, `omitted`...).

    Its path must also be listed in `context.unknown`. `specific` marks a value that is certainly not a
    wildcard or empty (a resource's id or attribute, the account id, a string with literal text such as
    `arn:aws:iam::${AWS::AccountId}:root`): it reads `<unknown specific: ...>`, so a policy can tell
    "some account" from "maybe `*`" (see `lib.may_be_wildcard`).
    """
    return f"{SPECIFIC_UNKNOWN_PREFIX} {reason}>" if specific else f"{UNKNOWN_PREFIX}: {reason}>"


def is_unknown_value(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(UNKNOWN_PREFIX)


def path_string(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """`["VpcConfig", "Subnets", 0]` -> `"VpcConfig.Subnets.0"` (the format of `context.unknown`)."""
    return ".".join(str(p) for p in parts)


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    line: int | None = None
    logical_id: str | None = None


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    arn: str | None = None
    type: str | None = None
    name: str | None = None


class Context(BaseModel):
    model_config = ConfigDict(extra="forbid")

    point: EnforcementPoint = "pre-deploy"
    source: SourceKind = "cloudformation"
    location: Location = Field(default_factory=Location)
    actor: Actor | None = None
    unknown: list[str] = Field(default_factory=list)
    """Dotted property paths (list indexes as numbers) whose values are present but not knowable."""
    sensitive_paths: list[str] | None = None
    """Dotted property paths whose values hold a secret the source declares (a CloudFormation `NoEcho`
    parameter, a Terraform `sensitive` value), wholly or in part: redacted like a secret key's value."""
    suppressions: list[InlineSuppression] | None = None
    """Inline suppressions written next to the resource (guardrails/suppressions.py); pre-deploy only."""


class Resource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    name: str
    arn: str | None = None
    account: str | None = None
    region: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    properties: dict[str, Any] = Field(default_factory=dict)


class ResourceDocument(BaseModel):
    """`{resource, related, context}`: the input of one policy evaluation.

    `related` maps `"<Type>/<reference value>"` to the document of a resource this one references,
    keyed by the reference exactly as it appears in `properties` (e.g. an Endpoint's
    `EndpointConfigName`), so a policy can look it up without knowing the source.
    """

    model_config = ConfigDict(extra="forbid")

    resource: Resource
    related: dict[str, ResourceDocument] = Field(default_factory=dict)
    context: Context = Field(default_factory=Context)

    @staticmethod
    def related_key(resource_type: str, reference: str) -> str:
        return f"{resource_type}/{reference}"

    def to_input(self) -> dict[str, Any]:
        """The JSON-ready dict handed to the policy engine."""
        return self.model_dump(mode="json", exclude_none=True)
