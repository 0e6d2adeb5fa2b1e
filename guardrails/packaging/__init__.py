"""Build the Lambda deployment zip (`guardrails package`); see lambda_zip.py. Imports are lazy so the
command line starts fast."""

from __future__ import annotations

from typing import Any

from guardrails.packaging.targets import ARCHITECTURES, PYTHON_VERSIONS

__all__ = [
    "ARCHITECTURES",
    "BUNDLED_CONFIG_NAME",
    "PYTHON_VERSIONS",
    "PackageError",
    "PackageResult",
    "build_lambda_zip",
]


def __getattr__(name: str) -> Any:
    if name in ("BUNDLED_CONFIG_NAME", "PackageError", "PackageResult", "build_lambda_zip"):
        from guardrails.packaging import lambda_zip

        return getattr(lambda_zip, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
