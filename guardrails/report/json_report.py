"""The JSON report: the contract pipelines and our own hooks parse (documented in the README)."""

from __future__ import annotations

import json
from json import encoder as json_encoder
from typing import Any

from guardrails.decision import Decision, Violation
from guardrails.json_data import json_data
from guardrails.json_encoding import reusable_dumps
from guardrails.report.model import CheckRun


def result_entry(decision: Decision) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": decision.resource.type, "name": decision.resource.name}
    if decision.resource.arn:
        resource["arn"] = decision.resource.arn
    location = decision.resource.location
    resource["location"] = {
        "file": location.file if location else None,
        "line": location.line if location else None,
        "logical_id": location.logical_id if location else None,
    }
    violations = []
    for v in decision.violations:
        item: dict[str, Any] = {
            "control": v.control,
            "severity": v.severity,
            "enforcement": v.enforcement,
            "message": v.message,
            "path": v.path,
            "unknown": v.unknown,
        }
        if v.title:
            item["title"] = v.title
        if v.remediation:
            item["remediation"] = v.remediation
        if v.via:
            item["via"] = v.via
        if v.exemption:
            item["exemption"] = json_data(v.exemption)
        if v.suppression:
            item["suppression"] = json_data(v.suppression)
        violations.append(item)
    entry: dict[str, Any] = {
        "resource": resource,
        "violations": violations,
        "verdict": decision.verdict,
        "decision_id": decision.decision_id,
    }
    if decision.error:
        entry["error"] = decision.error
    return entry


_dumps = reusable_dumps(sort_keys=False, separators=(", ", ": "), ensure_ascii=True)
"""json.dumps with its defaults (one C encoder for every result: a check writes thousands)."""
_string = json_encoder.encode_basestring_ascii
"""How `_dumps` writes a string (the same C function)."""


def _scalar(value: Any) -> str:
    """`_dumps(value)` for a value of a result: a string, None or an int written at once (json writes an
    int as its repr), anything else by _dumps."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    return _dumps(value)


_CATALOG_TEXTS_MAX = 4096


class _Texts(dict[Any, str]):
    """Strings as `_scalar` writes them, remembered on first sight (at most _CATALOG_TEXTS_MAX): the same
    few strings recur in every result, the long ones escaped once instead of at every violation. A string
    seen before is one dict look-up, without a call (~30% of the report's time, where two calls were);
    a value of another type is written, not remembered."""

    __slots__ = ()

    def __missing__(self, value: Any) -> str:
        written = _scalar(value)
        if type(value) is str and len(self) < _CATALOG_TEXTS_MAX:
            self[value] = written
        return written


class _Written:
    """`_scalar(value)` for any value, one that cannot be a dict key too: `result_text`'s fallback."""

    def __getitem__(self, value: Any) -> str:
        return _scalar(value)


_CATALOG_TEXTS = _Texts()
"""Control ids, titles, remediations, resource types, files, severities, enforcements and verdicts."""
_MESSAGE_TEXTS = _Texts()
"""Violation messages, apart from the catalog's texts so that a run of many distinct messages does not
crowd them out: most messages are a control's fixed text, met at every resource that fails it."""
_ANY_VALUE = _Written()

_NO_LOCATION = '{"file": null, "line": null, "logical_id": null}'


def result_text(decision: Decision) -> str:
    """`_dumps(result_entry(decision))`, written without the entry's dicts: its keys are fixed text (the
    C encoder escapes every key of every entry again), its values are written as `_dumps` writes them,
    into one f-string. tests/cli/test_json_report_text.py checks both give the same text."""
    try:
        return _result_text(decision, _CATALOG_TEXTS, _MESSAGE_TEXTS)
    except TypeError:  # a value of another type than declared that is no dict key (a list): not remembered
        return _result_text(decision, _ANY_VALUE, _ANY_VALUE)


def _result_text(decision: Decision, texts: _Texts | _Written, messages: _Texts | _Written) -> str:
    """`result_text`, the catalog's strings and the messages written through `texts` and `messages`."""
    resource = decision.resource
    name = resource.name
    arn = f', "arn": {_scalar(resource.arn)}' if resource.arn else ""
    location = resource.location
    if location:
        line, logical_id = location.line, location.logical_id
        line_text = int.__repr__(line) if type(line) is int else _scalar(line)
        where = (
            f'{{"file": {texts[location.file]}, "line": {line_text}, "logical_id": '
            f"{_string(logical_id) if type(logical_id) is str else _scalar(logical_id)}}}"
        )
    else:
        where = _NO_LOCATION
    violations = (
        ", ".join([_violation_text(v, texts, messages) for v in decision.violations])
        if decision.violations
        else ""
    )
    error = f', "error": {_scalar(decision.error)}' if decision.error else ""
    decision_id = decision.decision_id
    id_text = _string(decision_id) if type(decision_id) is str else _scalar(decision_id)
    return (
        f'{{"resource": {{"type": {texts[resource.type]}, "name": '
        f"{_string(name) if type(name) is str else _scalar(name)}{arn}, "
        f'"location": {where}}}, "violations": [{violations}], "verdict": {texts[decision.verdict]}, '
        f'"decision_id": {id_text}{error}}}'
    )


def _violation_text(v: Violation, texts: _Texts | _Written, messages: _Texts | _Written) -> str:
    """One violation of `result_text`."""
    unknown = v.unknown
    optional = ""
    if v.title:
        optional += f', "title": {texts[v.title]}'
    if v.remediation:
        optional += f', "remediation": {texts[v.remediation]}'
    if v.via:
        optional += f', "via": {_scalar(v.via)}'
    if v.exemption:
        optional += f', "exemption": {_dumps(json_data(v.exemption))}'
    if v.suppression:
        optional += f', "suppression": {_dumps(json_data(v.suppression))}'
    return (
        f'{{"control": {texts[v.control]}, "severity": {texts[v.severity]}, '
        f'"enforcement": {texts[v.enforcement]}, '
        f'"message": {messages[v.message]}, '
        f'"path": {texts[v.path]}, "unknown": '
        f"{'true' if unknown is True else 'false' if unknown is False else _dumps(unknown)}{optional}}}"
    )


def render_json(run: CheckRun) -> str:
    """One result per line: readable, diffable, and written by the C encoder (indent= is pure Python)."""
    results = ",\n    ".join(map(result_text, run.decisions))
    summary = json.dumps(run.summary())
    errors = json.dumps([{"file": e.file, "line": e.line, "message": e.message} for e in run.errors])
    if not results:
        return f'{{\n  "results": [],\n  "errors": {errors},\n  "summary": {summary}\n}}\n'
    return f'{{\n  "results": [\n    {results}\n  ],\n  "errors": {errors},\n  "summary": {summary}\n}}\n'
