"""One (account, region) shard of an organisation scan: what a fan-out (a Step Functions Distributed Map
item, a queue message) hands to one Lambda invocation.

The shard is scanned exactly as `guardrails scan` would, its decisions are recorded to the configured audit
sinks (a failed write raises, so the platform retries the shard), and a small JSON summary is returned for
the fan-out to aggregate. A shard that cannot be read returns `status: failed` with the reasons; a malformed
item returns `status: malformed` — both are reported, neither is a silent pass. A malformed item is also
recorded, like a malformed runtime event: an `error` decision naming the item goes to the audit sinks (its
id in `error_decision_id`) and the item is answered, not retried (a retry of the same item cannot help).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guardrails.config import GuardrailsConfig
from guardrails.decider import Decider
from guardrails.decision import ResourceRef
from guardrails.scan.inventory import scannable_kinds
from guardrails.scan.runner import ScanOptions, run_scan
from guardrails.scan.targets import AccountTarget

ACCOUNT_ID = re.compile(r"^\d{12}$")
SHARD_ITEM_TYPE = "guardrails:scan-shard-item"
"""The resource type of the `error` decision about a malformed shard item (no AWS resource: the item)."""


class ShardItem(BaseModel):
    """One item of the fan-out: the account (and its role) and the region to scan."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=ACCOUNT_ID.pattern)
    region: str = Field(min_length=1)
    role_arn: str | None = None
    external_id: str | None = None
    kinds: list[str] = Field(default_factory=list)
    """CloudFormation types; empty: every kind a scan can list."""
    since_days: int | None = Field(default=30, ge=0)
    """Ended jobs changed within this many days are judged too; null: every job."""
    securityhub: bool = False
    """Also import the findings into the account's Security Hub in this region (resolving fixed ones)."""


class ShardResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str | None = None
    region: str | None = None
    status: Literal["ok", "failed", "malformed"]
    resources: int = 0
    verdicts: dict[str, int] = Field(default_factory=dict)
    by_control: dict[str, int] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)
    api_calls: int = 0
    audit_records: int = 0
    error_decision_id: str | None = None
    """The `error` decision recorded for a malformed item."""
    securityhub_imported: int = 0
    securityhub_resolved: int = 0


def scan_shard(
    item: Any,
    config: GuardrailsConfig,
    *,
    decider: Decider | None = None,
    base_session: Any = None,
    endpoint_url: str | None = None,
) -> ShardResult:
    """Scan one shard, (optionally) import its findings to Security Hub, audit every decision, summarise.
    Raises AuditError when a record cannot be written, SecurityHubError when an import fails (retried)."""
    try:
        shard = ShardItem.model_validate(item)
        target = AccountTarget(
            account_id=shard.account_id, role_arn=shard.role_arn, external_id=shard.external_id
        )
    except ValidationError as exc:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        return _malformed(item, fields, config, decider)
    known = {k.type for k in scannable_kinds()}
    unknown_kinds = [k for k in shard.kinds if k not in known]
    if unknown_kinds:
        message = f"kinds: not kinds a scan can list: {', '.join(unknown_kinds)}"
        return _malformed(item, message, config, decider, shard)
    options = ScanOptions(
        regions=[shard.region],
        kinds=shard.kinds or sorted(known),
        since=None if shard.since_days is None else timedelta(days=shard.since_days),
        endpoint_url=endpoint_url,
    )
    decider = decider or Decider(config)
    result = run_scan([target], options, decider, base_session=base_session)
    imported = resolved = 0
    if shard.securityhub:  # before the audit: a failed import raises and the retry audits only once
        from guardrails.scan.securityhub import import_scan
        from guardrails.securityhub import SecurityHubError

        hub = import_scan(result, decider.bundle.catalog)
        if hub.errors:
            raise SecurityHubError("; ".join(hub.errors))
        imported, resolved = hub.imported, hub.resolved
    records = 0
    if config.audit.sinks:
        from guardrails.scan.audit import record_scan

        records = record_scan(
            result,
            list(config.audit.sinks),
            {},
            store_input=config.audit.store_input,
            signing_key=config.audit.signing_key,
        )
    summary = result.summary()
    return ShardResult(
        account_id=shard.account_id,
        region=shard.region,
        status="failed" if result.run.errors else "ok",
        resources=len(result.run.decisions),
        verdicts=result.run.summary()["verdicts"],
        by_control=summary["by_control"],
        errors=[str(e) for e in result.run.errors],
        api_calls=summary["api_calls"]["total"],
        audit_records=records,
        securityhub_imported=imported,
        securityhub_resolved=resolved,
    )


def _malformed(
    item: Any, message: str, config: GuardrailsConfig, decider: Decider | None, shard: ShardItem | None = None
) -> ShardResult:
    """`status: malformed`, with the `error` decision naming the item recorded to the audit sinks (raises
    AuditError when it cannot be: the platform retries, no decision is lost). `shard`: the item, when it
    validated (an unknown kind)."""
    fields = item if isinstance(item, dict) else {}
    account, region = fields.get("account_id"), fields.get("region")
    account = account if isinstance(account, str) and account else None
    region = region if isinstance(region, str) and region else None
    decider = decider or Decider(config)
    decision = decider.error_decision(
        f"malformed scan shard item: {message}",
        resource=ResourceRef(
            type=SHARD_ITEM_TYPE,
            name=f"{account or 'unknown'}/{region or 'unknown'}",
            account=account if account and ACCOUNT_ID.fullmatch(account) else None,
            region=region,
        ),
        point="scan",
        source="shard-item",
        subject=item if isinstance(item, dict) else {"item": repr(item)[:10000]},
        infrastructure=False,
    )
    records = 0
    if config.audit.sinks:
        from guardrails.scan.audit import record_shard_error

        records = record_shard_error(decision, list(config.audit.sinks), signing_key=config.audit.signing_key)
    return ShardResult(
        account_id=shard.account_id if shard else None,
        region=shard.region if shard else None,
        status="malformed",
        errors=[message],
        audit_records=records,
        error_decision_id=decision.decision_id,
    )
