"""A parsed template -> one ResourceDocument per in-scope resource (bucket policies joined to buckets)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter, is_
from pathlib import Path
from typing import Any

from guardrails.documents import (
    UNKNOWN_PREFIX,
    Context,
    EnforcementPoint,
    Location,
    Resource,
    ResourceDocument,
    unknown_value,
)
from guardrails.redaction import REDACTED
from guardrails.resource_kinds import (
    BY_TYPE,
    CLOUDFORMATION_TYPES,
    REFERENCED_TYPES,
    S3_BUCKET_ASPECTS_NOT_IN_POLICY,
    Reference,
    arn_for,
)
from guardrails.resource_kinds import cfn_name_property as name_property
from guardrails.sources.cloudformation.includes import LocalIncludes
from guardrails.sources.cloudformation.intrinsics import TemplateResolver
from guardrails.sources.cloudformation.language_extensions import (
    FOR_EACH_PREFIX,
    ForEachExpander,
    has_for_each,
)
from guardrails.sources.cloudformation.nested_stacks import NESTED_STACK_TYPES, NestedStacks
from guardrails.sources.cloudformation.property_values import (
    materialize,
    materialize_owned,
    merge_policies,
    pipeline_request_shape,
    policy_object,
    tags_of,
)
from guardrails.sources.cloudformation.resolved_values import IntrinsicError, Unknown, contains_unknown
from guardrails.sources.cloudformation.yaml_reader import plain_containers
from guardrails.sources.errors import SourceError
from guardrails.sources.notes import InputNote
from guardrails.sources.sensitive_paths import secret_texts, sensitive_paths

BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"
PIPELINE = "AWS::SageMaker::Pipeline"
_FOR_EACH_PREFIX = FOR_EACH_PREFIX
SECTION_TRANSFORM = "Fn::Transform"
"""`AWS::Include` (or another macro) as a key of a section or resource: it merges unseen content in."""
KNOWN_TRANSFORMS = frozenset(
    {
        "AWS::Serverless-2016-10-31",  # SAM: leaves the SageMaker and S3 resource types as they are
        "AWS::LanguageExtensions",  # expanded here (language_extensions.py)
        "AWS::CodeDeployBlueGreen",
        "AWS::SecretsManager-2020-07-23",
    }
)
NOT_EVALUATED_PREFIXES = ("AWS::SageMaker::", "AWS::S3")
"""Resource types whose family the guardrails cover: one no control judges is reported "not evaluated"."""


@dataclass
class TemplateResult:
    """The documents of a template (nested stacks followed included) and what it holds but nobody judged."""

    documents: list[ResourceDocument]
    notes: list[InputNote] = field(default_factory=list)


def looks_like_cloudformation(data: Any) -> bool:
    """A mapping with `AWSTemplateFormatVersion`, or with a `Resources` mapping of `{Type: str}` entries."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return False
    for logical_id, resource in resources.items():  # (a loop, not all() of a generator: one resource each)
        if isinstance(resource, dict) and isinstance(resource.get("Type"), str):
            continue
        if logical_id != SECTION_TRANSFORM and not str(logical_id).startswith(_FOR_EACH_PREFIX):
            return False
    return True


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
    return template_documents(template, file=file, parameters=parameters, lines=lines, point=point).documents


def template_documents(
    template: dict[str, Any],
    *,
    file: str,
    parameters: Mapping[str, Any] | None = None,
    lines: Mapping[str, int] | None = None,
    point: EnforcementPoint = "pre-deploy",
    base_dir: Path | None = None,
    chain: tuple[Path, ...] = (),
    includes: bool = False,
    secrets: frozenset[str] = frozenset(),
) -> TemplateResult:
    """`documents_from_template` plus notes; with `base_dir` (the template's folder) nested stacks whose
    `TemplateURL` is a relative path are followed (`chain`: the templates above, for cycle detection) and,
    when `includes` (the text names `AWS::Include`), local `AWS::Include` snippets are read. `secrets`:
    the values of the parent stack's `NoEcho` parameters (a nested stack may be passed them); with this
    template's own `NoEcho` values, the paths that hold one are listed in `context.sensitive_paths`."""
    plain = plain_containers(lines)
    lines = dict(lines or {})
    _validate_sections(template, file)
    try:
        if includes and base_dir is not None:
            template = LocalIncludes(base_dir).expand(template)
            _validate_sections(template, file)
        if has_for_each(template):
            template = _expand_loops(template, parameters)
        _validate(template, file, lines)
        resolver = TemplateResolver(template, parameters, plain)
        secrets = secrets | _no_echo_values(template, resolver.parameters)
        nested = NestedStacks(file, base_dir, chain, point) if base_dir is not None else None
        builder = _TemplateDocuments(resolver, file, lines, point, nested, secrets)
        documents = builder.build()
        return TemplateResult(documents, builder.notes)
    except IntrinsicError as exc:
        where = f"resource {exc.logical_id}: " if exc.logical_id else ""
        raise SourceError(file, where + exc.message, lines.get(exc.logical_id or "")) from None
    except RecursionError:
        raise SourceError(file, "template nesting is too deep to resolve") from None


def _no_echo_values(template: Mapping[str, Any], values: Mapping[str, Any]) -> frozenset[str]:
    """The known values (as text) of the template's parameters declared `NoEcho: true`."""
    declared = template.get("Parameters")
    found: set[str] = set()
    for name, spec in declared.items() if isinstance(declared, dict) else ():
        no_echo = spec.get("NoEcho") if isinstance(spec, dict) else None
        if no_echo is True or (isinstance(no_echo, str) and no_echo.strip().lower() == "true"):
            value = values.get(name)
            found |= set() if contains_unknown(value) else secret_texts(value)
    return frozenset(found)


def _expand_loops(template: dict[str, Any], parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The template with its `Fn::ForEach` loops expanded (collections resolved against parameters and
    mappings), in the sections that may hold them."""
    resolver = TemplateResolver(template, parameters)
    expander = ForEachExpander(resolver.resolve)
    expanded = dict(template)
    for section in ("Conditions", "Resources", "Outputs"):
        if isinstance(template.get(section), dict):
            expanded[section] = expander.expand(template[section])
    return expanded


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
        if isinstance(policy, Unknown):
            unknown.append("Policy")
            policy = unknown_value(policy.reason)
        shaped = {} if policy is None else {"Policy": policy}
        if name is not None:
            shaped["BucketName"] = name
        resource_type = BUCKET
        unknown.extend(S3_BUCKET_ASPECTS_NOT_IN_POLICY)
    elif resource_type == PIPELINE:
        shaped = pipeline_request_shape(shaped)
    return _document(
        resource_type,
        logical_id,
        shaped,
        unknown,
        name,
        _location(file, None, logical_id),
        point,
        region,
        account,
    )


def _document(
    resource_type: str,
    logical_id: str,
    properties: dict[str, Any],
    unknown: list[str],
    name: str | None,
    location: Location,
    point: EnforcementPoint,
    region: str | None,
    account: str | None,
    sensitive_paths: list[str] | None = None,
) -> ResourceDocument:
    """The document of one resource (positional arguments: one call per document of a template)."""
    kind = BY_TYPE.get(resource_type)
    if name is None:
        name_field = (
            kind.cfn_name_property if kind is not None and kind.cloudformation else None
        )  # name_property
        literal = properties.get(name_field) if name_field else None
        if isinstance(literal, str) and literal and not literal.startswith(UNKNOWN_PREFIX):
            name = literal
    arn = (
        arn_for(kind, name, region, account)
        if kind is not None and name and not name.startswith(UNKNOWN_PREFIX)
        else None
    )
    # Plain dataclasses, not validated: every value is this reader's own, of the declared types (names
    # and ids are strings, `tags_of` gives str -> str). Made without their keyword-only `__init__`
    # (a class called with keywords builds a dict of them first): about half the cost, four objects a
    # document. tests/sources/test_build_paths.py checks every field is set, as `__init__` would.
    resource = _new(Resource)
    resource.type = resource_type
    resource.name = name or logical_id
    resource.arn = arn
    resource.account = account
    resource.region = region
    resource.tags = tags_of(properties)
    resource.properties = properties
    context = _new(Context)
    context.point = point
    context.source = "cloudformation"
    context.location = location
    context.actor = None
    context.unknown = list(dict.fromkeys(unknown)) if len(unknown) > 1 else unknown
    context.sensitive_paths = sensitive_paths
    context.suppressions = None
    document = _new(ResourceDocument)
    document.resource = resource
    document.related = {}
    document.context = context
    return document


def _location(file: str | None, line: int | None, logical_id: str) -> Location:
    """`Location(file=file, line=line, logical_id=logical_id)` without the keyword call (see `_document`)."""
    location = _new(Location)
    location.file = file
    location.line = line
    location.logical_id = logical_id
    return location


_new = object.__new__


def _validate_sections(template: Any, file: str) -> None:
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


def _validate(template: Any, file: str, lines: Mapping[str, int]) -> None:
    _validate_sections(template, file)
    for logical_id, resource in template["Resources"].items():
        if type(resource) is dict:  # (nearly always) a mapping with a Type: valid, whatever its id
            resource_type = resource.get("Type")
            if type(resource_type) is str and resource_type:
                continue
        if logical_id == SECTION_TRANSFORM or str(logical_id).startswith(_FOR_EACH_PREFIX):
            continue
        if not isinstance(resource, dict):
            raise SourceError(file, f"resource {logical_id} must be a mapping", lines.get(logical_id))
        if not isinstance(resource.get("Type"), str) or not resource["Type"]:
            raise SourceError(file, f"resource {logical_id} has no Type", lines.get(logical_id))


class _Entry:
    """One document in the making; `properties` still holds `Unknown` values. A class with slots and a
    positional `__init__`, not a dataclass: one per resource, and a dataclass's keyword call costs twice
    as much."""

    __slots__ = ("index", "logical_id", "type", "properties", "name", "extra_unknown", "links")

    def __init__(
        self,
        index: int,
        logical_id: str,
        resource_type: str,
        properties: Any,
        name: str | None = None,
        extra_unknown: tuple[str, ...] = (),
    ) -> None:
        self.index = index
        self.logical_id = logical_id
        self.type = resource_type
        self.properties = properties
        self.name = name
        self.extra_unknown = extra_unknown
        self.links: list[tuple[str, Any, str]] = []
        """(related type, reference value in properties, target logical id)."""


class _TemplateDocuments:
    def __init__(
        self,
        resolver: TemplateResolver,
        file: str,
        lines: dict[str, int],
        point: EnforcementPoint,
        nested: NestedStacks | None = None,
        secrets: frozenset[str] = frozenset(),
    ):
        self.resolver = resolver
        self.secrets = secrets
        self.file = file
        self.lines = lines
        self.point = point
        self.nested = nested
        self.notes: list[InputNote] = []
        self.macro = _unknown_macro(resolver.template_transform)
        self.region, self.account = resolver.region, resolver.account
        self._raw_names: dict[str, str | None] = {}

    def _note(self, kind: Any, logical_id: str | None, resource_type: str | None, reason: str) -> None:
        for secret in sorted(self.secrets, key=len, reverse=True):  # a TemplateURL may carry a NoEcho token
            reason = reason.replace(secret, REDACTED)
        self.notes.append(InputNote(kind, self.file, logical_id, resource_type, reason))

    def build(self) -> list[ResourceDocument]:
        entries: list[_Entry] = []
        policies: list[_Entry] = []
        child_documents: list[ResourceDocument] = []
        if self.macro is not None:
            self._note(
                "unknown-content",
                None,
                None,
                f"the template is processed by {self.macro} before deploy: resources it adds or changes "
                "are not knowable here",
            )
        resolver, macro = self.resolver, self.macro
        buckets: list[_Entry] = []
        for index, (logical_id, resource) in enumerate(resolver.resources.items()):
            if logical_id == SECTION_TRANSFORM:
                self._note(
                    "unknown-content",
                    None,
                    None,
                    f"Resources merges in content from {_transform_name(resource)}: resources it adds are "
                    "not knowable here",
                )
                continue
            resource_type = resource["Type"]
            # resolver.resource_condition, inline: most resources have no Condition
            condition = resource.get("Condition")
            if resource_type not in CLOUDFORMATION_TYPES:
                if condition is None or resolver.condition(condition) is not False:
                    child_documents.extend(self._other_resource(logical_id, resource_type))
                continue
            if condition is not None and resolver.condition(condition) is False:
                continue
            properties = resolver.properties(logical_id)
            if macro is not None:
                properties = Unknown(f"Transform {macro}")
            elif SECTION_TRANSFORM in resource:
                properties = Unknown(f"Fn::Transform {_transform_name(resource[SECTION_TRANSFORM])}")
            if isinstance(properties, dict):
                properties = dict(properties)  # the resolver's copy stays untouched
            elif macro is None:  # (the template-level note already says it for every resource)
                reason = properties.reason if isinstance(properties, Unknown) else "not a mapping"
                self._note(
                    "unknown-content",
                    logical_id,
                    resource_type,
                    f"the properties are not knowable before deploy ({reason}); no control can pass it",
                )
            entry = _Entry(index, logical_id, resource_type, properties)
            if resource_type == BUCKET_POLICY:
                policies.append(entry)
            else:
                entries.append(entry)
                if resource_type == BUCKET:
                    buckets.append(entry)

        bucket_index = _Index(resolver, buckets, BUCKET)
        lone = len(entries)
        for policy in policies:
            bucket = self._policy_bucket(policy, bucket_index)
            if bucket is None:
                entries.append(self._lone_policy(policy))
            elif isinstance(bucket.properties, dict):
                document = self._self_references(policy, bucket, self._policy_document(policy))
                existing = bucket.properties.get("Policy")
                bucket.properties["Policy"] = (
                    document if existing is None else merge_policies(existing, document)
                )
        if len(entries) != lone:  # (in template order already, but for the lone policies added)
            entries.sort(key=_ENTRY_INDEX)

        referenced: dict[str, list[_Entry]] = {t: [] for t in REFERENCED_TYPES}
        for entry in entries:
            group = referenced.get(entry.type)
            if group is not None:
                group.append(entry)
        indexes = {t: _Index(resolver, group, t) for t, group in referenced.items()}
        for entry in entries:
            if entry.type == PIPELINE and isinstance(entry.properties, dict):
                entry.properties = pipeline_request_shape(entry.properties)
            kind = BY_TYPE.get(entry.type)
            for reference in kind.references if kind is not None else ():
                self._link(entry, reference, indexes[reference.to])

        documents = {entry.logical_id: self._document(entry) for entry in entries}
        for entry in entries:
            for related_type, reference, target in entry.links:
                key = ResourceDocument.related_key(related_type, _reference_text(reference))
                documents[entry.logical_id].related[key] = documents[target]
        return [*documents.values(), *child_documents]

    # ------------------------------------------------------------------------- out-of-scope resources

    def _other_resource(self, logical_id: str, resource_type: str) -> list[ResourceDocument]:
        """A nested stack is followed (its documents returned); an uncovered SageMaker/S3 type is noted."""
        if resource_type in NESTED_STACK_TYPES:
            properties = self.resolver.properties(logical_id)
            if self.nested is None:
                self._note(
                    "not-followed",
                    logical_id,
                    resource_type,
                    "nested stack: the child template is not a local file",
                )
                return []
            result, reason = self.nested.follow(
                logical_id, resource_type, properties, self.resolver.pseudo, self.secrets
            )
            if result is None:
                self._note("not-followed", logical_id, resource_type, reason)
                return []
            self.notes.extend(result.notes)
            return result.documents
        if resource_type.startswith(NOT_EVALUATED_PREFIXES):
            self._note("not-evaluated", logical_id, resource_type, f"no control covers {resource_type}")
        return []

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
        return buckets.expression(raw) if raw is not None else None

    @staticmethod
    def _policy_document(policy: _Entry) -> Any:
        if not isinstance(policy.properties, dict):
            return Unknown(f"PolicyDocument of {policy.logical_id}")
        return policy_object(policy.properties.get("PolicyDocument"))

    def _self_references(self, policy: _Entry, bucket: _Entry, document: Any) -> Any:
        """The policy with each unresolved `Resource` that names its own bucket (`!GetAtt B.Arn`,
        `!Sub ${B.Arn}/*`, `!Sub arn:${AWS::Partition}:s3:::${B}/*`, `!Join` of those parts) written as
        `arn:<partition>:s3:::<the bucket's BucketName>` plus its literal tail, where an unknown name is
        the same placeholder text as the bucket's `BucketName`: S3-05 can then see that its TLS Deny
        covers this bucket although the name is not knowable before deploy."""
        raw_document = _raw_property(self.resolver, policy.logical_id, "PolicyDocument")
        if not isinstance(document, dict) or not isinstance(raw_document, dict):
            return document
        statements, raw_statements = document.get("Statement"), raw_document.get("Statement")
        single = isinstance(statements, dict)
        statements = [statements] if single else statements
        raw_statements = [raw_statements] if isinstance(raw_statements, dict) else raw_statements
        if not isinstance(statements, list) or not isinstance(raw_statements, list):
            return document
        if len(statements) != len(raw_statements):
            return document
        arn: list[str] = []  # the bucket's ARN as the rewritten elements start, made when first needed
        rewritten = [
            self._statement_self_references(st, raw, bucket, arn)
            for st, raw in zip(statements, raw_statements, strict=True)
        ]
        if all(map(is_, rewritten, statements)):  # (as long as each other)
            return document
        return {**document, "Statement": rewritten[0] if single else rewritten}

    def _statement_self_references(self, statement: Any, raw: Any, bucket: _Entry, arn: list[str]) -> Any:
        if not isinstance(statement, dict) or not isinstance(raw, dict):
            return statement
        resources, raw_resources = statement.get("Resource"), raw.get("Resource")
        listed = isinstance(resources, list)
        resources = resources if isinstance(resources, list) else [resources]
        raw_resources = raw_resources if isinstance(raw_resources, list) else [raw_resources]
        if len(resources) != len(raw_resources):
            return statement
        out, changed = [], False
        for value, raw_value in zip(resources, raw_resources, strict=True):
            tail = (
                _self_reference_tail(raw_value, bucket.logical_id, self._raw_name_text(bucket))
                if isinstance(value, Unknown)
                else None
            )
            if tail is None:
                out.append(value)
                continue
            if not arn:
                partition = self.resolver.pseudo.get("AWS::Partition")
                partition = partition if isinstance(partition, str) else "aws"
                arn.append(f"arn:{partition}:s3:::{self._bucket_name_text(bucket)}")
            out.append(arn[0] + tail)
            changed = True
        if not changed:
            return statement
        return {**statement, "Resource": out if listed else out[0]}

    def _raw_name_text(self, bucket: _Entry) -> str | None:
        """The bucket's BucketName as written (`Fn::Sub` text), when it is an expression (memoised)."""
        if bucket.logical_id not in self._raw_names:
            text = _expression_text(_raw_property(self.resolver, bucket.logical_id, "BucketName"))
            self._raw_names[bucket.logical_id] = text if text is not None and "${" in text else None
        return self._raw_names[bucket.logical_id]

    @staticmethod
    def _bucket_name_text(bucket: _Entry) -> str:
        """The bucket's name as its document will show it (a placeholder when not knowable); a bucket
        without BucketName gets one, the name CloudFormation generates."""
        name = bucket.properties.get("BucketName")
        if isinstance(name, str) and name:
            return name
        if not isinstance(name, Unknown):
            name = Unknown(f"name CloudFormation generates for {bucket.logical_id}", specific=True)
            bucket.properties["BucketName"] = name
        return unknown_value(name.reason, specific=name.specific)

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
        # the bucket's name, as API request documents carry it (S3-05 matches the policy's Resource to it)
        properties["BucketName"] = (
            bucket
            if isinstance(bucket, (str, Unknown)) and bucket
            else Unknown(f"Bucket of {policy.logical_id}")
        )
        return _Entry(
            policy.index,
            policy.logical_id,
            BUCKET,
            properties,
            name=name,
            extra_unknown=S3_BUCKET_ASPECTS_NOT_IN_POLICY,
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

    def _link(self, entry: _Entry, reference: Reference, targets: _Index) -> None:
        """Resolve the names `reference` reads (an Endpoint's EndpointConfigName, a config's variants'
        ModelName) to template resources: their names in properties, a link to each."""
        if not isinstance(entry.properties, dict):
            return
        holders: list[dict[str, Any]] = [] if reference.lists else [entry.properties]
        for list_name in reference.lists:
            items = entry.properties.get(list_name)
            if not isinstance(items, list):
                continue
            items = [dict(item) if isinstance(item, dict) else item for item in items]
            entry.properties[list_name] = items
            holders += [item for item in items if isinstance(item, dict)]
        for holder in holders:
            if reference.field not in holder:
                continue
            value, target = self._reference(holder[reference.field], targets)
            holder[reference.field] = value
            if target is not None:
                entry.links.append((reference.to, value, target))

    # ------------------------------------------------------------------------------------- documents

    def _document(self, entry: _Entry) -> ResourceDocument:
        unknown: list[str] = []
        if isinstance(entry.properties, dict):
            # (entry.properties and the containers in it are this build's own: see materialize_owned)
            properties = materialize_owned(entry.properties, unknown, self.resolver.plain)
        else:  # the whole Properties is unknown (e.g. an Fn::If on an unknown condition)
            properties = {}
            unknown.append("")
        if entry.extra_unknown:
            unknown.extend(entry.extra_unknown)
        logical_id = entry.logical_id
        location = _new(Location)  # (`_location`, inline: one call less a document)
        location.file = self.file
        location.line = self.lines.get(logical_id)
        location.logical_id = logical_id
        return _document(
            entry.type,
            logical_id,
            properties,
            unknown,
            entry.name,
            location,
            self.point,
            self.region,
            self.account,
            sensitive_paths(properties, self.secrets) if self.secrets else None,
        )


_ENTRY_INDEX = attrgetter("index")


class _Index:
    """The emitted resources of one type (`entries`: those of that type, in template order) by logical id,
    by literal name and (`expression`: for a bucket policy's `Bucket`) by raw name expression."""

    def __init__(self, resolver: TemplateResolver, entries: list[_Entry], resource_type: str) -> None:
        self.name_field = name_property(resource_type) or ""
        self.by_id: dict[str, _Entry] = {}
        self.by_name: dict[str, _Entry] = {}
        self._resolver = resolver
        self._by_expression: dict[str, _Entry] | None = None
        for entry in entries:
            self.by_id[entry.logical_id] = entry
            name = resolver.resource_name(entry.logical_id, self.name_field)
            if name is not None:
                self.by_name.setdefault(name, entry)

    def expression(self, raw: Any) -> _Entry | None:
        """The resource whose raw name expression is `raw` (the first, in template order). The table is
        made when first asked for (a policy whose `Bucket` is neither a `Ref` nor a name: rare), not for
        every index: each key is a JSON text."""
        if self._by_expression is None:
            self._by_expression = {}
            for entry in self.by_id.values():
                expression = _raw_property(self._resolver, entry.logical_id, self.name_field)
                if expression is not None:
                    self._by_expression.setdefault(_canonical(expression), entry)
        return self._by_expression.get(_canonical(raw))


_S3_ARN_PREFIX = re.compile(r"arn:(?:\$\{AWS::Partition\}|aws[a-z-]*):s3:::")


def _self_reference_tail(raw: Any, logical_id: str, raw_name: str | None = None) -> str | None:
    """The literal tail after a reference to bucket `logical_id`'s ARN in a raw `Resource` element
    ("" or "/*"...), None when the element is not such a reference. `raw_name` is the bucket's
    BucketName expression text: the same expression inside an ARN names the bucket too.

    Plain prefix tests, not a regular expression built from `logical_id`: one such pattern per bucket
    policy statement overflowed `re`'s cache and recompiled on every call (~0.1 s at 1,000 resources)."""
    text = _expression_text(raw)
    if text is None:
        return None
    head = "${" + logical_id + ".Arn}"
    if text.startswith(head):  # (the commonest: `!GetAtt B.Arn`, `!Sub ${B.Arn}/*`) no pattern matched
        tail = text[len(head) :]
        if "$" not in tail:
            return tail if not tail or tail.startswith("/") else None
    heads = []
    prefix = _S3_ARN_PREFIX.match(text)
    if prefix is not None:
        heads += [text[: prefix.end()] + "${" + logical_id + "}"]
        if raw_name:
            heads.append(text[: prefix.end()] + raw_name)
    for head in heads:
        if text.startswith(head):
            tail = text[len(head) :]
            if "$" not in tail:
                return tail if not tail or tail.startswith("/") else None
    return None


def _expression_text(raw: Any) -> str | None:
    """A raw intrinsic as `Fn::Sub` text (`{"Ref": "B"}` -> `${B}`, `GetAtt B.Arn` -> `${B.Arn}`, `Fn::Join`
    of such parts), None for anything else."""
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, dict) or len(raw) != 1:
        return None
    ((key, value),) = raw.items()
    if key == "Ref" and isinstance(value, str):
        return "${" + value + "}"
    if key == "Fn::GetAtt":
        parts = value.split(".", 1) if isinstance(value, str) else value
        if (
            isinstance(parts, list)
            and len(parts) == 2
            and isinstance(parts[0], str)
            and isinstance(parts[1], str)
        ):
            return "${" + parts[0] + "." + parts[1] + "}"
        return None
    if key == "Fn::Sub":
        if isinstance(value, str):
            return value
        if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and not value[1]:
            return value[0]
        return None
    if key == "Fn::Join" and isinstance(value, list) and len(value) == 2:
        delimiter, items = value
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return None
        texts = [_expression_text(item) for item in items]
        return None if any(t is None for t in texts) else delimiter.join(texts)  # type: ignore[arg-type]
    return None


def _unknown_macro(transform: Any) -> str | None:
    """The first template-level transform that is not a known AWS one (it may rewrite anything)."""
    for item in transform if isinstance(transform, list) else [transform]:
        if item is None:
            continue
        name = item if isinstance(item, str) else _transform_name(item)
        if name not in KNOWN_TRANSFORMS:
            return name
    return None


def _transform_name(value: Any) -> str:
    """`{Name: AWS::Include, Parameters: {Location: s3://...}}` -> "AWS::Include (s3://...)"."""
    if not isinstance(value, dict):
        return "a macro"
    name = value.get("Name")
    name = name if isinstance(name, str) else "a macro"
    parameters = value.get("Parameters")
    location = parameters.get("Location") if isinstance(parameters, dict) else None
    return f"{name} ({location})" if isinstance(location, str) else name


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
