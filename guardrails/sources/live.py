"""Read a live resource: Describe*/Get* calls -> the canonical ResourceDocument (scan, runtime, admission).

Driven by `resource_kinds.py` (which Describe call, which field names it, which Get* call reads which bucket
aspect). One rule for a configuration S3 answers "not configured" for (NoSuchPublicAccessBlockConfiguration,
NoSuchBucketPolicy, ServerSideEncryptionConfigurationNotFoundError, OwnershipControlsNotFoundError): it is an
answer, not a failure, and the aspect is left out of the document. Live documents are judged at a runtime
point (`runtime`, `scan`), where the policies read an absent block or ownership control as "the bucket has
none" and fail S3-01 / S3-07 (CONTROLS.md); only pre-deploy does absence mean the new-bucket default.
A caller that merges live aspects into a request judged at another point uses `explicit_absence`.

What a failed read leaves is the caller's choice, `on_error`:
- `"unknown"`: the aspect (or related resource) stays unknown — a placeholder listed in `context.unknown`
  (the policies report `unknown`, fail closed); a related resource is left out.
- `"raise"`: a missing resource raises ResourceGone, a transient failure TransientAwsError, anything else
  LiveReadError.
The primary Describe of a SageMaker resource has nothing to judge without its answer: it always raises.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from guardrails.documents import (
    Context,
    EnforcementPoint,
    Location,
    Resource,
    ResourceDocument,
    unknown_value,
)
from guardrails.errors import PermanentAwsError
from guardrails.resource_kinds import (
    BY_TYPE,
    S3_BUCKET,
    S3_BUCKET_JUDGED_ASPECTS,
    S3_BUCKET_READS,
    ResourceKind,
)
from guardrails.runtime.clients import AwsClients, call, error_code, is_not_found, is_transient
from guardrails.runtime.errors import ResourceGone, TransientAwsError
from guardrails.sources import s3_shape

OnError = Literal["unknown", "raise"]
ACCOUNT_BLOCK = BY_TYPE["AWS::S3::AccountPublicAccessBlock"]
ENDPOINT_CONFIG = BY_TYPE["AWS::SageMaker::EndpointConfig"]
MODEL = BY_TYPE["AWS::SageMaker::Model"]
ENDPOINT = "AWS::SageMaker::Endpoint"


class LiveReadError(PermanentAwsError):
    """A Describe*/Get* call failed for a reason other than "gone" or "transient" (AccessDenied...)."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed [{code}]: {message}")
        self.operation = operation
        self.code = code


def jsonable(value: Any) -> Any:
    """An API response as plain JSON (datetimes as ISO strings, no ResponseMetadata)."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "ResponseMetadata"}
    return json.loads(json.dumps(value, default=str))


def explicit_absence(properties: dict[str, Any]) -> dict[str, Any]:
    """Live bucket aspects for a document judged at a point where absence means "AWS default" (admission):
    an existing bucket without a public access block blocks nothing, so say so with four false flags."""
    out = dict(properties)
    out.setdefault("PublicAccessBlockConfiguration", dict.fromkeys(s3_shape.PUBLIC_ACCESS_BLOCK_FLAGS, False))
    return out


class LiveReader:
    """Reads live resources of one account/region through `clients`; related-resource answers are cached
    for the reader's lifetime (thread-safe: a scan shares one reader across its worker threads)."""

    def __init__(
        self,
        clients: AwsClients,
        *,
        on_error: OnError,
        point: EnforcementPoint = "scan",
        account: str | None = None,
        region: str | None = None,
        location: str | None = None,
    ) -> None:
        if on_error not in ("unknown", "raise"):
            raise ValueError(f"on_error must be 'unknown' or 'raise', not {on_error!r}")
        self.clients = clients
        self.on_error = on_error
        self.point = point
        self.account = account
        self.region = region
        self.location = location
        self._cache: dict[tuple[str, str], ResourceDocument | None] = {}
        self._lock = threading.Lock()

    # --- SageMaker ------------------------------------------------------------------------------------

    def describe(self, kind: ResourceKind, name: str) -> dict[str, Any]:
        """The Describe* response; ResourceGone when the resource does not exist, TransientAwsError,
        LiveReadError otherwise (whatever `on_error`: without it there is nothing to judge)."""
        if kind.describe is None:
            raise ValueError(f"{kind.type} has no Describe operation in the kinds table")
        try:
            return jsonable(
                call(self.clients.client(kind.service), kind.describe, **{kind.describe_field: name})
            )
        except ClientError as exc:
            raise LiveReadError(kind.describe, error_code(exc), str(exc)) from exc
        except BotoCoreError as exc:
            raise LiveReadError(kind.describe, type(exc).__name__, str(exc)) from exc

    def sagemaker_document(
        self, kind: ResourceKind, name: str, state: dict[str, Any] | None = None
    ) -> ResourceDocument:
        """The resource as a document (its Describe answer, or `state` when already read); an Endpoint
        carries its EndpointConfig and Models in `related`."""
        from guardrails.sources.cloudtrail import document_from_describe

        state = state if state is not None else self.describe(kind, name)
        document = document_from_describe(
            kind, state, self.account, self.region, file=self.location, point=self.point, source="live"
        )
        if kind.type == ENDPOINT:
            document.related = self.related_of_endpoint(document.resource.properties)
        return document

    def related_of_endpoint(self, properties: dict[str, Any]) -> dict[str, ResourceDocument]:
        """EndpointConfig and its Models keyed as the policies look them up; one that does not exist is left
        out (SM-17 then reports unknown); one that cannot be read is left out too, or with on_error="raise"
        raises."""
        related: dict[str, ResourceDocument] = {}
        config_name = properties.get("EndpointConfigName")
        if not isinstance(config_name, str):
            return related
        config = self._related(ENDPOINT_CONFIG, config_name)
        if config is None:
            return related
        related[ResourceDocument.related_key(ENDPOINT_CONFIG.type, config_name)] = config
        variants = list(config.resource.properties.get("ProductionVariants") or [])
        variants += list(config.resource.properties.get("ShadowProductionVariants") or [])
        for variant in variants:
            model_name = variant.get("ModelName") if isinstance(variant, dict) else None
            if not isinstance(model_name, str):
                continue
            key = ResourceDocument.related_key(MODEL.type, model_name)
            if key not in related and (model := self._related(MODEL, model_name)) is not None:
                related[key] = model
        return related

    def _related(self, kind: ResourceKind, name: str) -> ResourceDocument | None:
        from guardrails.sources.cloudtrail import document_from_describe

        key = (kind.type, name)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        try:
            state = self.describe(kind, name)
            document: ResourceDocument | None = document_from_describe(
                kind, state, self.account, self.region, point=self.point, source="live"
            )
        except ResourceGone:
            document = None  # a reference to nothing: left out (SM-17 then reports it unknown)
        except (TransientAwsError, LiveReadError):
            if self.on_error == "raise":
                raise
            document = None
        with self._lock:
            self._cache[key] = document
        return document

    # --- S3 -------------------------------------------------------------------------------------------

    def bucket_document(
        self, name: str, aspects: tuple[str, ...] = S3_BUCKET_JUDGED_ASPECTS, region: str | None = None
    ) -> ResourceDocument:
        """The bucket with `aspects` read live (only their Get* calls are made); ResourceGone when the
        bucket does not exist."""
        properties, unknown = self.bucket_properties(name, aspects)
        return ResourceDocument(
            resource=Resource(
                type=S3_BUCKET.type,
                name=name,
                arn=_bucket_arn(name, region or self.region),
                account=self.account,
                region=region or self.region,
                properties=properties,
            ),
            context=Context(
                point=self.point, source="live", location=Location(file=self.location), unknown=unknown
            ),
        )

    def bucket_properties(
        self, name: str, aspects: tuple[str, ...] = S3_BUCKET_JUDGED_ASPECTS
    ) -> tuple[dict[str, Any], list[str]]:
        """(canonical bucket properties, unknown paths). Not-configured aspects are left out."""
        s3 = self.clients.client("s3")
        properties: dict[str, Any] = {"BucketName": name}
        unknown: list[str] = []
        for aspect in aspects:
            operation, absent_code = S3_BUCKET_READS[aspect]
            try:
                response = self._s3_get(s3, operation, absent_code, Bucket=name)
            except (TransientAwsError, LiveReadError) as exc:
                if self.on_error == "raise":
                    raise
                properties[aspect] = unknown_value(f"{operation} failed: {exc}")
                unknown.append(aspect)
                continue
            if response is not None:
                properties.update(_bucket_aspect(aspect, response))
        return properties, unknown

    def account_block_document(self, account: str) -> ResourceDocument:
        """The account-level public access block (S3-06): absent configuration -> no properties."""
        properties: dict[str, Any] = {}
        unknown: list[str] = []
        try:
            response = self._s3_get(
                self.clients.client("s3control"),
                "GetPublicAccessBlock",
                "NoSuchPublicAccessBlockConfiguration",
                AccountId=account,
            )
        except (TransientAwsError, LiveReadError) as exc:
            if self.on_error == "raise":
                raise
            properties["PublicAccessBlockConfiguration"] = unknown_value(
                f"GetPublicAccessBlock failed: {exc}"
            )
            unknown.append("PublicAccessBlockConfiguration")
            response = None
        if response is not None:
            properties["PublicAccessBlockConfiguration"] = s3_shape.public_access_block(
                response.get("PublicAccessBlockConfiguration") or {}
            )
        return ResourceDocument(
            resource=Resource(
                type=ACCOUNT_BLOCK.type,
                name=account,
                account=account,
                region=self.region,
                properties=properties,
            ),
            context=Context(
                point=self.point, source="live", location=Location(file=self.location), unknown=unknown
            ),
        )

    @staticmethod
    def _s3_get(client: Any, operation: str, absent_code: str | None, **params: Any) -> dict[str, Any] | None:
        """A Get* response, or None when S3 answers "not configured"; errors classified as `call` does."""
        from botocore import xform_name

        try:
            return getattr(client, xform_name(operation))(**params)
        except ClientError as exc:
            code = error_code(exc)
            if absent_code is not None and code == absent_code:
                return None
            if code in ("NoSuchBucket", "404") or is_not_found(exc):
                raise ResourceGone(f"{operation}: {exc}") from exc
            if is_transient(exc):
                raise TransientAwsError(operation, str(exc)) from exc
            raise LiveReadError(operation, code, str(exc)) from exc
        except BotoCoreError as exc:
            raise LiveReadError(operation, type(exc).__name__, str(exc)) from exc


def _bucket_aspect(aspect: str, response: dict[str, Any]) -> dict[str, Any]:
    if aspect == "PublicAccessBlockConfiguration":
        return {aspect: s3_shape.public_access_block(response.get("PublicAccessBlockConfiguration") or {})}
    if aspect == "AccessControl":
        return {"AccessControlPolicy": {"Grants": jsonable(response.get("Grants") or [])}}
    if aspect == "Policy":
        # text that does not parse stays as it is: the policies judge it unknown
        return {aspect: s3_shape.policy_value(response["Policy"])} if response.get("Policy") else {}
    if aspect == "BucketEncryption":
        return {aspect: s3_shape.encryption_from_api(response.get("ServerSideEncryptionConfiguration") or {})}
    if aspect == "OwnershipControls":
        return {aspect: jsonable(response.get("OwnershipControls") or {})}
    raise ValueError(f"no reader for bucket aspect {aspect}")


def _bucket_arn(name: str, region: str | None) -> str:
    from guardrails.partitions import s3_bucket_arn

    return s3_bucket_arn(name, region)
