"""canonical.classify looks at scalars where it meets them (only containers go on its stack): it must
answer as the walk it replaced, kept here as the reference, for any value (plain or not)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from enum import StrEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.canonical import COMPLEX, NEEDS_INTEGRAL_FLOATS, SIMPLE, classify

_SAFE_INT = 2**53 - 1


def reference_classify(value: Any, *, plain: bool = False) -> int:
    result = SIMPLE
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -_SAFE_INT <= item <= _SAFE_INT:
                continue
            return COMPLEX
        if kind is float:
            if item.is_integer():
                if abs(item) > _SAFE_INT:
                    return COMPLEX
                result = NEEDS_INTEGRAL_FLOATS
                continue
            if 1e-4 <= abs(item) < 1e16:
                continue
            return COMPLEX
        if kind is dict:
            for key in item:
                if type(key) is not str or (not key.isascii() and max(key) > "\uffff"):
                    return COMPLEX
            stack.extend(item.values())
            continue
        if kind is list or (kind is tuple and not plain):
            stack.extend(item)
            continue
        return COMPLEX
    return result


class Colour(StrEnum):
    RED = "red"


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**60), 2**60),
    st.floats(),
    st.sampled_from([1.0, -0.0, 1e16, 1e-5, 1e-4, 2.0**53, 2.0**54, 2**53 - 1, 2**53, -(2**53)]),
    st.text(max_size=3),
    st.sampled_from([Colour.RED, date(2024, 1, 1), b"x"]),
)
_KEYS = st.one_of(st.text(max_size=2), st.sampled_from(["\U0001f600", "\ue000", "é", 1, Colour.RED]))
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(_KEYS, children, max_size=3),
        st.dictionaries(st.text(max_size=2), children, max_size=2).map(OrderedDict),
    ),
    max_leaves=12,
)


@settings(max_examples=600, deadline=None, database=None)
@given(_VALUES, st.booleans())
def test_classify_answers_as_the_reference(value: Any, plain: bool) -> None:
    assert classify(value, plain=plain) == reference_classify(value, plain=plain)


def test_a_tuple_at_the_top() -> None:
    assert classify((1, "a"), plain=True) == COMPLEX
    assert classify((1, "a")) == SIMPLE
    assert classify([1.0]) == NEEDS_INTEGRAL_FLOATS
