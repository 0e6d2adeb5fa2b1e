"""A parsed template -> one ResourceDocument per in-scope resource (bucket policies joined to buckets)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from guardrails.documents import (
    Context,
    EnforcementPoint,
    Location,
    Resource,
    ResourceDocument,
    is_unknown_value,
    unknown_value,
)
from guardrails.resource_kinds import BY_TYPE, CLOUDFORMATION_TYPES, arn_for
from guardrails.sources.cloudformation.intrinsics import TemplateResolver
from guardrails.sources.cloudformation.property_values import (
    materialize,
    merge_policies,
    pipeline_request_shape,
    policy_object,
    tags_of,
)
from guardrails.sources.cloudformation.resolved_values import IntrinsicError, Unknown
from guardrails.sources.cloudformation.resource_names import name_property
from guardrails.sources.errors import SourceError

BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"
PIPELINE = "AWS::SageMaker::Pipeline"
ENDPOINT = "AWS::SageMaker::Endpoint"
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
MODEL = "AWS::SageMaker::Model"
VARIANT_LISTS = ("ProductionVariants", "ShadowProductionVariants")
BUCKET_ASPECTS_NOT_IN_POLICY = ("PublicAccessBlockConfiguration", "AccessControl", "BucketEncryption")
"""What a lone `AWS::S3::BucketPolicy` cannot tell about its bucket."""
_FOR_EACH_PREFIX = "Fn::ForEach::"  # AWS::LanguageExtensions loops: not expanded, not in scope


def looks_like_cloudformation(data: Any) -> bool:
    """A mapping with `AWSTemplateFormatVersion`, or with a `Resources` mapping of `{Type: str}` entries."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    return all(
        isinstance(resource, dict) and isinstance(resource.get("Type"), str)
        for logical_id, resource in resources.items()
        if not str(logical_id).startswith(_FOR_EACH_PREFIX)
    )


def documents_from_template(
    template: dict[str, Any],
    *,
    file: str,
    parameters: Mapping[str, str] | None = None,
    lines: Mapping[str, int] | None = None,
    point: EnforcementPoint = "pre-deploy",
) -> list[ResourceDocument]:
    """Resolve a parsed template and return the documents of its in-scope resources, in template order.

    `parameters` override parameter defaults (`--parameter Key=Value`); the pseudo parameters
    `AWS::Region`, `AWS::AccountId`, `AWS::StackName` (and `AWS::Partition`, `AWS::URLSuffix`) may be
    given the same way. Raises SourceError for a template that is not valid.
    """
    lines = dict(lines or {})
    _validate(template, file, lines)
    resolver = TemplateResolver(template, parameters)
    try:
        return _TemplateDocuments(resolver, file, lines, point).build()
    except IntrinsicError as exc:
        where = f"resource {exc.logical_id}: " if exc.logical_id else ""
        raise SourceError(file, where + exc.message, lines.get(exc.logical_id or "")) from None
    except RecursionError:
        raise SourceError(file, "template nesting is too deep to resolve") from None


def document_from_resource_properties(
    resource_type: str,
    logical_id: str,
    properties: Mapping[str, Any] | None,
    *,
    file: str | None = None,
    point: EnforcementPoint = "admission",
    region: str | None = None,
    account: str | None = None,
) -> ResourceDocument:
    """The document of one resource whose properties CloudFormation already resolved (hook RESOURCE target).

    An `AWS::S3::BucketPolicy` becomes an `AWS::S3::Bucket` document carrying only `Policy`.
    """
    unknown: list[str] = []
    try:
        shaped = materialize(dict(properties or {}), unknown)
    except RecursionError:
        raise SourceError(file or logical_id, "resource properties are nested too deeply") from None
    name: str | None = None
    if resource_type == BUCKET_POLICY:
        bucket = shaped.get("Bucket")
        name = bucket if isinstance(bucket, str) and bucket else None
        policy = policy_object(shaped.get("PolicyDocument"))
        shaped = {} if policy is None else {"Policy": policy}
        if name is not None:
            shaped["BucketName"] = name
        resource_type = BUCKET
        unknown.extend(BUCKET_ASPECTS_NOT_IN_POLICY)
    elif resource_type == PIPELINE:
        shaped = pipeline_request_shape(shaped)
    return _document(
        resource_type,
        logical_id,
        shaped,
        unknown,
        name=name,
        location=Location(file=file, logical_id=logical_id),
        point=point,
        region=region,
        account=account,
    )


def _document(
    resource_type: str,
    logical_id: str,
    properties: dict[str, Any],
    unknown: list[str],
    *,
    name: str | None,
    location: Location,
    point: EnforcementPoint,
    region: str | None,
    account: str | None,
) -> ResourceDocument:
    if name is None:
        name_field = name_property(resource_type)
        literal = properties.get(name_field) if name_field else None
        if isinstance(literal, str) and literal and not is_unknown_value(literal):
            name = literal
    kind = BY_TYPE.get(resource_type)
    known_name = bool(name) and not is_unknown_value(name)
    arn = arn_for(kind, name, region, account) if kind is not None and name and known_name else None
    return ResourceDocument(
        resource=Resource(
            type=resource_type,
            name=name or logical_id,
            arn=arn,
            account=account,
            region=region,
            tags=tags_of(properties),
            properties=properties,
        ),
        context=Context(
            point=point,
            source="cloudformation",
            location=location,
            unknown=list(dict.fromkeys(unknown)),
        ),
    )


def _validate(template: Any, file: str, lines: Mapping[str, int]) -> None:
    if not isinstance(template, dict):
        raise SourceError(file, "a template must be a mapping")
    if "Resources" not in template:
        raise SourceError(file, "not a CloudFormation template: no Resources section")
    resources = template["Resources"]
    if not isinstance(resources, dict):
        kind = "a list" if isinstance(resources, list) else type(resources).__name__
        raise SourceError(file, f"Resources must be a mapping of logical ids, not {kind}")
    for section in ("Parameters", "Conditions", "Mappings"):
        if template.get(section) is not None and not isinstance(template[section], dict):
            raise SourceError(file, f"{section} must be a mapping")
    for logical_id, resource in resources.items():
        if str(logical_id).startswith(_FOR_EACH_PREFIX):
            continue
        if not isinstance(resource, dict):
            raise SourceError(file, f"resource {logical_id} must be a mapping", lines.get(logical_id))
        if not isinstance(resource.get("Type"), str) or not resource["Type"]:
            raise SourceError(file, f"resource {logical_id} has no Type", lines.get(logical_id))


@dataclass
class _Entry:
    """One document in the making; `properties` still holds `Unknown` values."""

    index: int
    logical_id: str
    type: str
    properties: Any
    name: str | None = None
    extra_unknown: tuple[str, ...] = ()
    links: list[tuple[str, Any, str]] = field(default_factory=list)
    """(related type, reference value in properties, target logical id)."""


class _TemplateDocuments:
    def __init__(self, resolver: TemplateResolver, file: str, lines: dict[str, int], point: EnforcementPoint):
        self.resolver = resolver
        self.file = file
        self.lines = lines
        self.point = point

    def build(self) -> list[ResourceDocument]:
        entries: list[_Entry] = []
        policies: list[_Entry] = []
        for index, (logical_id, resource) in enumerate(self.resolver.resources.items()):
            if str(logical_id).startswith(_FOR_EACH_PREFIX):
                continue
            resource_type = resource["Type"]
            if (
                resource_type not in CLOUDFORMATION_TYPES
                or self.resolver.resource_condition(logical_id) is False
            ):
                continue
            properties = self.resolver.properties(logical_id)
            if isinstance(properties, dict):
                properties = dict(properties)  # the resolver's copy stays untouched
            entry = _Entry(index, logical_id, resource_type, properties)
            (policies if resource_type == BUCKET_POLICY else entries).append(entry)

        buckets = _Index(self.resolver, entries, BUCKET)
        for policy in policies:
            bucket = self._policy_bucket(policy, buckets)
            if bucket is None:
                entries.append(self._lone_policy(policy))
            elif isinstance(bucket.properties, dict):
                document = self._policy_document(policy)
                existing = bucket.properties.get("Policy")
                bucket.properties["Policy"] = (
                    document if existing is None else merge_policies(existing, document)
                )
        entries.sort(key=lambda entry: entry.index)

        configs = _Index(self.resolver, entries, ENDPOINT_CONFIG)
        models = _Index(self.resolver, entries, MODEL)
        for entry in entries:
            if entry.type == PIPELINE and isinstance(entry.properties, dict):
                entry.properties = pipeline_request_shape(entry.properties)
            elif entry.type == ENDPOINT:
                self._link_endpoint(entry, configs)
            elif entry.type == ENDPOINT_CONFIG:
                self._link_models(entry, models)

        documents = {entry.logical_id: self._document(entry) for entry in entries}
        for entry in entries:
            for related_type, reference, target in entry.links:
                key = ResourceDocument.related_key(related_type, _reference_text(reference))
                documents[entry.logical_id].related[key] = documents[target]
        return list(documents.values())

    # ------------------------------------------------------------------------------- bucket policies

    def _policy_bucket(self, policy: _Entry, buckets: _Index) -> _Entry | None:
        """The in-template bucket a policy's `Bucket` names: by Ref, by literal name, or by the same
        (unresolvable) name expression, e.g. both `!Sub ${AppName}-${AWS::AccountId}`."""
        raw = _raw_property(self.resolver, policy.logical_id, "Bucket")
        if isinstance(raw, dict) and list(raw) == ["Ref"] and raw["Ref"] in buckets.by_id:
            return buckets.by_id[raw["Ref"]]
        resolved = policy.properties.get("Bucket") if isinstance(policy.properties, dict) else None
        if isinstance(resolved, Unknown) and resolved.attribute is None and resolved.target in buckets.by_id:
            return buckets.by_id[resolved.target]
        if isinstance(resolved, str) and resolved in buckets.by_name:
            return buckets.by_name[resolved]
        return buckets.by_expression.get(_canonical(raw)) if raw is not None else None

    @staticmethod
    def _policy_document(policy: _Entry) -> Any:
        if not isinstance(policy.properties, dict):
            return Unknown(f"PolicyDocument of {policy.logical_id}")
        return policy_object(policy.properties.get("PolicyDocument"))

    def _lone_policy(self, policy: _Entry) -> _Entry:
        """A policy for a bucket outside the template: a bucket document that carries only `Policy`."""
        bucket = policy.properties.get("Bucket") if isinstance(policy.properties, dict) else None
        if isinstance(bucket, Unknown):
            name = unknown_value(bucket.reason)
        elif isinstance(bucket, str) and bucket:
            name = bucket
        else:
            name = unknown_value(f"Bucket of {policy.logical_id}")
        document = self._policy_document(policy)
        properties = {} if document is None else {"Policy": document}
        if isinstance(bucket, (str, Unknown)) and bucket != "":
            properties["BucketName"] = bucket  # S3-05 matches the policy's Resource against it
        return _Entry(
            policy.index,
            policy.logical_id,
            BUCKET,
            properties,
            name=name,
            extra_unknown=BUCKET_ASPECTS_NOT_IN_POLICY,
        )

    # ------------------------------------------------------------------------------------ references

    def _reference(self, value: Any, targets: _Index) -> tuple[Any, str | None]:
        """(value to place in properties, logical id of the in-template resource it names, if any)."""
        if isinstance(value, Unknown):
            target = targets.by_id.get(value.target or "")
            if target is None:
                return value, None
            if value.attribute in (None, targets.name_field):
                name = self.resolver.resource_name(target.logical_id, targets.name_field)
                if name is not None:
                    value = name  # `Ref X` / `GetAtt X.<name>` of a resource with a literal name
            return value, target.logical_id
        if isinstance(value, str) and value in targets.by_name:
            return value, targets.by_name[value].logical_id
        return value, None

    def _link_endpoint(self, entry: _Entry, configs: _Index) -> None:
        if not isinstance(entry.properties, dict) or "EndpointConfigName" not in entry.properties:
            return
        value, target = self._reference(entry.properties["EndpointConfigName"], configs)
        entry.properties["EndpointConfigName"] = value
        if target is not None:
            entry.links.append((ENDPOINT_CONFIG, value, target))

    def _link_models(self, entry: _Entry, models: _Index) -> None:
        if not isinstance(entry.properties, dict):
            return
        for list_name in VARIANT_LISTS:
            variants = entry.properties.get(list_name)
            if not isinstance(variants, list):
                continue
            variants = [dict(variant) if isinstance(variant, dict) else variant for variant in variants]
            entry.properties[list_name] = variants
            for variant in variants:
                if not isinstance(variant, dict) or "ModelName" not in variant:
                    continue
                value, target = self._reference(variant["ModelName"], models)
                variant["ModelName"] = value
                if target is not None:
                    entry.links.append((MODEL, value, target))

    # ------------------------------------------------------------------------------------- documents

    def _document(self, entry: _Entry) -> ResourceDocument:
        unknown: list[str] = []
        if isinstance(entry.properties, dict):
            properties = materialize(entry.properties, unknown)
        else:  # the whole Properties is unknown (e.g. an Fn::If on an unknown condition)
            properties = {}
            unknown.append("")
        unknown.extend(entry.extra_unknown)
        return _document(
            entry.type,
            entry.logical_id,
            properties,
            unknown,
            name=entry.name,
            location=Location(
                file=self.file, line=self.lines.get(entry.logical_id), logical_id=entry.logical_id
            ),
            point=self.point,
            region=self.resolver.region,
            account=self.resolver.account,
        )


class _Index:
    """The emitted resources of one type by logical id, by literal name and by raw name expression."""

    def __init__(self, resolver: TemplateResolver, entries: list[_Entry], resource_type: str) -> None:
        self.name_field = name_property(resource_type) or ""
        self.by_id: dict[str, _Entry] = {}
        self.by_name: dict[str, _Entry] = {}
        self.by_expression: dict[str, _Entry] = {}
        for entry in entries:
            if entry.type != resource_type:
                continue
            self.by_id[entry.logical_id] = entry
            name = resolver.resource_name(entry.logical_id, self.name_field)
            if name is not None:
                self.by_name.setdefault(name, entry)
            raw = _raw_property(resolver, entry.logical_id, self.name_field)
            if raw is not None:
                self.by_expression.setdefault(_canonical(raw), entry)


def _raw_property(resolver: TemplateResolver, logical_id: str, name: str) -> Any:
    """A property as written in the template, before resolution."""
    raw = resolver.resources[logical_id].get("Properties")
    return raw.get(name) if isinstance(raw, dict) else None


def _reference_text(value: Any) -> str:
    if isinstance(value, Unknown):
        return unknown_value(value.reason, specific=value.specific)
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
