"""The canonical resource document: the one input shape every policy sees (see DESIGN.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from guardrails.json_data import json_data, shared_json_data
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


@dataclass(slots=True, kw_only=True)
class Location:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    file: str | None = None
    line: int | None = None
    logical_id: str | None = None


@dataclass(slots=True, kw_only=True)
class Actor:
    """Who made the request or change (admission and runtime; none at pre-deploy)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    arn: str | None = None
    type: str | None = None
    name: str | None = None


@dataclass(slots=True, kw_only=True)
class Context:
    """Where and how the document was read: enforcement point, source, place, what is unknown."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    point: EnforcementPoint = "pre-deploy"
    source: SourceKind = "cloudformation"
    location: Location = field(default_factory=Location)
    actor: Actor | None = None
    unknown: list[str] = field(default_factory=list)
    """Dotted property paths (list indexes as numbers) whose values are present but not knowable."""
    sensitive_paths: list[str] | None = None
    """Dotted property paths whose values hold a secret the source declares (a CloudFormation `NoEcho`
    parameter, a Terraform `sensitive` value), wholly or in part: redacted like a secret key's value."""
    suppressions: list[InlineSuppression] | None = None
    """Inline suppressions written next to the resource (guardrails/suppressions.py); pre-deploy only."""


@dataclass(slots=True, kw_only=True)
class Resource:
    """The resource judged: type, name, identifiers, tags and its properties."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    type: str
    name: str
    arn: str | None = None
    account: str | None = None
    region: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class ResourceDocument:
    """`{resource, related, context}`: the input of one policy evaluation.

    `related` maps `"<Type>/<reference value>"` to the document of a resource this one references,
    keyed by the reference exactly as it appears in `properties` (e.g. an Endpoint's
    `EndpointConfigName`), so a policy can look it up without knowing the source.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    resource: Resource
    related: dict[str, ResourceDocument] = field(default_factory=dict)
    context: Context = field(default_factory=Context)

    @staticmethod
    def related_key(resource_type: str, reference: str) -> str:
        return f"{resource_type}/{reference}"

    def to_input(self) -> dict[str, Any]:
        """The JSON-ready dict handed to the policy engine: pydantic's json-mode dump of the document
        without None fields (`dump_python(mode="json", exclude_none=True)`), made by guardrails/json_data.py
        (plain JSON as it is; dates, tuples, non-finite floats... converted as pydantic does).
        tests/sources/test_document_input.py checks both agree.

        Tags, properties and `context.unknown` that are plain JSON already are shared, not copied (a
        quarter of a `check`'s per-document Python time was that copy): the result is for reading at once
        (serialised, digested, redacted into a new value); change a copy, never it."""
        resource, context = self.input_parts()
        related = self.related
        if type(related) is dict and all(type(key) is str for key in related):
            related_input = {
                key: doc.to_input() if type(doc) is ResourceDocument else json_data(doc)
                for key, doc in related.items()
            }
        else:
            related_input = json_data(related)
        return {"resource": resource, "related": related_input, "context": context}

    def input_parts(
        self, plain: Callable[[Any], Any] | None = shared_json_data
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """`to_input()`'s "resource" and "context" (everything but `related`). `plain` turns tags,
        properties and `context.unknown` into JSON data: by default shared when plain already, else a
        converted copy; None passes them as they are (engine_inputs.py checks them itself).

        A text or a Location of the declared type is written here (what json_data writes of it), without
        a call each: a check makes one input per document."""
        res, ctx = self.resource, self.context
        kind, name = res.type, res.name
        resource: dict[str, Any] = {
            "type": kind if type(kind) is str else json_data(kind),
            "name": name if type(name) is str else json_data(name),
        }
        if res.arn is not None:
            resource["arn"] = json_data(res.arn)
        if res.account is not None:
            resource["account"] = json_data(res.account)
        if res.region is not None:
            resource["region"] = json_data(res.region)
        point, source, location = ctx.point, ctx.source, ctx.location
        context: dict[str, Any] = {
            "point": point if type(point) is str else json_data(point),
            "source": source if type(source) is str else json_data(source),
            "location": _location_data(location) if type(location) is Location else json_data(location),
        }
        if ctx.actor is not None:
            context["actor"] = json_data(ctx.actor)
        if plain is None:
            resource["tags"], resource["properties"] = res.tags, res.properties
            context["unknown"] = ctx.unknown
        else:
            resource["tags"], resource["properties"] = plain(res.tags), plain(res.properties)
            context["unknown"] = plain(ctx.unknown)
        if ctx.sensitive_paths is not None:
            context["sensitive_paths"] = json_data(ctx.sensitive_paths)
        if ctx.suppressions is not None:
            context["suppressions"] = json_data(ctx.suppressions)
        return resource, context


def _location_data(location: Location) -> dict[str, Any]:
    """`json_data(location)`: its fields in order, None ones left out, text and integers as they are."""
    data: dict[str, Any] = {}
    file, line, logical_id = location.file, location.line, location.logical_id
    if file is not None:
        data["file"] = file if type(file) is str else json_data(file)
    if line is not None:
        data["line"] = line if type(line) is int else json_data(line)
    if logical_id is not None:
        data["logical_id"] = logical_id if type(logical_id) is str else json_data(logical_id)
    return data
