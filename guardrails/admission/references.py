"""Complete admission documents with what their payload only references, when describes are allowed.

- A document whose kind references others (an Endpoint its EndpointConfig, the config its Models:
  `ResourceKind.references`) that are not among the payload's documents: read them live and add them to
  `related` (key `ResourceDocument.related_key(type, reference)`), so SM-17 is decided instead of
  reported unknown (`guardrails.sources.live.follow_references`, the walk runtime and scan use too).
- A bucket document built from a lone `AWS::S3::BucketPolicy` (public access block, ACL and encryption
  unknown): read those aspects from the real bucket.
- A KMS key named by a key id, key ARN or alias (not a placeholder): described, so a key AWS manages
  fails the customer-managed-key controls like an `alias/aws/...` name (`LiveReader.key_documents`).

A reference that is itself unknown (an unresolved placeholder) is never described. Anything the
describer cannot answer stays as it was: unknown, reported `unknown` by the policies (fail closed).
"""

from __future__ import annotations

import logging
from typing import Any

from guardrails.admission.describe import RelatedResourceDescriber
from guardrails.documents import ResourceDocument, is_unknown_value
from guardrails.resource_kinds import BY_TYPE, S3_BUCKET, S3_BUCKET_ASPECTS_NOT_IN_POLICY
from guardrails.runtime.errors import ResourceGone, TransientAwsError
from guardrails.sources.live import LiveReadError, explicit_absence, follow_references

logger = logging.getLogger(__name__)


def complete_references(
    documents: list[ResourceDocument], describer: RelatedResourceDescriber | None
) -> list[ResourceDocument]:
    """Fill in, in place, what `describer` can tell; returns `documents`. No-op without a describer."""
    if describer is None:
        return documents
    for document in documents:
        kind = BY_TYPE.get(document.resource.type)
        if kind is None:
            continue
        if kind.references:
            properties = document.resource.properties
            document.related.update(
                follow_references(kind, properties, describer.related, known=document.related)
            )
        elif kind is S3_BUCKET:
            _complete_bucket(document, describer)
        document.related.update(describer.key_documents(document))
    return documents


def _describable(reference: Any) -> bool:
    return isinstance(reference, str) and bool(reference) and not is_unknown_value(reference)


def _complete_bucket(bucket: ResourceDocument, describer: RelatedResourceDescriber) -> None:
    """The aspects a lone bucket policy leaves unknown, read from the bucket; absent ones stated
    explicitly (`explicit_absence`: at admission an absent block would read as a new bucket's defaults)."""
    unknown = bucket.context.unknown
    properties = bucket.resource.properties
    wanted = tuple(a for a in S3_BUCKET_ASPECTS_NOT_IN_POLICY if a in unknown and a not in properties)
    name = bucket.resource.name
    if not wanted or not _describable(name) or name == bucket.context.location.logical_id:
        return
    try:
        read, unread = describer.bucket_properties(name, wanted)
    except (ResourceGone, TransientAwsError, LiveReadError) as exc:
        logger.warning("guardrails: bucket %s not read (%s); its aspects stay unknown", name, exc)
        return
    if unread:
        logger.warning("guardrails: bucket %s: %s not readable; they stay unknown", name, unread)
    read = explicit_absence(read)
    for aspect in wanted:
        if aspect in unread:
            continue
        unknown.remove(aspect)
        key = "AccessControlPolicy" if aspect == "AccessControl" else aspect  # the grants are the whole ACL
        if key in read:
            properties.setdefault(key, read[key])
