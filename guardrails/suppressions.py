"""Inline suppressions: a waiver of one control written next to the resource, with a mandatory reason.

CloudFormation (resource `Metadata`)::

    Metadata:
      guardrails:
        suppress:
          - control: SM-18
            reason: "data scientists need pip install; SEC-42"
            expires: 2027-03-31        # optional

Terraform (comments do not survive into a plan, tags do): a tag on the resource,
`guardrails:suppress = "SM-18:reason"`, or one tag per control, `guardrails:suppress:SM-05 = "reason"`;
either value may end with ` expires=2027-03-31` (characters allowed in AWS tag values only).

Suppressions apply at pre-deploy (`guardrails check`) only: a template or plan is reviewed like code, a
resource tag seen at admission or runtime is not (anyone who may tag could waive a control). An expired
suppression does not apply and produces a warning; `--no-suppressions` ignores them all. Every applied
suppression is reported and recorded in the audit trail with the violation it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from guardrails.errors import InputError
from guardrails.validation import error_lines, validate

if TYPE_CHECKING:  # documents.py imports InlineSuppression from here
    from guardrails.documents import ResourceDocument

CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
TAG_KEY = "guardrails:suppress"
_TAG_EXPIRES = re.compile(r"\s+expires=(\d{4}-\d{2}-\d{2})\s*$")
SuppressionSource = Literal["cloudformation-metadata", "terraform-tag"]


@dataclass(frozen=True)
class SuppressionWarning:
    """An inline suppression that does not apply (expired, unknown control) or suppresses nothing."""

    file: str | None
    logical_id: str | None
    type: str
    reason: str


class SuppressionError(InputError, ValueError):
    """An inline suppression that is malformed (no reason, bad control id, bad date)."""


@dataclass(slots=True, kw_only=True)
class InlineSuppression:
    """One suppression as written in a template or plan (also what reports and the audit trail show)."""

    # Checked when made, however it is made (__post_init__): a control id like SM-18, a reason that is not
    # blank (kept stripped). Read from a template or plan through `validate` (types, dates, unknown fields).
    # The docstring above is the description in guardrails/schemas/audit-record.schema.json.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    control: str
    reason: str = field(metadata={"min_length": 1})
    expires: date | None = None
    source: SuppressionSource

    def __post_init__(self) -> None:
        if not CONTROL_ID.match(self.control):
            raise ValueError(f"control {self.control!r} is not a control id like SM-18")
        self.reason = self.reason.strip()
        if not self.reason:
            raise ValueError("reason: a reason is mandatory")

    def active_on(self, today: date) -> bool:
        return self.expires is None or today <= self.expires


def _validated(data: dict[str, Any], where: str) -> InlineSuppression:
    try:
        return validate(InlineSuppression, data)
    except ValueError as exc:  # pydantic's ValidationError
        raise SuppressionError(f"{where}: invalid suppression ({error_lines(exc, 'suppression')})") from None


def from_cloudformation_metadata(metadata: Any, where: str) -> list[InlineSuppression]:
    """`Metadata.guardrails.suppress` of one resource; SuppressionError names `where` when malformed."""
    if not isinstance(metadata, dict) or "guardrails" not in metadata:
        return []
    section = metadata["guardrails"]
    if not isinstance(section, dict):
        raise SuppressionError(f"{where}: Metadata.guardrails must be a mapping")
    entries = section.get("suppress", [])
    if not isinstance(entries, list):
        raise SuppressionError(f"{where}: Metadata.guardrails.suppress must be a list")
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise SuppressionError(f"{where}: Metadata.guardrails.suppress[{i}] must be a mapping")
        data = {k: entry[k] for k in entry if k in ("control", "reason", "expires")}
        extra = sorted(set(entry) - {"control", "reason", "expires"})
        if extra:
            names = ", ".join(map(str, extra))
            raise SuppressionError(f"{where}: Metadata.guardrails.suppress[{i}] has unknown field(s) {names}")
        if isinstance(data.get("expires"), str):
            data["expires"] = data["expires"].strip()
        out.append(_validated({**data, "source": "cloudformation-metadata"}, f"{where} suppress[{i}]"))
    return out


def from_tags(tags: dict[str, str], where: str) -> list[InlineSuppression]:
    """`guardrails:suppress` = `SM-18:reason[ expires=YYYY-MM-DD]`, `guardrails:suppress:SM-05` = `reason`."""
    out = []
    for key, value in sorted(tags.items()):
        if key == TAG_KEY:
            control, sep, reason = value.partition(":")
            if not sep:
                raise SuppressionError(f"{where}: tag {key} must be CONTROL:reason, got {value!r}")
        elif key.startswith(TAG_KEY + ":"):
            control, reason = key.removeprefix(TAG_KEY + ":"), value
        else:
            continue
        expires = None
        match = _TAG_EXPIRES.search(reason)
        if match:
            expires, reason = match.group(1), reason[: match.start()]
        out.append(
            _validated(
                {"control": control.strip(), "reason": reason, "expires": expires, "source": "terraform-tag"},
                f"{where} tag {key}",
            )
        )
    return out


def suppressions_of(document: ResourceDocument) -> list[InlineSuppression]:
    """The inline suppressions of a document: its `context.suppressions` (set by attach_suppressions)."""
    return list(document.context.suppressions or [])


def attach_suppressions(documents: list[ResourceDocument], data: Any, file: str) -> None:
    """Read each document's inline suppressions from the parsed input it came from.

    CloudFormation: the resource's `Metadata` (by logical id). Terraform: the resource's tags.
    Raises SuppressionError naming the file and resource when one is malformed.
    """
    resources = data.get("Resources") if isinstance(data, dict) else None
    for document in documents:
        logical_id = document.context.location.logical_id
        found: list[InlineSuppression] = []
        if document.context.source == "cloudformation" and isinstance(resources, dict):
            resource = resources.get(logical_id) if logical_id else None
            metadata = resource.get("Metadata") if isinstance(resource, dict) else None
            if isinstance(metadata, dict) and "guardrails" in metadata:  # (most resources have none)
                found = from_cloudformation_metadata(metadata, _where(file, document))
        elif document.context.source == "terraform":
            found = from_tags(document.resource.tags, _where(file, document))
        if found:
            document.context.suppressions = found


def _where(file: str, document: ResourceDocument) -> str:
    """How a malformed suppression's error names the resource."""
    return f"{file}: {document.context.location.logical_id or document.resource.name}"
