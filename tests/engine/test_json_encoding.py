"""guardrails/json_encoding.py: `reusable_dumps` writes exactly what `json.dumps` writes with the same options,
for any JSON value (non-ASCII, control characters, non-finite floats, huge integers, nesting), and raises the
same TypeError for what JSON cannot hold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.json_encoding import reusable_dumps

OPTIONS = [
    {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False},
    {"sort_keys": False, "separators": (", ", ": "), "ensure_ascii": True},
]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, database=None)
@given(VALUES, st.sampled_from(OPTIONS))
def test_same_text_as_json_dumps(value: Any, options: dict[str, Any]) -> None:
    assert reusable_dumps(**options)(value) == json.dumps(value, **options)


@pytest.mark.parametrize("options", OPTIONS)
def test_same_error_as_json_dumps(options: dict[str, Any]) -> None:
    dumps = reusable_dumps(**options)
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        dumps({"a": [object()]})
