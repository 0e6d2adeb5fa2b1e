"""Remediation per resource family, selected by the catalog's `runtime_action` of each failing control.

`ACTIONS` maps a catalog action name to its function `(document, controls, context) -> ActionResult`.
"""

from __future__ import annotations

from collections.abc import Callable

from guardrails.documents import ResourceDocument
from guardrails.runtime.remediation import account, endpoint, jobs, notebook, s3, tagging
from guardrails.runtime.remediation.base import ActionResult, RemediationContext

Remediation = Callable[[ResourceDocument, list[str], RemediationContext], ActionResult]


def _stop(document: ResourceDocument, controls: list[str], ctx: RemediationContext) -> ActionResult:
    if document.resource.type == "AWS::SageMaker::NotebookInstance":
        return notebook.stop_or_delete(document, controls, ctx)
    return jobs.stop(document, controls, ctx)


ACTIONS: dict[str, Remediation] = {
    "stop": _stop,
    "delete": endpoint.delete,
    "tag": tagging.tag,
    "s3-put-public-access-block": s3.put_public_access_block,
    "s3-acl-private": s3.acl_private,
    "s3-remove-public-statements": s3.remove_public_statements,
    "s3-put-kms-encryption": s3.put_kms_encryption,
    "s3-account-public-access-block": account.put_account_public_access_block,
}
"""Catalog `runtime_action` -> remediation, in the order they run on one resource."""

__all__ = ["ACTIONS", "ActionResult", "RemediationContext", "Remediation"]
