"""`guardrails scan --securityhub`: send a scan's decisions to Security Hub, one import per (account, region).

Security Hub takes a custom integration's findings only in the account and region they name (the finding's
`AwsAccountId` and the region of its `ProductArn`), so decisions are grouped by the resource's account and
region and imported through that account's own session (the assumed role of its shard), in that region.
Each group is synced by `guardrails.securityhub.SecurityHubImporter`: failing controls become ACTIVE/FAILED
findings, earlier guardrails findings of the same resources that no longer fail are resolved. A group that
fails is reported by account/region (the CLI exits 2); the other groups are still imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guardrails.decision import Decision
from guardrails.engine.bundle import Catalog
from guardrails.scan.runner import ScanRun, Shard
from guardrails.securityhub import SecurityHubError, SecurityHubImporter


@dataclass
class ScanImport:
    imported: int = 0
    resolved: int = 0
    groups: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_scan(scan: ScanRun, catalog: Catalog | None) -> ScanImport:
    groups: dict[tuple[str, str], list[Decision]] = {}
    shard_for: dict[tuple[str, str], Shard] = {}
    out = ScanImport()
    for i, decision in enumerate(scan.run.decisions):
        shard = scan.shard_of.get(i)
        if shard is None or decision.error:
            continue  # an engine error decides nothing: the report and exit code carry it
        key = (decision.resource.account or shard.account, decision.resource.region or shard.region)
        groups.setdefault(key, []).append(decision)
        if key not in shard_for or (shard.account, shard.region) == key:
            shard_for[key] = shard
    for (account, region), decisions in sorted(groups.items()):
        label = f"{account}/{region}"
        try:
            client = _client(shard_for[(account, region)], region)
            result = SecurityHubImporter(client, catalog, account=account, region=region).sync(decisions)
        except SecurityHubError as exc:
            out.errors.append(f"{label}: Security Hub import failed: {exc}")
            continue
        out.groups.append(label)
        out.imported += result.imported
        out.resolved += result.resolved
    return out


def _client(shard: Shard, region: str) -> Any:
    if shard.region == region:
        return shard.clients.client("securityhub")
    # a bucket of another region than the shard that listed it: that region's Security Hub, same account
    from guardrails.runtime.clients import client_config

    client = shard.clients.session.client(
        "securityhub",
        region_name=region,
        endpoint_url=shard.clients.endpoint_url,
        config=client_config(),
    )
    return shard.clients.counter.attach(client)
