"""boto3 plumbing shared by the AWS sinks: clients with adaptive retries, errors with their AWS code."""

from __future__ import annotations

from typing import Any, Literal

from guardrails.audit.exceptions import AuditSinkError

AwsService = Literal["s3", "dynamodb"]


def aws_client(service: AwsService, sink: str) -> Any:
    """A client whose region, credentials and endpoint come from the environment (AWS_REGION,
    AWS_ENDPOINT_URL...), retrying throttling and transient errors adaptively up to 5 attempts."""
    import boto3
    from botocore.config import Config

    try:
        return boto3.client(service, config=Config(retries={"mode": "adaptive", "max_attempts": 5}))
    except aws_errors() as exc:  # NoRegionError, unknown profile...
        raise AuditSinkError(sink, f"cannot create the {service} client: {exc}", error_code(exc)) from exc


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore error (`ThrottlingException`, `AccessDenied`...), else its class."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__


def error_message(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        message = response.get("Error", {}).get("Message")
        if message:
            return str(message)
    return str(exc)


def aws_errors() -> tuple[type[Exception], ...]:
    """The exceptions a boto3 call raises for service and transport failures."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (ClientError, BotoCoreError)
