"""`cloudwatch://[service]`: every record as one JSON log line through the Powertools Logger (write-only).

Inside Lambda the lines go to stdout, the function's CloudWatch Logs stream, and this sink is always on
there beside the configured one; elsewhere they go to stderr. A line carries the chained record under
`audit_record`; its stream id defaults to the Lambda log stream name, so an export of the log group (one
JSON line per event) verifies with the file sink: `guardrails audit verify exported.jsonl`.

A line that cannot be written raises (the logging module would otherwise print and go on), and so does a
log level that would drop the INFO records (POWERTOOLS_LOG_LEVEL or Lambda's application log level).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from typing import IO, Any

from guardrails.audit.chain import LinkedRecord
from guardrails.audit.exceptions import AuditWriteError
from guardrails.audit.sinks.base import AuditSink
from guardrails.audit.sinks.file import CLOUDWATCH_KEY

DEFAULT_SERVICE = "guardrails-audit"
_LOGGERS: dict[str, Any] = {}
_LOGGERS_LOCK = threading.Lock()


class _RaisingStreamHandler(logging.StreamHandler[IO[str]]):
    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging API
        raise  # re-raise the exception being handled: a lost audit line is an error


def audit_logger(service: str = DEFAULT_SERVICE, stream: IO[str] | None = None) -> Any:
    """The Powertools Logger of `service`, writing to `stream` (default: stdout in Lambda, else stderr).

    One per service name: Powertools shares the stdlib logger, so the first call decides the stream.
    """
    from aws_lambda_powertools import Logger

    with _LOGGERS_LOCK:
        logger = _LOGGERS.get(service)
        if logger is None:
            # Inside Lambda stdout is the function's log stream; elsewhere (CLI, CI) stderr keeps the
            # report on stdout clean. Lambda forwards both to CloudWatch Logs.
            default = sys.stdout if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else sys.stderr
            handler = _RaisingStreamHandler(stream or default)
            logger = Logger(service=service, level="INFO", logger_handler=handler)
            _LOGGERS[service] = logger
        return logger


class CloudWatchSink(AuditSink):
    max_segment_records = 1  # one log line per record: the head moves line by line

    def __init__(
        self, service: str = DEFAULT_SERVICE, *, stream: str | None = None, logger: Any = None
    ) -> None:
        super().__init__(f"cloudwatch://{service}", stream=stream)
        self.logger = logger if logger is not None else audit_logger(service)

    def _write_segment(self, stream: str, segment: list[LinkedRecord]) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            raise AuditWriteError(self.url, "the log level drops the INFO audit lines", "LogLevelFiltered")
        for item in segment:
            try:
                self.logger.info("audit record", extra={CLOUDWATCH_KEY: json.loads(item.line)})
            except Exception as exc:
                raise AuditWriteError(
                    self.url, f"cannot write the log line: {exc}", type(exc).__name__
                ) from exc
