"""RFC 8785 (JCS) canonical JSON bytes, with a fast path for the common case.

`rfc8785.dumps` is the reference; it is pure Python and costs about 0.2 ms for a typical record, more
than the audit may add to a `check`. For values with integers in the IEEE-754 safe range, floats that
are integral (written as integers) or in [1e-4, 1e16), and object keys in the Basic Multilingual
Plane, the standard library's sorted, compact,
non-ASCII-escaping `json.dumps` produces exactly the same bytes (same key order, same string escapes:
both escape only `"`, `\\` and control characters, with the same short forms and lowercase `\\u00xx`).
Anything else goes to `rfc8785`. tests/audit/test_audit_chain.py checks both paths give identical bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from json import encoder as json_encoder
from typing import Any

import rfc8785

from guardrails.json_encoding import reusable_dumps

_SAFE_INT = 2**53 - 1
_BMP_MAX = "\uffff"
# Non-integral floats in [1e-4, 1e16): Python's repr and ECMAScript's Number#toString both print the
# shortest round-trip digits in fixed notation, so json.dumps and RFC 8785 agree on them.
_FIXED_FLOAT_MIN, _FIXED_FLOAT_MAX = 1e-4, 1e16
SIMPLE, NEEDS_INTEGRAL_FLOATS, COMPLEX = 0, 1, 2
"""What `classify` says of a value (ordered: the class of a whole is the largest of its parts')."""


def classify(value: Any, *, plain: bool = False) -> int:
    """SIMPLE when json.dumps(sort_keys=True) is byte-identical to RFC 8785 for `value`;
    NEEDS_INTEGRAL_FLOATS when it is once integral floats (1.0 -> 1) are written as integers; else
    COMPLEX. With `plain`, a tuple is COMPLEX too: then SIMPLE or NEEDS_INTEGRAL_FLOATS also mean that
    `value` is plain JSON data (json_data.is_plain_json), so one walk answers both questions."""
    return classify_all([value], plain=plain)


def classify_all(values: list[Any], *, plain: bool = False, bmp_keys: bool = True) -> int:
    """The largest `classify` of the items of `values`, in one walk that uses `values` as its work list:
    every container it meets is appended to it, so that, unless the answer is COMPLEX (told at the
    first part that makes it so), `values` ends listing every dict and list of the items (and tuple,
    without `plain`), each as often as it is met (engine_inputs.py hands the maps to redaction.py).

    Without `bmp_keys`, map keys are only checked to be str, not to be in the Basic Multilingual Plane:
    for a caller that looks at the text it writes instead (no character outside the BMP there, none
    in a key), a test that costs nothing for ASCII text, and classifies again when there is one."""
    # One pass over a growing list (no stack pops), a map's keys and values in one loop, builtins as
    # locals: 14% fewer instructions than a stack of containers walked key by key (callgrind).
    result = SIMPLE
    kind_of, text, boolean, mapping, array, tuple_ = type, str, bool, dict, list, tuple
    push = values.append
    for item in values:
        kind = kind_of(item)
        if kind is mapping:
            for key, part in item.items():
                if kind_of(key) is not text or (bmp_keys and not key.isascii() and max(key) > _BMP_MAX):
                    return COMPLEX
                kind = kind_of(part)
                if kind is text or kind is boolean or part is None:
                    continue
                if kind is mapping or kind is array or (kind is tuple_ and not plain):
                    push(part)
                    continue
                scalar = _scalar_class(part, kind)
                if scalar:
                    if scalar == COMPLEX:
                        return COMPLEX
                    result = scalar
            continue
        if kind is array or (kind is tuple_ and not plain):
            items: Iterable[Any] = item
        elif kind is tuple_:  # under `plain`
            return COMPLEX
        else:
            items = (item,)  # an item of `values` that is no container
        for part in items:
            kind = kind_of(part)
            if kind is text or kind is boolean or part is None:
                continue
            if kind is mapping or kind is array or kind is tuple_:
                push(part)
                continue
            scalar = _scalar_class(part, kind)
            if scalar:
                if scalar == COMPLEX:
                    return COMPLEX
                result = scalar
    return result


def _scalar_class(part: Any, kind: type) -> int:
    """`classify` of a scalar that is no str, bool or None (numbers are rarer than text: a call each)."""
    if kind is int:
        return SIMPLE if -_SAFE_INT <= part <= _SAFE_INT else COMPLEX
    if kind is float:
        if part.is_integer():
            return NEEDS_INTEGRAL_FLOATS if abs(part) <= _SAFE_INT else COMPLEX
        return SIMPLE if _FIXED_FLOAT_MIN <= abs(part) < _FIXED_FLOAT_MAX else COMPLEX
    return COMPLEX  # other floats, str/int subclasses, anything else: let rfc8785 decide


_KEPT = frozenset({str, bool, int, type(None)})
"""Scalars `integral_floats_as_ints` keeps as they are."""


def integral_floats_as_ints(value: Any) -> Any:
    """`value` with integral floats as ints, to be written (json.dumps): the containers on the way to
    one are copied (a tuple as a list), the others shared as they are, not copied (read it, never change
    it); scalars are looked at where they are met, without a call each."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict:
        copied: dict[Any, Any] | None = None
        for key, item in value.items():
            if type(item) in _KEPT:
                continue
            new = integral_floats_as_ints(item)
            if new is not item:
                if copied is None:
                    copied = dict(value)
                copied[key] = new
        return value if copied is None else copied
    if kind is list or kind is tuple:
        listed: list[Any] | None = None
        for index, item in enumerate(value):
            if type(item) in _KEPT:
                continue
            new = integral_floats_as_ints(item)
            if new is not item:
                if listed is None:
                    listed = list(value)
                listed[index] = new
        if listed is not None:
            return listed
        return value if kind is list else list(value)
    return value


plain_dumps: Callable[[Any], str] = reusable_dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""Sorted, compact, non-ASCII as it is: RFC 8785 text for a SIMPLE value (see `classify`)."""


def plain_string(text: str) -> str:
    """A JSON string literal as `plain_dumps` writes it (only `"`, `\\` and control characters escaped)."""
    return json_encoder.encode_basestring(text)


def canonical_text(value: Any) -> str | None:
    """The RFC 8785 text of `value` when the standard library can write it (every value but huge
    integers, floats outside [1e-4, 1e16) that are not integral, keys outside the Basic Multilingual
    Plane, lone surrogates), else None (then `canonical_bytes` asks rfc8785).

    The text is the same JSON value as `value` (an integral float such as `1.0` is written `1`, as RFC
    8785 writes it), so one serialisation serves as the digest's input and as the engine's input: the
    engine judges exactly the bytes the decision's `input_digest` names."""
    kind = classify(value)
    if kind == COMPLEX:
        return None
    if kind == NEEDS_INTEGRAL_FLOATS:
        value = integral_floats_as_ints(value)
    text = plain_dumps(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 canonical JSON of `value` (raises rfc8785.CanonicalizationError when not representable)."""
    kind = classify(value)
    if kind != COMPLEX:
        if kind == NEEDS_INTEGRAL_FLOATS:
            value = integral_floats_as_ints(value)
        try:
            return plain_dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # lone surrogates: rfc8785 raises its own error below
    return rfc8785.dumps(value)
