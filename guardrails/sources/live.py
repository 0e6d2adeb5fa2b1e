"""Read a live resource: Describe*/Get* calls -> the canonical ResourceDocument (scan, runtime, admission).

Driven by `resource_kinds.py` (which Describe call, which field names it, which Get* call reads which S3
aspect, which references to follow). One module for every enforcement point: admission reads what a
payload only references with `on_error="unknown"`, runtime completes events with `on_error="raise"`, scan
reads everything with `on_error="unknown"`.

One rule for a configuration S3 answers "not configured" for (NoSuchPublicAccessBlockConfiguration,
NoSuchBucketPolicy, ServerSideEncryptionConfigurationNotFoundError, OwnershipControlsNotFoundError...: the
kinds table's `aspect_reads`): it is an answer, not a failure, and the aspect is left out of the document.
Live documents are judged at a runtime point (`runtime`, `scan`), where the policies read an absent block
or ownership control as "the bucket has none" and fail S3-01 / S3-07 (CONTROLS.md); only pre-deploy does
absence mean the new-bucket default. A caller that merges live aspects into a request judged at another
point (admission) uses `explicit_absence`.

What a failed read leaves is the caller's choice, `on_error`:
- `"unknown"`: the aspect (or related resource) stays unknown — a placeholder listed in `context.unknown`
  (the policies report `unknown`, fail closed); a related resource is left out.
- `"raise"`: a missing resource raises ResourceGone, a transient failure TransientAwsError, anything else
  LiveReadError.
The primary Describe of a SageMaker resource has nothing to judge without its answer: it always raises.

KMS keys (`KMS_KEYS`, guardrails/kms_keys.py): every key id, key ARN or alias a live document names where a
customer-managed-key control reads one is asked about with `DescribeKey` (once per key and reader), and
the answer related to the document as `AWS::KMS::Key/<value>` ({KeyManager, KeyState, Arn, KeyId}): the
policies fail a key whose KeyManager is AWS like an `alias/aws/...` name. A key KMS will not describe
(AccessDenied: a cross-account key whose key policy does not grant DescribeKey; NotFound...) is related
with its KeyManager an unknown placeholder, listed in that related document's `context.unknown`: it
keeps the presence convention (counts as customer-managed, as it did before any lookup) and the decision's
input records that its manager could not be checked. It is never the resource's own unknown: that would
make the control `unknown`, enforced like a failure at runtime, and could remediate a healthy resource
because another account's key policy denies DescribeKey. Only a transient failure raises, with
on_error="raise" (runtime: the platform retries the event); with "unknown" it is recorded as unread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from dataclasses import field as dataclass_field
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from guardrails.documents import (
    Context,
    EnforcementPoint,
    Location,
    Resource,
    ResourceDocument,
    is_unknown_value,
    unknown_value,
)
from guardrails.errors import PermanentAwsError
from guardrails.kms_keys import KMS_KEYS
from guardrails.partitions import is_service_arn
from guardrails.resource_kinds import (
    BY_TYPE,
    S3_BUCKET,
    S3_BUCKET_JUDGED_ASPECTS,
    ResourceKind,
    arn_for,
)
from guardrails.runtime.clients import AwsClients, call, error_code, is_not_found, is_transient
from guardrails.runtime.errors import ResourceGone, TransientAwsError
from guardrails.sources import s3_shape

OnError = Literal["unknown", "raise"]
ACCOUNT_BLOCK = BY_TYPE["AWS::S3::AccountPublicAccessBlock"]
ACCESS_POINT = BY_TYPE["AWS::S3::AccessPoint"]


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


RelatedRead = Callable[[ResourceKind, str], "ResourceDocument | None"]
"""Reads one referenced resource: (kind, name) -> its document, None when not known."""


def follow_references(
    kind: ResourceKind,
    properties: dict[str, Any],
    read: RelatedRead,
    known: dict[str, ResourceDocument] | None = None,
) -> dict[str, ResourceDocument]:
    """The resources `properties` reference (the kind's `references`, followed on through what they
    reference: Endpoint -> EndpointConfig -> Models), keyed as the policies look them up, read with `read`.
    Those in `known` (or in a known document's own `related`) are not read again, but what they reference
    is followed. A reference that is not a name (an unknown placeholder) is never read; one `read` cannot
    answer is left out (SM-17 then reports it unknown)."""
    known = known or {}
    related: dict[str, ResourceDocument] = {}
    seen: set[str] = set()
    pending: list[tuple[ResourceKind, dict[str, Any], dict[str, ResourceDocument]]] = [(kind, properties, {})]
    while pending:
        holder, values, holder_known = pending.pop(0)
        for reference in holder.references:
            target = BY_TYPE[reference.to]
            for name in reference.values(values):
                if not isinstance(name, str) or not name or is_unknown_value(name):
                    continue
                key = ResourceDocument.related_key(target.type, name)
                if key in seen:
                    continue
                seen.add(key)
                found = holder_known.get(key) or known.get(key)
                if found is None:
                    found = read(target, name)
                    if found is None:
                        continue
                    related[key] = found
                pending.append((target, found.resource.properties, found.related))
    return related


@dataclass(eq=False)
class LiveReader:
    """Reads live resources of one account/region through `clients`; related-resource answers are cached
    for the reader's lifetime (thread-safe: a scan shares one reader across its worker threads).
    `on_error` has no default: every caller chooses what a failed read does."""

    clients: AwsClients
    _: KW_ONLY
    on_error: OnError
    point: EnforcementPoint = "scan"
    account: str | None = None
    region: str | None = None
    location: str | None = None
    _cache: dict[tuple[str, str], ResourceDocument | None] = dataclass_field(
        default_factory=dict, init=False, repr=False
    )
    _keys: dict[tuple[str | None, str], ResourceDocument] = dataclass_field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = dataclass_field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.on_error not in ("unknown", "raise"):
            raise ValueError(f"on_error must be 'unknown' or 'raise', not {self.on_error!r}")

    def document(self, kind: ResourceKind, name: str, region: str | None = None) -> ResourceDocument:
        """Any kind of the table read live as a document; ResourceGone when it does not exist."""
        if kind.type == S3_BUCKET.type:
            return self.bucket_document(name, region=region)
        if kind.type == ACCOUNT_BLOCK.type:
            return self.account_block_document(name)
        if kind.type == ACCESS_POINT.type:
            return self.access_point_document(name)
        return self.sagemaker_document(kind, name)

    # --- SageMaker ------------------------------------------------------------------------------------

    def describe(self, kind: ResourceKind, name: str) -> dict[str, Any]:
        """The Describe* response; ResourceGone when the resource does not exist, TransientAwsError,
        LiveReadError otherwise (whatever `on_error`: without it there is nothing to judge)."""
        if kind.describe is None:
            raise ValueError(f"{kind.type} has no Describe operation in the kinds table")
        try:
            state: dict[str, Any] = jsonable(
                call(self.clients.client(kind.service), kind.describe, **{kind.describe_field: name})
            )
            return state
        except ClientError as exc:
            raise LiveReadError(kind.describe, error_code(exc), str(exc)) from exc
        except BotoCoreError as exc:
            raise LiveReadError(kind.describe, type(exc).__name__, str(exc)) from exc

    def sagemaker_document(
        self, kind: ResourceKind, name: str, state: dict[str, Any] | None = None
    ) -> ResourceDocument:
        """The resource as a document (its Describe answer, or `state` when already read), with the
        resources it references (an Endpoint's EndpointConfig and Models) in `related`."""
        from guardrails.sources.cloudtrail import document_from_describe

        state = state if state is not None else self.describe(kind, name)
        document = document_from_describe(
            kind, state, self.account, self.region, file=self.location, point=self.point, source="live"
        )
        if kind.read_live:  # judged through what it references (an Endpoint)
            document.related = self.related_of(kind, document.resource.properties)
        document.related.update(self.key_documents(document))
        return document

    def related_of(
        self, kind: ResourceKind, properties: dict[str, Any], known: dict[str, ResourceDocument] | None = None
    ) -> dict[str, ResourceDocument]:
        """The resources `properties` reference, read live: `follow_references` with this reader."""
        return follow_references(kind, properties, self.related, known)

    def related(self, kind: ResourceKind, name: str) -> ResourceDocument | None:
        """One referenced resource (cached); None when it does not exist, or cannot be read and
        on_error is "unknown"."""
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

    # --- KMS keys -------------------------------------------------------------------------------------

    def key_documents(self, document: ResourceDocument) -> dict[str, ResourceDocument]:
        """The KMS keys `document` and the documents it relates name (`KMS_KEYS.values`), described, keyed
        `AWS::KMS::Key/<value>` as the policies look them up; those already related are not asked again.
        A bare key id or alias is asked in the resource's region, a key or alias ARN in its own."""
        found: dict[str, ResourceDocument] = {}
        pending = [document]
        while pending:
            holder = pending.pop()
            pending.extend(holder.related.values())
            region = holder.resource.region or document.resource.region
            for value in KMS_KEYS.values(holder.resource.properties):
                key = ResourceDocument.related_key(KMS_KEYS.type, value)
                if key not in found and key not in document.related:
                    found[key] = self.kms_key(value, region)
        return found

    def kms_key(self, value: str, region: str | None = None) -> ResourceDocument:
        """The key `value` names (a key id, key ARN, alias name or alias ARN) as an `AWS::KMS::Key`
        document, cached per reader. A key KMS does not describe (denied, not found, any permanent error;
        a transient one unless on_error="raise", which raises TransientAwsError) has its KeyManager
        unknown: see the module's note."""
        region = _arn_region(value) or region or self.region
        cache_key = (region, value)
        with self._lock:
            cached = self._keys.get(cache_key)
        if cached is not None:
            return cached
        properties: dict[str, Any] = {"KeyId": value}
        unknown: list[str] = []
        try:
            with self._lock:  # boto3 makes clients safely on one thread at a time
                client = self.clients.regional_client(KMS_KEYS.service, region)
            answer = call(client, KMS_KEYS.describe, **{KMS_KEYS.describe_param: value})
            metadata = jsonable(answer.get("KeyMetadata") or {})
            properties = {p: metadata[p] for p in KMS_KEYS.properties if p in metadata}
        except (ClientError, BotoCoreError, ResourceGone, TransientAwsError) as exc:
            if isinstance(exc, TransientAwsError) and self.on_error == "raise":
                raise
            cause = exc if isinstance(exc, ClientError) else exc.__cause__
            why = (
                f"[{error_code(cause)}] {cause}"
                if isinstance(cause, ClientError)
                else f"[{type(exc).__name__}] {exc}"
            )
            properties["KeyManager"] = unknown_value(f"{KMS_KEYS.describe} failed: {why}")
            unknown.append("KeyManager")
        document = ResourceDocument(
            resource=Resource(
                type=KMS_KEYS.type,
                name=value,
                arn=properties.get("Arn") if isinstance(properties.get("Arn"), str) else None,
                account=_arn_account(properties.get("Arn")) or _arn_account(value),
                region=region,
                properties=properties,
            ),
            context=Context(
                point=self.point, source="live", location=Location(file=self.location), unknown=unknown
            ),
        )
        with self._lock:
            self._keys[cache_key] = document
        return document

    def tags(self, kind: ResourceKind, name: str, arn: str | None) -> dict[str, str]:
        """The resource's current tags: GetBucketTagging for a bucket, ListTags for a SageMaker resource
        with an ARN, none for other kinds. A failed read raises whatever `on_error` (tags decide whether a
        resource is protected from remediation: never guessed)."""
        if kind.type == S3_BUCKET.type:
            return self.bucket_tags(name)
        if kind.service != "sagemaker" or not is_service_arn(arn, "sagemaker"):
            return {}
        try:
            listed = call(self.clients.client("sagemaker"), "ListTags", ResourceArn=arn).get("Tags", [])
        except ClientError as exc:
            raise LiveReadError("ListTags", error_code(exc), str(exc)) from exc
        except BotoCoreError as exc:
            raise LiveReadError("ListTags", type(exc).__name__, str(exc)) from exc
        return {str(t["Key"]): str(t["Value"]) for t in listed}

    # --- S3 -------------------------------------------------------------------------------------------

    def bucket_document(
        self, name: str, aspects: tuple[str, ...] = S3_BUCKET_JUDGED_ASPECTS, region: str | None = None
    ) -> ResourceDocument:
        """The bucket with `aspects` read live (only their Get* calls are made); ResourceGone when the
        bucket does not exist."""
        properties, unknown = self.bucket_properties(name, aspects)
        document = self._s3_document(S3_BUCKET, name, properties, unknown, region=region)
        document.related.update(self.key_documents(document))
        return document

    def bucket_properties(
        self, name: str, aspects: tuple[str, ...] = S3_BUCKET_JUDGED_ASPECTS
    ) -> tuple[dict[str, Any], list[str]]:
        """(canonical bucket properties, unknown paths). Not-configured aspects are left out."""
        properties: dict[str, Any] = {"BucketName": name}
        unknown: list[str] = []
        for aspect in aspects:
            response = self._read_aspect(S3_BUCKET, aspect, properties, unknown, Bucket=name)
            if response is not None:
                properties.update(_bucket_aspect(aspect, response))
        return properties, unknown

    def bucket_tags(self, name: str) -> dict[str, str]:
        """The bucket's tags (none when it has no tag set); a failed read raises whatever `on_error`."""
        operation, absent_code = S3_BUCKET.aspect_reads["Tags"]
        response = self._s3_get(S3_BUCKET, operation, absent_code, Bucket=name)
        return {str(t["Key"]): str(t["Value"]) for t in (response or {}).get("TagSet", [])}

    def account_block_document(self, account: str) -> ResourceDocument:
        """The account-level public access block (S3-06): absent configuration -> no properties."""
        properties: dict[str, Any] = {}
        unknown: list[str] = []
        aspect = "PublicAccessBlockConfiguration"
        response = self._read_aspect(ACCOUNT_BLOCK, aspect, properties, unknown, AccountId=account)
        if response is not None:
            properties[aspect] = s3_shape.public_access_block(response.get(aspect) or {})
        return self._s3_document(ACCOUNT_BLOCK, account, properties, unknown, account=account)

    def access_point_document(self, name: str) -> ResourceDocument:
        """An access point's settings and policy in the `AWS::S3::AccessPoint` shape (S3-08); its
        settings are its Describe: ResourceGone when it does not exist, else raised whatever `on_error`."""
        account = self.account or self.clients.account_id()
        found = self._s3_get(ACCESS_POINT, ACCESS_POINT.describe or "", None, AccountId=account, Name=name)
        if found is None:
            raise ResourceGone(f"access point {name} not found")
        properties: dict[str, Any] = {"Name": name}
        for field in ("Bucket", "BucketAccountId", "VpcConfiguration"):
            if field in found:
                properties[field] = jsonable(found[field])
        if "PublicAccessBlockConfiguration" in found:
            properties["PublicAccessBlockConfiguration"] = s3_shape.public_access_block(
                found["PublicAccessBlockConfiguration"] or {}
            )
        unknown: list[str] = []
        policy = self._read_aspect(ACCESS_POINT, "Policy", properties, unknown, AccountId=account, Name=name)
        if policy is not None and policy.get("Policy"):
            properties["Policy"] = s3_shape.policy_value(policy["Policy"])
        return self._s3_document(ACCESS_POINT, name, properties, unknown, account=account)

    def _s3_document(
        self,
        kind: ResourceKind,
        name: str,
        properties: dict[str, Any],
        unknown: list[str],
        *,
        account: str | None = None,
        region: str | None = None,
    ) -> ResourceDocument:
        region = region or self.region
        account = account or self.account
        return ResourceDocument(
            resource=Resource(
                type=kind.type,
                name=name,
                arn=arn_for(kind, name, region, account) if kind.type != ACCOUNT_BLOCK.type else None,
                account=account,
                region=region,
                properties=properties,
            ),
            context=Context(
                point=self.point, source="live", location=Location(file=self.location), unknown=unknown
            ),
        )

    def _read_aspect(
        self, kind: ResourceKind, aspect: str, properties: dict[str, Any], unknown: list[str], **params: Any
    ) -> dict[str, Any] | None:
        """The Get* response reading `aspect` of an S3 kind, None when not configured. A failed read
        raises (on_error="raise") or leaves the aspect unknown in `properties` (on_error="unknown");
        a missing resource raises ResourceGone either way."""
        operation, absent_code = kind.aspect_reads[aspect]
        try:
            return self._s3_get(kind, operation, absent_code, **params)
        except (TransientAwsError, LiveReadError) as exc:
            if self.on_error == "raise":
                raise
            properties[aspect] = unknown_value(f"{operation} failed: {exc}")
            unknown.append(aspect)
            return None

    def _s3_get(
        self, kind: ResourceKind, operation: str, absent_code: str | None, **params: Any
    ) -> dict[str, Any] | None:
        """A Get* response, or None when S3 answers "not configured"; errors classified as `call` does."""
        from botocore import xform_name

        try:
            client = self.clients.client(kind.service)
            response: dict[str, Any] = jsonable(getattr(client, xform_name(operation))(**params))
            return response
        except ClientError as exc:
            code = error_code(exc)
            if absent_code is not None and code == absent_code:
                return None
            if code in kind.gone_codes or is_not_found(exc):
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


def _arn_region(value: str) -> str | None:
    """The region of a KMS key or alias ARN, None for a bare key id or alias name."""
    parts = value.split(":", 5)
    return parts[3] or None if len(parts) == 6 and parts[0] == "arn" and parts[2] == "kms" else None


def _arn_account(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    parts = value.split(":", 5)
    return parts[4] or None if len(parts) == 6 and parts[0] == "arn" else None
