"""Import decisions into AWS Security Hub as ASFF findings, and resolve the ones that are fixed.

`SecurityHubImporter.sync(decisions)`:
1. builds one ACTIVE/FAILED finding per resource x control with counting violations (report/asff.py);
2. reads the ACTIVE guardrails findings Security Hub already holds for the same resources
   (`GetFindings`, filtered by resource id and our generator prefix, re-checked here) and turns each one
   whose control no longer fails into ARCHIVED/PASSED/RESOLVED under the same `Id`;
3. sends everything with `BatchImportFindings` in batches of 100 (the API limit).

A throttled or failed call, or any finding Security Hub rejects (`FailedFindings`), raises
`SecurityHubError`: the runtime Lambda lets the platform retry, no finding is silently dropped.
Used by the runtime Lambda when `runtime.securityhub: true`, and by anything holding decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from guardrails.decision import Decision
from guardrails.engine.bundle import Catalog
from guardrails.errors import AwsError
from guardrails.report.asff import (
    GENERATOR_PREFIX,
    AsffError,
    decision_findings,
    resolved_finding,
    resource_id,
)

BATCH_SIZE = 100
"""BatchImportFindings accepts at most 100 findings per call."""
GET_FINDINGS_PAGE = 100


class SecurityHubError(AwsError, RuntimeError):
    """Security Hub refused or failed an import (retry the event)."""

    retryable = True


@dataclass
class ImportResult:
    imported: int = 0
    resolved: int = 0
    batches: int = 0
    finding_ids: list[str] = field(default_factory=list)


class SecurityHubImporter:
    def __init__(
        self, client: Any, catalog: Catalog | None, *, account: str | None = None, region: str | None = None
    ) -> None:
        self.client = client
        self.catalog = catalog
        self.account = account
        self.region = region or getattr(getattr(client, "meta", None), "region_name", None)

    def sync(self, decisions: Iterable[Decision]) -> ImportResult:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        decisions = [d for d in decisions if not d.error]  # an engine error decides nothing: keep findings
        active: list[dict[str, Any]] = []
        for d in decisions:
            active.extend(
                decision_findings(d, self.catalog, account=self.account, region=self.region, now=now)
            )
        failing_ids = {f["Id"] for f in active}
        resolved = [resolved for d in decisions for resolved in self._resolutions(d, failing_ids, now)]
        findings = active + resolved
        result = ImportResult(imported=len(active), resolved=len(resolved))
        for start in range(0, len(findings), BATCH_SIZE):
            batch = findings[start : start + BATCH_SIZE]
            self._import(batch)
            result.batches += 1
            result.finding_ids.extend(f["Id"] for f in batch)
        return result

    def _resolutions(self, decision: Decision, failing_ids: set[str], now: str) -> list[dict[str, Any]]:
        """ARCHIVED/PASSED findings for this resource's open guardrails findings that no longer fail."""
        by_id = self.catalog.by_id if self.catalog else {}
        out = []
        for existing in self._open_findings(resource_id(decision)):
            if existing["Id"] in failing_ids:
                continue
            control = existing.get("GeneratorId", "").removeprefix(GENERATOR_PREFIX)
            resources = existing.get("Resources") or [{}]
            account = existing.get("AwsAccountId") or self.account
            region = resources[0].get("Region") or existing.get("Region") or self.region
            if not account or not region:  # ASFF requires both: never met on a finding Security Hub returns
                raise AsffError(f"{existing['Id']}: the finding has no account id or region")
            finding = resolved_finding(decision, control, by_id.get(control), account, region, now)
            finding["Id"] = existing["Id"]
            finding["ProductArn"] = existing.get("ProductArn", finding["ProductArn"])
            finding["CreatedAt"] = existing.get("CreatedAt", now)
            out.append(finding)
        return out

    def _open_findings(self, resource: str) -> list[dict[str, Any]]:
        filters = {
            "ResourceId": [{"Value": resource, "Comparison": "EQUALS"}],
            "GeneratorId": [{"Value": GENERATOR_PREFIX, "Comparison": "PREFIX"}],
            "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
        }
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"Filters": filters, "MaxResults": GET_FINDINGS_PAGE}
            if token:
                params["NextToken"] = token
            response = self._call("GetFindings", **params)
            for f in response.get("Findings", []):
                # the filter is re-checked here: never resolve a finding that is not ours
                if (
                    str(f.get("GeneratorId", "")).startswith(GENERATOR_PREFIX)
                    and f.get("RecordState", "ACTIVE") == "ACTIVE"
                    and any(r.get("Id") == resource for r in f.get("Resources", []))
                ):
                    found.append(f)
            token = response.get("NextToken")
            if not token:
                return found

    def _import(self, batch: list[dict[str, Any]]) -> None:
        response = self._call("BatchImportFindings", Findings=batch)
        failed = response.get("FailedFindings") or []
        if failed or response.get("FailedCount", 0):
            detail = "; ".join(f"{f.get('Id')}: {f.get('ErrorCode')} {f.get('ErrorMessage')}" for f in failed)
            raise SecurityHubError(
                f"Security Hub rejected {len(failed) or response['FailedCount']} finding(s): {detail}"
            )

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        method = getattr(
            self.client, "get_findings" if operation == "GetFindings" else "batch_import_findings"
        )
        try:
            return cast(dict[str, Any], method(**params))
        except (ClientError, BotoCoreError) as exc:
            raise SecurityHubError(f"{operation}: {exc}") from exc


def import_to_security_hub(
    decisions: Iterable[Decision],
    client: Any,
    catalog: Catalog | None,
    *,
    account: str | None = None,
    region: str | None = None,
) -> ImportResult:
    return SecurityHubImporter(client, catalog, account=account, region=region).sync(decisions)
