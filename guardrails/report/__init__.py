"""Reports of a check run: text for people, JSON for pipelines."""

from guardrails.report.json_report import render_json
from guardrails.report.model import CheckRun
from guardrails.report.text_report import render_text

__all__ = ["CheckRun", "render_json", "render_text"]
