"""Reports of a check run: text for people, JSON for pipelines.

The names below are imported on first use (`__getattr__`): a check imports the renderer of the formats it
writes only (guardrails/report/outputs.py), not every one through this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from guardrails.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from guardrails.report.json_report import render_json
    from guardrails.report.model import CheckRun
    from guardrails.report.text_report import render_text

_HOMES = {
    "CheckRun": "guardrails.report.model",
    "render_json": "guardrails.report.json_report",
    "render_text": "guardrails.report.text_report",
}

__all__ = ["CheckRun", "render_json", "render_text"]


__getattr__ = lazy_exports(__name__, _HOMES)
