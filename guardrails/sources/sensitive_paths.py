"""Which property paths of a document hold a secret the source declares (CloudFormation `NoEcho`
parameters, Terraform `sensitive` values), for `context.sensitive_paths`.

A path is listed when its value holds a secret wholly or in part: the value itself, a string it was
substituted or joined into (`!Sub`, `!Join`), the same text JSON-escaped (`Fn::ToJsonString`, a pipeline
definition) or base64-encoded (`Fn::Base64`, a lifecycle script). A JSON document held in a string is
followed inside (`PipelineDefinition.Steps.0.Arguments.X`). Matching is by value, after the source's
reshaping, so a value that happens to contain the secret's text is listed too (more is redacted, never
less). Paths are dotted, list indexes as numbers, like `context.unknown`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Iterable
from typing import Any

from guardrails.documents import path_string

_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")
_MIN_BASE64 = 8


def secret_texts(value: Any) -> set[str]:
    """Every scalar of a secret value as text (a list parameter gives each item; empty text is no secret)."""
    if isinstance(value, dict):
        return {t for item in value.values() for t in secret_texts(item)}
    if isinstance(value, list | tuple):
        return {t for item in value for t in secret_texts(item)}
    if value is None or isinstance(value, bool):
        return set()
    text = value if isinstance(value, str) else json.dumps(value)
    return {text} if text else set()


def marked_texts(value: Any, marks: Any) -> set[str]:
    """The secret texts of `value` where `marks` (its shape, `true` at a secret part: Terraform's
    `after_sensitive`) marks them."""
    if marks is True:
        return secret_texts(value)
    if isinstance(marks, dict) and isinstance(value, dict):
        return {t for key, mark in marks.items() if key in value for t in marked_texts(value[key], mark)}
    if isinstance(marks, list) and isinstance(value, list):
        return {t for item, mark in zip(value, marks, strict=False) for t in marked_texts(item, mark)}
    return set()


def sensitive_paths(properties: Any, secrets: Iterable[str]) -> list[str] | None:
    """The dotted paths of `properties` whose values hold one of `secrets`; None when there are none."""
    forms = _forms(secrets)
    if not forms:
        return None
    found: list[str] = []
    _walk(properties, forms, [], found)
    return found or None


def _forms(secrets: Iterable[str]) -> tuple[str, ...]:
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms.update({secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]})
    return tuple(sorted(forms))


def _walk(value: Any, forms: tuple[str, ...], path: list[str | int], found: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            path.append(key)
            _walk(item, forms, path, found)
            path.pop()
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            path.append(index)
            _walk(item, forms, path, found)
            path.pop()
    elif value is not None and _holds(value, forms):
        before = len(found)
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
            with contextlib.suppress(ValueError, RecursionError):
                _walk(json.loads(value), forms, path, found)
        if len(found) == before:  # not a JSON document, or the secret is not in one of its values
            found.append(path_string(path))


def _holds(value: Any, forms: tuple[str, ...]) -> bool:
    text = value if isinstance(value, str) else json.dumps(value)
    if any(form in text for form in forms):
        return True
    if isinstance(value, str) and len(value) >= _MIN_BASE64 and _BASE64.match(value):
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return _holds(decoded, forms)
    return False
