"""Admission settings: the `admission:` section of the guardrails configuration file."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PAYLOAD_TIMEOUT_SECONDS = 10.0
DEFAULT_PAYLOAD_MAX_BYTES = 10 * 1024 * 1024


class AdmissionConfig(BaseModel):
    """How the CloudFormation Lambda Hook and the boto3 hook behave when they cannot simply decide.

    ```yaml
    admission:
      fail_open: false                  # engine/input errors block (default); true: pass with a warning
      describe_related_resources: true  # Describe* what a payload only names (EndpointConfig -> Model)
      payload_timeout_seconds: 10       # stack/change-set payload download (presigned S3 URL)
      payload_max_bytes: 10485760
    ```
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    fail_open: bool = False
    """An engine or input error lets the operation proceed (SUCCESS with a warning annotation, or a logged
    warning in the boto3 hook) instead of blocking it. Deny verdicts and audit failures always block."""
    describe_related_resources: bool = False
    """Resolve what a payload only references (an Endpoint's EndpointConfig, an EndpointConfig's Models, the
    bucket behind a BucketPolicy) with Describe*/Get* calls. Off: those values stay unknown (fail closed)."""
    payload_timeout_seconds: float = Field(default=DEFAULT_PAYLOAD_TIMEOUT_SECONDS, gt=0, le=25)
    """Timeout of the stack/change-set payload download; hooks wait at most 30 s for the whole answer."""
    payload_max_bytes: int = Field(default=DEFAULT_PAYLOAD_MAX_BYTES, gt=0)
    """Largest stack/change-set payload accepted (bigger is an input error)."""


def admission_config(config: Any) -> AdmissionConfig:
    """The admission settings of `config`: an AdmissionConfig, a GuardrailsConfig (its `admission` section,
    defaults while the section is not declared there), or None for the defaults."""
    if isinstance(config, AdmissionConfig):
        return config
    section = getattr(config, "admission", None)
    if isinstance(section, AdmissionConfig):
        return section
    if isinstance(section, dict):
        return AdmissionConfig.model_validate(section)
    return AdmissionConfig()
