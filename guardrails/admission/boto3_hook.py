"""The in-process admission hook for boto3 / botocore (and the SageMaker Python SDK, which uses boto3).

`install(session_or_client)` registers a handler on botocore's `before-parameter-build` event of every
SageMaker Create*/Update* operation in scope and of the S3 bucket calls (CreateBucket, PutBucketPolicy,
PutBucketAcl, PutPublicAccessBlock, PutBucketEncryption, PutBucketOwnershipControls; S3 Control
PutPublicAccessBlock, CreateAccessPoint, PutAccessPointPolicy): every operation of the kinds table. The
handler sees the caller's parameters in the API request shape — what `document_from_request` takes —
before they are serialised or sent:

- verdict `deny`: raises GuardrailViolation (with the decision); nothing leaves the process.
- verdict `error`: raises GuardrailEvaluationError, or logs a warning when `admission.fail_open` is set and
  the error is an infrastructure failure (a request that cannot be judged always raises).
- `warn` violations are logged (logger `guardrails.admission`), the call proceeds.

A call that changes one aspect of a resource (PutBucketPolicy, UpdateNotebookInstance...) leaves the
other aspects unknown in its document. An `unknown` violation whose path is one of those aspects is not
decidable by this call — the call does not change it — so it is logged at INFO and recorded, but it
does not block the call. Every other deny violation, unknown or not, blocks (fail closed).

Every decision is recorded when an audit sink is configured; a record that cannot be written blocks
the call (AuditWriteError), like any audit failure at an enforcement point.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardrails.admission.describe import AwsDescriber
from guardrails.admission.exceptions import GuardrailEvaluationError, GuardrailViolation
from guardrails.admission.references import complete_references
from guardrails.admission.response import passes_open
from guardrails.config import (
    AdmissionConfig,
    GuardrailsConfig,
    admission_config,
    default_config,
    load_config,
)
from guardrails.resource_kinds import BY_TYPE

if TYPE_CHECKING:
    from guardrails.audit import AuditTrail
    from guardrails.audit.record import Actor
    from guardrails.decider import Decider
    from guardrails.decision import Decision, Violation
    from guardrails.documents import ResourceDocument

logger = logging.getLogger("guardrails.admission")

EVENT_PREFIX = "before-parameter-build"
UNIQUE_ID_PREFIX = "guardrails-admission"


def hooked_operations() -> dict[str, tuple[str, ...]]:
    """Event service id -> the operations the hook evaluates: every operation of the kinds table."""
    from guardrails.resource_kinds import BOTOCORE_EVENT_SERVICES, BY_OPERATION

    hooked: dict[str, list[str]] = {}
    for service, operation in BY_OPERATION:
        hooked.setdefault(BOTOCORE_EVENT_SERVICES[service], []).append(operation)
    return {service: tuple(sorted(operations)) for service, operations in hooked.items()}


def _kind_service(event_service: str) -> str:
    """botocore's event service id -> the kinds' service (`s3-control` -> `s3control`)."""
    from guardrails.resource_kinds import BOTOCORE_EVENT_SERVICES

    return next((k for k, v in BOTOCORE_EVENT_SERVICES.items() if v == event_service), event_service)


class Boto3Hook:
    """One installed hook: a Decider built once, the audit trail, and the emitters it is registered on.

    `check(service, operation, params, region=...)` is the whole decision path (used by the botocore
    handler, and callable directly). `uninstall()` removes it from the emitters it was installed on and
    turns it off in clients that copied it from a session.
    """

    def __init__(
        self,
        decider: Decider,
        *,
        settings: AdmissionConfig | None = None,
        trail: AuditTrail | None = None,
        actor: Actor | None = None,
        account: str | None = None,
        sagemaker_client: Any = None,
        session: Any = None,
    ) -> None:
        self.decider = decider
        self.settings = settings or admission_config(decider.config)
        self.trail = trail
        self.actor = actor
        self.account = account
        self.active = True
        self._sagemaker_client = sagemaker_client
        self._session = session
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()
        self._emitters: list[Any] = []

    # --------------------------------------------------------------------------------- registration

    def register(self, emitter: Any) -> None:
        """Register on a botocore event emitter (`session.events`, `client.meta.events`); a hook
        installed earlier on the same emitter is replaced (re-running a notebook cell is harmless)."""
        for service, operations in hooked_operations().items():
            for operation in operations:
                event = f"{EVENT_PREFIX}.{service}.{operation}"
                unique_id = f"{UNIQUE_ID_PREFIX}:{event}"
                emitter.unregister(event, unique_id=unique_id)
                emitter.register(event, self._handler, unique_id=unique_id)
        self._emitters.append(emitter)

    def uninstall(self) -> None:
        self.active = False
        for emitter in self._emitters:
            for service, operations in hooked_operations().items():
                for operation in operations:
                    event = f"{EVENT_PREFIX}.{service}.{operation}"
                    emitter.unregister(event, unique_id=f"{UNIQUE_ID_PREFIX}:{event}")
        self._emitters.clear()

    def _handler(self, params: dict[str, Any], model: Any, context: Any = None, **_: Any) -> None:
        if not self.active:
            return
        service = model.service_model.service_id.hyphenize()
        region = context.get("client_region") if isinstance(context, dict) else None
        self.check(service, model.name, params, region=region)

    # -------------------------------------------------------------------------------------- decision

    def check(
        self, service: str, operation: str, params: dict[str, Any], *, region: str | None = None
    ) -> Decision:
        """Decide one request; raise GuardrailViolation / GuardrailEvaluationError when it is blocked."""
        document, decision = self._decide(service, operation, params, region)
        undecidable = not_decidable_by_call(decision, document, operation)
        blocking = [
            v for v in decision.violations if v.counts and v.enforcement == "deny" and v not in undecidable
        ]
        error = decision.verdict == "error"
        passes = passes_open(decision, self.settings.fail_open)  # infrastructure failures only
        blocked = bool(blocking) or (error and not passes)
        self._record(decision, document, blocked=blocked, partial=bool(undecidable) and not blocked)
        label = f"{operation} {decision.resource.name}"
        if blocking:
            raise GuardrailViolation(
                _violation_message(label, blocking, decision), decision, sorted({v.control for v in blocking})
            )
        if error and not passes:
            raise GuardrailEvaluationError(
                f"{label} blocked by guardrails: the request could not be evaluated (fail closed): "
                f"{decision.error}. decision_id={decision.decision_id}",
                decision,
                [],
            )
        if error:
            logger.warning(
                "guardrails: %s could not be evaluated (%s); allowed because admission.fail_open is set "
                "(decision_id=%s)",
                label,
                decision.error,
                decision.decision_id,
            )
        for violation in undecidable:
            logger.info(
                "guardrails: %s: %s not decidable by this call (%s is not part of it): %s",
                label,
                violation.control,
                violation.path,
                violation.message,
            )
        for violation in decision.violations:
            if violation.counts and violation.enforcement == "warn" and violation not in undecidable:
                logger.warning(
                    "guardrails: %s: %s [warn] %s (decision_id=%s)",
                    label,
                    violation.control,
                    violation.message,
                    decision.decision_id,
                )
        return decision

    def _decide(
        self, service: str, operation: str, params: dict[str, Any], region: str | None
    ) -> tuple[ResourceDocument | None, Decision]:
        from guardrails.sources.api_request import document_from_request

        try:
            document = document_from_request(
                operation,
                dict(params),
                service=_kind_service(service),
                account=self.account,
                region=region,
                point="admission",
            )
        except (ValueError, TypeError) as exc:
            return None, self._error_decision(service, operation, params, region, str(exc))
        try:
            if self.settings.describe_related_resources:
                describer = AwsDescriber(
                    lambda service: self._client(service, region),
                    account=self.account,
                    region=region,
                    regional_client_for=self._client,
                )
                complete_references([document], describer)
            return document, self.decider.decide(document)
        except Exception as exc:  # a bug must not let the request through
            logger.exception("guardrails: unexpected error while deciding %s", operation)
            return document, self._error_decision(service, operation, params, region, exc)

    def _error_decision(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        region: str | None,
        error: str | BaseException,
        *,
        infrastructure: bool | None = None,
    ) -> Decision:
        """The `error` decision (Decider.error_decision) about a request that could not be judged."""
        from guardrails.decision import ResourceRef
        from guardrails.resource_kinds import BY_OPERATION, S3_BUCKET

        kind = BY_OPERATION.get((_kind_service(service), operation), S3_BUCKET)
        name = params.get(kind.name_field_for(operation)) if isinstance(params, dict) else None
        return self.decider.error_decision(
            error,
            resource=ResourceRef(
                type=kind.type, name=str(name or "unknown"), account=self.account, region=region
            ),
            point="admission",
            source="api-request",
            subject={"operation": operation, "request": params},
            infrastructure=infrastructure,
        )

    def _record(
        self, decision: Decision, document: ResourceDocument | None, *, blocked: bool, partial: bool
    ) -> None:
        if self.trail is None:
            return
        from guardrails.audit import ActionTaken, SourceRef, current_actor

        if self.actor is None:
            self.actor = current_actor()
        kind = "block-request" if blocked else ("pass-request-partial" if partial else "pass-request")
        store = document is not None and self.decider.config.audit.store_input
        self.trail.record(
            decision,
            actor=self.actor,
            source_ref=SourceRef(),
            action=ActionTaken(kind=kind, outcome="succeeded"),
            document=document if store else None,
        )

    def _client(self, service: str, region: str | None) -> Any:
        if service == "sagemaker" and self._sagemaker_client is not None:
            return self._sagemaker_client
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                import boto3

                # Any: boto3-stubs types clients by a literal service name
                session: Any = self._session if self._session is not None else boto3.Session()
                self._clients[key] = session.client(service, region_name=region)
            return self._clients[key]


def install(
    target: Any = None,
    *,
    config: GuardrailsConfig | AdmissionConfig | str | Path | None = None,
    decider: Decider | None = None,
    audit: Sequence[str] | AuditTrail | None = None,
    account: str | None = None,
    actor: Actor | None = None,
) -> Boto3Hook:
    """Evaluate SageMaker and S3 requests against the guardrails before boto3 sends them.

    `target` is a `boto3.Session` (clients created from it afterwards are covered), a botocore
    session, a client (`client.meta.events`), a `sagemaker.Session` (its `sagemaker_client` and
    `boto_session`), a list of those, or None for boto3's default session (`boto3.client(...)`).
    `config` is a GuardrailsConfig or the path of a config file (default: the shipped defaults);
    `audit` sink URLs or an AuditTrail (default: `audit.sinks` of the config; none means not audited).
    `account` names the account in documents (ARNs, exemption globs) — no STS call is made.
    """
    if isinstance(config, (str, Path)):
        config = load_config(Path(config))
    if decider is None:
        full = config if isinstance(config, GuardrailsConfig) else default_config()
        from guardrails.decider import Decider

        decider = Decider(full)
    trail = _trail(audit, decider.config.audit.sinks, decider.config.audit.signing_key)
    emitters, sagemaker_client, session = _emitters(target)
    hook = Boto3Hook(
        decider,
        settings=admission_config(config if config is not None else decider.config),
        trail=trail,
        actor=actor,
        account=account,
        sagemaker_client=sagemaker_client,
        session=session,
    )
    for emitter in emitters:
        hook.register(emitter)
    return hook


def not_decidable_by_call(
    decision: Decision, document: ResourceDocument | None, operation: str | None = None
) -> list[Violation]:
    """Violations this call cannot fix, so it is not blocked for them: unknown violations of an aspect
    the request does not carry (listed unknown by the adapter), and violations of the aspects a create
    call cannot set (`ResourceKind.follow_up_aspects`: a new bucket's encryption is set by the next call)."""
    if document is None:
        return []
    not_carried = document.context.unknown
    kind = BY_TYPE.get(document.resource.type)
    follow_up = kind.follow_up_aspects.get(operation or "", ()) if kind else ()
    return [
        v
        for v in decision.violations
        if v.path is not None
        and (
            (v.unknown and any(_under(v.path, aspect) for aspect in not_carried))
            or any(_under(v.path, aspect) for aspect in follow_up)
        )
    ]


def _under(path: str, aspect: str) -> bool:
    return bool(aspect) and (path == aspect or path.startswith(aspect + "."))


def _violation_message(label: str, blocking: list[Violation], decision: Decision) -> str:
    parts = []
    for violation in blocking:
        unknown = " (unknown)" if violation.unknown else ""
        text = " ".join(violation.message.split()).rstrip(".")
        parts.append(f"{violation.control}{unknown}: {text}")
    controls = ", ".join(sorted({v.control for v in blocking}))
    return (
        f"{label} blocked by guardrails ({controls}): "
        + "; ".join(parts)
        + f". decision_id={decision.decision_id}"
    )


def _trail(
    audit: Sequence[str] | AuditTrail | None, configured: Sequence[str], signing_key: str | None = None
) -> AuditTrail | None:
    from guardrails.audit import AuditTrail

    if isinstance(audit, AuditTrail) or (hasattr(audit, "record") and hasattr(audit, "append")):
        return audit  # type: ignore[return-value]
    if isinstance(audit, str):
        audit = [audit]
    urls = list(audit) if audit is not None else list(configured)
    if not urls:
        return None
    return AuditTrail.from_urls(urls, cloudwatch=False, signing_key=signing_key)


def _emitters(target: Any) -> tuple[list[Any], Any, Any]:
    """(event emitters to register on, a SageMaker client for describes, a boto3 session for clients)."""
    if isinstance(target, (list, tuple)):
        emitters: list[Any] = []
        sagemaker_client = session = None
        for item in target:
            more, client, item_session = _emitters(item)
            emitters.extend(more)
            sagemaker_client = sagemaker_client or client
            session = session or item_session
        return emitters, sagemaker_client, session
    if target is None:
        import boto3

        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        target = boto3.DEFAULT_SESSION
    meta = getattr(target, "meta", None)
    if meta is not None and hasattr(meta, "events") and hasattr(meta, "service_model"):  # a client
        is_sagemaker = meta.service_model.service_name == "sagemaker"
        return [meta.events], target if is_sagemaker else None, None
    if hasattr(target, "boto_session") and hasattr(target, "sagemaker_client"):  # sagemaker.Session
        emitters, _, session = _emitters(target.boto_session)
        client = target.sagemaker_client
        for attribute in ("sagemaker_client", "s3_client"):
            extra = getattr(target, attribute, None)
            if extra is not None and getattr(extra, "meta", None) is not None:
                emitters.append(extra.meta.events)
        return emitters, client, session
    if hasattr(target, "events") and hasattr(target, "client"):  # boto3.Session
        return [target.events], None, target
    if hasattr(target, "get_component") and hasattr(target, "register"):  # botocore Session
        return [target.get_component("event_emitter")], None, None
    raise TypeError(
        f"cannot install the guardrails hook on {type(target).__name__}: pass a boto3.Session, a botocore "
        "session or client, or a sagemaker.Session"
    )
