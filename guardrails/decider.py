"""Turn documents into decisions: evaluate with the engine, then apply configuration and exemptions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from typing import Any, Final, cast

from guardrails.config import ControlEnforcement, Exemption, GuardrailsConfig, default_config
from guardrails.decision import (
    AppliedExemption,
    Decision,
    Enforcement,
    EngineInfo,
    ResourceRef,
    Severity,
    UnseenKind,
    UnseenPart,
    Violation,
    input_digest,
    new_decision_id,
    new_decision_ids,
    resource_ref,
    verdict_for,
)
from guardrails.documents import Location, ResourceDocument
from guardrails.engine import EngineError, Evaluator, Finding, PolicyBundle, create_evaluator
from guardrails.engine_inputs import EngineInputs
from guardrails.errors import GuardrailsError
from guardrails.infrastructure import is_infrastructure_failure
from guardrails.redaction import quotes_none, redact_quoted, sensitive_paths_of, under_sensitive_path
from guardrails.resource_kinds import STACK_TYPE
from guardrails.sources.errors import SourceError
from guardrails.sources.notes import InputNote
from guardrails.suppressions import InlineSuppression, SuppressionWarning, suppressions_of
from guardrails.validation import validate

UNCATALOGUED_SEVERITY: Final = "medium"
ENFORCEMENT_ORDER = ("off", "warn", "deny")
UNSEEN_KINDS = ("unknown-content", "not-followed")
"""The input notes a decision records (Decider.unseen_decision): content no policy could see."""


class Decider:
    """The one place where findings become decisions, shared by every enforcement point."""

    def __init__(
        self,
        config: GuardrailsConfig | None = None,
        evaluator: Evaluator | None = None,
        *,
        apply_suppressions: bool = True,
    ) -> None:
        self.config = config or default_config()
        self.apply_suppressions = apply_suppressions
        self.warnings: list[SuppressionWarning] = []
        """Expired or unused inline suppressions seen while deciding (reported by `check`)."""
        if evaluator is None:
            bundle = PolicyBundle.load(self.config.engine.policy_dirs)
            evaluator = create_evaluator(bundle, self.config.engine.backend, self.config.engine.opa)
        self.evaluator = evaluator
        self._engine_info = EngineInfo(name=evaluator.name, version=evaluator.version)

    @property
    def bundle(self) -> PolicyBundle:
        return self.evaluator.bundle

    def decide(self, document: ResourceDocument, today: date | None = None) -> Decision:
        return self.decide_many([document], today)[0]

    def error_decision(
        self,
        error: str | BaseException,
        *,
        document: ResourceDocument | None = None,
        resource: ResourceRef | None = None,
        point: str | None = None,
        source: str | None = None,
        subject: Any = None,
        infrastructure: bool | None = None,
    ) -> Decision:
        """The one shape of an `error` decision (what could not be judged), used by every enforcement
        point and audited like any decision.

        `document`: the document that could not be decided (its reference, point, source and digest);
        otherwise `resource`, `point` and `source` say what it was about and `subject` (the raw event,
        request or file reference) is digested. `error`: a message, or the exception — a GuardrailsError
        reads as its message, anything else as `internal error: <type>: <message>`. `infrastructure`
        (default: classified from the exception, guardrails/infrastructure.py) marks a cause outside the
        request, the only one `admission.fail_open` may let pass.
        """
        if isinstance(error, BaseException):
            message = (
                str(error)
                if isinstance(error, GuardrailsError)
                else f"internal error: {type(error).__name__}: {error}"
            )
            if infrastructure is None:
                infrastructure = is_infrastructure_failure(error)
        else:
            message = error
        if document is not None:
            resource = resource or resource_ref(document)
            point = point or document.context.point
            source = source or document.context.source
            digest = subject_digest(document.to_input() if subject is None else subject)
        else:
            if resource is None or point is None or source is None:
                raise TypeError("error_decision needs a document, or resource, point and source")
            digest = subject_digest(subject)
        return self._error(message, resource, point, source, digest, bool(infrastructure))

    def unjudged(self, errors: Iterable[SourceError], *, point: str, source: str) -> list[Decision]:
        """One `error` decision per input that could not be read or judged (a file `check` could not
        parse, an account or resource a scan could not read), so the audit trail records it too."""
        decisions = []
        for error in errors:
            location = Location(file=error.file, line=error.line) if point == "pre-deploy" else None
            decisions.append(
                self.error_decision(
                    error,
                    resource=ResourceRef(type="unknown", name=error.file, location=location),
                    point=point,
                    source=source,
                    subject={"input": error.file, "line": error.line, "error": error.message},
                )
            )
        return decisions

    def unseen_decision(
        self,
        notes: Sequence[InputNote],
        *,
        resource: ResourceRef,
        point: str,
        source: str,
        unknown_blocks: bool,
        subject: Any = None,
    ) -> Decision:
        """The decision about content no policy could see (`unknown-content`: a macro, an include from
        S3; `not-followed`: a nested stack whose child template was not read), audited like any decision.

        Nothing failed, so it is no `error`: the verdict follows the gate. Unknown content is `deny` under
        `unknown: deny` (`unknown_blocks`, the default), `warn` under `unknown: warn`; a stack not followed
        is `warn` (it does not fail the gate, the auditor still sees it was not judged). `unseen` holds
        each note's kind, reason and place; `subject` (default: the notes) is digested."""
        if not notes:
            raise ValueError("unseen_decision needs at least one note")
        parts = []
        for note in notes:
            if note.kind not in UNSEEN_KINDS:
                raise ValueError(f"a {note.kind} note is no unseen content")
            parts.append(_unseen_part(note))
        blocks = unknown_blocks and any(p.kind == "unknown-content" for p in parts)
        if subject is None:
            subject = [{"kind": n.kind, **n.as_json()} for n in notes]
        digest = subject_digest(subject)
        return self._made(resource, point, source, digest, verdict="deny" if blocks else "warn", unseen=parts)

    def unseen(
        self, notes: Iterable[InputNote], *, point: str, source: str, unknown_blocks: bool
    ) -> list[Decision]:
        """One decision per note of content no policy could see (`unknown-content`, `not-followed`; other
        notes are ignored), about the resource (or, for the whole template, the file) it names, so the
        audit trail of a `check` says why the gate failed and what it never judged."""
        decisions = []
        for note in notes:
            if note.kind not in UNSEEN_KINDS:
                continue
            location = Location(file=note.file, logical_id=note.logical_id)
            resource = ResourceRef(
                type=note.type or STACK_TYPE,
                name=note.logical_id or note.file,
                location=location if point == "pre-deploy" else None,
            )
            decisions.append(
                self.unseen_decision(
                    [note], resource=resource, point=point, source=source, unknown_blocks=unknown_blocks
                )
            )
        return decisions

    def _error(
        self,
        message: str,
        resource: ResourceRef,
        point: str,
        source: str,
        digest: str,
        infrastructure: bool,
        decision_id: str | None = None,
    ) -> Decision:
        outcome = {"verdict": "error", "error": message, "infrastructure_failure": infrastructure}
        return self._made(resource, point, source, digest, decision_id=decision_id, **outcome)

    def _made(
        self,
        resource: ResourceRef,
        point: str,
        source: str,
        digest: str,
        *,
        decision_id: str | None = None,
        **outcome: Any,
    ) -> Decision:
        """A decision of this bundle and engine about `resource`; `outcome`: verdict, violations, error;
        `decision_id`: one of `new_decision_ids` (default: a new one).

        Built without validation: every value is the Decider's own, already of its declared type."""
        return Decision(
            decision_id=decision_id or new_decision_id(),
            resource=resource,
            point=point,
            source=source,
            input_digest=digest,
            bundle_digest=self.bundle.digest,
            bundle_version=self.bundle.version,
            engine=self._engine_info,
            **outcome,
        )

    def decide_many(
        self,
        documents: Iterable[ResourceDocument],
        today: date | None = None,
        *,
        keep: list[object] | None = None,
    ) -> list[Decision]:
        """One decision per document, in order. `keep`: a list that takes the batch's engine inputs and
        results instead of freeing them on return (a caller whose process ends with the batch: see
        checking.run_check)."""
        today = today or datetime.now(UTC).date()
        docs = list(documents)
        inputs = EngineInputs()
        made = [inputs.of(d) for d in docs]
        evaluate_many_json = getattr(self.evaluator, "evaluate_many_json", None)
        if evaluate_many_json is not None:
            # One serialisation per document: its RFC 8785 text is both the digest's input and the engine's.
            results = evaluate_many_json([inputs.engine_text(d) for d in docs])
        else:
            results = self.evaluator.evaluate_many([m.data for m in made])
        ids = new_decision_ids(len(docs))  # one random read for the batch
        batch = _Batch(self, inputs, today)
        if keep is not None:
            keep.append((inputs, made, results))
        return [
            self._decision(doc, batch, m.digest, result, decision_id)
            for doc, m, result, decision_id in zip(docs, made, results, ids, strict=True)
        ]

    def _decision(
        self,
        document: ResourceDocument,
        batch: _Batch,
        digest: str,
        result: list[Finding] | EngineError,
        decision_id: str,
    ) -> Decision:
        ref = resource_ref(document)
        context = document.context
        point, source = context.point, context.source
        if isinstance(result, EngineError):
            infrastructure = is_infrastructure_failure(result)
            return self._error(str(result), ref, point, source, digest, infrastructure, decision_id)
        violations: list[Violation] = []
        if result:
            today = batch.today
            # _suppression_for's and _check_suppressions' condition, told once per document
            suppressible = self.apply_suppressions and _suppressions_apply(document)
            for finding in result:
                violation = self._violation(finding, document, today, batch, suppressible)
                if violation is not None:
                    violations.append(violation)
            if suppressible:
                self._check_suppressions(document, violations, today)
            if violations:
                inputs = batch.inputs
                violations = _without_quoted_secrets(
                    violations, inputs.secret_values(document), inputs.of(document).data
                )
            if len(violations) > 1:
                violations.sort(key=_violation_order)
        elif self.apply_suppressions and _suppressions_apply(document):
            self._check_suppressions(document, violations, batch.today)
        # _made, without its keyword dict: a check makes one per document
        return Decision(
            decision_id=decision_id,
            resource=ref,
            point=point,
            source=source,
            input_digest=digest,
            bundle_digest=batch.bundle_digest,
            bundle_version=batch.bundle_version,
            engine=self._engine_info,
            violations=violations,
            verdict=verdict_for(violations),
        )

    def _enforcement(self, control: str, policy_default: str | None) -> ControlEnforcement:
        info = self.bundle.catalog.by_id.get(control)
        # policy_default: an uncatalogued rule's own default_enforcement, "deny" or "warn" (policies/)
        default = info.default_enforcement if info else cast(ControlEnforcement, policy_default or "deny")
        return self.config.controls.get(control, default)

    def _terms(
        self, control: str, policy_default: str | None, via: str | None, unknown: bool
    ) -> _Terms | None:
        """What a finding of `control` becomes whatever its document: severity, enforcement, title and
        remediation; None when the control is off."""
        info = self.bundle.catalog.by_id.get(control)
        # _enforcement(control, policy_default), with the control's info at hand
        default = info.default_enforcement if info else policy_default or "deny"
        enforcement = self.config.controls.get(control, cast(ControlEnforcement, default))
        if via is not None:
            # A composite control is enforced no harder than the control failing underneath it.
            underneath = self._enforcement(via, None)
            enforcement = min(enforcement, underneath, key=ENFORCEMENT_ORDER.index)
        if enforcement == "off":
            return None
        if unknown and self.config.unknown == "warn":
            enforcement = "warn"
        if info is None:
            return UNCATALOGUED_SEVERITY, enforcement, None, None
        return info.severity, enforcement, info.title, info.remediation

    def _violation(
        self,
        finding: Finding,
        document: ResourceDocument,
        today: date,
        batch: _Batch | None = None,
        suppressible: bool | None = None,
    ) -> Violation | None:
        """The violation `finding` is in `document`, None when its control is off. `batch` remembers the
        terms of each kind of finding (the catalog and configuration do not change within a batch);
        `suppressible`: the inline suppressions of `document` apply (told once per document)."""
        key = (finding.control, finding.default_enforcement, finding.via, finding.unknown)
        if batch is None:
            terms = self._terms(*key)
        else:
            try:
                terms = batch.terms[key]
            except KeyError:  # the first finding of its kind in the batch
                terms = batch.terms[key] = self._terms(*key)
        if terms is None:
            return None
        severity, enforcement, title, remediation = terms
        exemption = self._exemption_for(finding.control, document, today) if self.config.exemptions else None
        if exemption is not None or suppressible is False:
            suppression = None
        else:
            suppression = self._suppression_for(finding.control, document, today)
        return Violation(  # typed values (see _made)
            control=finding.control,
            severity=severity,
            enforcement=enforcement,
            message=finding.message,
            path=finding.path,
            unknown=finding.unknown,
            title=title,
            remediation=remediation,
            exemption=exemption,
            via=finding.via,
            suppression=suppression,
        )

    def _suppression_for(
        self, control: str, document: ResourceDocument, today: date
    ) -> InlineSuppression | None:
        if not self.apply_suppressions or not _suppressions_apply(document):
            return None
        for suppression in suppressions_of(document):
            if suppression.control == control and suppression.active_on(today):
                return suppression
        return None

    def _check_suppressions(
        self, document: ResourceDocument, violations: list[Violation], today: date
    ) -> None:
        """Warn about suppressions that do not apply: expired, unknown control, nothing to suppress."""
        if not self.apply_suppressions or not _suppressions_apply(document):
            return
        used = {v.suppression.control for v in violations if v.suppression}
        failing = {v.control for v in violations}
        location = document.context.location
        for s in suppressions_of(document):
            if not s.active_on(today):
                problem = f"suppression of {s.control} expired on {s.expires}; not applied"
            elif s.control not in self.bundle.catalog.by_id and s.control not in failing:
                problem = f"suppression of {s.control}: {s.control} is not a known control"
            elif s.control not in used and s.control not in failing:
                problem = f"suppression of {s.control} matches no violation; remove it"
            else:
                continue
            self.warnings.append(
                SuppressionWarning(location.file, location.logical_id, document.resource.type, problem)
            )

    def _exemption_for(
        self, control: str, document: ResourceDocument, today: date
    ) -> AppliedExemption | None:
        for exemption in self.config.exemptions:
            if (
                exemption.control in (control, "*")
                and exemption.active_on(today)
                and _matches(exemption, document)
            ):
                return AppliedExemption(
                    control=exemption.control,
                    resource=exemption.resource,
                    reason=exemption.reason,
                    ticket=exemption.ticket,
                    expires=exemption.expires,
                )
        return None


_Terms = tuple[Severity, Enforcement, str | None, str | None]
"""A finding's severity, enforcement, title and remediation (Decider._terms)."""


class _Batch:
    """What the decisions of one `decide_many` share: the engine inputs, the day, the bundle's digest and
    version (read once, not once per decision) and each kind of finding's terms (Decider._terms)."""

    __slots__ = ("bundle_digest", "bundle_version", "inputs", "terms", "today")

    def __init__(self, decider: Decider, inputs: EngineInputs, today: date) -> None:
        bundle = decider.bundle
        self.inputs, self.today = inputs, today
        self.bundle_digest, self.bundle_version = bundle.digest, bundle.version
        self.terms: dict[tuple[str, str | None, str | None, bool], _Terms | None] = {}


def _violation_order(violation: Violation) -> tuple[str, str, str]:
    return violation.control, violation.path or "", violation.message


def _unseen_part(note: InputNote) -> UnseenPart:
    """The note as an UnseenPart: built directly when its values are of the declared types (a reader's
    own), else validated by pydantic (which rejects or converts them as it always did)."""
    logical_id, kind = note.logical_id, note.type
    if (
        type(note.kind) is str
        and type(note.reason) is str
        and (logical_id is None or type(logical_id) is str)
        and (kind is None or type(kind) is str)
    ):
        return UnseenPart(
            kind=cast(UnseenKind, note.kind), reason=note.reason, logical_id=logical_id, type=kind
        )
    part = {"kind": note.kind, "reason": note.reason, "logical_id": logical_id, "type": kind}
    return validate(UnseenPart, part)


def subject_digest(subject: Any) -> str:
    """The input digest of what an `error` decision is about (an event, a request, a file reference):
    sha256 of its RFC 8785 form; what is not canonical JSON (NaN, odd keys) is digested as rendered."""
    try:
        return input_digest(subject if isinstance(subject, dict) else {"input": subject})
    except Exception:  # noqa: BLE001 - an input that cannot be canonicalised still gets a digest
        try:
            text = json.dumps(subject, sort_keys=True, default=repr)
        except (TypeError, ValueError, RecursionError):  # mixed key types, too deep
            text = repr(subject)[:100_000]
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _suppressions_apply(document: ResourceDocument) -> bool:
    """Inline suppressions are reviewed with the template or plan: honoured at pre-deploy only."""
    return document.context.point == "pre-deploy" and bool(document.context.suppressions)


def _matches(exemption: Exemption, document: ResourceDocument) -> bool:
    res = document.resource
    candidates = [res.arn, res.name, document.context.location.logical_id]
    return any(c is not None and fnmatchcase(c, exemption.resource) for c in candidates)


def _without_quoted_secrets(
    violations: list[Violation], secrets: set[str], data: dict[str, Any]
) -> list[Violation]:
    """Messages never quote a value from a redacted place (container Environment, entrypoint and
    arguments, secret-looking keys and tags, the document's secret paths): reports, hook responses and
    audit records print them."""
    if not secrets:
        return violations
    paths: list[str] | None = None  # looked up at the first message that may quote a value
    out = []
    for v in violations:
        if quotes_none(v.message, secrets):  # the common case, told without sorting the values per message
            out.append(v)
            continue
        if paths is None:
            paths = sensitive_paths_of(data)
        strict = under_sensitive_path(v.path, paths)
        message = redact_quoted(v.message, v.path, secrets, strict=strict)
        out.append(v if message == v.message else replace(v, message=message))
    return out
