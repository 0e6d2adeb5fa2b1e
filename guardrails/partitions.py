"""AWS partitions (`aws`, `aws-us-gov`, `aws-cn`, ...): ARNs and DNS suffixes from botocore's own data.

botocore ships the partition table every SDK uses (`botocore/data/partitions.json`: partition id, region
regex, explicit regions, DNS suffixes) and an ARN parser (`botocore.utils.ArnParser`). Everything that
builds or reads an ARN or an AWS host name goes through here instead of `arn:aws:` / `amazonaws.com`
literals, so a GovCloud or China account gets `arn:aws-us-gov:...` / `arn:aws-cn:...` and
`*.amazonaws.com.cn`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

DEFAULT_PARTITION = "aws"
"""The partition of a region botocore does not know, as botocore itself assumes."""


@dataclass(frozen=True)
class Partition:
    """One AWS partition as botocore describes it."""

    name: str
    dns_suffix: str
    """`amazonaws.com`, `amazonaws.com.cn`, ... (CloudFormation's `AWS::URLSuffix`)."""
    dual_stack_dns_suffix: str | None
    region_regex: re.Pattern[str]
    regions: frozenset[str]

    def owns(self, region: str) -> bool:
        return region in self.regions or bool(self.region_regex.match(region))


@dataclass(frozen=True)
class Arn:
    """The five parts of an ARN after `arn:` (botocore's ArnParser splits them)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


@lru_cache(maxsize=1)
def partitions() -> tuple[Partition, ...]:
    """Every partition in botocore's data, in its order (`aws` first)."""
    from botocore.loaders import create_loader

    data: dict[str, Any] = create_loader().load_data("partitions")
    found = []
    for entry in data["partitions"]:
        outputs = entry.get("outputs") or {}
        found.append(
            Partition(
                name=entry["id"],
                dns_suffix=outputs["dnsSuffix"],
                dual_stack_dns_suffix=outputs.get("dualStackDnsSuffix"),
                region_regex=re.compile(entry["regionRegex"]),
                regions=frozenset(entry.get("regions") or ()),
            )
        )
    return tuple(found)


def partition_named(name: str) -> Partition | None:
    return next((p for p in partitions() if p.name == name), None)


@lru_cache(maxsize=64)
def partition_for_region(region: str | None) -> Partition:
    """The partition of `region`: an explicitly listed region wins, then the region regexes (the order
    botocore's endpoint resolver uses); `aws` for an unknown or absent region."""
    if region:
        for partition in partitions():
            if region in partition.regions:
                return partition
        for partition in partitions():
            if partition.region_regex.match(region):
                return partition
    found = partition_named(DEFAULT_PARTITION)
    assert found is not None  # botocore always ships `aws`
    return found


def _partition_name(region: str | None) -> str:
    # No region: `aws`, what partition_for_region answers, without reading botocore's partition data
    # (importing botocore costs ~0.08 s CPU, a third of a `check` of a template naming a bucket).
    return partition_for_region(region).name if region else DEFAULT_PARTITION


def partition_name(region: str | None) -> str:
    """`aws`, `aws-us-gov`, `aws-cn`, ... for `region` (`aws` when unknown)."""
    return _partition_name(region)


def url_suffix(region: str | None) -> str:
    """The DNS suffix of `region`'s partition (CloudFormation's `AWS::URLSuffix`)."""
    return partition_for_region(region).dns_suffix


def parse_arn(value: Any) -> Arn | None:
    """The parts of an ARN, or None when `value` is not one (botocore's ArnParser decides)."""
    if not isinstance(value, str):
        return None
    from botocore.utils import ArnParser, InvalidArnException

    try:
        parts = ArnParser().parse_arn(value)
    except InvalidArnException:
        return None
    return Arn(**parts)


def build_arn(service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
    """`arn:<partition of region>:<service>:<region>:<account>:<resource>` (empty region/account allowed:
    S3 bucket ARNs carry neither)."""
    return f"arn:{_partition_name(region)}:{service}:{region or ''}:{account or ''}:{resource}"


def s3_bucket_arn(bucket: str, region: str | None = None) -> str:
    """`arn:<partition>:s3:::<bucket>`; the partition follows the bucket's region when it is known."""
    return f"arn:{_partition_name(region)}:s3:::{bucket}"


def is_service_arn(value: Any, service: str) -> bool:
    """`value` is an ARN of `service` in any partition (`arn:aws-cn:sagemaker:...` included)."""
    arn = parse_arn(value)
    return arn is not None and arn.service == service and partition_named(arn.partition) is not None
