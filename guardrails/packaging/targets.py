"""The Lambda targets `guardrails package` builds for (kept import-free: the CLI reads them at start-up)."""

from __future__ import annotations

ARCHITECTURES: dict[str, str] = {"x86_64": "x86_64", "arm64": "aarch64"}
"""Lambda architecture -> the machine name in wheel platform tags."""
PYTHON_VERSIONS: tuple[str, ...] = ("3.12", "3.13")
"""Lambda Python runtimes whose glibc (2.34, Amazon Linux 2023) runs the engine's wheels."""
