"""Strict JSON for stored audit records: one meaning for every parser, or an error naming why.

`json.loads` (like most parsers) silently keeps the last of duplicate keys, reads `1e400` as infinity and
rounds `9007199254740993` or `0.10000000000000000001`; another parser may read the same line differently
(the first key, an exact big number), so a line like `{"verdict":"allow", ..., "verdict":"deny"}` could
say one thing to the auditor's tool and another to ours. Verification refuses such lines:
- duplicate keys in any object;
- `NaN`, `Infinity`, numbers that overflow a double;
- integers beyond ±(2^53 - 1) (not exact in IEEE-754 doubles, as RFC 8785 requires);
- decimals whose value changes when read as a double (more digits than a double keeps).
Numbers written differently but read the same (`1.0`, `1E2`) are accepted: they hash the same.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from guardrails.errors import InputError

MAX_EXACT_INT = 2**53 - 1


class StrictJSONError(InputError, ValueError):
    """A stored line that does not have one meaning for every JSON parser."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise StrictJSONError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_EXACT_INT:
        raise StrictJSONError(f"integer {text} is beyond ±(2^53-1): parsers read it differently")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJSONError(f"number {text} overflows a double")
    if Decimal(text) != Decimal(repr(value)):
        raise StrictJSONError(f"number {text} changes when read as a double (read as {value!r})")
    return value


def _constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not JSON")


def loads_strict(data: bytes | str) -> Any:
    """Parse one JSON text strictly (see the module docstring); StrictJSONError or ValueError otherwise."""
    return json.loads(
        data, object_pairs_hook=_pairs, parse_int=_int, parse_float=_float, parse_constant=_constant
    )
