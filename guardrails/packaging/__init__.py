"""Build the Lambda deployment zip (`guardrails package`)."""

from __future__ import annotations

from guardrails.packaging.lambda_zip import (
    ARCHITECTURES,
    BUNDLED_CONFIG_NAME,
    PYTHON_VERSIONS,
    PackageError,
    PackageResult,
    build_lambda_zip,
)

__all__ = [
    "ARCHITECTURES",
    "BUNDLED_CONFIG_NAME",
    "PYTHON_VERSIONS",
    "PackageError",
    "PackageResult",
    "build_lambda_zip",
]
