"""`secret_values(value, maps)`: given the maps of `value` (engine_inputs.py has them from
`canonical.classify_all`), a value none of whose maps has a redacted place is not walked. The answer must
be `secret_values(value)`'s, for any value: checked on generated values with the shapes that matter (tags
with secret-looking and plain keys, container keys, secret-looking keys, pipeline definitions in strings,
non-string keys, dict subclasses, tuples, secret paths), with the keys known plain or not yet."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from redaction_strategies import KEYS, SCALARS, tags

from guardrails.canonical import COMPLEX, classify_all
from guardrails.redaction import _PLAIN_KEYS, secret_values


def _plain_maps(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Maps with plain keys only: the values the walk is skipped for (most generated ones are not)."""
    return st.dictionaries(st.sampled_from(["A", "Name", "Tags", "Key", "Value"]), children, max_size=3)


_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(KEYS, children, max_size=3),
        st.dictionaries(KEYS, children, max_size=2).map(OrderedDict),
        st.dictionaries(st.integers(0, 2), children, max_size=2),
        tags(children),
        _plain_maps(children),
        _plain_maps(children),
    ),
    max_leaves=12,
)


def every_container(value: Any) -> list[Any]:
    """Every dict, list and tuple under `value` (not `value` itself), each as often as it is met."""
    found: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if item is not value:
            found.append(item)
        if isinstance(item, dict):
            stack.extend(v for v in item.values() if isinstance(v, dict | list | tuple))
        elif isinstance(item, list | tuple):
            stack.extend(v for v in item if isinstance(v, dict | list | tuple))
    return found


def _documents(properties: Any, paths: list[str] | None) -> dict[str, Any]:
    context: dict[str, Any] = {"point": "pre-deploy", "unknown": []}
    if paths is not None:
        context["sensitive_paths"] = paths
    return {
        "resource": {"type": "T", "name": "n", "properties": properties},
        "related": {},
        "context": context,
    }


@settings(max_examples=500, deadline=None, database=None)
@given(
    _VALUES,
    st.one_of(st.none(), st.lists(st.sampled_from(["A", "Tags.0.Value", "B"]), max_size=2)),
    st.booleans(),
)
@example({"Tags": [{"Key": "team", "Value": "a"}], "A": {"B": ["x"]}}, None, False)
@example({"Tags": [{"Key": "Token", "Value": "a"}]}, None, True)
@example({"A": [{"B": {"Environment": {"X": "y"}}}]}, None, False)
@example({"A": "hunter22"}, ["A"], False)
@example({"Environment": {"PipelineDefinition": '{"Environment": {"X": "y"}}'}}, None, False)  # JSON inside
@example({"Environment": [{"Key": "Token", "Value": {"DbPassword": 3}}]}, None, False)
@example(
    {"PipelineDefinition": '{"Environment": {"X": "y"}}', "Tags": [{"key": "token", "value": 1.5}]},
    None,
    False,
)
def test_the_maps_give_the_answer_of_the_walk(properties: Any, paths: list[str] | None, cold: bool) -> None:
    if cold:  # the first batch of a process: no key is known plain yet
        _PLAIN_KEYS.clear()
    document = _documents(properties, paths)
    expected = secret_values(document)
    assert secret_values(document, every_container(document)) == expected
    for value in (properties, {"properties": properties}):
        if isinstance(value, dict):
            assert secret_values(value, every_container(value)) == secret_values(value)
    # as engine_inputs.py passes them: what classify_all walked, resource and context first
    containers = [document["resource"], document["context"]]
    if classify_all(containers, plain=True) != COMPLEX:
        assert secret_values(document, containers) == expected


def test_a_secret_tag_among_plain_maps_is_found() -> None:
    document = _documents(
        {"Tags": [{"Key": "team", "Value": "a"}, {"Key": "api-token", "Value": "t0k"}]}, None
    )
    containers = [document["resource"], document["context"]]
    assert classify_all(containers, plain=True) != COMPLEX
    assert secret_values(document, containers) == {"t0k"}
