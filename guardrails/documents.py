"""The canonical resource document: the one input shape every policy sees (see DESIGN.md)."""

from __future__ import annotations

import math
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


_MODEL = ConfigDict(extra="forbid", defer_build=True)
"""`defer_build`: a `check` builds documents with `model_construct` and serialises them with `to_input`, so
no validator or serializer schema is built on its path (the first costs ~0.02 s CPU of pydantic imports);
other sources still validate, building the schema on first use."""


def path_string(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """`["VpcConfig", "Subnets", 0]` -> `"VpcConfig.Subnets.0"` (the format of `context.unknown`)."""
    return ".".join(str(p) for p in parts)


class Location(BaseModel):
    model_config = _MODEL

    file: str | None = None
    line: int | None = None
    logical_id: str | None = None


class Actor(BaseModel):
    model_config = _MODEL

    arn: str | None = None
    type: str | None = None
    name: str | None = None


class Context(BaseModel):
    model_config = _MODEL

    point: EnforcementPoint = "pre-deploy"
    source: SourceKind = "cloudformation"
    location: Location = Field(default_factory=Location)
    actor: Actor | None = None
    unknown: list[str] = Field(default_factory=list)
    """Dotted property paths (list indexes as numbers) whose values are present but not knowable."""
    suppressions: list[InlineSuppression] | None = None
    """Inline suppressions written next to the resource (guardrails/suppressions.py); pre-deploy only."""


class Resource(BaseModel):
    model_config = _MODEL

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

    model_config = _MODEL

    resource: Resource
    related: dict[str, ResourceDocument] = Field(default_factory=dict)
    context: Context = Field(default_factory=Context)

    @staticmethod
    def related_key(resource_type: str, reference: str) -> str:
        return f"{resource_type}/{reference}"

    def to_input(self) -> dict[str, Any]:
        """The JSON-ready dict handed to the policy engine: `model_dump(mode="json", exclude_none=True)`,
        made by hand when every value is plain JSON (exact str, int, bool, None, finite float, str-keyed
        dict, list; no inline suppressions), else by pydantic (dates, tuples, non-finite floats... are
        converted as pydantic does). tests/sources/test_document_input.py checks both agree."""
        plain = self._plain_input()
        return self.model_dump(mode="json", exclude_none=True) if plain is None else plain

    def _plain_input(self) -> dict[str, Any] | None:
        res, ctx = self.resource, self.context
        if ctx.suppressions is not None or type(res.type) is not str or type(res.name) is not str:
            return None
        if type(self.related) is not dict:
            return None
        resource = _fields_without_none(res, ("type", "name", "arn", "account", "region"))
        tags, properties = _plain_copy(res.tags), _plain_copy(res.properties)
        location = _fields_without_none(ctx.location, ("file", "line", "logical_id"))
        actor = None if ctx.actor is None else _fields_without_none(ctx.actor, ("arn", "type", "name"))
        unknown = _plain_copy(ctx.unknown)
        if _NOT_PLAIN in (resource, tags, properties, location, actor, unknown):
            return None
        resource["tags"] = tags
        resource["properties"] = properties
        context: dict[str, Any] = {"point": ctx.point, "source": ctx.source, "location": location}
        if actor is not None:
            context["actor"] = actor
        context["unknown"] = unknown
        related = {}
        for key, doc in self.related.items():
            if type(key) is not str or type(doc) is not ResourceDocument:
                return None
            related_input = doc._plain_input()
            if related_input is None:
                return None
            related[key] = related_input
        return {"resource": resource, "related": related, "context": context}


_NOT_PLAIN: Any = object()
"""What `_plain_copy` returns for a value it leaves to pydantic's serializer."""
_SCALARS = frozenset({str, int, bool, type(None)})


def _plain_copy(value: Any) -> Any:
    """A deep copy of plain JSON data (what pydantic's json-mode dump of it returns), or _NOT_PLAIN."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            copied = _plain_copy(item)
            if type(key) is not str or copied is _NOT_PLAIN:
                return _NOT_PLAIN
            out[key] = copied
        return out
    if kind is list:
        items = []
        for item in value:
            copied = _plain_copy(item)
            if copied is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(copied)
        return items
    if kind is float and math.isfinite(value):
        return value
    return _NOT_PLAIN


def _fields_without_none(model: BaseModel, names: tuple[str, ...]) -> Any:
    """The named scalar fields of `model` that are not None, or _NOT_PLAIN."""
    out = {}
    for name in names:
        value = getattr(model, name)
        if value is not None:
            if type(value) not in _SCALARS:
                return _NOT_PLAIN
            out[name] = value
    return out
