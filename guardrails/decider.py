"""Turn documents into decisions: evaluate with the engine, then apply configuration and exemptions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase

from guardrails.canonical import plain_canonical_text
from guardrails.config import Exemption, GuardrailsConfig, default_config
from guardrails.decision import (
    AppliedExemption,
    Decision,
    EngineInfo,
    Violation,
    input_digest,
    resource_ref,
    verdict_for,
)
from guardrails.documents import ResourceDocument
from guardrails.engine import EngineError, Evaluator, Finding, PolicyBundle, create_evaluator
from guardrails.infrastructure import is_infrastructure_failure
from guardrails.suppressions import InlineSuppression, SuppressionWarning, suppressions_of

UNCATALOGUED_SEVERITY = "medium"
ENFORCEMENT_ORDER = ("off", "warn", "deny")


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

    def decide_many(self, documents: Iterable[ResourceDocument], today: date | None = None) -> list[Decision]:
        today = today or datetime.now(UTC).date()
        docs = list(documents)
        inputs = [d.to_input() for d in docs]
        # One serialisation per document: its RFC 8785 text is both the digest's input and the engine's
        # (when json.dumps already gives the canonical form; otherwise each is made as before).
        texts = [plain_canonical_text(data) for data in inputs]
        digests = [
            "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
            if text is not None
            else input_digest(data)
            for data, text in zip(inputs, texts, strict=True)
        ]
        evaluate_many_json = getattr(self.evaluator, "evaluate_many_json", None)
        if evaluate_many_json is not None:
            results = evaluate_many_json(
                [
                    text if text is not None else json.dumps(data)
                    for data, text in zip(inputs, texts, strict=True)
                ]
            )
        else:
            results = self.evaluator.evaluate_many(inputs)
        return [
            self._decision(doc, data, digest, result, today)
            for doc, data, digest, result in zip(docs, inputs, digests, results, strict=True)
        ]

    def _decision(
        self,
        document: ResourceDocument,
        data: dict,
        digest: str,
        result: list[Finding] | EngineError,
        today: date,
    ) -> Decision:
        common = {
            "resource": resource_ref(document),
            "point": document.context.point,
            "source": document.context.source,
            "input_digest": digest,
            "bundle_digest": self.bundle.digest,
            "bundle_version": self.bundle.version,
            "engine": self._engine_info,
        }
        if isinstance(result, EngineError):
            return Decision(
                verdict="error",
                error=str(result),
                infrastructure_failure=is_infrastructure_failure(result),
                **common,
            )
        violations = [v for f in result if (v := self._violation(f, document, today)) is not None]
        self._check_suppressions(document, violations, today)
        if violations:
            violations = _without_quoted_secrets(violations, data)
        violations.sort(key=lambda v: (v.control, v.path or "", v.message))
        return Decision(violations=violations, verdict=verdict_for(violations), **common)

    def _enforcement(self, control: str, policy_default: str | None) -> str:
        info = self.bundle.catalog.by_id.get(control)
        default = info.default_enforcement if info else (policy_default or "deny")
        return self.config.controls.get(control, default)

    def _violation(self, finding: Finding, document: ResourceDocument, today: date) -> Violation | None:
        info = self.bundle.catalog.by_id.get(finding.control)
        enforcement = self._enforcement(finding.control, finding.default_enforcement)
        if finding.via is not None:
            # A composite control is enforced no harder than the control failing underneath it.
            underneath = self._enforcement(finding.via, None)
            enforcement = min(enforcement, underneath, key=ENFORCEMENT_ORDER.index)
        if enforcement == "off":
            return None
        if finding.unknown and self.config.unknown == "warn":
            enforcement = "warn"
        exemption = self._exemption_for(finding.control, document, today)
        suppression = None if exemption else self._suppression_for(finding.control, document, today)
        return Violation(
            control=finding.control,
            severity=info.severity if info else UNCATALOGUED_SEVERITY,
            enforcement=enforcement,
            message=finding.message,
            path=finding.path,
            unknown=finding.unknown,
            title=info.title if info else None,
            remediation=info.remediation if info else None,
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
                return AppliedExemption(**exemption.model_dump())
        return None


def _suppressions_apply(document: ResourceDocument) -> bool:
    """Inline suppressions are reviewed with the template or plan: honoured at pre-deploy only."""
    return document.context.point == "pre-deploy" and bool(document.context.suppressions)


def _matches(exemption: Exemption, document: ResourceDocument) -> bool:
    res = document.resource
    candidates = [res.arn, res.name, document.context.location.logical_id]
    return any(c is not None and fnmatchcase(c, exemption.resource) for c in candidates)


def _without_quoted_secrets(violations: list[Violation], data: dict) -> list[Violation]:
    """Messages never quote a value from a redacted place (container Environment, entrypoint and
    arguments, secret-looking keys and tags): reports, hook responses and audit records print them."""
    from guardrails.redaction import redact_quoted, secret_values

    secrets = secret_values(data)
    if not secrets:
        return violations
    out = []
    for v in violations:
        message = redact_quoted(v.message, v.path, secrets)
        out.append(v if message == v.message else v.model_copy(update={"message": message}))
    return out
