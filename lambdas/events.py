"""EventBridge entry point (CloudTrail calls, SageMaker state changes): `guardrails.lambdas.events.handler`.

Environment: `GUARDRAILS_CONFIG` (config source: file, `ssm:<name>` or `s3://bucket/key`, re-read every
`GUARDRAILS_CONFIG_MAX_AGE` seconds; see guardrails/config_source.py), `GUARDRAILS_ALERT_TOPIC_ARN` (SNS
topic used when the config sets none), `GUARDRAILS_AUDIT_SINKS` (comma-separated sink URLs; the
CloudWatch Logs sink is always added in Lambda), `GUARDRAILS_MODE` (`dry-run`/`enforce`,
overrides the config), `GUARDRAILS_IDEMPOTENCY_TABLE` (DynamoDB table; idempotency on `detail.eventID`),
`POWERTOOLS_METRICS_NAMESPACE`, `GUARDRAILS_REMEDIATION_ROLE_NAME` (central deployment: the role assumed
in each event's member account, see guardrails/cross_account.py). Malformed, failed-call and
unwatched events are acknowledged; a transient
AWS error or an audit failure raises so EventBridge retries and the DLQ finally receives the event.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "guardrails-events"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Guardrails"))
IDEMPOTENCY_KEY = "detail.eventID || id"
_service: Any = None
_service_version: str | None = None
_config_source: Any = None
_members: Any = None
_idempotency_config: Any = None


def _get_service() -> Any:
    """The RuntimeService for the current config; rebuilt when the config source's text changes."""
    global _service, _service_version, _config_source
    from guardrails.config_source import ConfigSource, with_deployment_defaults
    from guardrails.runtime.service import RuntimeService

    if _config_source is None:
        _config_source = ConfigSource.from_environment()
    loaded = _config_source.get()
    if _service is None or loaded.version != _service_version:
        sinks = [u.strip() for u in os.environ.get("GUARDRAILS_AUDIT_SINKS", "").split(",") if u.strip()]
        config = with_deployment_defaults(loaded.config)
        _service = RuntimeService.from_config(config, sinks=sinks)
        _service_version = loaded.version
        logger.info("guardrails config loaded", extra={"origin": loaded.origin, "version": loaded.version})
    return _service


def _service_for(event: Any) -> Any:
    """The shared service, acting in the event's member account when GUARDRAILS_REMEDIATION_ROLE_NAME
    names the organisation's remediation role (central deployment, deploy/member.yaml)."""
    global _members
    service = _get_service()
    if _members is None:
        from guardrails.cross_account import MemberAccounts

        _members = MemberAccounts.from_environment() or False
    account = event.get("account") if isinstance(event, dict) else None
    if not _members or not isinstance(account, str) or not account:
        return service
    from dataclasses import replace

    region = event.get("region") if isinstance(event.get("region"), str) else None
    return replace(service, clients=_members.clients(account, region))


def _process(event: dict[str, Any]) -> dict[str, Any]:
    from guardrails.runtime.service import outcome_json

    mode = os.environ.get("GUARDRAILS_MODE") or None
    outcome = _service_for(event).handle(event, mode=mode)  # type: ignore[arg-type]
    _emit(outcome)
    return outcome_json(outcome)


def _idempotent(function: Any) -> Any:
    """Wrap with Powertools idempotency (DynamoDB) when a table is configured."""
    table = os.environ.get("GUARDRAILS_IDEMPOTENCY_TABLE")
    if not table:
        return function
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    global _idempotency_config
    config = _idempotency_config = IdempotencyConfig(event_key_jmespath=IDEMPOTENCY_KEY, use_local_cache=True)
    store = DynamoDBPersistenceLayer(table_name=table)
    return idempotent_function(data_keyword_argument="event", persistence_store=store, config=config)(
        function
    )


process = _idempotent(_process)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, log_event=False)
@metrics.log_metrics(raise_on_empty_metrics=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if _idempotency_config is not None:
        _idempotency_config.register_lambda_context(context)
    try:
        result = process(event=event)
    except Exception:
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        logger.exception("guardrails event failed; raising so EventBridge retries")
        raise
    logger.info("guardrails event handled", extra={"outcome": _summary(result)})
    return result


def _emit(outcome: Any) -> None:
    """EMF metrics: decisions, violations, remediations, errors (by control where one applies)."""
    from aws_lambda_powertools.metrics import single_metric

    if outcome.skipped is not None:
        metrics.add_metric(name="SkippedEvents", unit=MetricUnit.Count, value=1)
    if outcome.malformed:
        metrics.add_metric(name="MalformedEvents", unit=MetricUnit.Count, value=1)
    for result in outcome.resources:
        metrics.add_metric(name="Decisions", unit=MetricUnit.Count, value=1)
        for violation in result.decision.violations:
            _by_control("Violations", violation.control, single_metric)
        for action in result.actions:
            if action.outcome == "succeeded":
                for control in action.controls:
                    _by_control("Remediations", control, single_metric)
            elif action.outcome == "failed":
                for control in action.controls:
                    _by_control("RemediationErrors", control, single_metric)


def _by_control(name: str, control: str, single_metric: Any) -> None:
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
        metric.add_dimension(name="control", value=control)


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": result.get("event_id"),
        "skipped": (result.get("skipped") or {}).get("reason"),
        "malformed": result.get("malformed"),
        "decisions": [
            {
                "decision_id": r["decision"]["decision_id"],
                "resource": r["decision"]["resource"].get("arn") or r["decision"]["resource"]["name"],
                "verdict": r["decision"]["verdict"],
                "actions": [f"{a['kind']}:{a['outcome']}" for a in r.get("actions", [])],
            }
            for r in result.get("resources", [])
        ],
    }
