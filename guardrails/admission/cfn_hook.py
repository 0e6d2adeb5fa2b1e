"""The CloudFormation Lambda Hook, as a plain function: hook request -> decisions -> audit -> response.

`handle_hook_request(event, decider=..., trail=...)` never raises: a malformed request, a payload URL that is
not an allowed https S3 URL, an unreachable payload or a template that does not parse is an `error`
decision (audited) and answers FAILED / InternalFailure. `admission.fail_open` lets only infrastructure
failures pass (payload download, deadline, policy-server outage: guardrails/infrastructure.py); an error
caused by the request's own content blocks whatever the setting. A deny verdict answers FAILED /
NonCompliant whatever the configuration, and so does nothing less than a written audit record: when the
audit trail cannot store the decisions the answer is FAILED / InternalFailure (unless both `fail_open`
and `fail_open_on_audit_outage` are set: then the decisions go to the log). Any other exception, a
MemoryError included, answers FAILED and is recorded as an `error` decision.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from guardrails.admission.describe import AwsDescriber, RelatedResourceDescriber
from guardrails.admission.exceptions import HookRequestError, PayloadRejected
from guardrails.admission.hook_models import (
    CHANGE_SET,
    STACK,
    Annotation,
    ChangedResource,
    ChangeSetPayload,
    HookRequest,
    HookResponse,
    StackPayload,
)
from guardrails.admission.payload_fetch import PayloadFetcher, payload_fetcher
from guardrails.admission.references import complete_references
from guardrails.admission.response import (
    CLOUD_CONTROL_MESSAGE_LIMIT,
    CLOUDFORMATION_MESSAGE_LIMIT,
    bounded_message,
    failure_response,
    hook_response,
    passes_open,
    success_response,
)
from guardrails.config import AdmissionConfig, admission_config
from guardrails.decision import Decision, ResourceRef
from guardrails.documents import Location, ResourceDocument
from guardrails.errors import GuardrailsError
from guardrails.json_data import json_text
from guardrails.partitions import parse_arn, partition_for_region, partition_named
from guardrails.resource_kinds import BUCKET_POLICY_BUCKET, BY_TYPE, CLOUDFORMATION_TYPES, STACK_TYPE
from guardrails.sources.cloudformation import (
    document_from_resource_properties,
    parse_template_text,
    template_documents,
)
from guardrails.sources.cloudformation.resolved_values import Unknown
from guardrails.sources.notes import InputNote

if TYPE_CHECKING:
    from guardrails.audit import AuditTrail
    from guardrails.audit.record import Actor
    from guardrails.decider import Decider

logger = logging.getLogger(__name__)

KNOWN_AFTER_APPLY = "{{changeSet:KNOWN_AFTER_APPLY}}"
"""How a change set shows a value CloudFormation only knows once the change is applied."""
CHANGE_SET_TYPE = "AWS::CloudFormation::ChangeSet"
BUCKET_POLICY = "AWS::S3::BucketPolicy"
BUCKET = "AWS::S3::Bucket"
UNKNOWN_CONTENT_ANNOTATION = "GUARDRAILS-UNKNOWN-CONTENT"
NOT_FOLLOWED_ANNOTATION = "GUARDRAILS-NOT-FOLLOWED"


@dataclass
class _Target:
    """One document to decide, with what only the audit record keeps."""

    document: ResourceDocument
    state_before: dict[str, Any] | None = None


def handle_hook_request(
    event: Any,
    *,
    decider: Decider,
    trail: AuditTrail | None,
    config: Any = None,
    fetch: PayloadFetcher | None = None,
    describe: RelatedResourceDescriber | None = None,
    actor: Actor | None = None,
) -> dict[str, Any]:
    """Evaluate one Lambda Hook request and return the response dict (AWS_REFERENCE.md §3).

    - `decider`: built once per process (Lambda container) and reused.
    - `trail`: every decision is recorded there before answering; None only for local dry runs
      (`guardrails handle-hook` without a sink).
    - `config`: an AdmissionConfig or a GuardrailsConfig (default: `decider.config`).
    - `fetch`: downloads a STACK / CHANGE_SET payload URL (default: urllib with the configured timeout and
      size cap).
    - `describe`: answers Describe*/Get* questions when `describe_related_resources` is on (default:
      boto3 clients from the environment).
    - `actor`: who the records name (default: the hook type, as an AWS principal — hooks do not
      identify the caller).
    """
    try:
        settings = admission_config(config if config is not None else decider.config)
        invocation = _Invocation(event, decider, trail, settings, fetch, describe, actor, config)
    except Exception as exc:  # noqa: BLE001 - even a broken setup answers (FAILED) and records
        return _last_resort(event, decider, trail, exc)
    try:
        return invocation.run()
    except Exception as exc:  # noqa: BLE001 - MemoryError, a bug: FAILED and an audit record, never a crash
        return invocation.internal_failure(exc)


class _Invocation:
    def __init__(
        self,
        event: Any,
        decider: Decider,
        trail: AuditTrail | None,
        settings: AdmissionConfig,
        fetch: PayloadFetcher | None,
        describe: RelatedResourceDescriber | None,
        actor: Actor | None,
        config: Any = None,
    ) -> None:
        self.event = event if isinstance(event, dict) else {}
        self.raw_event = event
        self.decider = decider
        self.trail = trail
        self.settings = settings
        self.fetch = fetch or payload_fetcher(
            settings.payload_timeout_seconds, settings.payload_max_bytes, hosts=settings.payload_hosts
        )
        self.describe = describe
        self.actor = actor
        self.request: HookRequest | None = None
        self.token = _token_of(self.event)
        self.limit = _message_limit(self.event)
        self.notes: list[InputNote] = []
        """What the STACK / CHANGE_SET template holds that no control judged (guardrails/sources/notes.py)."""
        source = config if config is not None else decider.config
        unknown = getattr(source, "unknown", getattr(decider.config, "unknown", "inherit"))
        self.unknown_blocks = unknown != "warn"
        """Config `unknown: deny` (the default): unknown content fails the hook, as it fails `check`."""

    # ------------------------------------------------------------------------------------------- flow

    def run(self) -> dict[str, Any]:
        try:
            self.request = parse_hook_request(self.raw_event)
        except HookRequestError as exc:
            return self._finish([self._error_decision(exc)], [None])
        request = self.request
        if request.action_invocation_point == "DELETE_PRE_PROVISION":
            return success_response(
                self.token, "Deletion is not evaluated: nothing is provisioned.", message_limit=self.limit
            ).to_wire()
        try:
            targets = self._targets(request)
        except GuardrailsError as exc:  # bad request or payload (blocks), or an outage (fail_open applies)
            return self._finish([self._error_decision(exc)], [None])
        except Exception as exc:  # a bug must still answer (fail closed) and leave a record
            logger.exception("guardrails: unexpected error while reading the hook request")
            return self._finish([self._error_decision(exc, infrastructure=False)], [None])
        if not targets and self._content_notes():
            return self._finish([], [])
        if not targets:
            kind = request.request_data.target_name
            return success_response(
                self.token,
                f"Nothing to evaluate: {kind} has no resource type guardrails covers.",
                message_limit=self.limit,
            ).to_wire()
        documents = [t.document for t in targets]
        try:
            complete_references(documents, self._describer(request))
            decisions = self.decider.decide_many(documents)
        except Exception as exc:
            logger.exception("guardrails: unexpected error while deciding")
            decisions = [self._error_decision(exc, document=d) for d in documents]
        return self._finish(decisions, targets)

    def internal_failure(self, exc: BaseException) -> dict[str, Any]:
        """FAILED for an exception that escaped the flow (MemoryError, a bug), recorded when possible."""
        try:
            logger.error("guardrails: the hook failed: %s: %s", type(exc).__name__, exc)
            decision = self._error_decision(exc, infrastructure=False)
            return self._finish([decision], [None])
        except Exception as again:  # noqa: BLE001 - the answer must still be FAILED
            return _last_resort(self.raw_event, self.decider, self.trail, again)

    def _finish(self, decisions: list[Decision], targets: Sequence[_Target | None]) -> dict[str, Any]:
        judged = list(decisions)
        content = self._content_decision()
        if content is not None:
            decisions = [*decisions, content]
            targets = [*targets, None]
        try:
            self._record(decisions, targets)
        except Exception as exc:  # no record, no pass (the audit trail is part of the gate)
            logger.exception("guardrails: the audit trail could not record the hook decisions")
            if self._audit_outage_passes(decisions):
                return self._allowed_without_record(decisions, exc)
            ids = ",".join(d.decision_id for d in decisions[:8])
            return failure_response(
                self.token,
                f"InternalFailure: the audit trail could not record the decision (fail closed): {exc}. "
                f"decision_ids={ids}",
                message_limit=self.limit,
            ).to_wire()
        return self._with_notes(self._response(judged), content).to_wire()

    def _response(self, decisions: list[Decision]) -> HookResponse:
        if not decisions:  # only unknown content: _with_notes says what
            return success_response(self.token, "No resource guardrails covers.", message_limit=self.limit)
        return hook_response(
            self.token,
            decisions,
            fail_open=self.settings.fail_open,
            message_limit=self.limit,
            request_id=self.token or None,
        )

    # ------------------------------------------------------------------------------------------ notes

    def _content_notes(self) -> list[InputNote]:
        return [n for n in self.notes if n.kind == "unknown-content"]

    def _content_decision(self) -> Decision | None:
        """The template's unknown content (a macro, `AWS::Include` from S3) as one audited decision about
        the stack: `deny` under `unknown: deny` (the default), `warn` under `unknown: warn`."""
        notes = self._content_notes()
        if not notes:
            return None
        return self.decider.unseen_decision(
            notes,
            resource=self._subject_ref(),
            point="admission",
            source="cloudformation",
            unknown_blocks=self.unknown_blocks,
            subject=self.raw_event,
        )

    def _with_notes(self, response: HookResponse, content: Decision | None) -> HookResponse:
        """The response with the unknown content (blocking unless `unknown: warn`) and the nested stacks
        not followed here (each is evaluated by its own hook invocation) in the message and annotations."""
        not_followed = [n for n in self.notes if n.kind == "not-followed"]
        if content is None and not not_followed:
            return response
        header, _, rest = response.message.partition("\n")
        lines = rest.split("\n") if rest else []
        footer = lines.pop() if lines and lines[-1].startswith("decision_id") else ""
        extra: list[str] = []
        if content is not None:
            notes = self._content_notes()
            blocks = content.verdict == "deny"
            if blocks and response.hook_status == "SUCCESS":
                response.hook_status, response.error_code = "FAILED", "NonCompliant"
                header = "NonCompliant: the template holds unknown content (unknown: deny)."
            elif blocks:
                header += " Unknown content too."
            else:
                header += " Unknown content allowed (unknown: warn)."
            extra += [_cut_message(f"{_where_note(n)}: unknown content: {n.reason}", 300) for n in notes]
            footer = f"{footer} content_decision_id={content.decision_id}".strip()
            response.annotations.append(
                Annotation(
                    annotation_name=UNKNOWN_CONTENT_ANNOTATION,
                    status="FAILED" if blocks else "SKIPPED",
                    status_message=_cut_message(_notes_text(notes), 4096),
                    remediation_message=(
                        "Deploy the processed template, or expand the macro / include the snippet locally "
                        "so every resource can be judged; `unknown: warn` lets it pass with a warning. "
                        f"decision_id={content.decision_id}"
                    ),
                    severity_level="HIGH",
                )
            )
        if not_followed:
            extra += [
                _cut_message(
                    f"{_where_note(n)}: not followed here ({n.reason}); its own hook invocation judges it",
                    300,
                )
                for n in not_followed
            ]
            response.annotations.append(
                Annotation(
                    annotation_name=NOT_FOLLOWED_ANNOTATION,
                    status="SKIPPED",
                    status_message=_cut_message(_notes_text(not_followed), 4096),
                    remediation_message=(
                        "The nested stack is evaluated when CloudFormation creates or updates it."
                    ),
                )
            )
        response.message = bounded_message(header, [*extra, *lines], footer, self.limit)
        return response

    def _audit_outage_passes(self, decisions: list[Decision]) -> bool:
        """An audit outage is an infrastructure failure too, but fail_open covers it only when the config
        says so explicitly, and never for a deny or an error fail_open would not let pass anyway."""
        if not (self.settings.fail_open and self.settings.fail_open_on_audit_outage):
            return False
        return all(
            d.verdict in ("allow", "warn") or passes_open(d, self.settings.fail_open) for d in decisions
        )

    def _allowed_without_record(self, decisions: list[Decision], exc: BaseException) -> dict[str, Any]:
        """SUCCESS despite the audit outage; the decisions go to the log so none is lost."""
        for decision in decisions:
            logger.error(
                "guardrails: audit outage, decision kept in the log: %s",
                json_text(decision),
            )
        response = hook_response(
            self.token,
            decisions,
            fail_open=self.settings.fail_open,
            message_limit=self.limit,
            request_id=self.token or None,
        )
        response.message = _cut_message(
            "Allowed although the audit trail could not record the decision "
            f"(admission.fail_open_on_audit_outage is set: {exc}); the decision is in the log. "
            + (response.message or ""),
            self.limit,
        )
        return response.to_wire()

    # ---------------------------------------------------------------------------------------- targets

    def _targets(self, request: HookRequest) -> list[_Target]:
        kind = request.target_kind
        if kind == STACK:
            return self._stack_targets(request)
        if kind == CHANGE_SET:
            return self._change_set_targets(request)
        return self._resource_targets(request)

    def _resource_targets(self, request: HookRequest) -> list[_Target]:
        data = request.request_data
        resource_type = data.target_name
        if resource_type not in CLOUDFORMATION_TYPES:
            return []
        properties = data.target_model.resource_properties if data.target_model else None
        if properties is None:
            raise HookRequestError(
                f"requestData.targetModel.resourceProperties is missing for {resource_type} "
                f"{data.target_logical_id or ''}".rstrip()
            )
        document = document_from_resource_properties(
            resource_type,
            data.target_logical_id or resource_type,
            mark_unresolved(properties),
            point="admission",
            region=self._region(request),
            account=request.aws_account_id,
        )
        before = None
        if request.action_invocation_point == "UPDATE_PRE_PROVISION" and data.target_model:
            before = data.target_model.previous_resource_properties or None
        return [_Target(document, before)]

    def _stack_targets(self, request: HookRequest) -> list[_Target]:
        payload = self._payload(request, StackPayload)
        file = f"stack:{request.stack_id or request.request_data.target_logical_id}"
        template, lines = _template(payload.template, file)
        result = template_documents(
            template, file=file, lines=lines, parameters=self._pseudo(request), point="admission"
        )
        self.notes.extend(result.notes)
        return [_Target(d) for d in result.documents]

    def _change_set_targets(self, request: HookRequest) -> list[_Target]:
        payload = self._payload(request, ChangeSetPayload)
        file = f"changeset:{request.change_set_id or request.request_data.target_logical_id}"
        changed = [
            c
            for c in payload.changed_resources
            if str(c.action).upper() != "DELETE" and c.resource_type in CLOUDFORMATION_TYPES
        ]
        if not changed:
            return []
        before = {c.logical_resource_id: c.previous_properties for c in changed}
        if payload.template is None:
            documents = [
                document_from_resource_properties(
                    c.resource_type,
                    c.logical_resource_id,
                    mark_unresolved(c.properties),
                    file=file,
                    point="admission",
                    region=self._region(request),
                    account=request.aws_account_id,
                )
                for c in changed
            ]
        else:
            template, lines = _template(payload.template, file)
            documents, notes = _changed_documents(
                template, changed, file=file, lines=lines, parameters=self._pseudo(request)
            )
            touched = {
                c.logical_resource_id for c in payload.changed_resources if str(c.action).upper() != "DELETE"
            }
            self.notes.extend(n for n in notes if n.logical_id is None or n.logical_id in touched)
        return [_Target(d, before.get(d.context.location.logical_id or "")) for d in documents]

    def _payload(self, request: HookRequest, model: type[StackPayload] | type[ChangeSetPayload]) -> Any:
        url = request.request_data.payload
        if not url:
            raise HookRequestError(
                f"requestData.payload (the payload URL) is missing for a {request.target_kind} target"
            )
        data = self.fetch(url)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise PayloadRejected(url, f"not a {request.target_kind} payload: {_problems(exc)}") from None

    # ----------------------------------------------------------------------------------------- helpers

    def _region(self, request: HookRequest) -> str | None:
        return request.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")

    def _pseudo(self, request: HookRequest) -> dict[str, str]:
        """Pseudo parameters the request tells (parameter values are not in the payload)."""
        pseudo: dict[str, str] = {}
        region = self._region(request)
        if region:
            pseudo["AWS::Region"] = region
        if request.aws_account_id:
            pseudo["AWS::AccountId"] = request.aws_account_id
        stack_id = request.stack_id or ""
        stack_arn = parse_arn(stack_id)
        if stack_arn is not None:
            pseudo["AWS::StackId"] = stack_id
            pseudo["AWS::Partition"] = stack_arn.partition
            name = stack_arn.resource.split("stack/", 1)[-1].split("/", 1)[0]
            if name:
                pseudo["AWS::StackName"] = name
        partition = partition_named(pseudo.get("AWS::Partition", "")) or (
            partition_for_region(region) if region else None
        )
        if partition is not None:
            pseudo["AWS::URLSuffix"] = partition.dns_suffix
        return pseudo

    def _describer(self, request: HookRequest) -> RelatedResourceDescriber | None:
        if not self.settings.describe_related_resources:
            return None
        return self.describe or AwsDescriber.from_session(
            region=self._region(request), account=request.aws_account_id
        )

    def _actor(self) -> Actor:
        if self.actor is not None:
            return self.actor
        from guardrails.audit import actor_from_principal

        name = self.request.hook_type_name if self.request else self.event.get("hookTypeName")
        return actor_from_principal(None, "AWSService", name=str(name or "cloudformation-lambda-hook"))

    def _record(self, decisions: list[Decision], targets: Sequence[_Target | None]) -> None:
        if self.trail is None:
            return
        from guardrails.audit import ActionTaken, SourceRef, record_from_decision

        actor = self._actor()
        store_input = self.decider.config.audit.store_input
        stack_id = (self.request.stack_id if self.request else self.event.get("stackId")) or None
        records = []
        digest_key = getattr(self.trail, "digest_key", None)  # keyed redaction with a signing key
        for decision, target in zip(decisions, targets, strict=True):
            location = decision.resource.location
            records.append(
                record_from_decision(
                    decision,
                    source_ref=SourceRef(
                        file=location.file if location else None,
                        line=location.line if location else None,
                        logical_id=location.logical_id if location else None,
                        stack_id=str(stack_id) if stack_id else None,
                        request_id=self.token or None,
                    ),
                    actor=actor,
                    action=ActionTaken(
                        kind="hook-response",
                        outcome="succeeded",
                        state_before=target.state_before if target else None,
                    ),
                    document=target.document if target is not None and store_input else None,
                    digest_key=digest_key,
                )
            )
        self.trail.append(records)

    def _error_decision(
        self,
        error: str | BaseException,
        document: ResourceDocument | None = None,
        *,
        infrastructure: bool | None = None,
    ) -> Decision:
        """The `error` decision (Decider.error_decision) about `document`, or about the request itself."""
        return self.decider.error_decision(
            error,
            document=document,
            resource=None if document is not None else self._subject_ref(),
            point="admission",
            source="cloudformation",
            subject=None if document is not None else self.raw_event,
            infrastructure=infrastructure,
        )

    def _subject_ref(self) -> ResourceRef:
        data = self.event.get("requestData")
        data = data if isinstance(data, dict) else {}
        target = data.get("targetName")
        logical_id = data.get("targetLogicalId")
        logical_id = logical_id if isinstance(logical_id, str) and logical_id else None
        if target == STACK:
            resource_type = STACK_TYPE
        elif target == CHANGE_SET:
            resource_type = CHANGE_SET_TYPE
        else:
            resource_type = target if isinstance(target, str) and target else "unknown"
        account = self.event.get("awsAccountId")
        return ResourceRef(
            type=resource_type,
            name=logical_id or str(self.event.get("stackId") or "unknown"),
            account=account if isinstance(account, str) and account else None,
            location=Location(logical_id=logical_id) if logical_id else None,
        )


# ------------------------------------------------------------------------------------------ functions


def _last_resort(event: Any, decider: Any, trail: Any, exc: BaseException) -> dict[str, Any]:
    """FAILED when even the error path failed; one error record is still attempted."""
    token = _token_of(event) if isinstance(event, dict) else ""
    note = ""
    try:
        from guardrails.audit import actor_from_principal, record_from_decision

        decision = decider.error_decision(
            exc,
            resource=ResourceRef(type="unknown", name="unknown"),
            point="admission",
            source="cloudformation",
            subject=event,
            infrastructure=False,
        )
        note = f" decision_id={decision.decision_id}"
        if trail is not None:
            actor = actor_from_principal(None, "AWSService", name="cloudformation-lambda-hook")
            trail.append([record_from_decision(decision, actor=actor)])
    except Exception:  # noqa: BLE001 - nothing left to try: the answer is FAILED
        logger.exception("guardrails: the hook could not even record its internal failure")
        note += " (not recorded)"
    return {
        "hookStatus": "FAILED",
        "errorCode": "InternalFailure",
        "message": f"InternalFailure: the hook could not evaluate the request ({type(exc).__name__}).{note}",
        "clientRequestToken": token,
    }


def _where_note(note: InputNote) -> str:
    return note.logical_id or "template"


def _notes_text(notes: Sequence[InputNote]) -> str:
    return "; ".join(f"{_where_note(n)}: {n.reason}" for n in notes)


def _cut_message(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def mark_unresolved(value: Any) -> Any:
    """A copy of hook properties where `{{changeSet:KNOWN_AFTER_APPLY}}` values become unknowns."""
    if isinstance(value, dict):
        return {k: mark_unresolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mark_unresolved(v) for v in value]
    if value == KNOWN_AFTER_APPLY:
        return Unknown("known after the change set is applied")
    return value


def _changed_documents(
    template: dict[str, Any],
    changed: list[ChangedResource],
    *,
    file: str,
    lines: dict[str, int],
    parameters: dict[str, str],
) -> tuple[list[ResourceDocument], list[InputNote]]:
    """The documents of the changed resources, with the template around them for references and
    bucket-policy joins: each changed resource's properties are replaced by its `afterContext` ones.
    The notes kept are the template's own (a macro) and those of the changed resources."""
    found = template.get("Resources")
    original: dict[str, Any] = found if isinstance(found, dict) else {}
    resources = dict(original)
    for change in changed:
        entry = dict(original.get(change.logical_resource_id) or {})
        properties = mark_unresolved(change.properties)
        _keep_template_links(change.resource_type, properties, entry.get("Properties"))
        entry["Type"] = change.resource_type
        entry["Properties"] = properties
        entry.pop("Condition", None)  # the change set says the resource will exist
        resources[change.logical_resource_id] = entry
    result = template_documents(
        {**template, "Resources": resources},
        file=file,
        lines=lines,
        parameters=parameters,
        point="admission",
    )
    documents = result.documents
    wanted = {c.logical_resource_id for c in changed}
    present = {d.context.location.logical_id for d in documents}
    joined = [c for c in changed if c.resource_type == BUCKET_POLICY and c.logical_resource_id not in present]
    for policy in joined:
        wanted |= _buckets_of_policy(policy, original, documents)
    return [d for d in documents if d.context.location.logical_id in wanted], result.notes


def _keep_template_links(resource_type: str, properties: dict[str, Any], raw: Any) -> None:
    """Keep the template's `Ref`/`GetAtt` where a resolved afterContext value names another template
    resource, so the adapter still links Endpoint -> EndpointConfig -> Models (the kinds' `references`)
    and joins a policy to its bucket."""
    if not isinstance(raw, dict):
        return
    kind = BY_TYPE.get(resource_type)
    references = kind.references if kind is not None else ()
    if resource_type == BUCKET_POLICY:
        references = (BUCKET_POLICY_BUCKET,)
    for reference in references:
        if not reference.lists:
            if _is_reference(raw.get(reference.field)):
                properties[reference.field] = raw[reference.field]
            continue
        for list_name in reference.lists:
            new, old = properties.get(list_name), raw.get(list_name)
            if not (isinstance(new, list) and isinstance(old, list) and len(new) == len(old)):
                continue
            for new_item, old_item in zip(new, old, strict=True):
                if (
                    isinstance(new_item, dict)
                    and isinstance(old_item, dict)
                    and _is_reference(old_item.get(reference.field))
                ):
                    new_item[reference.field] = old_item[reference.field]


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt")


def _buckets_of_policy(
    policy: ChangedResource, original: dict[str, Any], documents: list[ResourceDocument]
) -> set[str]:
    """Logical ids of the bucket documents a changed policy was joined into."""
    raw = (original.get(policy.logical_resource_id) or {}).get("Properties") or {}
    reference = raw.get("Bucket") if isinstance(raw, dict) else None
    if isinstance(reference, dict) and isinstance(reference.get("Ref"), str):
        return {reference["Ref"]}
    name = policy.properties.get("Bucket")
    buckets = [d for d in documents if d.resource.type == BUCKET]
    named = {d.context.location.logical_id or "" for d in buckets if d.resource.name == name}
    return named or {
        d.context.location.logical_id or "" for d in buckets if "Policy" in d.resource.properties
    }


def _template(template: str | dict[str, Any], file: str) -> tuple[dict[str, Any], dict[str, int]]:
    if isinstance(template, dict):
        return template, {}
    return parse_template_text(template, file)


def parse_hook_request(event: Any) -> HookRequest:
    """Validate a Lambda Hook request; HookRequestError names the missing or malformed fields."""
    if not isinstance(event, dict):
        raise HookRequestError(f"a hook request must be a JSON object, not {type(event).__name__}")
    try:
        return HookRequest.model_validate(event)
    except ValidationError as exc:
        raise HookRequestError(f"invalid hook request: {_problems(exc)}") from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()[:5]
    )


def _token_of(event: dict[str, Any]) -> str:
    for key in ("clientRequestToken", "clientRequesttoken"):
        value = event.get(key)
        if isinstance(value, str):
            return value
    return ""


def _message_limit(event: dict[str, Any]) -> int:
    request_data = event.get("requestData")
    data: dict[str, Any] = request_data if isinstance(request_data, dict) else {}
    stack_id = event.get("stackId", event.get("stackID"))
    target_type = data.get("targetType")
    if target_type in (STACK, CHANGE_SET):
        return CLOUDFORMATION_MESSAGE_LIMIT
    if not stack_id or target_type == "RESOURCE":
        return CLOUD_CONTROL_MESSAGE_LIMIT
    return CLOUDFORMATION_MESSAGE_LIMIT
