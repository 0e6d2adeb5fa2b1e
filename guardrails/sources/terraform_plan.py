"""Terraform plan JSON (`terraform show -json plan.out`) -> canonical ResourceDocuments.

Every managed resource the plan creates, updates or keeps (not the deleted ones), in the root module and
in child modules, whose type maps to a kind (terraform_mapping.py). S3 split resources
(`aws_s3_bucket_public_access_block`, `_acl`, `_policy`, `_server_side_encryption_configuration`,
`_ownership_controls`) are joined to their `aws_s3_bucket` through the configuration's references
(`bucket = aws_s3_bucket.data.id`) or by the bucket's name; one whose bucket is not in the plan becomes a
bucket document that carries only that aspect, the others unknown. Each document's `logical_id` is the
Terraform address (`module.data["logs"].aws_s3_bucket.this`). The paths holding a value the plan marks
sensitive (`after_sensitive`: a `sensitive` variable or output, a provider's sensitive attribute) are
listed in `context.sensitive_paths`, redacted like a secret key's value.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
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
from guardrails.resource_kinds import BY_TYPE, S3_BUCKET_ASPECTS, Reference, arn_for
from guardrails.sources import s3_shape
from guardrails.sources.errors import SourceError
from guardrails.sources.notes import InputNote
from guardrails.sources.sensitive_paths import marked_texts, sensitive_paths
from guardrails.sources.terraform_mapping import (
    ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
    BUCKET_TYPE,
    SAGEMAKER_TYPE_OF,
    SAGEMAKER_TYPES,
    TERRAFORM_TYPES,
    terraform_name,
    type_schema,
)
from guardrails.sources.terraform_values import (
    NO_CONFIG,
    Unknown,
    canonical_shape,
    materialize,
    resource_values,
)

NOT_A_RESOURCE = ("var", "local", "each", "count", "data", "module", "path", "terraform", "self")
_INDEX = re.compile(r"\[[^\]]*\]")


@dataclass
class _Planned:
    """One planned resource instance."""

    address: str
    module: str
    type: str
    index: Any
    values: dict[str, Any]
    config: Any
    line: int | None
    properties: dict[str, Any] = field(default_factory=dict)
    name: Any = None
    extra_unknown: list[str] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    """(canonical related type, reference text, target address)."""
    secrets: set[str] = field(default_factory=set)
    """The texts of the values the plan marks sensitive (`after_sensitive`), for `context.sensitive_paths`."""

    @property
    def base(self) -> str:
        return f"{self.module}.{self.type}.{self.address.rsplit('.', 1)[-1].split('[')[0]}".lstrip(".")


NOT_EVALUATED_PREFIXES = ("aws_sagemaker_", "aws_s3_access_point", "aws_s3control_", "aws_s3outposts_")
"""Resource types in the SageMaker/S3 family that no control covers (noted, as for CloudFormation). The
other `aws_s3_bucket_*` resources (versioning, logging, lifecycle...) set bucket aspects no control judges,
like the matching CloudFormation bucket properties, and are not noted."""


def documents_from_plan(
    plan: dict[str, Any],
    *,
    file: str,
    text: str = "",
    point: EnforcementPoint = "pre-deploy",
    notes: list[InputNote] | None = None,
) -> list[ResourceDocument]:
    """The documents of a plan's in-scope resources, in plan order; SourceError for a malformed plan.
    Managed resources of the SageMaker/S3 family that no control covers are appended to `notes`."""
    if plan.get("errored") is True:
        raise SourceError(
            file, "the plan errored (errored: true): it does not describe what would be deployed"
        )
    if plan.get("complete") is False:
        raise SourceError(
            file,
            "the plan is incomplete (complete: false, deferred changes): plan again until it is complete",
        )
    changes = plan.get("resource_changes")
    if changes is None:
        changes = []
    if not isinstance(changes, list):
        raise SourceError(file, "resource_changes must be a list")
    configs = _configuration_index(plan.get("configuration"))
    region = _provider_region(plan.get("configuration"))
    lines = _address_lines(text)
    planned: list[_Planned] = []
    for i, change in enumerate(changes):
        if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
            raise SourceError(file, f"resource_changes[{i}] is not a resource change")
        if change.get("mode", "managed") != "managed":
            continue
        if change.get("type") not in TERRAFORM_TYPES:
            kind = str(change.get("type"))
            after = change["change"].get("after")
            if notes is not None and after is not None and kind.startswith(NOT_EVALUATED_PREFIXES):
                notes.append(
                    InputNote(
                        "not-evaluated", file, str(change.get("address")), kind, f"no control covers {kind}"
                    )
                )
            continue
        body = change["change"]
        if body.get("after") is None:  # deleted (or forgotten): nothing to judge
            continue
        address = str(change.get("address") or f"resource_changes[{i}]")
        module = str(change.get("module_address") or "")
        terraform_type = change["type"]
        config = configs.get((_INDEX.sub("", module), f"{terraform_type}.{change.get('name')}"), NO_CONFIG)
        expressions = config.get("expressions", {}) if isinstance(config, dict) else NO_CONFIG
        values = resource_values(TERRAFORM_TYPES[terraform_type], terraform_type, body, expressions, address)
        item = _Planned(
            address, module, terraform_type, change.get("index"), values, expressions, lines.get(address)
        )
        item.secrets = marked_texts(body.get("after"), body.get("after_sensitive"))
        planned.append(item)
    return _PlanDocuments(planned, file, point, region).build()


class _PlanDocuments:
    def __init__(self, planned: list[_Planned], file: str, point: EnforcementPoint, region: str | None):
        self.planned = planned
        self.file = file
        self.point = point
        self.region = region
        self.instances: dict[str, list[_Planned]] = defaultdict(list)
        for p in planned:
            self.instances[p.base].append(p)

    def build(self) -> list[ResourceDocument]:
        emitted: list[_Planned] = []
        parts: list[_Planned] = []
        for p in self.planned:
            if p.type in SAGEMAKER_TYPES:
                self._sagemaker(p)
                emitted.append(p)
            elif p.type == BUCKET_TYPE:
                self._bucket(p)
                emitted.append(p)
            elif p.type == ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE:
                p.properties = {"PublicAccessBlockConfiguration": _public_access_block(p.values)}
                account = p.values.get("account_id")
                p.name = account if isinstance(account, str) else "account"
                emitted.append(p)
            else:
                parts.append(p)
        lone: dict[str, _Planned] = {}
        for part in parts:
            bucket = self._target(part, "bucket", BUCKET_TYPE, name_attribute="bucket")
            if bucket is None:
                bucket = self._lone_bucket(part, lone, emitted)
            self._apply_part(bucket, part)
        for p in emitted:
            for followed in BY_TYPE[TERRAFORM_TYPES[p.type].canonical].references:
                self._link(p, followed)
        documents = {p.address: self._document(p) for p in emitted}
        for p in emitted:
            for related_type, reference, target in p.links:
                if target in documents:
                    documents[p.address].related[ResourceDocument.related_key(related_type, reference)] = (
                        documents[target]
                    )
        return list(documents.values())

    # ------------------------------------------------------------------------------------- SageMaker

    def _sagemaker(self, p: _Planned) -> None:
        spec = SAGEMAKER_TYPES[p.type]
        values = {k: v for k, v in p.values.items() if k not in ("tags", "tags_all", "id", "arn")}
        p.properties = canonical_shape(values, type_schema(p.type), spec)
        p.name = p.values.get(spec.name_attribute)

    def _link(self, p: _Planned, reference: Reference) -> None:
        """Link the planned resources `reference` names (the kinds table's references, in Terraform's
        attribute names: `endpoint_config_name`, `production_variants[].model_name`)."""
        target_type = SAGEMAKER_TYPE_OF[reference.to]
        name_attribute = SAGEMAKER_TYPES[target_type].name_attribute
        attribute = terraform_name(reference.field)
        if not reference.lists:
            value = p.properties.get(reference.field)
            target = self._target(
                p, attribute, target_type, name_attribute=name_attribute, value=p.values.get(attribute)
            )
            if target is not None:
                p.links.append((reference.to, _reference_text(value), target.address))
            return
        for api_list in reference.lists:
            tf_list = terraform_name(api_list)
            items = p.properties.get(api_list)
            if not isinstance(items, list) or not isinstance(p.values.get(tf_list), list):
                continue
            configs = p.config.get(tf_list) if isinstance(p.config, dict) else None
            for i, item in enumerate(items):
                if not isinstance(item, dict) or reference.field not in item:
                    continue
                expression = configs[i] if isinstance(configs, list) and i < len(configs) else None
                item_config = expression.get(attribute) if isinstance(expression, dict) else None
                target = self._resolve(p, item_config, target_type, name_attribute, item[reference.field])
                if target is not None:
                    p.links.append((reference.to, _reference_text(item[reference.field]), target.address))

    # ---------------------------------------------------------------------------------------- buckets

    def _bucket(self, p: _Planned) -> None:
        v = p.values
        props: dict[str, Any] = {}
        if "bucket" in v:
            props["BucketName"] = v["bucket"]
        if "acl" in v:
            props["AccessControl"] = s3_shape.canned_acl(v["acl"]) if isinstance(v["acl"], str) else v["acl"]
        if "grant" in v:
            props["AccessControlPolicy"] = {"Grants": _legacy_grants(v["grant"])}
        if "policy" in v:
            props["Policy"] = self._policy(p, v["policy"])
        if "server_side_encryption_configuration" in v:
            sse = v["server_side_encryption_configuration"]
            rules = sse[0].get("rule") if isinstance(sse, list) and sse and isinstance(sse[0], dict) else sse
            props["BucketEncryption"] = _encryption(rules)
        p.properties = props
        p.name = v.get("bucket")

    def _lone_bucket(self, part: _Planned, lone: dict[str, _Planned], emitted: list[_Planned]) -> _Planned:
        """A split resource whose bucket is not in the plan: a document for that bucket, one per name."""
        name = part.values.get("bucket")
        key = name if isinstance(name, str) else part.address
        if key in lone:
            return lone[key]
        bucket = _Planned(part.address, part.module, BUCKET_TYPE, part.index, {}, NO_CONFIG, part.line)
        bucket.name = name if name is not None else Unknown(f"bucket of {part.address}")
        bucket.properties = {"BucketName": bucket.name} if isinstance(name, str) else {}
        bucket.extra_unknown = list(S3_BUCKET_ASPECTS)
        lone[key] = bucket
        emitted.append(bucket)
        return bucket

    def _apply_part(self, bucket: _Planned, part: _Planned) -> None:
        v, props = part.values, bucket.properties
        bucket.secrets |= part.secrets
        if part.type == "aws_s3_bucket_public_access_block":
            props["PublicAccessBlockConfiguration"] = _public_access_block(v)
            aspect = "PublicAccessBlockConfiguration"
        elif part.type == "aws_s3_bucket_acl":
            # this resource sets the whole ACL: the bucket's read-back `acl` / `grant` no longer apply
            for attribute, field_name in (("acl", "AccessControl"), ("grant", "AccessControlPolicy")):
                if not _configures(bucket.config, attribute):
                    props.pop(field_name, None)
            if "acl" in v:
                props["AccessControl"] = (
                    s3_shape.canned_acl(v["acl"]) if isinstance(v["acl"], str) else v["acl"]
                )
            policy = _first(v.get("access_control_policy"))
            if isinstance(policy, Unknown):
                props["AccessControlPolicy"] = policy
            elif isinstance(policy, dict):
                props["AccessControlPolicy"] = {"Grants": _acl_grants(policy.get("grant"))}
            aspect = "AccessControl"
        elif part.type == "aws_s3_bucket_policy":
            document = self._policy(part, v.get("policy"))
            # The bucket's own `policy` counts only when its configuration sets it (v3 style, both in force);
            # otherwise it is the provider's read-back of the current policy, which this resource replaces.
            existing = props.get("Policy") if _configures(bucket.config, "policy") else None
            props["Policy"] = document if existing is None else _merge_policies(existing, document)
            aspect = "Policy"
        elif part.type == "aws_s3_bucket_server_side_encryption_configuration":
            props["BucketEncryption"] = _encryption(v.get("rule"))
            aspect = "BucketEncryption"
        else:  # aws_s3_bucket_ownership_controls
            rule = _first(v.get("rule"))
            ownership = rule.get("object_ownership") if isinstance(rule, dict) else rule
            props["OwnershipControls"] = {"Rules": [{"ObjectOwnership": ownership}]}
            aspect = "OwnershipControls"
        if aspect in bucket.extra_unknown:
            bucket.extra_unknown.remove(aspect)
            if aspect == "AccessControl" and "AccessControlPolicy" not in props:
                props.setdefault("AccessControlPolicy", {"Grants": []})

    def _policy(self, p: _Planned, text: Any) -> Any:
        if text is None or isinstance(text, Unknown):
            return text
        try:
            return s3_shape.policy_object(text)
        except (ValueError, TypeError) as exc:
            raise SourceError(
                self.file, f"{p.address}: policy is not a JSON policy document ({exc})"
            ) from None

    # ------------------------------------------------------------------------------------ references

    def _target(
        self, p: _Planned, attribute: str, target_type: str, *, name_attribute: str, value: Any = None
    ) -> _Planned | None:
        expression = p.config.get(attribute) if isinstance(p.config, dict) else None
        value = p.values.get(attribute) if value is None else value
        return self._resolve(p, expression, target_type, name_attribute, value)

    def _resolve(
        self, p: _Planned, expression: Any, target_type: str, name_attribute: str, value: Any
    ) -> _Planned | None:
        """The planned instance an attribute points at: through its references, else by name."""
        references = expression.get("references") if isinstance(expression, dict) else None
        for reference in references or []:
            parts = str(reference).split(".")
            if len(parts) < 2 or parts[0] in NOT_A_RESOURCE or parts[0] != target_type:
                continue
            base = f"{p.module}.{parts[0]}.{_INDEX.sub('', parts[1])}".lstrip(".")
            instances = self.instances.get(base, [])
            if len(instances) == 1:
                return instances[0]
            same_index = [i for i in instances if i.index == p.index and p.index is not None]
            if len(same_index) == 1:
                return same_index[0]
        if isinstance(value, str):
            named = [
                q
                for q in self.planned
                if q.type == target_type and q.values.get(name_attribute) == value and q is not p
            ]
            if len(named) == 1:
                return named[0]
        return None

    # ------------------------------------------------------------------------------------- documents

    def _document(self, p: _Planned) -> ResourceDocument:
        unknown: list[str] = []
        properties = materialize(p.properties, unknown)
        unknown.extend(p.extra_unknown)
        for aspect in p.extra_unknown:
            properties.setdefault(aspect, unknown_value(f"{aspect} of a bucket outside this plan"))
        resource_type = TERRAFORM_TYPES[p.type].canonical
        name = p.name
        if isinstance(name, Unknown) or not isinstance(name, str) or not name:
            name = p.address
        kind = BY_TYPE[resource_type]
        tags = p.values.get("tags")
        known_tags = (
            {str(k): str(v) for k, v in tags.items() if isinstance(v, (str, int, float, bool))}
            if isinstance(tags, dict)
            else {}
        )
        arn = (
            arn_for(kind, name, self.region, None)
            if name != p.address and not is_unknown_value(name)
            else None
        )
        return ResourceDocument(
            resource=Resource(
                type=resource_type,
                name=name,
                arn=arn,
                region=self.region,
                tags=known_tags,
                properties=properties,
            ),
            context=Context(
                point=self.point,
                source="terraform",
                location=Location(file=self.file, line=p.line, logical_id=p.address),
                unknown=list(dict.fromkeys(unknown)),
                sensitive_paths=sensitive_paths(properties, p.secrets) if p.secrets else None,
            ),
        )


# ----------------------------------------------------------------------------------- value shaping


def _configures(config: Any, attribute: str) -> bool:
    """The resource's configuration sets `attribute` (unknown configuration: assume it does)."""
    return config is NO_CONFIG or (isinstance(config, dict) and attribute in config)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _public_access_block(values: dict[str, Any]) -> dict[str, Any]:
    return {
        flag: values[snake]
        for flag, snake in (
            ("BlockPublicAcls", "block_public_acls"),
            ("IgnorePublicAcls", "ignore_public_acls"),
            ("BlockPublicPolicy", "block_public_policy"),
            ("RestrictPublicBuckets", "restrict_public_buckets"),
        )
        # The provider's default for an omitted flag is false (the plan shows it as false).
        if snake in values
    }


def _encryption(rules: Any) -> Any:
    if isinstance(rules, Unknown):
        return rules
    converted: list[Any] = []
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, Unknown) or not isinstance(rule, dict):
            converted.append(rule)
            continue
        default = _first(rule.get("apply_server_side_encryption_by_default"))
        item: dict[str, Any] = {}
        if isinstance(default, dict):
            by_default = {}
            if "sse_algorithm" in default:
                by_default["SSEAlgorithm"] = default["sse_algorithm"]
            if "kms_master_key_id" in default:
                by_default["KMSMasterKeyID"] = default["kms_master_key_id"]
            item["ServerSideEncryptionByDefault"] = by_default
        elif default is not None:
            item["ServerSideEncryptionByDefault"] = default
        if "bucket_key_enabled" in rule:
            item["BucketKeyEnabled"] = rule["bucket_key_enabled"]
        converted.append(item)
    return {"ServerSideEncryptionConfiguration": converted}


def _legacy_grants(grants: Any) -> Any:
    """Provider v3 inline `grant { type, uri, id, permissions }` -> API `Grants`."""
    if isinstance(grants, Unknown):
        return grants
    out: list[Any] = []
    for grant in grants if isinstance(grants, list) else []:
        if not isinstance(grant, dict):
            out.append(grant)
            continue
        grantee = {k: grant[s] for k, s in (("Type", "type"), ("URI", "uri"), ("ID", "id")) if s in grant}
        permissions = grant.get("permissions")
        if isinstance(permissions, list):
            out.extend({"Grantee": grantee, "Permission": perm} for perm in permissions)
        else:
            out.append({"Grantee": grantee, "Permission": permissions})
    return out


def _acl_grants(grants: Any) -> Any:
    """`access_control_policy { grant { grantee { type, uri, id, email_address } permission } }`."""
    if isinstance(grants, Unknown):
        return grants
    out: list[Any] = []
    for grant in grants if isinstance(grants, list) else []:
        if not isinstance(grant, dict):
            out.append(grant)
            continue
        grantee = _first(grant.get("grantee"))
        if isinstance(grantee, dict):
            grantee = {
                k: grantee[s]
                for k, s in (
                    ("Type", "type"),
                    ("URI", "uri"),
                    ("ID", "id"),
                    ("EmailAddress", "email_address"),
                )
                if s in grantee
            }
        out.append({"Grantee": grantee, "Permission": grant.get("permission")})
    return out


def _merge_policies(first: Any, second: Any) -> Any:
    if isinstance(first, Unknown) or isinstance(second, Unknown):
        return Unknown("one of several bucket policies is known only after apply")
    if not isinstance(first, dict) or not isinstance(second, dict):
        return Unknown("bucket policy is not an object")

    def statements(policy: dict[str, Any]) -> list[Any]:
        statement = policy.get("Statement")
        return [] if statement is None else (list(statement) if isinstance(statement, list) else [statement])

    return {**first, "Statement": statements(first) + statements(second)}


def _reference_text(value: Any) -> str:
    if isinstance(value, Unknown):
        return unknown_value(value.reason, specific=value.specific)
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


# ------------------------------------------------------------------------------------- plan parts


def _configuration_index(configuration: Any) -> dict[tuple[str, str], Any]:
    """(module path without instance keys, `type.name`) -> the resource's configuration block."""
    index: dict[tuple[str, str], Any] = {}

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and resource.get("mode", "managed") == "managed":
                index[(prefix, f"{resource.get('type')}.{resource.get('name')}")] = resource
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}.module.{name}".lstrip("."))

    if isinstance(configuration, dict):
        walk(configuration.get("root_module"), "")
    return index


def _provider_region(configuration: Any) -> str | None:
    try:
        region = configuration["provider_config"]["aws"]["expressions"]["region"]["constant_value"]
    except (KeyError, TypeError):
        return None
    return region if isinstance(region, str) else None


def _address_lines(text: str) -> dict[str, int]:
    """Line of each resource change in a pretty-printed plan (a one-line plan has none worth giving)."""
    start = text.find('"resource_changes"')
    if start < 0 or text.count("\n") < 2:
        return {}
    lines: dict[str, int] = {}
    line = text.count("\n", 0, start) + 1
    position = start
    for match in re.finditer(r'"address":\s*("(?:[^"\\]|\\.)*")', text[start:]):
        line += text.count("\n", position, start + match.start())
        position = start + match.start()
        try:
            address = json.loads(match.group(1))
        except ValueError:
            continue
        lines.setdefault(address, line)
    return lines
