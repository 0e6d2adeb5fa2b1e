"""Admission settings: the `admission:` section of the guardrails configuration file."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_PAYLOAD_TIMEOUT_SECONDS = 10.0
DEFAULT_PAYLOAD_MAX_BYTES = 10 * 1024 * 1024
_HOST_PATTERN = re.compile(
    r"^(?=.{1,253}\.?$)(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)*(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.?$"
)
_IPV4 = re.compile(r"^[0-9.]+$")


class AdmissionConfig(BaseModel):
    """How the CloudFormation Lambda Hook and the boto3 hook behave when they cannot simply decide.

    ```yaml
    admission:
      fail_open: false                  # infrastructure failures block (default); true: pass with a warning
      fail_open_on_audit_outage: false  # with fail_open: an audit sink outage passes too (decisions logged)
      describe_related_resources: true  # Describe* what a payload only names (EndpointConfig -> Model)
      payload_timeout_seconds: 10       # the whole stack/change-set payload download (presigned S3 URL)
      payload_max_bytes: 10485760
      payload_hosts: ["*.s3.eu-west-1.vpce.amazonaws.com"]  # default: the S3 endpoints of AWS partitions
    ```
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    fail_open: bool = False
    """An infrastructure failure (payload download, deadline, policy-server outage) lets the operation proceed
    (SUCCESS with a warning annotation, or a logged warning in the boto3 hook) instead of blocking it. Deny
    verdicts, and errors caused by the request's own content (a template or request that cannot be judged),
    always block."""
    fail_open_on_audit_outage: bool = False
    """With `fail_open`: an audit sink that cannot store the decisions no longer blocks an allowed operation;
    the records are written to the log (CloudWatch Logs in the Lambda) instead. Off: no record, no pass."""
    describe_related_resources: bool = False
    """Resolve what a payload only references (an Endpoint's EndpointConfig, an EndpointConfig's Models, the
    bucket behind a BucketPolicy) with Describe*/Get* calls. Off: those values stay unknown (fail closed)."""
    payload_timeout_seconds: float = Field(default=DEFAULT_PAYLOAD_TIMEOUT_SECONDS, gt=0, le=25)
    """Timeout of the stack/change-set payload download; hooks wait at most 30 s for the whole answer."""
    payload_max_bytes: int = Field(default=DEFAULT_PAYLOAD_MAX_BYTES, gt=0)
    """Largest stack/change-set payload accepted (bigger is an input error)."""
    payload_hosts: list[str] | None = None
    """Hosts payload URLs may point to: exact names or `*.domain`. Default (unset): the S3 endpoints of every
    AWS partition (`bucket.s3.<region>.amazonaws.com`, `...amazonaws.com.cn`, ...). Always https, port 443,
    public addresses only."""

    @field_validator("payload_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for pattern in value:
            name = pattern[2:] if pattern.startswith("*.") else pattern
            if not _HOST_PATTERN.match(name) or "*" in name:
                raise ValueError(f"{pattern!r} is not a host name or *.domain")
            if _IPV4.match(name):
                raise ValueError(f"{pattern!r} is an IP address: payload hosts are DNS names")
        return [p.lower().rstrip(".") for p in value]


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
