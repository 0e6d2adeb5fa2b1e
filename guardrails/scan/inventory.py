"""List what exists, per kind: one paginated List* call per SageMaker kind and region (jobs under a --since
window: one per active status plus one of the jobs changed in the window, where the List call can filter),
ListBuckets once per account. Only names (and, for jobs, status and times) are taken from the listings; the
live state is read afterwards (guardrails.sources.live)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from guardrails.resource_kinds import KINDS, S3_BUCKET, ResourceKind

ACCOUNT_BLOCK_TYPE = "AWS::S3::AccountPublicAccessBlock"


@dataclass(frozen=True)
class Listed:
    """One listed resource: its kind, the value its Describe call takes, its region when known."""

    kind: ResourceKind
    name: str
    region: str | None = None


def list_operation(kind: ResourceKind) -> tuple[str, str] | None:
    """(List* operation, result key) of a SageMaker kind, from botocore's own models; None when SageMaker
    has no listing of its own for the kind (AutoMLJobV2 jobs are listed by ListAutoMLJobs)."""
    if kind.service != "sagemaker" or kind.describe is None:
        return None
    return _list_operation(kind.type)


@cache
def _list_operation(type_name: str) -> tuple[str, str] | None:
    from botocore import xform_name

    client = _model_client()
    operation = f"List{type_name.rsplit('::', 1)[-1]}s"
    if operation not in client.meta.service_model.operation_names:
        return None
    snake = xform_name(operation)
    if not client.can_paginate(snake):
        return None
    return operation, str(client.get_paginator(snake)._pagination_cfg["result_key"])


@cache
def _model_client() -> Any:
    import botocore.session

    return botocore.session.get_session().create_client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def scannable_kinds() -> list[ResourceKind]:
    """Every kind of resource_kinds.py a scan can list: SageMaker kinds with a List* call, buckets, and
    the account-level public access block."""
    return [
        k for k in KINDS if list_operation(k) is not None or k.type in (S3_BUCKET.type, ACCOUNT_BLOCK_TYPE)
    ]


def is_job(kind: ResourceKind) -> bool:
    return kind.type.endswith("Job")


def list_sagemaker(client: Any, kind: ResourceKind, since: datetime | None) -> list[Listed]:
    """The kind's resources in the client's region. Jobs: the active ones, and the ended ones whose last
    change (creation, end, modification) falls inside the window from `since`. Under a window the List call's
    own filters narrow what is listed (`server_filters`); `_in_window` still judges every summary."""
    spec = list_operation(kind)
    if spec is None:
        raise ValueError(f"{kind.type} cannot be listed")
    operation, key = spec
    from botocore import xform_name

    paginator = client.get_paginator(xform_name(operation))
    found: dict[str, Listed] = {}
    for params in server_filters(kind, since):
        for page in paginator.paginate(**params):
            for summary in page.get(key, []):
                name = _summary_name(kind, summary)
                if name is None or name in found:
                    continue
                if is_job(kind) and since is not None and not _in_window(kind, summary, since):
                    continue
                found[name] = Listed(kind, name)
    return list(found.values())


_FILTER_SLACK = timedelta(seconds=1)
"""The server filter's bound is `since` less this: SageMaker's `LastModifiedTimeAfter` is strict, `_in_window`
is not; the server may only list more than the window, never less."""


def server_filters(kind: ResourceKind, since: datetime | None) -> list[dict[str, Any]]:
    """The List call's parameters, one listing each, whose union holds every job `_in_window` keeps: one
    listing per active status (a job started long ago and still running may not have changed in the window),
    then the jobs changed in the window (listed last: a job that ends, or starts, between the listings is
    in it). `[{}]`, one unfiltered listing, without a window, for kinds other than jobs, and where the List
    call lacks either filter or one of the kind's active statuses (then `_in_window` alone narrows)."""
    spec = list_operation(kind)
    if since is None or spec is None or not is_job(kind):
        return [{}]
    statuses = _status_filter_values(spec[0])
    if statuses is None or not set(kind.active_statuses) <= statuses:
        return [{}]
    return [
        *({"StatusEquals": status} for status in kind.active_statuses),
        {"LastModifiedTimeAfter": since - _FILTER_SLACK},
    ]


@cache
def _status_filter_values(operation: str) -> frozenset[str] | None:
    """The statuses the List operation's `StatusEquals` takes, from botocore's model; None when it lacks
    `StatusEquals` or `LastModifiedTimeAfter` (scan only: the Lambda runtime path never loads the model)."""
    members = _model_client().meta.service_model.operation_model(operation).input_shape.members
    status = members.get("StatusEquals")
    if status is None or "LastModifiedTimeAfter" not in members:
        return None
    return frozenset(status.enum or ())


def _summary_name(kind: ResourceKind, summary: dict[str, Any]) -> str | None:
    for field in (kind.describe_field, kind.name_field, f"Monitoring{kind.name_field}"):
        value = summary.get(field)
        if isinstance(value, str):
            return value
    return None


def _in_window(kind: ResourceKind, summary: dict[str, Any], since: datetime) -> bool:
    status = summary.get(kind.status_field) if kind.status_field else None
    if status in kind.active_statuses:
        return True
    times = [v for k, v in summary.items() if k.endswith("Time") and isinstance(v, datetime)]
    if not times:
        return True  # nothing says it ended before the window: judge it
    latest = max(times)
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=since.tzinfo)
    return latest >= since


def list_buckets(client: Any) -> list[Listed]:
    """Every bucket of the account (ListBuckets is global): name and, when S3 says it, region."""
    found: list[Listed] = []
    params: dict[str, Any] = {"MaxBuckets": 1000}
    while True:
        page = client.list_buckets(**params)
        for bucket in page.get("Buckets", []):
            found.append(Listed(S3_BUCKET, bucket["Name"], bucket.get("BucketRegion")))
        token = page.get("ContinuationToken")
        if not token:
            return found
        params["ContinuationToken"] = token
