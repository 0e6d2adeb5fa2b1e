"""sagemaker-guardrails: one Rego policy bundle enforced at pre-deploy, admission, runtime and scan."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "install"]


def __getattr__(name: str) -> Any:
    """`guardrails.install(...)` (the boto3 hook) without importing it at `import guardrails` time."""
    if name == "install":
        from guardrails.admission.boto3_hook import install

        return install
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
