"""Which kind of input a parsed file is, told from its top-level keys without importing the adapters
(a check of a template does not load the Terraform or API-request adapters)."""

from __future__ import annotations

from typing import Any


def looks_like_terraform_plan(data: Any) -> bool:
    """The JSON `terraform show -json` writes for a saved plan."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("format_version"), str)
        and "terraform_version" in data
        and ("resource_changes" in data or "planned_values" in data)
    )


def looks_like_terraform_state(data: Any) -> bool:
    """`terraform show -json` of a state (no plan): `values` without `resource_changes`."""
    return (
        isinstance(data, dict)
        and "terraform_version" in data
        and "format_version" in data
        and "values" in data
        and "resource_changes" not in data
    )


def looks_like_api_request(data: Any) -> bool:
    """An API request file: `{"operation": ..., "request": {...}}`."""
    return isinstance(data, dict) and "operation" in data and "request" in data
