"""CloudFormation Lambda Hook entry point: `guardrails.lambdas.cfn_hook.handler`.

Wires Powertools (the logger, with the request token as correlation id) to
`guardrails.admission.hook_service.answer_hook`, which documents the environment it reads. Never raises:
whatever goes wrong is answered FAILED / InternalFailure (fail closed).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "guardrails-cfn-hook"))


@logger.inject_lambda_context(correlation_id_path="clientRequestToken", log_event=False)
def handler(event: Any, context: Any) -> dict[str, Any]:
    from guardrails.admission.hook_service import answer_hook

    return answer_hook(event, logger)
