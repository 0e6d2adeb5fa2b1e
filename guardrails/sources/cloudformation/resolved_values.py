"""The values template resolution produces: `Unknown`, `NO_VALUE`, and helpers to compare and render them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from guardrails.errors import InputError

_MAX_REASON = 120


@dataclass(frozen=True)
class Unknown:
    """A value present in the template but not knowable before deploy."""

    reason: str
    target: str | None = None
    """Logical id of the in-template resource named by the `Ref`/`GetAtt` this value came from."""
    attribute: str | None = None
    """The `GetAtt` attribute (None for a `Ref`)."""
    specific: bool = False
    """Certainly not a wildcard: a resource id or attribute, a pseudo parameter, text with literal parts."""


@dataclass(frozen=True)
class MaybeAbsent(Unknown):
    """A value that may not be there at all: `Fn::If` on an unknown condition with `AWS::NoValue` (or a
    missing key) in one branch. In a mapping it is rendered *absent* with its path listed in
    `context.unknown` (see `property_values.materialize`), so a presence check reports it unknown."""


class _NoValue:
    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


class IntrinsicError(InputError):
    """An intrinsic function used with arguments CloudFormation rejects."""

    def __init__(self, message: str, logical_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.logical_id = logical_id


def wrap_unknown(prefix: str, inner: Unknown, *, specific: bool = False) -> Unknown:
    return _wrapped_unknown(prefix, inner.reason, specific or inner.specific)


@lru_cache(maxsize=1024)
def _wrapped_unknown(prefix: str, reason: str, specific: bool) -> Unknown:
    """One (immutable) `Unknown` per wrapping: most are alike (`Fn::Sub (Ref AWS::AccountId)`), and an
    `Unknown` costs more to make than to look up."""
    reason = f"{prefix} ({reason})"
    if len(reason) > _MAX_REASON:
        reason = reason[: _MAX_REASON - 3] + "..."
    return Unknown(reason, specific=specific)


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def cfn_string(value: Any) -> str | Unknown:
    """A resolved scalar as CloudFormation renders it inside a string (`Fn::Sub`, `Fn::Join`)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if value is NO_VALUE:
        return Unknown("AWS::NoValue used inside a string")
    return Unknown(f"a {type(value).__name__} used inside a string")


def comparable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(comparable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, comparable(v)) for k, v in value.items()))
    text = cfn_string(value)
    return text.reason if isinstance(text, Unknown) else text


def _same(a: Any, b: Any) -> bool:
    """Strict equality: `True` is not `1`, `1` is not `1.0`."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def join_branches(a: Any, b: Any, reason: str) -> Any:
    """The value of `Fn::If` when its condition is unknown: what both branches agree on, else Unknown.

    Mappings are joined key by key and equal-length lists element by element, so a property that both
    branches leave out stays absent and one both set alike stays known. A value one branch leaves out
    (`AWS::NoValue`, a missing key) is `MaybeAbsent`.
    """
    if _same(a, b):
        return a
    if a is NO_VALUE or b is NO_VALUE or isinstance(a, MaybeAbsent) or isinstance(b, MaybeAbsent):
        return MaybeAbsent(reason)
    if isinstance(a, dict) and isinstance(b, dict):
        return {
            key: join_branches(a[key], b[key], reason) if key in a and key in b else MaybeAbsent(reason)
            for key in {**a, **b}
        }
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [join_branches(x, y, reason) for x, y in zip(a, b, strict=True)]
    return Unknown(reason)


def typed_parameter(parameter_type: str, raw: Any) -> Any:
    """A parameter value as `Ref` yields it: lists for list types, numbers for `Number`, else strings."""
    if isinstance(raw, dict):
        return Unknown("parameter value is not a scalar")
    if parameter_type == "CommaDelimitedList" or parameter_type.startswith("List<"):
        if isinstance(raw, list):
            return [_scalar_string(item) for item in raw]
        text = _scalar_string(raw)
        return [item.strip() for item in text.split(",")] if text else []
    if isinstance(raw, list):
        return ",".join(_scalar_string(item) for item in raw)
    if parameter_type == "Number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return raw
        return parse_number(_scalar_string(raw))
    return _scalar_string(raw)


def _scalar_string(value: Any) -> str:
    if value is None:
        return ""
    text = cfn_string(value)
    return text if isinstance(text, str) else str(value)


_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")


def parse_number(text: str) -> Any:
    """`"3"` -> 3, `"0.5"` -> 0.5; anything else is returned unchanged."""
    stripped = text.strip()
    if not _NUMBER.match(stripped):
        return text
    try:
        return int(stripped)
    except ValueError:
        return float(stripped)
