"""The scheduled organisation scan on Step Functions (deploy/scan.yaml): plan the shards, summarise them.

1. `plan`: every ACTIVE account of the organisation (Organizations `ListAccounts`) x every configured region
   becomes one shard item (`guardrails.scan.shard.ShardItem`), written as a JSON array to
   `s3://<bucket>/scans/<execution>/items.json`; the Distributed Map reads it (`ItemReader`).
2. each item is scanned by `guardrails.scan.shard.scan_shard` (one Lambda invocation per shard); the Map's
   `ResultWriter` writes the results to S3.
3. `summarise`: reads the ResultWriter manifest and result files (SUCCEEDED and FAILED), aggregates them
   into `s3://<bucket>/scans/<execution>/summary.json` and publishes a message to the SNS topic. A shard
   whose Lambda failed after its retries is listed in the summary as failed (with its error), never dropped.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from guardrails.errors import AwsError
from guardrails.scan.counting import ApiCallCounter
from guardrails.scan.targets import organization_accounts


class FanoutError(AwsError, RuntimeError):
    """The plan or the summary cannot be made (raised: Step Functions retries the task)."""

    retryable = True


class PlanSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bucket: str = Field(min_length=3)
    regions: list[str] = Field(min_length=1)
    role_name: str = Field(min_length=1)
    external_id: str | None = None
    kinds: list[str] = Field(default_factory=list)
    since_days: int | None = 30
    securityhub: bool = False


def scan_prefix(execution: str) -> str:
    return f"scans/{execution}"


def plan(
    settings: PlanSettings, execution: str, *, session: Any, endpoint_url: str | None = None
) -> dict[str, Any]:
    """Write the shard items; return where they are (the Map's ItemReader input) and how many."""
    accounts = organization_accounts(
        session,
        settings.role_name,
        endpoint_url=endpoint_url,
        external_id=settings.external_id,
        counter=ApiCallCounter(),
    )
    items = [
        {
            "account_id": a.account_id,
            "region": region,
            "role_arn": a.role_arn,
            "external_id": a.external_id,
            "kinds": settings.kinds,
            "since_days": settings.since_days,
            "securityhub": settings.securityhub,
        }
        for a in accounts
        for region in settings.regions
    ]
    key = f"{scan_prefix(execution)}/items.json"
    s3 = session.client("s3", endpoint_url=endpoint_url)
    s3.put_object(
        Bucket=settings.bucket, Key=key, Body=json.dumps(items).encode(), ContentType="application/json"
    )
    return {"bucket": settings.bucket, "key": key, "shards": len(items), "accounts": len(accounts)}


def read_results(s3: Any, details: dict[str, Any]) -> list[dict[str, Any]]:
    """The child executions the Map's ResultWriter wrote (manifest.json -> SUCCEEDED/FAILED/PENDING files)."""
    try:
        bucket, key = details["Bucket"], details["Key"]
    except (KeyError, TypeError):
        raise FanoutError(f"ResultWriterDetails without Bucket and Key: {details!r}") from None
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    entries: list[dict[str, Any]] = []
    for files in (manifest.get("ResultFiles") or {}).values():
        for f in files:
            entries.extend(json.loads(s3.get_object(Bucket=bucket, Key=f["Key"])["Body"].read()))
    return entries


def summarise(entries: list[dict[str, Any]], execution: str) -> dict[str, Any]:
    """Aggregate the shard results; a failed child execution is a failed shard with its error."""
    verdicts: Counter[str] = Counter()
    controls: Counter[str] = Counter()
    failed: list[dict[str, Any]] = []
    resources = api_calls = records = ok = findings = 0
    for entry in entries:
        item = _json(entry.get("Input"))
        where = f"{item.get('account_id', '?')}/{item.get('region', '?')}"
        result = _json(entry.get("Output")) if entry.get("Status") == "SUCCEEDED" else {}
        if entry.get("Status") != "SUCCEEDED" or not result:
            error = f"{entry.get('Error') or entry.get('Status', 'no result')}: {entry.get('Cause') or ''}"
            failed.append({"shard": where, "status": "not scanned", "errors": [error.strip().rstrip(":")]})
            continue
        resources += int(result.get("resources", 0))
        api_calls += int(result.get("api_calls", 0))
        records += int(result.get("audit_records", 0))
        findings += int(result.get("securityhub_imported", 0))
        verdicts.update(result.get("verdicts") or {})
        controls.update(result.get("by_control") or {})
        if result.get("status") == "ok":
            ok += 1
        else:
            failed.append(
                {"shard": where, "status": result.get("status"), "errors": result.get("errors", [])}
            )
    return {
        "execution": execution,
        "shards": len(entries),
        "shards_ok": ok,
        "failed_shards": sorted(failed, key=lambda f: f["shard"]),
        "resources": resources,
        "verdicts": dict(sorted(verdicts.items())),
        "by_control": dict(sorted(controls.items())),
        "api_calls": api_calls,
        "audit_records": records,
        "securityhub_findings": findings,
    }


def publish_summary(
    summary: dict[str, Any],
    *,
    bucket: str,
    topic_arn: str | None,
    session: Any,
    endpoint_url: str | None = None,
) -> dict[str, Any]:
    """Write the summary object, then tell the topic where it is (subject: the headline)."""
    key = f"{scan_prefix(summary['execution'])}/summary.json"
    s3 = session.client("s3", endpoint_url=endpoint_url)
    s3.put_object(
        Bucket=bucket, Key=key, Body=json.dumps(summary, indent=2).encode(), ContentType="application/json"
    )
    location = f"s3://{bucket}/{key}"
    headline = (
        f"guardrails scan: {summary['verdicts'].get('deny', 0)} deny, {summary['resources']} resources, "
        f"{len(summary['failed_shards'])}/{summary['shards']} shards with errors"
    )
    if topic_arn:
        session.client("sns", endpoint_url=endpoint_url).publish(
            TopicArn=topic_arn,
            Subject=headline[:100],
            Message=json.dumps({**summary, "summary_object": location}, indent=2),
        )
    return {"summary_object": location, "headline": headline}


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        loaded = json.loads(value) if isinstance(value, str) else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}
