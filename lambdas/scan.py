"""Scheduled organisation scan (deploy/scan.yaml, Step Functions): `guardrails.lambdas.scan.handler`.

Wires the Powertools logger to `guardrails.scan.scheduled.run_task`, which documents the three tasks of
the state machine and the environment. A malformed shard item is recorded and answered
`status: malformed`; an audit or Security Hub failure raises so Step Functions retries the shard.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "guardrails-scan"))


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    from guardrails.scan.scheduled import run_task

    return run_task(event, logger)
