"""CDK policy validation plugin: the guardrails judge the templates `cdk synth` writes, before deploy.

    from aws_cdk import App, Validations
    from guardrails.cdk_validation import GuardrailsPlugin

    app = App()
    Validations.of(app).add_plugins(GuardrailsPlugin())   # aws-cdk-lib with the Validations API
    ...
    app.synth()   # fails with the violations when a deny control fails

(`App(policy_validation_beta1=[GuardrailsValidation()])` for aws-cdk-lib versions before it.)

Needs the published `aws-cdk-lib` (v2, `pip install 'sagemaker-guardrails[cdk]'`). The plugin runs the same
`check` as the CLI on the synthesized templates (CloudFormation source, nested stacks included), with the
discovered or given config, inline suppressions and `fail_on`; each failing control becomes one CDK
violation naming the logical ids and property paths.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import aws_cdk
import jsii
from aws_cdk import (
    IPolicyValidationContextBeta1,
    IPolicyValidationPluginBeta1,
    PolicyValidationPluginReportBeta1,
    PolicyViolatingResourceBeta1,
    PolicyViolationBeta1,
)

from guardrails import __version__


class _Guardrails:
    """The plugin's work, shared by both CDK plugin interfaces."""

    _report: Any = PolicyValidationPluginReportBeta1
    _violation: Any = PolicyViolationBeta1
    _resource: Any = PolicyViolatingResourceBeta1

    def __init__(self, *, config_path: str | Path | None = None, fail_on: str | None = None) -> None:
        self._config_path = Path(config_path) if config_path else None
        self._fail_on = fail_on

    @property
    def name(self) -> str:
        return "sagemaker-guardrails"

    @property
    def version(self) -> str:
        return __version__

    @property
    def rule_ids(self) -> list[str]:
        from guardrails.engine import PolicyBundle

        return [c.id for c in PolicyBundle.load().catalog.controls]

    def validate(self, context: IPolicyValidationContextBeta1) -> Any:
        from guardrails.checking import run_check
        from guardrails.config import load_config
        from guardrails.config_discovery import discover_config
        from guardrails.gate import exit_code

        config_path = self._config_path or discover_config()
        run = run_check(
            [Path(p) for p in context.template_paths], load_config(config_path), config_path=config_path
        )
        violations = [self._violation(**fields) for fields in _violations(run, self._resource)]
        success = exit_code(run, fail_on=self._fail_on) == 0
        metadata = {"bundle": run.bundle_version, "resources": str(len(run.decisions))}
        if run.errors:
            metadata["input_errors"] = "; ".join(str(e) for e in run.errors)[:1000]
        return self._report(
            success=success, violations=violations, metadata=metadata, plugin_version=__version__
        )


@jsii.implements(IPolicyValidationPluginBeta1)
class GuardrailsValidation(_Guardrails):
    """For `App(policy_validation_beta1=[...])`. `fail_on`: only deny violations of this severity or
    higher fail the synth (default: any)."""


if hasattr(aws_cdk, "IPolicyValidationPlugin"):

    @jsii.implements(aws_cdk.IPolicyValidationPlugin)
    class GuardrailsPlugin(_Guardrails):
        """For `Validations.of(app).add_plugins(...)` (newer aws-cdk-lib). `fail_on` as above."""

        _report = aws_cdk.PolicyValidationPluginReport
        _violation = aws_cdk.PolicyViolation
        _resource = aws_cdk.PolicyViolatingResource


def _violations(run: Any, resource_class: Any) -> list[dict[str, Any]]:
    """One CDK violation per failing control (counting violations), with every resource it fails on."""
    by_control: dict[str, dict[str, Any]] = {}
    resources: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for decision in run.decisions:
        loc = decision.resource.location
        logical_id = (loc.logical_id if loc else None) or decision.resource.name
        template = (loc.file if loc else None) or ""
        for v in decision.violations:
            if not v.counts:
                continue
            entry = by_control.setdefault(
                v.control,
                {
                    "rule_name": f"{v.control} {v.title or ''}".strip(),
                    "description": v.message,
                    "fix": v.remediation,
                    "severity": v.severity,
                    "rule_metadata": {"enforcement": v.enforcement},
                },
            )
            if v.enforcement == "deny":
                entry["rule_metadata"]["enforcement"] = "deny"
            resources[v.control][(logical_id, template)].append(v.path or "")
    for control, entry in by_control.items():
        entry["violating_resources"] = [
            resource_class(resource_logical_id=lid, template_path=template, locations=paths)
            for (lid, template), paths in resources[control].items()
        ]
    return [{k: v for k, v in entry.items() if v is not None} for entry in by_control.values()]
