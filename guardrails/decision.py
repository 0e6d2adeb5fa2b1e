"""The decision: what the engine found for one resource, after configuration and exemptions."""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Literal

import rfc8785

from guardrails.canonical import canonical_bytes
from guardrails.documents import Location, ResourceDocument
from guardrails.suppressions import InlineSuppression

Verdict = Literal["allow", "warn", "deny", "error"]
Enforcement = Literal["deny", "warn"]
Severity = Literal["low", "medium", "high", "critical"]


def new_decision_id() -> str:
    """A random UUID (version 4) in its usual text form, like `str(uuid.uuid4())`; without importing `uuid`,
    which imports `platform` (~1.5 ms of a small check)."""
    return new_decision_ids(1)[0]


_UUID4_VERSION = bytes((byte & 0x0F) | 0x40 for byte in range(256))
_UUID4_VARIANT = bytes((byte & 0x3F) | 0x80 for byte in range(256))


def new_decision_ids(count: int) -> list[str]:
    """`count` ids as `new_decision_id` makes them (random UUIDs, version 4, in their usual text form),
    from one `os.urandom` read for the batch instead of one each: the version and variant bits are set
    on every 16 bytes at once (bytes.translate), and each id is cut from one hex text."""
    random = bytearray(os.urandom(16 * count))
    random[6::16] = random[6::16].translate(_UUID4_VERSION)
    random[8::16] = random[8::16].translate(_UUID4_VARIANT)
    hexed = random.hex()
    return [
        f"{hexed[i : i + 8]}-{hexed[i + 8 : i + 12]}-{hexed[i + 12 : i + 16]}-{hexed[i + 16 : i + 20]}-"
        f"{hexed[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


@dataclass(slots=True, kw_only=True)
class AppliedExemption:
    """The exemption that covers a violation (copied into the decision for the audit trail)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    control: str
    resource: str
    reason: str
    ticket: str | None = None
    expires: date | None = None


@dataclass(slots=True, kw_only=True)
class Violation:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    control: str
    severity: Severity
    enforcement: Enforcement
    message: str
    path: str | None = None
    unknown: bool = False
    """True when the control could not be decided because a value it needs is not knowable yet."""
    title: str | None = None
    remediation: str | None = None
    exemption: AppliedExemption | None = None
    via: str | None = None
    """For SM-17/SM-19: the control the referenced config, model or pipeline step fails."""
    suppression: InlineSuppression | None = None
    """The inline suppression (template Metadata / Terraform tag) that covers it, at pre-deploy."""

    @property
    def counts(self) -> bool:
        """An exempted or suppressed violation stays visible but no longer decides the verdict."""
        return self.exemption is None and self.suppression is None


UnseenKind = Literal["unknown-content", "not-followed"]


@dataclass(slots=True, kw_only=True)
class UnseenPart:
    """A part of the input no policy could see, hence judge (an input note, guardrails/sources/notes.py),
    kept in the decision about it so the audit trail says why the gate failed or what it never saw."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    kind: UnseenKind
    """`unknown-content`: a macro or an include from S3 adds or rewrites resources that cannot be seen
    before deploy; `not-followed`: a nested stack whose child template was not read."""
    reason: str
    logical_id: str | None = None
    type: str | None = None


@dataclass(slots=True, kw_only=True)
class ResourceRef:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    type: str
    name: str
    arn: str | None = None
    account: str | None = None
    region: str | None = None
    location: Location | None = None


@dataclass(slots=True, kw_only=True)
class EngineInfo:
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    name: str
    version: str


@dataclass(slots=True, kw_only=True)
class Decision:
    """The outcome of judging one resource (or what could not be judged) at one enforcement point."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    decision_id: str = field(default_factory=new_decision_id)
    resource: ResourceRef
    violations: list[Violation] = field(default_factory=list)
    verdict: Verdict
    error: str | None = None
    infrastructure_failure: bool = field(default=False, metadata={"exclude": True})
    """The `error` comes from outside the request (payload download, OPA server, audit sink), not from its
    content: the only errors `admission.fail_open` may let pass (guardrails/infrastructure.py)."""
    unseen: list[UnseenPart] | None = None
    """What no policy could see and why, when the decision is about such content (Decider.unseen_decision):
    the verdict then follows the gate (`deny` for unknown content under `unknown: deny`, else `warn`)."""
    point: str
    source: str
    input_digest: str
    bundle_digest: str
    bundle_version: str
    engine: EngineInfo


def verdict_for(violations: list[Violation]) -> Verdict:
    """`deny` when a counting violation (Violation.counts) denies, else `warn` when one counts, else
    `allow`; in one loop, `counts` read from its fields (a check asks once per resource)."""
    verdict: Verdict = "allow"
    for v in violations:
        if v.exemption is None and v.suppression is None:  # v.counts
            if v.enforcement == "deny":
                return "deny"
            verdict = "warn"
    return verdict


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes."""
    return canonical_bytes(value)


def input_digest(document: ResourceDocument | dict[str, Any]) -> str:
    """sha256 of the RFC 8785 form; numbers JSON cannot carry exactly (huge ints, inf, nan) count as text."""
    data = document.to_input() if isinstance(document, ResourceDocument) else document
    try:
        canonical = canonical_json(data)
    except rfc8785.CanonicalizationError:
        canonical = canonical_json(_json_numbers_as_text(data))
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def _json_numbers_as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > 2**53 - 1:
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_numbers_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_numbers_as_text(v) for v in value]
    return value


def resource_ref(document: ResourceDocument) -> ResourceRef:
    res = document.resource
    location = document.context.location
    has_location = location.file is not None or location.line is not None or location.logical_id is not None
    return ResourceRef(
        type=res.type,
        name=res.name,
        arn=res.arn,
        account=res.account,
        region=res.region,
        location=location if has_location else None,
    )
