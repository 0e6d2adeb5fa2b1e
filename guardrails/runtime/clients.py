"""The AWS clients the runtime uses: created lazily, adaptive retries, injectable for tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from guardrails.runtime.errors import ResourceGone, TransientAwsError

if TYPE_CHECKING:
    from botocore.config import Config

NOT_FOUND_CODES = frozenset(
    {"ResourceNotFound", "ResourceNotFoundException", "NoSuchBucket", "NoSuchEntity", "NotFoundException"}
)
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class AwsClients:
    """One boto3 client per service for one account/region; `overrides` replaces any of them (tests),
    `client_for(service)` makes them instead of the session (a caller's own clients: the boto3 hook), and
    `regional_client_for(service, region)`, when given, the clients of other regions the same way."""

    def __init__(
        self,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        session: Any = None,
        overrides: dict[str, Any] | None = None,
        account_id: str | None = None,
        client_for: Callable[[str], Any] | None = None,
        regional_client_for: Callable[[str, str], Any] | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self._session = session
        self._region = region
        self._clients: dict[str, Any] = dict(overrides or {})
        self._account_id = account_id
        self._client_for = client_for
        self._regional_client_for = regional_client_for

    @property
    def session(self) -> Any:
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(region_name=self._region)
        return self._session

    @property
    def region(self) -> str | None:
        return self._region or self.session.region_name

    def client(self, service: str) -> Any:
        if service not in self._clients and self._client_for is not None:
            self._clients[service] = self._client_for(service)
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=client_config()
            )
        return self._clients[service]

    def regional_client(self, service: str, region: str | None) -> Any:
        """A client of `service` in `region` (a resource in one region naming a KMS key in another): this
        object's own client when the region is its own or not known, or when its clients come from a
        one-region `client_for` without `regional_client_for`."""
        if region is None or region == self.region:
            return self.client(service)
        if self._client_for is not None and self._regional_client_for is None:
            return self.client(service)
        key = f"{service}@{region}"
        if key not in self._clients:
            if self._regional_client_for is not None:
                self._clients[key] = self._regional_client_for(service, region)
            else:
                self._clients[key] = self.session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=client_config()
                )
        return self._clients[key]

    def account_id(self) -> str:
        if self._account_id is None:
            self._account_id = str(self.client("sts").get_caller_identity()["Account"])
        return self._account_id


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def is_not_found(exc: ClientError) -> bool:
    code = error_code(exc)
    if code in NOT_FOUND_CODES:
        return True
    message = str(exc.response.get("Error", {}).get("Message", "")).lower()
    markers = ("could not find", "does not exist", "recordnotfound", "not found")
    return code == "ValidationException" and any(m in message for m in markers)


def is_transient(exc: ClientError) -> bool:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return error_code(exc) in TRANSIENT_CODES or int(status) >= 500


def client_config() -> Config:
    """Every runtime and scan client's: adaptive retries up to 5 attempts, 5 s to connect, 20 s to read."""
    from botocore.config import Config

    return Config(retries={"mode": "adaptive", "max_attempts": 5}, connect_timeout=5, read_timeout=20)


def call(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """Call a boto3 operation (PascalCase name): a missing resource raises ResourceGone, a transient
    failure TransientAwsError; any other ClientError propagates unchanged."""
    method = getattr(client, _snake(operation))
    try:
        return cast(dict[str, Any], method(**params))
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceGone(f"{operation}: {exc}") from exc
        if is_transient(exc):
            raise TransientAwsError(operation, str(exc)) from exc
        raise


def _snake(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)
