"""EventBridge events -> canonical documents: CloudTrail API calls and SageMaker state changes.

* "AWS API Call via CloudTrail": `requestParameters` is the request in lowerCamelCase (SageMaker) or in
  S3's REST/XML names. SageMaker keys are re-cased along the operation's request shape, from the table
  request_shapes.py ships (extracted from botocore's service model at build time), so
  `vpcConfig.securityGroupIds` -> `VpcConfig.SecurityGroupIds` and map keys such as `Environment`
  are kept as sent. An operation missing from that table raises `ShapeTableError` (not acknowledged:
  fail closed). S3 keys are mapped onto the boto3 request and built with `document_from_request`,
  so a partial call (`PutBucketPolicy`) leaves the bucket's other aspects unknown.
* "SageMaker <Kind> State Change": `detail` is the Describe* response; response-only fields are dropped.

Failed calls (`errorCode`) and events outside the kinds table come back as a typed `EventSkipped`,
never an exception. A payload that is not an event of a known shape raises `MalformedEventError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from guardrails.documents import (
    Actor,
    EnforcementPoint,
    Location,
    ResourceDocument,
    path_string,
    unknown_value,
)
from guardrails.resource_kinds import (
    CLOUDTRAIL_EVENTS,
    SAGEMAKER_BY_STATE_CHANGE,
    ResourceKind,
    arn_for,
)
from guardrails.sources import request_shapes
from guardrails.sources.errors import SourceError
from guardrails.sources.eventbridge_models import (
    CLOUDTRAIL_DETAIL_TYPE,
    CloudTrailDetail,
    CloudTrailEvent,
    EventBridgeEvent,
    StateChangeEvent,
)

SkipReason = Literal["failed-call", "out-of-scope", "no-resource"]
HIDDEN_VALUES = frozenset({"HIDDEN_DUE_TO_SECURITY_REASONS"})
"""Values CloudTrail writes instead of a redacted field: present but not knowable from the event."""


class MalformedEventError(SourceError):
    """The payload is not an EventBridge event of a shape we read; retrying cannot help."""


class EventSkipped(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: SkipReason
    message: str


class ParsedEvent(BaseModel):
    """One event, read: its identity, who caused it, and the documents to decide (none when skipped)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    event_id: str
    """CloudTrail `eventID` (the idempotency key), else the EventBridge `id`."""
    envelope_id: str
    """EventBridge `id` (the correlation id)."""
    detail_type: str
    source: Literal["cloudtrail", "sagemaker-event"]
    event_name: str
    account: str | None = None
    region: str | None = None
    actor: Actor | None = None
    operation: str | None = None
    """The API operation the event mirrors (CloudTrail events)."""
    resource_type: str | None = None
    documents: list[ResourceDocument] = Field(default_factory=list)
    skipped: EventSkipped | None = None


def looks_like_event(data: Any) -> bool:
    """An EventBridge event: `detail-type`, `source` and `detail` at the top level."""
    return isinstance(data, dict) and "detail-type" in data and "source" in data and "detail" in data


def documents_from_event(
    data: Any, file: str | None = None, point: EnforcementPoint = "runtime"
) -> list[ResourceDocument]:
    """The documents of an event file (what `guardrails check` reads); a skipped event gives none."""
    return parse_event(data, file=file, point=point).documents


def parse_event(data: Any, *, file: str | None = None, point: EnforcementPoint = "runtime") -> ParsedEvent:
    """Read one EventBridge event; raises MalformedEventError when it cannot be read at all."""
    where = file or "<event>"
    if not looks_like_event(data):
        raise MalformedEventError(where, "not an EventBridge event (needs detail-type, source and detail)")
    try:
        envelope = EventBridgeEvent.model_validate(data)
    except ValidationError as exc:
        raise MalformedEventError(where, f"invalid EventBridge envelope: {_errors(exc)}") from exc
    if envelope.detail_type == CLOUDTRAIL_DETAIL_TYPE:
        try:
            event = CloudTrailEvent.model_validate(data)
        except ValidationError as exc:
            raise MalformedEventError(where, f"invalid CloudTrail record in detail: {_errors(exc)}") from exc
        try:
            return _from_cloudtrail(event, where, file, point)
        except MALFORMED_SHAPE_ERRORS as exc:  # a field of the record has a shape the adapter cannot read
            message = f"malformed CloudTrail record in detail: {_shape(exc)}"
            raise MalformedEventError(where, message) from None
    if envelope.source == "aws.sagemaker" and envelope.detail_type.startswith("SageMaker "):
        try:
            return _from_state_change(StateChangeEvent.model_validate(data), where, file, point)
        except ValidationError as exc:
            message = f"invalid SageMaker state-change event: {_errors(exc)}"
            raise MalformedEventError(where, message) from None
        except MALFORMED_SHAPE_ERRORS as exc:
            message = f"malformed SageMaker state-change event: {_shape(exc)}"
            raise MalformedEventError(where, message) from None
    return ParsedEvent(
        event_id=envelope.id,
        envelope_id=envelope.id,
        detail_type=envelope.detail_type,
        source="cloudtrail",
        event_name=envelope.detail_type,
        account=envelope.account,
        region=envelope.region,
        skipped=EventSkipped(
            reason="out-of-scope", message=f"{envelope.source} {envelope.detail_type!r} is not watched"
        ),
    )


# --- CloudTrail ---------------------------------------------------------------------------------------


def actor_from_identity(detail: CloudTrailDetail) -> Actor | None:
    identity = detail.userIdentity
    if identity is None:
        return None
    return Actor(arn=identity.arn, type=identity.type, name=identity.display_name)


def _from_cloudtrail(
    event: CloudTrailEvent, where: str, file: str | None, point: EnforcementPoint
) -> ParsedEvent:
    detail = event.detail
    account = (
        detail.recipientAccountId
        or event.account
        or (detail.userIdentity.accountId if detail.userIdentity else None)
    )
    region = detail.awsRegion or event.region
    parsed = ParsedEvent(
        event_id=detail.eventID or event.id,
        envelope_id=event.id,
        detail_type=event.detail_type,
        source="cloudtrail",
        event_name=detail.eventName,
        account=account,
        region=region,
        actor=actor_from_identity(detail),
    )
    if detail.errorCode:
        parsed.skipped = EventSkipped(
            reason="failed-call",
            message=f"{detail.eventName} failed with {detail.errorCode}: nothing was created or changed",
        )
        return parsed
    found = CLOUDTRAIL_EVENTS.get((detail.eventSource, detail.eventName))
    if found is None:
        parsed.skipped = EventSkipped(
            reason="out-of-scope", message=f"{detail.eventSource} {detail.eventName} is not watched"
        )
        return parsed
    kind, operation = found
    parsed.operation, parsed.resource_type = operation, kind.type
    if kind.service == "sagemaker":
        document = _sagemaker_document(kind, operation, detail, account, region, where, file, point)
    else:
        document = _s3_document(kind, operation, detail, account, region, where, file, point)
    document.context.actor = parsed.actor
    parsed.documents = [document]
    return parsed


def _sagemaker_document(
    kind: ResourceKind,
    operation: str,
    detail: CloudTrailDetail,
    account: str | None,
    region: str | None,
    where: str,
    file: str | None,
    point: EnforcementPoint,
) -> ResourceDocument:
    from guardrails.sources.api_request import document_from_request

    raw = detail.requestParameters
    unknown: list[str] = []
    input_shape = request_shapes.input_shape(operation)
    name_field = kind.name_field_for(operation)
    if raw is None or raw.get("omitted") is True:
        # The whole request was truncated: only the name (from the response ARN) is known.
        name = _name_from_response(kind, detail)
        if name is None:
            raise MalformedEventError(where, f"{detail.eventName}: requestParameters omitted and no ARN")
        request: dict[str, Any] = {name_field: name}
        for member in sorted(request_shapes.structure_members(input_shape)):
            if member not in (name_field, "Tags"):
                request[member] = unknown_value("omitted by CloudTrail (truncated record)")
                unknown.append(member)
    else:
        request = to_api_shape(raw, input_shape, [], unknown)
    try:
        document = document_from_request(
            operation,
            request,
            service="sagemaker",
            account=account,
            region=region,
            file=file,
            point=point,
            source="cloudtrail",
        )
    except ValueError as exc:
        raise MalformedEventError(where, f"{detail.eventName}: {exc}") from exc
    arn = _arn_from_response(kind, detail)
    if arn:
        document.resource.arn = arn
    document.context.unknown.extend(u for u in unknown if u not in document.context.unknown)
    return document


def _arn_from_response(kind: ResourceKind, detail: CloudTrailDetail) -> str | None:
    response = detail.responseElements or {}
    if kind.arn_field:
        key = kind.arn_field[0].lower() + kind.arn_field[1:]
        value = response.get(key) or response.get(kind.arn_field)
        if isinstance(value, str):
            return value
    return None


def _name_from_response(kind: ResourceKind, detail: CloudTrailDetail) -> str | None:
    """The name from the response ARN; the ARN itself when it ends in a generated id (a HyperPod
    cluster), which its Describe operation accepts in place of the name."""
    arn = _arn_from_response(kind, detail)
    if not arn:
        return None
    return arn.rsplit("/", 1)[-1] if kind.arn_has_name else arn


def to_api_shape(value: Any, shape: str | None, path: list[str | int], unknown: list[str]) -> Any:
    """Re-case a lowerCamelCase CloudTrail value along a request shape of the shipped table
    (request_shapes.py; None: a field the table does not know, whose keys are capitalised).

    Structures re-case their keys; maps keep their keys (user data: `Environment`, `HyperParameters`);
    lists convert each element. `{"omitted": true}` and hidden values become unknown placeholders whose
    path is appended to `unknown`.
    """
    type_name = request_shapes.shape_type(shape)
    if isinstance(value, dict):
        if value.get("omitted") is True:
            unknown.append(path_string(path))
            return unknown_value("omitted by CloudTrail (truncated record)")
        if shape is not None and type_name == "map":
            value_shape = request_shapes.member_shape(shape)
            return {k: to_api_shape(v, value_shape, [*path, k], unknown) for k, v in value.items()}
        members: Mapping[str, tuple[str, str | None]] = {}
        if shape is not None and type_name == "structure":
            members = request_shapes.members_by_lower(shape)
        out: dict[str, Any] = {}
        for key, item in value.items():
            name, member = members.get(key.lower(), (key[:1].upper() + key[1:], None))
            out[name] = to_api_shape(item, member, [*path, name], unknown)
        return out
    if isinstance(value, list):
        member = request_shapes.member_shape(shape) if shape is not None and type_name == "list" else None
        return [to_api_shape(item, member, [*path, i], unknown) for i, item in enumerate(value)]
    if isinstance(value, str) and value in HIDDEN_VALUES:
        unknown.append(path_string(path))
        return unknown_value("hidden by CloudTrail")
    return value


def _s3_document(
    kind: ResourceKind,
    operation: str,
    detail: CloudTrailDetail,
    account: str | None,
    region: str | None,
    where: str,
    file: str | None,
    point: EnforcementPoint,
) -> ResourceDocument:
    from guardrails.sources.api_request import document_from_request

    params = detail.requestParameters or {}
    event = detail.eventName
    if kind.type == "AWS::S3::AccountPublicAccessBlock":
        account_id = str(params.get("accountId") or params.get("x-amz-account-id") or account or "")
        if not account_id:
            raise MalformedEventError(where, f"{event}: no account id in the event")
        request: dict[str, Any] = {"AccountId": account_id}
        if event.startswith("Put"):
            request["PublicAccessBlockConfiguration"] = _flags(params.get("PublicAccessBlockConfiguration"))
        return document_from_request(
            operation,
            request,
            service="s3control",
            account=account_id,
            region=region,
            file=file,
            point=point,
            source="cloudtrail",
        )
    if kind.type == "AWS::S3::AccessPoint":
        return _access_point_document(operation, params, account, region, where, file, point)
    bucket = params.get("bucketName")
    if not isinstance(bucket, str) or not bucket:
        raise MalformedEventError(where, f"{event}: requestParameters.bucketName is missing")
    request = {"Bucket": bucket}
    unknown: list[str] = []
    if event in ("CreateBucket", "PutBucketAcl"):
        request.update(_grant_headers(params))
    if event == "CreateBucket":
        if params.get("x-amz-acl"):
            request["ACL"] = _first(params["x-amz-acl"])
        if params.get("x-amz-object-ownership"):
            request["ObjectOwnership"] = _first(params["x-amz-object-ownership"])
    elif event == "PutBucketPolicy":
        policy = params.get("bucketPolicy")
        if isinstance(policy, dict) or isinstance(policy, str) and policy:
            request["Policy"] = policy
        else:
            unknown.append("Policy")  # set on the document below: the record does not carry it
    elif event == "PutBucketAcl":
        if params.get("x-amz-acl"):
            request["ACL"] = _first(params["x-amz-acl"])
        acp = params.get("AccessControlPolicy")
        if isinstance(acp, dict):
            request["AccessControlPolicy"] = {"Grants": _grants(acp)}
    elif event == "PutBucketPublicAccessBlock":
        request["PublicAccessBlockConfiguration"] = _flags(params.get("PublicAccessBlockConfiguration"))
    elif event == "PutBucketEncryption":
        sse = params.get("ServerSideEncryptionConfiguration")
        request["ServerSideEncryptionConfiguration"] = sse if isinstance(sse, dict) else {}
    elif event == "DeleteBucketEncryption":
        # S3 reverts to its default, SSE-S3: the bucket is not left unencrypted.
        request["ServerSideEncryptionConfiguration"] = {
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        }
    elif event == "PutBucketOwnershipControls":
        controls = params.get("OwnershipControls")
        rules = controls.get("Rule") or controls.get("Rules") if isinstance(controls, dict) else None
        if isinstance(rules, dict):
            rules = [rules]
        request["OwnershipControls"] = {"Rules": rules or []}
    # DeleteBucketPolicy / DeleteBucketPublicAccessBlock: the aspect is now absent.
    try:
        document = document_from_request(
            operation,
            request,
            service="s3",
            account=account,
            region=region,
            file=file,
            point=point,
            source="cloudtrail",
        )
    except ValueError as exc:
        raise MalformedEventError(where, f"{event}: {exc}") from exc
    if "Policy" in unknown:
        document.resource.properties["Policy"] = unknown_value("bucket policy not in the CloudTrail record")
    if event == "CreateBucket":
        # A new bucket's protections come from S3 defaults and account settings, not the request.
        props = document.resource.properties
        for aspect in ("PublicAccessBlockConfiguration", "Policy", "BucketEncryption", "OwnershipControls"):
            if aspect not in props:
                props[aspect] = unknown_value("not part of the CreateBucket request")
                unknown.append(aspect)
    document.context.unknown.extend(u for u in unknown if u not in document.context.unknown)
    return document


def _access_point_document(
    operation: str,
    params: dict[str, Any],
    account: str | None,
    region: str | None,
    where: str,
    file: str | None,
    point: EnforcementPoint,
) -> ResourceDocument:
    """s3control CreateAccessPoint / PutAccessPointPolicy: the name and account come from the URL (`name`,
    `x-amz-account-id`), the settings or the policy from the XML body (`<Operation>Request`, or flat in
    older records). A policy the record does not carry is unknown (the runtime reads it live)."""
    from guardrails.sources.api_request import document_from_request

    body = params.get(f"{operation}Request")
    body = body if isinstance(body, dict) else params
    name = params.get("name") or params.get("Name") or body.get("Name")
    if not isinstance(name, str) or not name:
        raise MalformedEventError(where, f"{operation}: requestParameters.name is missing")
    account_id = str(params.get("x-amz-account-id") or params.get("accountId") or account or "")
    request: dict[str, Any] = {"Name": name, "AccountId": account_id}
    if body.get("omitted") is True or params.get("omitted") is True:
        request["PublicAccessBlockConfiguration"] = unknown_value("omitted by CloudTrail (truncated record)")
    elif "PublicAccessBlockConfiguration" in body:
        request["PublicAccessBlockConfiguration"] = _flags(body["PublicAccessBlockConfiguration"])
    for field in ("Bucket", "BucketAccountId"):
        if isinstance(body.get(field), str):
            request[field] = body[field]
    vpc = body.get("VpcConfiguration")
    if isinstance(vpc, dict):
        request["VpcConfiguration"] = {k: v for k, v in vpc.items() if not k.startswith("xmlns")}
    policy = body.get("Policy")
    if operation == "PutAccessPointPolicy" and (isinstance(policy, dict) or _carried_text(policy)):
        request["Policy"] = policy
    try:
        document = document_from_request(
            operation,
            request,
            service="s3control",
            account=account_id or None,
            region=region,
            file=file,
            point=point,
            source="cloudtrail",
        )
    except ValueError as exc:
        raise MalformedEventError(where, f"{operation}: {exc}") from exc
    unknown = document.context.unknown
    block_omitted = isinstance(request.get("PublicAccessBlockConfiguration"), str)
    if block_omitted and "PublicAccessBlockConfiguration" not in unknown:
        unknown.append("PublicAccessBlockConfiguration")
    if operation == "PutAccessPointPolicy" and "Policy" not in request:
        document.resource.properties["Policy"] = unknown_value("access point policy not in the record")
        unknown.append("Policy")
    return document


def _carried_text(value: Any) -> bool:
    """A string field CloudTrail actually recorded (not empty, not redacted)."""
    return isinstance(value, str) and value != "" and value not in HIDDEN_VALUES


def _grant_headers(params: dict[str, Any]) -> dict[str, str]:
    """`x-amz-grant-read` and the other grant headers -> the request's `GrantRead`... fields (a header
    CloudTrail records as a list holds one grantee list per element: they are joined)."""
    from guardrails.sources.s3_shape import GRANT_HEADER_NAMES

    out: dict[str, str] = {}
    for key, value in params.items():
        field = GRANT_HEADER_NAMES.get(key.lower())
        if field is None or value in (None, "", []):
            continue
        out[field] = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return out


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def _flags(config: Any) -> dict[str, Any]:
    """The four BPA flags as booleans (XML-derived records may carry "true"/"false")."""
    if not isinstance(config, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "xmlns":
            continue
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        out[key] = value
    return out


def _grants(acp: dict[str, Any]) -> list[dict[str, Any]]:
    """`AccessControlList.Grant` (XML form: one dict or a list, `xsi:type`) -> API `Grants`."""
    acl = acp.get("AccessControlList") or {}
    grants = acl.get("Grant") if isinstance(acl, dict) else None
    if grants is None:
        grants = acp.get("Grants") or []
    if isinstance(grants, dict):
        grants = [grants]
    out = []
    for grant in grants:
        if not isinstance(grant, dict):
            continue
        grantee = grant.get("Grantee") or {}
        converted = {k: v for k, v in grantee.items() if not k.startswith("xmlns")}
        kind = converted.pop("xsi:type", None)
        if kind and "Type" not in converted:
            converted["Type"] = kind
        out.append({"Grantee": converted, "Permission": grant.get("Permission")})
    return out


# --- SageMaker state changes ---------------------------------------------------------------------------


def _from_state_change(
    event: StateChangeEvent, where: str, file: str | None, point: EnforcementPoint
) -> ParsedEvent:
    name = event.detail_type.removeprefix("SageMaker ")
    kind = SAGEMAKER_BY_STATE_CHANGE.get(event.detail_type)
    parsed = ParsedEvent(
        event_id=event.id,
        envelope_id=event.id,
        detail_type=event.detail_type,
        source="sagemaker-event",
        event_name=name,
        account=event.account,
        region=event.region,
        resource_type=kind.type if kind else None,
    )
    if kind is None:
        parsed.skipped = EventSkipped(reason="out-of-scope", message=f"{event.detail_type!r} is not watched")
        return parsed
    parsed.documents = [document_from_describe(kind, event.detail, event.account, event.region, file, point)]
    if not parsed.documents[0].resource.name:
        raise MalformedEventError(where, f"{event.detail_type}: detail.{kind.name_field} is missing")
    return parsed


def document_from_describe(
    kind: ResourceKind,
    response: dict[str, Any],
    account: str | None,
    region: str | None,
    file: str | None = None,
    point: EnforcementPoint = "runtime",
    source: Literal["sagemaker-event", "live"] = "sagemaker-event",
) -> ResourceDocument:
    """A SageMaker Describe* response (or a state-change `detail`) as a document in the request shape."""
    from guardrails.documents import Context, Resource

    members = request_shapes.operation_members(kind.operations[0])
    renamed = {kind.describe_renames.get(k, k): v for k, v in response.items()}
    properties = {k: v for k, v in renamed.items() if k in members and k != "Tags"}
    name = response.get(kind.name_field) or ""
    arn = response.get(kind.arn_field) if kind.arn_field else None
    tags = response.get("Tags")
    if isinstance(tags, list):
        tags = {str(t.get("Key")): str(t.get("Value", "")) for t in tags if isinstance(t, dict)}
    return ResourceDocument(
        resource=Resource(
            type=kind.type,
            name=str(name),
            arn=arn if isinstance(arn, str) else arn_for(kind, str(name), region, account),
            account=account,
            region=region,
            tags={str(k): str(v) for k, v in (tags or {}).items()} if isinstance(tags, dict) else {},
            properties=properties,
        ),
        context=Context(point=point, source=source, location=Location(file=file)),
    )


MALFORMED_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)
"""What reading a field of an unexpected shape raises (a string where a mapping is expected...)."""


def _shape(exc: Exception) -> str:
    return f"a field has an unexpected shape ({type(exc).__name__}: {str(exc)[:160]})"


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())


def event_patterns() -> list[dict[str, Any]]:
    """The EventBridge rule patterns that deliver every watched event (from the kinds table)."""
    by_source: dict[str, dict[str, set[str]]] = {}
    for (event_source, event_name), (kind, _) in CLOUDTRAIL_EVENTS.items():
        source = "aws.sagemaker" if kind.service == "sagemaker" else "aws.s3"
        by_source.setdefault(source, {}).setdefault(event_source, set()).add(event_name)
    patterns: list[dict[str, Any]] = []
    for source in sorted(by_source):
        sources = by_source[source]
        patterns.append(
            {
                "source": [source],
                "detail-type": [CLOUDTRAIL_DETAIL_TYPE],
                "detail": {
                    "eventSource": sorted(sources),
                    "eventName": sorted(set().union(*sources.values())),
                },
            }
        )
    patterns.append({"source": ["aws.sagemaker"], "detail-type": sorted(SAGEMAKER_BY_STATE_CHANGE)})
    return patterns
