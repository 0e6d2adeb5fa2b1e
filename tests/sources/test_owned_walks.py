"""Fast paths of the template document build (issue 15, session 10) held to the general code they stand
in for: `materialize_owned` (in place) against `materialize` (a copy), on the generated values of
test_resolution_walks.py."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from guardrails.sources.cloudformation.intrinsics import TemplateResolver
from guardrails.sources.cloudformation.property_values import materialize, materialize_owned
from tests.sources.test_resolution_walks import KEYS, PARAMETERS, WALKS, _same, values


@WALKS
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=5))
def test_materialize_owned_is_materialize_in_place(properties: dict[str, Any]) -> None:
    resolved = TemplateResolver({"Parameters": PARAMETERS, "Resources": {}}).resolve(properties)
    resolved = resolved if isinstance(resolved, dict) else {"Value": resolved}
    owned = copy.deepcopy(resolved)
    unknown: list[str] = []
    expected_unknown: list[str] = []
    expected = materialize(resolved, expected_unknown)
    got = materialize_owned(owned, unknown)
    assert got is owned
    assert _same(got, expected)
    assert unknown == expected_unknown


@WALKS
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=5))
def test_materialize_owned_keeps_plain_containers(properties: dict[str, Any]) -> None:
    """A container registered plain (an exact dict or list, as the YAML reader registers them) is kept as
    it is, like `materialize` keeps it, and not walked."""
    owned = copy.deepcopy(properties)
    plain = {id(item): item for item in owned.values() if type(item) in (dict, list)}
    snapshot = copy.deepcopy(owned)
    expected_unknown: list[str] = []
    expected = materialize(owned, expected_unknown, None, plain)  # (a copy: `owned` is unchanged)
    assert _same(owned, snapshot)
    unknown: list[str] = []
    got = materialize_owned(owned, unknown, plain)
    assert _same(got, expected)
    assert unknown == expected_unknown
    for key, item in got.items():
        if id(item) in plain:
            assert item is expected[key]
            assert _same(item, snapshot[key])
