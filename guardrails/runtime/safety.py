"""Safety rails checked before any action: scope (account/region), protection, and the action cap."""

from __future__ import annotations

import contextlib
from fnmatch import fnmatchcase

from guardrails.config import RuntimeConfig
from guardrails.documents import ResourceDocument
from guardrails.resource_kinds import BY_TYPE
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.errors import ResourceGone


def out_of_scope(
    document: ResourceDocument,
    account: str | None,
    region: str | None,
    clients: AwsClients,
    config: RuntimeConfig,
) -> str | None:
    """Why the handler must not touch this resource's account/region, or None when it may."""
    here = config.account_id or clients.account_id()
    res = document.resource
    if not account or account != here:
        return f"event account {account} is not the handler's account {here}"
    if res.account and res.account != here:
        return f"resource account {res.account} is not the handler's account {here}"
    if BY_TYPE[res.type].regional and region and clients.region and region != clients.region:
        return f"event region {region} is not the handler's region {clients.region}"
    return None


def protected(document: ResourceDocument, config: RuntimeConfig, tags: dict[str, str]) -> str | None:
    """Why the resource is protected, or None. Only configuration protects: `protect.arns` globs,
    `protect.name_prefixes`, and tags named in `protect.trusted_tags` (none by default: a tag the
    resource's creator could set is no protection)."""
    res = document.resource
    protect = config.protect
    for pattern in protect.arns:
        if (res.arn and fnmatchcase(res.arn, pattern)) or fnmatchcase(res.name, pattern):
            return f"matches protected ARN pattern {pattern}"
    for key, value in protect.trusted_tags.items():
        if key in tags and (value == "*" or tags[key] == value):
            return f"carries the trusted protection tag {key}={tags[key]}"
    for prefix in protect.name_prefixes:
        if res.name.startswith(prefix):
            return f"name starts with the protected prefix {prefix!r}"
    return None


def needs_tags(config: RuntimeConfig) -> bool:
    """Tags are read only when a trusted tag could protect the resource."""
    return bool(config.protect.trusted_tags)


def live_tags(document: ResourceDocument, clients: AwsClients) -> dict[str, str]:
    """The resource's current tags (the event's tags may be stale or absent)."""
    res = document.resource
    tags = dict(res.tags)
    from guardrails.runtime.enrich import reader

    with contextlib.suppress(ResourceGone):  # gone since the event: its last known tags stand
        tags.update(reader(clients).tags(BY_TYPE[res.type], res.name, res.arn))
    return tags


class ActionBudget:
    """The cap on actions per invocation (only actions that change something count)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit

    def spend(self) -> None:
        self.used += 1
