"""AWS Security Finding Format (ASFF 2018-10-08) for Security Hub `BatchImportFindings`.

One finding per resource x control. A counting violation is an ACTIVE, FAILED finding (NEW workflow);
a control that passes (or is exempted/suppressed) is reported by `resolved_finding` as ARCHIVED, PASSED
and RESOLVED under the same deterministic `Id`, so importing it closes the earlier finding.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

from guardrails.decision import Decision, Violation
from guardrails.engine.bundle import Catalog, ControlInfo
from guardrails.errors import InputError
from guardrails.report.model import CheckRun
from guardrails.report.sarif import security_hub_controls
from guardrails.resource_kinds import securityhub_type

SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices"
GENERATOR_PREFIX = "guardrails/"
SEVERITY_LABELS = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH", "critical": "CRITICAL"}
MAX_DESCRIPTION = 1024
MAX_TITLE = 256


class AsffError(InputError, ValueError):
    """A finding cannot be built (no account id or region known for the resource)."""


def product_arn(region: str, account: str, partition: str = "aws") -> str:
    """The account's own product ("default"): what custom integrations import findings under."""
    return f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"


def resource_id(decision: Decision) -> str:
    """The resource's ARN when known, else its logical id / Terraform address or name."""
    res = decision.resource
    if res.arn:
        return res.arn
    loc = res.location
    return (loc.logical_id if loc and loc.logical_id else None) or res.name


def finding_id(account: str, region: str, decision: Decision, control: str) -> str:
    """Stable across runs, so a re-import updates (and a PASSED import resolves) the same finding."""
    key = f"{account}|{region}|{decision.resource.type}|{resource_id(decision)}|{control}"
    return f"guardrails/{control}/{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _where(decision: Decision, account: str | None, region: str | None) -> tuple[str, str]:
    account = decision.resource.account or account or os.environ.get("AWS_ACCOUNT_ID")
    region = (
        decision.resource.region
        or region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )
    if not account or not region:
        raise AsffError(
            f"{decision.resource.name}: ASFF needs the account id and region of every resource; "
            "set AWS_ACCOUNT_ID and AWS_REGION (or give them in the input)"
        )
    return account, region


def _base(
    decision: Decision, control: str, info: ControlInfo | None, account: str, region: str, now: str
) -> dict[str, Any]:
    partition = _partition(region)
    title = f"{control} {info.title}" if info else control
    resource: dict[str, Any] = {
        "Type": securityhub_type(decision.resource.type),
        "Id": resource_id(decision),
        "Partition": partition,
        "Region": region,
    }
    if resource["Type"] == "Other":
        resource["Details"] = {"Other": {"guardrailsType": decision.resource.type}}
    product_fields = {
        "guardrails/Control": control,
        "guardrails/ResourceType": decision.resource.type,
        "guardrails/ResourceName": decision.resource.name,
        "guardrails/DecisionId": decision.decision_id,
        "guardrails/Point": decision.point,
        "guardrails/BundleVersion": decision.bundle_version,
    }
    loc = decision.resource.location
    if loc and loc.file:
        product_fields["guardrails/File"] = loc.file
    if loc and loc.logical_id:
        product_fields["guardrails/LogicalId"] = loc.logical_id
    finding: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(account, region, decision, control),
        "ProductArn": product_arn(region, account, partition),
        "GeneratorId": f"{GENERATOR_PREFIX}{control}",
        "AwsAccountId": account,
        "Types": [FINDING_TYPE],
        "CreatedAt": now,
        "UpdatedAt": now,
        "Title": title[:MAX_TITLE],
        "Resources": [resource],
        "ProductFields": {k: str(v)[:2048] for k, v in product_fields.items() if v},
        "ProductName": "guardrails",
        "CompanyName": "sagemaker-guardrails",
    }
    related = security_hub_controls(info)
    if related:
        finding["Compliance"] = {"RelatedRequirements": [f"Security Hub {c}" for c in related][:32]}
    if info is not None:
        finding["Remediation"] = {"Recommendation": {"Text": info.remediation[:512]}}
    return finding


def failed_finding(
    decision: Decision,
    violations: list[Violation],
    info: ControlInfo | None,
    account: str,
    region: str,
    now: str,
) -> dict[str, Any]:
    first = violations[0]
    finding = _base(decision, first.control, info, account, region, now)
    description = " ".join(
        f"{v.message}" + (" (not decidable before deploy: a value is unknown)" if v.unknown else "")
        for v in violations
    )
    finding["Description"] = description[:MAX_DESCRIPTION]
    finding["Severity"] = {"Label": SEVERITY_LABELS[first.severity], "Original": first.severity}
    finding.setdefault("Compliance", {})["Status"] = "FAILED" if first.enforcement == "deny" else "WARNING"
    finding["Workflow"] = {"Status": "NEW"}
    finding["RecordState"] = "ACTIVE"
    return finding


def resolved_finding(
    decision: Decision, control: str, info: ControlInfo | None, account: str, region: str, now: str
) -> dict[str, Any]:
    finding = _base(decision, control, info, account, region, now)
    finding["Description"] = f"{control} passes on {decision.resource.name}."[:MAX_DESCRIPTION]
    finding["Severity"] = {"Label": "INFORMATIONAL"}
    finding.setdefault("Compliance", {})["Status"] = "PASSED"
    finding["Workflow"] = {"Status": "RESOLVED"}
    finding["RecordState"] = "ARCHIVED"
    return finding


def decision_findings(
    decision: Decision,
    catalog: Catalog | None,
    *,
    account: str | None = None,
    region: str | None = None,
    now: str | None = None,
) -> list[dict[str, Any]]:
    """The ACTIVE findings of one decision: one per control with counting violations."""
    if decision.error:
        return []
    account, region = _where(decision, account, region)
    now = now or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    by_control: dict[str, list[Violation]] = {}
    for v in decision.violations:
        if v.counts:
            by_control.setdefault(v.control, []).append(v)
    by_id = catalog.by_id if catalog else {}
    return [
        failed_finding(decision, vs, by_id.get(control), account, region, now)
        for control, vs in sorted(by_control.items())
    ]


def render_asff(run: CheckRun) -> str:
    """A JSON array of findings, ready for `aws securityhub batch-import-findings --findings file://…`."""
    findings = [f for d in run.decisions for f in decision_findings(d, run.catalog)]
    return json.dumps(findings, indent=2) + "\n"
