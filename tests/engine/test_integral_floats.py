"""canonical.integral_floats_as_ints copies only the containers on the way to an integral float (the rest
is shared): what it gives must be written exactly as the full copy it replaced, and `value` left as it was."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.canonical import integral_floats_as_ints, plain_dumps


def full_copy(value: Any) -> Any:
    """The function before: every container copied (tuples as lists)."""
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is dict:
        return {k: full_copy(v) for k, v in value.items()}
    if type(value) is list or type(value) is tuple:
        return [full_copy(v) for v in value]
    return value


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.sampled_from([1.0, -0.0, 2.5, 3.0, 1e15]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=2), children, max_size=3),
    ),
    max_leaves=15,
)


@settings(max_examples=400, deadline=None, database=None)
@given(_VALUES)
def test_written_as_the_full_copy(value: Any) -> None:
    before = copy.deepcopy(value)
    converted = integral_floats_as_ints(value)
    assert plain_dumps(converted) == plain_dumps(full_copy(value))
    assert json.dumps(converted) == json.dumps(full_copy(value))
    assert converted == full_copy(value)
    assert json.dumps(value) == json.dumps(before)  # not changed in place
    assert type(value) is type(before)


def test_unchanged_containers_are_shared() -> None:
    tags = {"team": "a"}
    value = {"tags": tags, "weights": [1.0, 0.5]}
    converted = integral_floats_as_ints(value)
    assert converted == {"tags": {"team": "a"}, "weights": [1, 0.5]}
    assert converted["tags"] is tags
    assert type(converted["weights"][0]) is int
    assert value["weights"][0] == 1.0 and type(value["weights"][0]) is float
