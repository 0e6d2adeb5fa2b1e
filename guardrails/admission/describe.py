"""Read what a hook payload only references: Describe* / Get* calls, mapped into the request shape.

Every lookup answers "known" or "not known": AccessDenied, NotFound, throttling, no credentials... all
leave the value unknown (the policies then report `unknown`, fail closed). Nothing here raises.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

logger = logging.getLogger(__name__)

ClientFactory = Callable[[str], Any]
"""`client_for(service) -> botocore client` (service: "sagemaker", "s3")."""

ABSENT = None
"""An aspect that is known not to be configured (e.g. a bucket without a public access block)."""

_NOT_FOUND = {
    "NoSuchPublicAccessBlockConfiguration": "PublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError": "BucketEncryption",
}


class RelatedResourceDescriber(Protocol):
    """What the admission hooks ask about resources outside the payload (inject a fake in tests)."""

    def endpoint_config(self, name: str) -> dict[str, Any] | None:
        """`CreateEndpointConfig`-shaped properties of an existing config; None when not knowable."""
        ...

    def model(self, name: str) -> dict[str, Any] | None:
        """`CreateModel`-shaped properties of an existing model; None when not knowable."""
        ...

    def bucket(self, name: str) -> dict[str, Any]:
        """Known aspects of an existing bucket: `PublicAccessBlockConfiguration`, `AccessControl`,
        `AccessControlPolicy`, `BucketEncryption` -> value, or None when known to be absent. An aspect
        missing from the result is not knowable."""
        ...


class AwsDescriber:
    """RelatedResourceDescriber over boto3 clients; answers are cached for the describer's lifetime
    (one hook invocation, or one boto3-hook call)."""

    def __init__(self, client_for: ClientFactory) -> None:
        self._client_for = client_for
        self._clients: dict[str, Any] = {}
        self._cache: dict[tuple[str, str], Any] = {}

    @classmethod
    def from_session(cls, session: Any = None, region: str | None = None) -> AwsDescriber:
        """Clients from a boto3 Session (default: a new one from the environment)."""

        def client_for(service: str) -> Any:
            import boto3

            return (session or boto3.Session()).client(service, region_name=region)

        return cls(client_for)

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._client_for(service)
        return self._clients[service]

    def endpoint_config(self, name: str) -> dict[str, Any] | None:
        return self._sagemaker("DescribeEndpointConfig", "CreateEndpointConfig", EndpointConfigName=name)

    def model(self, name: str) -> dict[str, Any] | None:
        return self._sagemaker("DescribeModel", "CreateModel", ModelName=name)

    def _sagemaker(self, describe: str, create: str, **params: str) -> dict[str, Any] | None:
        key = (describe, json.dumps(params, sort_keys=True))
        if key not in self._cache:
            response = self._call("sagemaker", describe, params)
            self._cache[key] = (
                None if response is None else request_shape(self._client("sagemaker"), create, response)
            )
        return self._cache[key]

    def bucket(self, name: str) -> dict[str, Any]:
        key = ("bucket", name)
        if key not in self._cache:
            self._cache[key] = self._bucket(name)
        return dict(self._cache[key])

    def _bucket(self, name: str) -> dict[str, Any]:
        """Read through guardrails.sources.live; `explicit_absence` states a missing public access block
        as four false flags (at admission an absent one would read as a new bucket's defaults)."""
        from guardrails.runtime.clients import AwsClients
        from guardrails.sources.live import LiveReader, explicit_absence

        aspects = ("PublicAccessBlockConfiguration", "AccessControl", "BucketEncryption")
        try:
            reader = LiveReader(AwsClients(overrides={"s3": self._client("s3")}), on_error="unknown")
            properties, unknown = reader.bucket_properties(name, aspects)
        except Exception as exc:  # noqa: BLE001 - nothing here raises: the bucket stays unknown
            logger.warning("guardrails: bucket %s not read (%s); its aspects stay unknown", name, exc)
            return {}
        if unknown:
            logger.warning("guardrails: bucket %s: %s not readable; they stay unknown", name, unknown)
        properties = explicit_absence(properties)
        known: dict[str, Any] = {}
        for aspect in aspects:
            if aspect in unknown:
                continue
            if aspect == "AccessControl":
                known["AccessControl"] = ABSENT  # the grants below are the whole ACL
                known["AccessControlPolicy"] = properties["AccessControlPolicy"]
            else:
                known[aspect] = properties.get(aspect, ABSENT)
        return known

    def _call(self, service: str, operation: str, params: dict[str, Any], *, absent_ok: bool = False) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            client = self._client(service)
            method = getattr(client, _snake(operation))
            return method(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if absent_ok and code in _NOT_FOUND:
                return ABSENT_RESPONSE
            logger.warning(
                "guardrails: %s.%s(%s) failed [%s]; the value stays unknown", service, operation, params, code
            )
        except (BotoCoreError, OSError, ValueError) as exc:
            logger.warning(
                "guardrails: %s.%s(%s) failed (%s); the value stays unknown", service, operation, params, exc
            )
        return None


class _AbsentResponse:
    def __repr__(self) -> str:
        return "ABSENT_RESPONSE"


ABSENT_RESPONSE = _AbsentResponse()


def request_shape(client: Any, create_operation: str, response: dict[str, Any]) -> dict[str, Any]:
    """A Describe* response -> the Create* request shape: response-only fields (`*Arn`, `CreationTime`,
    `ResponseMetadata`, statuses...) are dropped; values are made JSON-ready."""
    members = _create_members(client.meta.service_model, create_operation)
    return {k: _json_ready(v) for k, v in response.items() if k in members and k != "Tags"}


@lru_cache(maxsize=16)
def _create_members(service_model: Any, operation: str) -> frozenset[str]:
    return frozenset(service_model.operation_model(operation).input_shape.members)


def _json_ready(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _snake(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)
