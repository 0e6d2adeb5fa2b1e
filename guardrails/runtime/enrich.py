"""Complete a runtime document from the live resource, through guardrails.sources.live (on_error="raise").

A CloudTrail record may be truncated (`omitted`), hide fields, or carry one aspect of a bucket only; an
Update* call carries only what changed; an Endpoint is judged through its EndpointConfig and Models.
Whatever the event did not say is read from AWS: a missing value is never taken as compliant. A read
that fails raises (TransientAwsError: the platform retries the event); a resource that no longer exists
raises ResourceGone, which `enrich` answers by deciding on the event alone.
"""

from __future__ import annotations

import copy
from typing import Any

from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import BY_TYPE, ResourceKind
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.errors import ResourceGone
from guardrails.sources.live import LiveReader


def needs_live_state(document: ResourceDocument) -> bool:
    """True when the event alone cannot decide: unknown values, or a kind always read live (a bucket or
    account setting: events carry one aspect; an endpoint: judged through the resources it references)."""
    if document.context.source == "live":
        return False
    return bool(document.context.unknown) or BY_TYPE[document.resource.type].read_live


def reader(clients: AwsClients, document: ResourceDocument | None = None) -> LiveReader:
    """The runtime's live reader: every failed read raises."""
    res = document.resource if document is not None else None
    return LiveReader(
        clients,
        on_error="raise",
        point=document.context.point if document is not None else "runtime",
        account=res.account if res is not None else None,
        region=res.region if res is not None else None,
    )


def enrich(document: ResourceDocument, clients: AwsClients) -> tuple[ResourceDocument, dict[str, Any] | None]:
    """(the document with the live resource's properties and related documents, those properties) — or
    the document unchanged and None when the resource is gone."""
    kind = BY_TYPE[document.resource.type]
    try:
        live = reader(clients, document).document(kind, _live_name(document, kind))
    except ResourceGone:
        return document, None
    out = copy.deepcopy(document)
    out.resource.properties = live.resource.properties
    out.resource.arn = live.resource.arn or document.resource.arn
    if live.related:
        out.related = live.related
    out.context.unknown = []
    return out, live.resource.properties


def complete_keys(document: ResourceDocument, clients: AwsClients) -> ResourceDocument:
    """`document` with the KMS keys it (and its related documents) names described and related, in place
    (`LiveReader.key_documents`): an event carrying a key ARN is judged on who manages the key. A
    transient failure raises TransientAwsError (the platform retries); a key KMS will not describe keeps
    the presence convention, its manager recorded as not checked."""
    document.related.update(reader(clients, document).key_documents(document))
    return document


def describe(kind: ResourceKind, name: str, clients: AwsClients) -> dict[str, Any]:
    """The Describe* response of a SageMaker resource (remediation reads the status before acting)."""
    return reader(clients).describe(kind, name)


def read_bucket(bucket: str, clients: AwsClients) -> dict[str, Any]:
    """The bucket's properties in the canonical shape (absent aspects left out)."""
    return reader(clients).bucket_properties(bucket)[0]


def read_account_block(account: str, clients: AwsClients) -> dict[str, Any]:
    return reader(clients).account_block_document(account).resource.properties


def _live_name(document: ResourceDocument, kind: ResourceKind) -> str:
    """What the kind's read takes: the resource's name, or the field its Describe takes when the event
    carries it (DescribeDomain takes the DomainId)."""
    value = document.resource.properties.get(kind.describe_field)
    return value if kind.describe_param and isinstance(value, str) else document.resource.name
