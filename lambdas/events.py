"""EventBridge entry point (CloudTrail calls, SageMaker state changes): `guardrails.lambdas.events.handler`.

Wires Powertools — the logger (EventBridge correlation id), EMF metrics and idempotency on
`detail.eventID` (DynamoDB table `GUARDRAILS_IDEMPOTENCY_TABLE`; namespace `POWERTOOLS_METRICS_NAMESPACE`)
— to `guardrails.runtime.service.handle_deployed_event`, which documents the rest of the environment.
Malformed, failed-call and unwatched events are acknowledged; a transient AWS error or an audit failure
raises so EventBridge retries and the DLQ finally receives the event.
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
_idempotency_config: Any = None


def _process(event: dict[str, Any]) -> dict[str, Any]:
    from guardrails.runtime.service import handle_deployed_event, outcome_json, outcome_metrics

    outcome = handle_deployed_event(event, logger)
    for name, control in outcome_metrics(outcome):
        _count(name, control)
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
    from guardrails.runtime.service import outcome_summary

    if _idempotency_config is not None:
        _idempotency_config.register_lambda_context(context)
    try:
        result = process(event=event)
    except Exception:
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        logger.exception("guardrails event failed; raising so EventBridge retries")
        raise
    logger.info("guardrails event handled", extra={"outcome": outcome_summary(result)})
    return result


def _count(name: str, control: str | None) -> None:
    """One EMF count; by control (its own metric object, for the dimension) where one applies."""
    if control is None:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        return
    from aws_lambda_powertools.metrics import single_metric

    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=metrics.namespace) as metric:
        metric.add_dimension(name="control", value=control)
