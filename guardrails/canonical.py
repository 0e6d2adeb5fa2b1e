"""RFC 8785 (JCS) canonical JSON bytes, with a fast path for the common case.

`rfc8785.dumps` is the reference; it is pure Python and costs about 0.2 ms for a typical record, more
than the audit may add to a `check`. For values without floats, with integers in the IEEE-754 safe range
and with object keys in the Basic Multilingual Plane, the standard library's sorted, compact,
non-ASCII-escaping `json.dumps` produces exactly the same bytes (same key order, same string escapes:
both escape only `"`, `\\` and control characters, with the same short forms and lowercase `\\u00xx`).
Anything else goes to `rfc8785`. tests/test_audit_chain.py checks both paths give identical bytes.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_SAFE_INT = 2**53 - 1
_BMP_MAX = "\uffff"


def _simple(value: Any) -> bool:
    """True when json.dumps(sort_keys=True) is byte-identical to RFC 8785 for `value`."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -_SAFE_INT <= item <= _SAFE_INT:
                continue
            return False
        if kind is dict:
            for key in item:
                if type(key) is not str or (not key.isascii() and max(key) > _BMP_MAX):
                    return False
            stack.extend(item.values())
            continue
        if kind is list or kind is tuple:
            stack.extend(item)
            continue
        return False  # floats, str/int subclasses, anything else: let rfc8785 decide
    return True


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 canonical JSON of `value` (raises rfc8785.CanonicalizationError when not representable)."""
    if _simple(value):
        try:
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
                "utf-8"
            )
        except UnicodeEncodeError:
            pass  # lone surrogates: rfc8785 raises its own error below
    return rfc8785.dumps(value)
