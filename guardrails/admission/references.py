"""Complete admission documents with what their payload only references, when describes are allowed.

- An Endpoint whose EndpointConfig (and that config's Models), or an EndpointConfig whose Models, are not
  among the payload's documents: Describe them and add them to `related` (key
  `ResourceDocument.related_key(type, reference)`), so SM-17 is decided instead of reported unknown.
- A bucket document built from a lone `AWS::S3::BucketPolicy` (public access block, ACL and encryption
  unknown): read those aspects from the real bucket.

A reference that is itself unknown (an unresolved placeholder) is never described. Anything the
describer cannot answer stays as it was: unknown, reported `unknown` by the policies (fail closed).
"""

from __future__ import annotations

from typing import Any

from guardrails.admission.describe import RelatedResourceDescriber
from guardrails.documents import ResourceDocument, is_unknown_value
from guardrails.sources.api_request import document_from_request

ENDPOINT = "AWS::SageMaker::Endpoint"
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
MODEL = "AWS::SageMaker::Model"
BUCKET = "AWS::S3::Bucket"
VARIANT_LISTS = ("ProductionVariants", "ShadowProductionVariants")
BUCKET_ASPECTS_FROM_BUCKET = ("PublicAccessBlockConfiguration", "AccessControl", "BucketEncryption")
"""What a bucket policy cannot tell about its bucket (the adapter lists them unknown)."""


def complete_references(
    documents: list[ResourceDocument], describer: RelatedResourceDescriber | None
) -> list[ResourceDocument]:
    """Fill in, in place, what `describer` can tell; returns `documents`. No-op without a describer."""
    if describer is None:
        return documents
    for document in documents:
        resource_type = document.resource.type
        if resource_type == ENDPOINT:
            _complete_endpoint(document, describer)
        elif resource_type == ENDPOINT_CONFIG:
            _complete_models(document, document, describer)
        elif resource_type == BUCKET:
            _complete_bucket(document, describer)
    return documents


def _describable(reference: Any) -> bool:
    return isinstance(reference, str) and bool(reference) and not is_unknown_value(reference)


def _complete_endpoint(endpoint: ResourceDocument, describer: RelatedResourceDescriber) -> None:
    reference = endpoint.resource.properties.get("EndpointConfigName")
    if not _describable(reference):
        return
    key = ResourceDocument.related_key(ENDPOINT_CONFIG, reference)
    config = endpoint.related.get(key)
    if config is None:
        properties = describer.endpoint_config(reference)
        if properties is None:
            return
        config = _described(endpoint, "CreateEndpointConfig", properties)
        if config is None:
            return
        endpoint.related[key] = config
    _complete_models(config, endpoint, describer)


def _complete_models(
    config: ResourceDocument, holder: ResourceDocument, describer: RelatedResourceDescriber
) -> None:
    """Describe the models `config` names that neither `config` nor `holder` already relates; the
    result goes into `holder.related` (an endpoint's, or the config's own)."""
    for list_name in VARIANT_LISTS:
        variants = config.resource.properties.get(list_name)
        if not isinstance(variants, list):
            continue
        for variant in variants:
            reference = variant.get("ModelName") if isinstance(variant, dict) else None
            if not _describable(reference):
                continue
            key = ResourceDocument.related_key(MODEL, reference)
            if key in config.related or key in holder.related:
                continue
            properties = describer.model(reference)
            if properties is None:
                continue
            model = _described(holder, "CreateModel", properties)
            if model is not None:
                holder.related[key] = model


def _described(
    referrer: ResourceDocument, create_operation: str, properties: dict[str, Any]
) -> ResourceDocument | None:
    try:
        return document_from_request(
            create_operation,
            properties,
            service="sagemaker",
            account=referrer.resource.account,
            region=referrer.resource.region,
            point="admission",
            source="live",
        )
    except ValueError:
        return None


def _complete_bucket(bucket: ResourceDocument, describer: RelatedResourceDescriber) -> None:
    unknown = bucket.context.unknown
    properties = bucket.resource.properties
    wanted = [a for a in BUCKET_ASPECTS_FROM_BUCKET if a in unknown and a not in properties]
    name = bucket.resource.name
    if not wanted or not _describable(name) or name == bucket.context.location.logical_id:
        return
    known = describer.bucket(name)
    for aspect in wanted:
        if aspect not in known:
            continue
        value = known[aspect]
        if value is not None:
            properties[aspect] = value
        unknown.remove(aspect)
        if aspect == "AccessControl" and known.get("AccessControlPolicy") is not None:
            properties.setdefault("AccessControlPolicy", known["AccessControlPolicy"])
