"""The scheduled organisation scan (deploy/scan.yaml, Step Functions): what `lambdas/scan.py` wires to
Powertools. One function, three tasks of the state machine:

- `{"task": "plan"}` -> the shard items written to S3 for the Distributed Map (guardrails/scan/fanout.py);
- a shard item `{account_id, region, role_arn, external_id, kinds, since_days}` -> scanned, every decision
  audited, a summary returned (guardrails/scan/shard.py);
- `{"task": "summarise", "results": <ResultWriterDetails>}` -> summary object in S3 and an SNS message.

Environment: `GUARDRAILS_CONFIG` (as the runtime function), `GUARDRAILS_AUDIT_SINKS` (comma-separated),
`GUARDRAILS_AUDIT_KEY`, `GUARDRAILS_SCAN_BUCKET`, `GUARDRAILS_SCAN_TOPIC_ARN`, `GUARDRAILS_SCAN_ROLE_NAME`,
`GUARDRAILS_SCAN_EXTERNAL_ID`, `GUARDRAILS_SCAN_REGIONS` (comma-separated), `GUARDRAILS_SCAN_KINDS`
(comma-separated CloudFormation types; empty: every kind), `GUARDRAILS_SCAN_SINCE_DAYS` (empty: every
job), `GUARDRAILS_SCAN_SECURITYHUB` (`true`: every shard imports its findings into its account's Security
Hub).
A malformed shard item is recorded (an `error` decision) and answered `status: malformed` (the summary
reports it); an audit or Security Hub failure raises so Step Functions retries the shard.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from guardrails.config_source import ENV_AUDIT_SINKS, PerConfigVersion, env_list
from guardrails.errors import InputError


@dataclass(frozen=True)
class ScanService:
    config: Any
    decider: Any

    @classmethod
    def from_config(cls, config: Any) -> ScanService:
        from guardrails.decider import Decider

        config.audit.sinks.extend(env_list(ENV_AUDIT_SINKS))
        return cls(config=config, decider=Decider(config))


SERVICE: PerConfigVersion[ScanService] = PerConfigVersion(ScanService.from_config)
"""The container's config and Decider."""


def run_task(event: Any, logger: Any) -> dict[str, Any]:
    """Run the state machine's task `event` names; log what it did to `logger`."""
    task = event.get("task") if isinstance(event, dict) else None
    if task == "plan":
        return _plan(event, logger)
    if task == "summarise":
        return _summarise(event, logger)
    return _shard(event, logger)


def _endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL") or None


def _session() -> Any:
    import boto3

    return boto3.session.Session()


def _execution(event: dict[str, Any]) -> str:
    execution = str(event.get("execution") or "")
    if not execution or "/" in execution or execution.startswith("."):
        raise ScanTaskError(f"execution: {execution!r} is not an execution name")
    return execution


class ScanTaskError(InputError, ValueError):
    """A plan or summarise task without a usable `execution` name."""


def _plan(event: dict[str, Any], logger: Any) -> dict[str, Any]:
    from guardrails.scan.fanout import PlanSettings, plan

    since = os.environ.get("GUARDRAILS_SCAN_SINCE_DAYS", "30").strip()
    settings = PlanSettings(
        bucket=os.environ.get("GUARDRAILS_SCAN_BUCKET", ""),
        regions=env_list("GUARDRAILS_SCAN_REGIONS"),
        role_name=os.environ.get("GUARDRAILS_SCAN_ROLE_NAME", ""),
        external_id=os.environ.get("GUARDRAILS_SCAN_EXTERNAL_ID") or None,
        kinds=env_list("GUARDRAILS_SCAN_KINDS"),
        since_days=int(since) if since else None,
        securityhub=os.environ.get("GUARDRAILS_SCAN_SECURITYHUB", "").lower() == "true",
    )
    result = plan(settings, _execution(event), session=_session(), endpoint_url=_endpoint())
    logger.info("scan planned", extra=result)
    return result


def _summarise(event: dict[str, Any], logger: Any) -> dict[str, Any]:
    from guardrails.scan.fanout import publish_summary, read_results, summarise

    session = _session()
    entries = read_results(session.client("s3", endpoint_url=_endpoint()), event.get("results") or {})
    summary = summarise(entries, _execution(event))
    published = publish_summary(
        summary,
        bucket=os.environ.get("GUARDRAILS_SCAN_BUCKET", ""),
        topic_arn=os.environ.get("GUARDRAILS_SCAN_TOPIC_ARN") or None,
        session=session,
        endpoint_url=_endpoint(),
    )
    logger.info(published["headline"], extra={"summary_object": published["summary_object"]})
    return {**published, "failed_shards": len(summary["failed_shards"]), "shards": summary["shards"]}


def _shard(event: Any, logger: Any) -> dict[str, Any]:
    from guardrails.scan.shard import scan_shard

    service = SERVICE.get(logger)
    result = scan_shard(
        event, service.config, decider=service.decider, base_session=_session(), endpoint_url=_endpoint()
    )
    logger.info(
        "shard scanned",
        extra={"account": result.account_id, "region": result.region, "status": result.status},
    )
    return result.model_dump(mode="json")
