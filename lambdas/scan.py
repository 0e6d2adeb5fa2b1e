"""Scheduled organisation scan (deploy/scan.yaml, Step Functions): `guardrails.lambdas.scan.handler`.

One function, three tasks of the state machine:
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
A malformed shard item is answered `status: malformed` (the summary reports it); an audit or Security Hub
failure raises so Step Functions retries the shard.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "guardrails-scan"))
_decider: Any = None
_decider_version: str | None = None
_config_source: Any = None


def _config_and_decider() -> tuple[Any, Any]:
    global _decider, _decider_version, _config_source
    from guardrails.config_source import ConfigSource, with_deployment_defaults
    from guardrails.decider import Decider

    if _config_source is None:
        _config_source = ConfigSource.from_environment()
    loaded = _config_source.get()
    config = with_deployment_defaults(loaded.config)
    config.audit.sinks.extend(_list("GUARDRAILS_AUDIT_SINKS"))
    if _decider is None or loaded.version != _decider_version:
        _decider, _decider_version = Decider(config), loaded.version
    return config, _decider


def _list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


def _endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL") or None


def _session() -> Any:
    import boto3

    return boto3.session.Session()


def _execution(event: dict[str, Any]) -> str:
    execution = str(event.get("execution") or "")
    if not execution or "/" in execution or execution.startswith("."):
        raise ValueError(f"execution: {execution!r} is not an execution name")
    return execution


def _plan(event: dict[str, Any]) -> dict[str, Any]:
    from guardrails.scan.fanout import PlanSettings, plan

    since = os.environ.get("GUARDRAILS_SCAN_SINCE_DAYS", "30").strip()
    settings = PlanSettings(
        bucket=os.environ.get("GUARDRAILS_SCAN_BUCKET", ""),
        regions=_list("GUARDRAILS_SCAN_REGIONS"),
        role_name=os.environ.get("GUARDRAILS_SCAN_ROLE_NAME", ""),
        external_id=os.environ.get("GUARDRAILS_SCAN_EXTERNAL_ID") or None,
        kinds=_list("GUARDRAILS_SCAN_KINDS"),
        since_days=int(since) if since else None,
        securityhub=os.environ.get("GUARDRAILS_SCAN_SECURITYHUB", "").lower() == "true",
    )
    result = plan(settings, _execution(event), session=_session(), endpoint_url=_endpoint())
    logger.info("scan planned", extra=result)
    return result


def _summarise(event: dict[str, Any]) -> dict[str, Any]:
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


def _shard(event: Any) -> dict[str, Any]:
    from guardrails.scan.shard import scan_shard

    config, decider = _config_and_decider()
    result = scan_shard(event, config, decider=decider, base_session=_session(), endpoint_url=_endpoint())
    logger.info(
        "shard scanned",
        extra={"account": result.account_id, "region": result.region, "status": result.status},
    )
    return result.model_dump(mode="json")


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    task = event.get("task") if isinstance(event, dict) else None
    if task == "plan":
        return _plan(event)
    if task == "summarise":
        return _summarise(event)
    return _shard(event)
