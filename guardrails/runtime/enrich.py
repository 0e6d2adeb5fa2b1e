"""Complete a runtime document from the live resource: Describe* for unknown fields, related resources.

A CloudTrail record may be truncated (`omitted`), hide fields, or carry one aspect of a bucket only; an
Update* call carries only what changed; an Endpoint is judged through its EndpointConfig and Models.
Whatever the event did not say is read from AWS here: a missing value is never taken as compliant.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import BY_TYPE, ResourceKind
from guardrails.runtime.clients import AwsClients, call, error_code, is_transient
from guardrails.runtime.errors import ResourceGone, TransientAwsError
from guardrails.sources import s3_shape

BUCKET = "AWS::S3::Bucket"
ACCOUNT_BLOCK = "AWS::S3::AccountPublicAccessBlock"
ACCESS_POINT = "AWS::S3::AccessPoint"
ENDPOINT = "AWS::SageMaker::Endpoint"
ENDPOINT_CONFIG = BY_TYPE["AWS::SageMaker::EndpointConfig"]
MODEL = BY_TYPE["AWS::SageMaker::Model"]


def needs_live_state(document: ResourceDocument) -> bool:
    """True when the event alone cannot decide: unknown values, a bucket or account setting (events
    carry one aspect), or an endpoint (judged through the resources it references)."""
    if document.context.source == "live":
        return False
    return bool(document.context.unknown) or document.resource.type in (BUCKET, ACCOUNT_BLOCK, ENDPOINT)


def jsonable(value: Any) -> Any:
    """A Describe response as plain JSON (datetimes as ISO strings, no ResponseMetadata)."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "ResponseMetadata"}
    return json.loads(json.dumps(value, default=str))


def describe(kind: ResourceKind, name: str, clients: AwsClients) -> dict[str, Any]:
    """The Describe* response of a SageMaker resource; raises ResourceGone when it does not exist."""
    if kind.describe is None:
        raise ValueError(f"{kind.type} has no Describe operation in the kinds table")
    return jsonable(call(clients.client(kind.service), kind.describe, **{kind.describe_field: name}))


def enrich(document: ResourceDocument, clients: AwsClients) -> tuple[ResourceDocument, dict[str, Any] | None]:
    """(the document rebuilt from the live resource, the raw live state) — or the document unchanged
    and None when the resource is gone. Transient AWS errors raise TransientAwsError."""
    res = document.resource
    kind = BY_TYPE[res.type]
    if res.type == BUCKET:
        try:
            state = read_bucket(res.name, clients)
        except ResourceGone:
            return document, None
        live = document.model_copy(deep=True)
        live.resource.properties = state
        live.context.unknown = []
        return live, state
    if res.type == ACCESS_POINT:
        try:
            state = read_access_point(res.name, res.account or "", clients)
        except ResourceGone:
            return document, None
        live = document.model_copy(deep=True)
        live.resource.properties = state
        live.context.unknown = []
        return live, state
    if res.type == ACCOUNT_BLOCK:
        state = read_account_block(res.name, clients)
        live = document.model_copy(deep=True)
        live.resource.properties = state
        live.context.unknown = []
        return live, state
    from guardrails.sources.cloudtrail import document_from_describe

    try:
        state = describe(kind, _describe_name(document, kind), clients)
    except ResourceGone:
        return document, None
    rebuilt = document_from_describe(
        kind, state, res.account, res.region, point=document.context.point, source="sagemaker-event"
    )
    live = document.model_copy(deep=True)
    live.resource.properties = rebuilt.resource.properties
    live.resource.arn = rebuilt.resource.arn or res.arn
    live.context.unknown = []
    if res.type == ENDPOINT:
        live.related = related_of_endpoint(live.resource.properties, clients, res.account, res.region)
    return live, state


def _describe_name(document: ResourceDocument, kind: ResourceKind) -> str:
    if kind.describe_param and kind.describe_param in document.resource.properties:
        value = document.resource.properties[kind.describe_param]
        if isinstance(value, str):
            return value
    return document.resource.name


def related_of_endpoint(
    properties: dict[str, Any], clients: AwsClients, account: str | None, region: str | None
) -> dict[str, ResourceDocument]:
    """EndpointConfig and its Models, keyed as the policies look them up; a missing one is left out
    (the policy then reports SM-17 as unknown)."""
    from guardrails.sources.cloudtrail import document_from_describe

    related: dict[str, ResourceDocument] = {}
    config_name = properties.get("EndpointConfigName")
    if not isinstance(config_name, str):
        return related
    try:
        config_state = describe(ENDPOINT_CONFIG, config_name, clients)
    except ResourceGone:
        return related
    config = document_from_describe(ENDPOINT_CONFIG, config_state, account, region, source="live")
    related[ResourceDocument.related_key(ENDPOINT_CONFIG.type, config_name)] = config
    variants = list(config.resource.properties.get("ProductionVariants") or [])
    variants += list(config.resource.properties.get("ShadowProductionVariants") or [])
    for variant in variants:
        model_name = variant.get("ModelName") if isinstance(variant, dict) else None
        key = ResourceDocument.related_key(MODEL.type, str(model_name))
        if not isinstance(model_name, str) or key in related:
            continue
        try:
            model_state = describe(MODEL, model_name, clients)
        except ResourceGone:
            continue
        related[key] = document_from_describe(MODEL, model_state, account, region, source="live")
    return related


# --- S3 -----------------------------------------------------------------------------------------------

_ABSENT = {
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
    "ServerSideEncryptionConfigurationNotFoundError",
    "OwnershipControlsNotFoundError",
    "NoSuchTagSet",
    "NoSuchAccessPointPolicy",
}


def _s3_get(client: Any, operation: str, **params: Any) -> dict[str, Any] | None:
    """A Get* response, or None when the configuration is absent; a missing bucket raises ResourceGone."""
    method = getattr(client, operation)
    try:
        return method(**params)
    except ClientError as exc:
        code = error_code(exc)
        if code in _ABSENT:
            return None
        if code in ("NoSuchBucket", "NoSuchAccessPoint", "404"):
            raise ResourceGone(f"{operation}: {exc}") from exc
        if is_transient(exc):
            raise TransientAwsError(operation, str(exc)) from exc
        raise


def read_bucket(bucket: str, clients: AwsClients) -> dict[str, Any]:
    """The bucket's properties in the canonical shape (absent aspects left out): guardrails.sources.live."""
    from guardrails.resource_kinds import S3_BUCKET_JUDGED_ASPECTS
    from guardrails.sources.live import LiveReader

    reader = LiveReader(clients, on_error="raise", point="runtime")
    return reader.bucket_properties(bucket, S3_BUCKET_JUDGED_ASPECTS)[0]


def read_bucket_tags(bucket: str, clients: AwsClients) -> dict[str, str]:
    tagging = _s3_get(clients.client("s3"), "get_bucket_tagging", Bucket=bucket)
    return {t["Key"]: t["Value"] for t in (tagging or {}).get("TagSet", [])}


def read_account_block(account: str, clients: AwsClients) -> dict[str, Any]:
    from guardrails.sources.live import LiveReader

    reader = LiveReader(clients, on_error="raise", point="runtime")
    return reader.account_block_document(account).resource.properties


def read_access_point(name: str, account: str, clients: AwsClients) -> dict[str, Any]:
    """An access point's settings and policy in the `AWS::S3::AccessPoint` shape (S3-08)."""
    s3control = clients.client("s3control")
    found = _s3_get(s3control, "get_access_point", AccountId=account, Name=name)
    if found is None:
        raise ResourceGone(f"access point {name} not found")
    props: dict[str, Any] = {"Name": name}
    for field in ("Bucket", "BucketAccountId", "VpcConfiguration"):
        if field in found:
            props[field] = jsonable(found[field])
    if "PublicAccessBlockConfiguration" in found:
        props["PublicAccessBlockConfiguration"] = s3_shape.public_access_block(
            found["PublicAccessBlockConfiguration"] or {}
        )
    policy = _s3_get(s3control, "get_access_point_policy", AccountId=account, Name=name)
    if policy is not None and policy.get("Policy"):
        props["Policy"] = s3_shape.policy_value(policy["Policy"])
    return props
