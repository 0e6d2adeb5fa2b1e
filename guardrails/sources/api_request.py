"""SageMaker / S3 API request documents: `{"operation": "CreateTrainingJob", "request": {...}}`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from guardrails.documents import (
    Context,
    EnforcementPoint,
    Location,
    Resource,
    ResourceDocument,
    SourceKind,
    unknown_value,
)
from guardrails.resource_kinds import (
    BY_TYPE,
    S3_BUCKET,
    S3_BUCKET_JUDGED_ASPECTS,
    SAGEMAKER_BY_OPERATION,
    arn_for,
)
from guardrails.sources import request_shapes, s3_shape
from guardrails.sources.errors import SourceError

ACCOUNT_PUBLIC_ACCESS_BLOCK = BY_TYPE["AWS::S3::AccountPublicAccessBlock"]
ACCESS_POINT = BY_TYPE["AWS::S3::AccessPoint"]


class ApiRequestFile(BaseModel):
    """The on-disk form of one API request (what `guardrails check` reads)."""

    model_config = ConfigDict(extra="forbid")

    operation: str
    request: dict[str, Any]
    service: str | None = None
    account: str | None = None
    region: str | None = None


def supported_operations() -> list[str]:
    ops = (
        set(SAGEMAKER_BY_OPERATION)
        | set(S3_BUCKET.operations)
        | set(ACCOUNT_PUBLIC_ACCESS_BLOCK.operations)
        | set(ACCESS_POINT.operations)
    )
    return sorted(ops)


def document_from_request(
    operation: str,
    request: dict[str, Any],
    *,
    service: str | None = None,
    account: str | None = None,
    region: str | None = None,
    file: str | None = None,
    point: EnforcementPoint = "pre-deploy",
    source: SourceKind = "api-request",
) -> ResourceDocument:
    """The canonical document for one Create*/Update*/Put* request; raises ValueError if out of scope."""
    where = Location(file=file)
    if service in (None, "sagemaker") and operation in SAGEMAKER_BY_OPERATION:
        return _sagemaker_document(
            operation, request, account, region, Context(point=point, source=source, location=where)
        )
    context = Context(point=point, source=source, location=where)
    if operation == "PutPublicAccessBlock" and (
        service == "s3control" or ("AccountId" in request and "Bucket" not in request)
    ):
        account_id = str(request.get("AccountId") or account or "")
        props = {
            "PublicAccessBlockConfiguration": s3_shape.public_access_block(
                request.get("PublicAccessBlockConfiguration") or {}
            )
        }
        resource = Resource(
            type=ACCOUNT_PUBLIC_ACCESS_BLOCK.type,
            name=account_id,
            account=account_id or None,
            region=region,
            properties=props,
        )
        return ResourceDocument(resource=resource, context=context)
    if service in (None, "s3control") and operation in ACCESS_POINT.operations:
        return _access_point_document(operation, request, account, region, context)
    if service in (None, "s3") and operation in S3_BUCKET.operations:
        return _bucket_document(operation, request, account, region, context)
    raise ValueError(
        f"operation {operation!r} is not in scope (supported: {', '.join(supported_operations())})"
    )


def load_api_request(path: Path, data: Any, point: EnforcementPoint = "pre-deploy") -> list[ResourceDocument]:
    """Validate a parsed request file and build its document; raises SourceError naming the field."""
    try:
        parsed = ApiRequestFile.model_validate(data)
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SourceError(str(path), f"invalid API request document: {problem}") from exc
    try:
        return [
            document_from_request(
                parsed.operation,
                parsed.request,
                service=parsed.service,
                account=parsed.account,
                region=parsed.region,
                file=str(path),
                point=point,
            )
        ]
    except ValueError as exc:
        raise SourceError(str(path), str(exc)) from exc
    except (TypeError, AttributeError, KeyError, IndexError) as exc:  # a field of an unexpected shape
        raise SourceError(str(path), _shape_problem(parsed, exc)) from None


def _shape_problem(parsed: ApiRequestFile, exc: Exception) -> str:
    """Why a request could not be read, with the field path from botocore's validator when it finds it."""
    import botocore.exceptions
    import botocore.session
    from botocore.validate import ParamValidator

    service = parsed.service or ("sagemaker" if parsed.operation in SAGEMAKER_BY_OPERATION else "s3")
    try:
        model = botocore.session.get_session().get_service_model(service)
        shape = model.operation_model(parsed.operation).input_shape
        report = ParamValidator().validate(parsed.request, shape) if shape is not None else None
        if report is not None and report.has_errors():
            return f"invalid {parsed.operation} request: {report.generate_report()}"
    except (botocore.exceptions.BotoCoreError, KeyError, ValueError):
        pass
    problem = f"{type(exc).__name__}: {exc}"
    return f"invalid {parsed.operation} request: a field has an unexpected shape ({problem})"


def _sagemaker_document(
    operation: str, request: dict[str, Any], account: str | None, region: str | None, context: Context
) -> ResourceDocument:
    kind = SAGEMAKER_BY_OPERATION[operation]
    properties = {k: v for k, v in request.items() if k != "Tags"}
    name_field = kind.name_field_for(operation)
    name = request.get(name_field)
    if not isinstance(name, str) or not name:
        raise ValueError(f"request.{name_field} is required for {operation}")
    if operation.startswith("Update"):
        _mark_not_carried(
            properties, context, _fields_not_in_update(operation, kind.operations[0], properties), operation
        )
    resource = Resource(
        type=kind.type,
        name=name,
        arn=arn_for(kind, name, region, account),
        account=account,
        region=region,
        tags=_tags(request.get("Tags")),
        properties=properties,
    )
    return ResourceDocument(resource=resource, context=context)


def _bucket_document(
    operation: str, request: dict[str, Any], account: str | None, region: str | None, context: Context
) -> ResourceDocument:
    bucket = request.get("Bucket")
    if not isinstance(bucket, str) or not bucket:
        raise ValueError(f"request.Bucket is required for {operation}")
    props: dict[str, Any] = {"BucketName": bucket}
    if request.get("ACL"):
        props["AccessControl"] = s3_shape.canned_acl(str(request["ACL"]))
    grants = _grants(request, context)
    if grants is not None:
        props["AccessControlPolicy"] = {"Grants": grants}
    if "Policy" in request:
        if not isinstance(request["Policy"], (str, dict)):
            raise TypeError("Policy must be a JSON policy document")  # botocore's validator names it
        # Text that is not a JSON policy stays as given: the policies judge it unknown.
        props["Policy"] = s3_shape.policy_value(request["Policy"])
    if isinstance(request.get("PublicAccessBlockConfiguration"), dict):
        props["PublicAccessBlockConfiguration"] = s3_shape.public_access_block(
            request["PublicAccessBlockConfiguration"]
        )
    if isinstance(request.get("ServerSideEncryptionConfiguration"), dict):
        props["BucketEncryption"] = s3_shape.encryption_from_api(request["ServerSideEncryptionConfiguration"])
    if isinstance(request.get("OwnershipControls"), dict):
        props["OwnershipControls"] = request["OwnershipControls"]
    elif request.get("ObjectOwnership"):
        props["OwnershipControls"] = {"Rules": [{"ObjectOwnership": request["ObjectOwnership"]}]}
    carried = S3_BUCKET.partial_operations.get(operation)
    if carried is not None:
        # A Put* call changes one aspect; the rest of the bucket is not visible in the request.
        missing = [a for a in S3_BUCKET_JUDGED_ASPECTS if a not in carried and a not in props]
        _mark_not_carried(props, context, missing, operation)
    resource = Resource(
        type=S3_BUCKET.type,
        name=bucket,
        arn=arn_for(S3_BUCKET, bucket, region, account),
        account=account,
        region=region,
        properties=props,
    )
    return ResourceDocument(resource=resource, context=context)


def _access_point_document(
    operation: str, request: dict[str, Any], account: str | None, region: str | None, context: Context
) -> ResourceDocument:
    """s3control CreateAccessPoint / PutAccessPointPolicy -> an `AWS::S3::AccessPoint` document
    (CloudFormation shape). A new access point has no policy; an omitted PublicAccessBlockConfiguration is
    AWS's default (all on). PutAccessPointPolicy carries the policy only: the block settings are unknown."""
    name = request.get("Name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"request.Name is required for {operation}")
    account_id = str(request.get("AccountId") or account or "") or None
    props: dict[str, Any] = {"Name": name}
    for field in ("Bucket", "BucketAccountId", "VpcConfiguration"):
        if field in request:
            props[field] = request[field]
    if "PublicAccessBlockConfiguration" in request:
        configuration = request["PublicAccessBlockConfiguration"]
        props["PublicAccessBlockConfiguration"] = (
            s3_shape.public_access_block(configuration) if isinstance(configuration, dict) else configuration
        )
    if "Policy" in request:
        if not isinstance(request["Policy"], (str, dict)):
            raise TypeError("Policy must be a JSON policy document")
        props["Policy"] = s3_shape.policy_value(request["Policy"])
    if operation in ACCESS_POINT.partial_operations:  # a policy-only call: the block settings are not in it
        _mark_not_carried(props, context, ["PublicAccessBlockConfiguration"], operation)
    resource = Resource(
        type=ACCESS_POINT.type,
        name=name,
        arn=arn_for(ACCESS_POINT, name, region, account_id),
        account=account_id,
        region=region,
        properties=props,
    )
    return ResourceDocument(resource=resource, context=context)


def _grants(request: dict[str, Any], context: Context) -> list[Any] | None:
    """`AccessControlPolicy.Grants` plus the grants of the `Grant*` header fields, in one list (None
    when the request carries neither). A header that does not parse is an unknown grant."""
    acp = request.get("AccessControlPolicy")
    headers = [f for f in s3_shape.GRANT_HEADERS if request.get(f)]
    if not isinstance(acp, dict) and not headers:
        return None
    grants: list[Any] = list(acp.get("Grants") or []) if isinstance(acp, dict) else []
    for field in headers:
        try:
            grants.extend(s3_shape.grants_from_header(field, str(request[field])))
        except s3_shape.GrantHeaderError as exc:
            context.unknown.append(f"AccessControlPolicy.Grants.{len(grants)}")
            grants.append(unknown_value(str(exc)))
    return grants


def _mark_not_carried(
    properties: dict[str, Any], context: Context, fields: list[str], operation: str
) -> None:
    """Fields the request does not carry exist on the resource but are unknown here."""
    for field in fields:
        properties[field] = unknown_value(f"not part of the {operation} request")
        context.unknown.append(field)


def _tags(tags: Any) -> dict[str, str]:
    if not isinstance(tags, list):
        return {}
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags if isinstance(t, dict) and "Key" in t}


def _fields_not_in_update(operation: str, create_operation: str, properties: dict[str, Any]) -> list[str]:
    """Create-request fields an update leaves as they are: their current values are unknown here."""
    if create_operation == operation:
        return []
    members = request_shapes.operation_members(create_operation)
    return sorted(m for m in members if m not in properties and m != "Tags")
