"""The audit record: one per decision, whatever the enforcement point (allow too)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator

from guardrails.decision import Decision, EngineInfo, ResourceRef, UnseenPart, Verdict, Violation
from guardrails.documents import EnforcementPoint, ResourceDocument
from guardrails.redaction import redact_document, redact_text, redact_value

RECORD_VERSION: Final = 1
ActorKind = Literal["local-user", "github-actions", "gitlab-ci", "codebuild", "jenkins", "aws-principal"]


class SourceRef(BaseModel):
    """Where the decided input came from: a file position, a CloudTrail event, a stack operation."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    file: str | None = None
    line: int | None = None
    logical_id: str | None = None
    event_id: str | None = None
    """CloudTrail `eventID` / EventBridge event `id`."""
    stack_id: str | None = None
    request_id: str | None = None
    """Hook `clientRequestToken`, Lambda request id or scan run id."""


class Actor(BaseModel):
    """Who caused the decision: the local user, the CI identity, or the AWS principal of the call."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    kind: ActorKind
    name: str
    """user@host, CI user, or the principal's name."""
    arn: str | None = None
    """AWS principal or CodeBuild build ARN."""
    repository: str | None = None
    run: str | None = None
    """CI run/build URL or id."""
    ref: str | None = None
    commit: str | None = None


class ActionTaken(BaseModel):
    """What the enforcement point did about the decision."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    kind: str
    """`ci-gate`, `hook-response`, `block-request`, `stop-training-job`, `put-public-access-block`..."""
    mode: Literal["enforce", "dry-run"] = "enforce"
    outcome: Literal["succeeded", "failed", "skipped"]
    """`skipped` when nothing was needed or in dry-run; `failed` comes with `error`."""
    state_before: dict[str, Any] | None = None
    """The resource state the action started from (e.g. a Describe* response), redacted."""
    state_after: dict[str, Any] | None = None
    """The state after the action, redacted."""
    error: str | None = None


class RecordMac(BaseModel):
    """The MAC of the stored segment a record belongs to (see signing.py)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    alg: Literal["HMAC_SHA_256"] = "HMAC_SHA_256"
    key: str
    """Id of the signing key: `local:<fingerprint>` for a file key, the KMS key ARN (or id) for KMS."""
    last: int = Field(ge=0)
    """seq of the segment's last record, whose `hash` the MAC covers."""
    value: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Hex HMAC-SHA256 of `guardrails-audit-v1:record:<hash of seq last>`."""


class AuditRecord(BaseModel):
    """One stored decision. `stream`, `seq`, `prev_hash`, `hash` (and `mac`) are set by the sink.

    `hash = sha256(bytes.fromhex(prev_hash) || RFC8785(record without "hash" and "mac"))`, hex; see chain.py.
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    version: Literal[1] = RECORD_VERSION
    """Record format version."""
    decision_id: str
    """The decision's id (one decision, one record per sink; a retried write may repeat it)."""
    time: datetime
    """When the record was made (UTC)."""
    point: EnforcementPoint
    """Enforcement point: pre-deploy, admission, runtime or scan."""
    source: str
    """Input source: cloudformation, terraform, api-request, cloudtrail, sagemaker-event, live."""
    source_ref: SourceRef = Field(default_factory=SourceRef)
    actor: Actor
    resource: ResourceRef
    input_digest: str
    """`sha256:<hex>` of the RFC 8785 JSON of the decided document."""
    bundle_digest: str
    """Digest of the policy bundle that decided."""
    bundle_version: str
    engine: EngineInfo
    violations: list[Violation] = Field(default_factory=list)
    """Every violation, with its enforcement (deny/warn) and the exemption that covers it, if any."""
    verdict: Verdict
    error: str | None = None
    """Why the verdict is `error` (engine or input failure)."""
    unseen: list[UnseenPart] | None = None
    """What no policy could see, when the decision is about it: unknown content (a macro, an include from
    S3; `deny` under `unknown: deny`) or a nested stack not followed (`warn`), each with its reason."""
    action: ActionTaken | None = None
    """What the enforcement point did; absent when it only reported."""
    input: dict[str, Any] | None = None
    """Copy of the decided document, when recorded; redacted unless `input_redacted` is false."""
    input_redacted: bool | None = None
    stream: str | None = None
    """Writer stream (set by the sink; always present in stored records)."""
    seq: int | None = Field(default=None, ge=0)
    """Position in the stream: 0, 1, 2... (set by the sink)."""
    prev_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """`hash` of seq-1 in the stream; 64 zeros for seq 0 (set by the sink)."""
    hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """sha256(bytes.fromhex(prev_hash) || RFC 8785 JSON of the record without `hash`, `mac`), hex."""
    mac: RecordMac | None = None
    """Set by a sink that has a signing key: the MAC of the segment this record was stored in."""

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a time zone")
        return value.astimezone(UTC)

    @property
    def chained(self) -> bool:
        return self.hash is not None


def record_from_decision(
    decision: Decision,
    *,
    source_ref: SourceRef | None = None,
    actor: Actor,
    action: ActionTaken | None = None,
    document: ResourceDocument | dict[str, Any] | None = None,
    redact: bool = True,
    time: datetime | None = None,
    digest_key: bytes | None = None,
) -> AuditRecord:
    """The (not yet chained) record of one decision.

    With `redact` (the default) container `Environment`, `HyperParameters`, secret-looking keys and values
    in `document`, in the action's states and in messages are replaced by their sha256 digest, and so are
    the values at the document's `context.sensitive_paths` (NoEcho / sensitive values).
    `source_ref` defaults to the decision's file location. `digest_key` (AuditTrail.digest_key, derived
    from the signing key) makes the digests keyed: `hmac-sha256:<hex>`.
    """
    violations = decision.violations
    error = decision.error
    if action is not None and redact:
        action = action.model_copy(
            update={
                "state_before": redact_value(action.state_before, digest_key),
                "state_after": redact_value(action.state_after, digest_key),
                "error": redact_text(action.error, digest_key),
            }
        )
    unseen = decision.unseen
    if redact:
        violations = [_redacted_violation(v, digest_key) for v in violations]
        error = redact_text(error, digest_key)
        if unseen is not None:
            unseen = [_redacted_unseen(u, digest_key) for u in unseen]
    copy: dict[str, Any] | None = None
    if document is not None:
        data = document.to_input() if isinstance(document, ResourceDocument) else document
        copy = redact_document(data, digest_key) if redact else data
    return AuditRecord(
        decision_id=decision.decision_id,
        time=time or datetime.now(UTC),
        point=cast(EnforcementPoint, decision.point),  # validated by the model
        source=decision.source,
        source_ref=source_ref if source_ref is not None else source_ref_from_decision(decision),
        actor=actor,
        resource=decision.resource,
        input_digest=decision.input_digest,
        bundle_digest=decision.bundle_digest,
        bundle_version=decision.bundle_version,
        engine=decision.engine,
        violations=violations,
        verdict=decision.verdict,
        error=error,
        unseen=unseen,
        action=action,
        input=copy,
        input_redacted=None if copy is None else redact,
    )


def source_ref_from_decision(decision: Decision) -> SourceRef:
    """The file position a pre-deploy decision carries (file, line, logical id); empty otherwise."""
    location = decision.resource.location
    if location is None:
        return SourceRef()
    return SourceRef(file=location.file, line=location.line, logical_id=location.logical_id)


def _redacted_violation(violation: Violation, digest_key: bytes | None = None) -> Violation:
    message = redact_text(violation.message, digest_key)
    if message is None or message == violation.message:
        return violation
    return replace(violation, message=message)


def _redacted_unseen(part: UnseenPart, digest_key: bytes | None = None) -> UnseenPart:
    reason = redact_text(part.reason, digest_key)
    return part if reason is None or reason == part.reason else replace(part, reason=reason)


def audit_record_json_schema() -> str:
    """The JSON schema shipped as guardrails/schemas/audit-record.schema.json."""
    import json

    return json.dumps(AuditRecord.model_json_schema(), indent=2, sort_keys=True) + "\n"
