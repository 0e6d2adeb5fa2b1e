"""The CloudFormation value walks (`TemplateResolver.resolve`, `property_values.materialize`) are tuned for
speed (exact-class tests first, issue 15); here they are held to the plain reference walks they replaced,
on generated values with every kind of scalar and container they may meet (subclasses of str and dict,
`Unknown`, `MaybeAbsent`, `AWS::NoValue`, nulls, text under boolean and number properties)."""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.documents import is_unknown_value, path_string, unknown_value
from guardrails.sources.cloudformation.intrinsics import TemplateResolver
from guardrails.sources.cloudformation.property_values import (
    BOOLEAN_PROPERTIES,
    NUMBER_PROPERTIES,
    materialize,
    tags_of,
)
from guardrails.sources.cloudformation.resolved_values import (
    NO_VALUE,
    MaybeAbsent,
    Unknown,
    parse_number,
)

WALKS = settings(
    max_examples=int(os.environ.get("GUARDRAILS_FUZZ_EXAMPLES", "200")),
    deadline=None,
    database=None,
    derandomize=not os.environ.get("GUARDRAILS_FUZZ_EXAMPLES"),
)


class _Text(str):
    """A str subclass: the walks must treat it as text, not skip it as "not exactly str"."""


KEYS = ["EnableNetworkIsolation", "BlockPublicAcls", "InstanceCount", "VolumeSizeInGB", "Name", "Tags"]
TEXTS = ["true", " False ", "yes", "3", " 0.5 ", "1e3", "x", ""]
PARAMETERS = {"Flag": {"Type": "String", "Default": "true"}, "Ids": {"Type": "CommaDelimitedList"}}
REFS = ["Flag", "Ids", "AWS::NoValue", "AWS::Region", "AWS::Partition", "Missing"]

scalars = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from(TEXTS).map(_Text),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.just(NO_VALUE),
    st.builds(Unknown, st.sampled_from(["Ref X", "GetAtt Y.Arn"]), specific=st.booleans()),
    st.builds(MaybeAbsent, st.just("Fn::If C")),
)
refs = st.sampled_from(REFS).map(lambda name: {"Ref": name})


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    mappings = st.dictionaries(st.sampled_from(KEYS), children, max_size=4)
    return st.one_of(
        st.lists(children, max_size=4),
        mappings,
        mappings.map(OrderedDict),
    )


values = st.recursive(st.one_of(scalars, refs), _containers, max_leaves=20)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same type all the way down (True is not 1, OrderedDict is not dict)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is b or bool(a == b)


# ----------------------------------------------------------------------- the reference walks


def reference_resolve(resolver: TemplateResolver, value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return resolver._ref(argument)
        result = {}
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                item = reference_resolve(resolver, item)
                if item is NO_VALUE:
                    continue
            if item is not None:
                result[key] = item
        return result
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, (dict, list)):
                item = reference_resolve(resolver, item)
                if item is NO_VALUE:
                    continue
            items.append(item)
        return items
    return value


def reference_materialize(value: Any, unknown: list[str], path: list[str | int]) -> Any:
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if item is None or item is NO_VALUE:
                continue
            if isinstance(item, str):
                if key in BOOLEAN_PROPERTIES:
                    lowered = item.strip().lower()
                    result[key] = lowered == "true" if lowered in ("true", "false") else item
                elif key in NUMBER_PROPERTIES:
                    result[key] = parse_number(item)
                else:
                    result[key] = item
            elif isinstance(item, (dict, list, Unknown)):
                path.append(key)
                if isinstance(item, MaybeAbsent):
                    unknown.append(path_string(path))
                else:
                    result[key] = reference_materialize(item, unknown, path)
                path.pop()
            else:
                result[key] = item
        return result
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            if item is NO_VALUE:
                continue
            if isinstance(item, (dict, list, Unknown)):
                path.append(len(items))
                items.append(reference_materialize(item, unknown, path))
                path.pop()
            else:
                items.append(item)
        return items
    if isinstance(value, Unknown):
        unknown.append(path_string(path))
        return unknown_value(value.reason, specific=value.specific)
    return value


# ------------------------------------------------------------------------------------ the tests


@WALKS
@given(values)
def test_resolve_walks_like_the_reference(value: Any) -> None:
    resolver = TemplateResolver({"Parameters": PARAMETERS, "Resources": {}})
    assert _same(resolver.resolve(value), reference_resolve(resolver, value))


@WALKS
@given(values)
def test_materialize_walks_like_the_reference(value: Any) -> None:
    resolved = TemplateResolver({"Parameters": PARAMETERS, "Resources": {}}).resolve(value)
    unknown: list[str] = []
    expected_unknown: list[str] = []
    got = materialize(resolved, unknown)
    assert _same(got, reference_materialize(resolved, expected_unknown, []))
    assert unknown == expected_unknown


@WALKS
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=5))
def test_materialize_of_properties_walks_like_the_reference(properties: dict[str, Any]) -> None:
    unknown: list[str] = []
    expected_unknown: list[str] = []
    assert _same(materialize(properties, unknown), reference_materialize(properties, expected_unknown, []))
    assert unknown == expected_unknown


# ----------------------------------------------------------------------- tags (issue 15, session 6)


def reference_tags_of(properties: dict[str, Any]) -> dict[str, str]:
    """`tags_of` before its one-loop path for `[{Key, Value}]` text pairs."""
    raw = properties.get("Tags")
    if isinstance(raw, list):
        pairs = [(item.get("Key"), item.get("Value")) for item in raw if isinstance(item, dict)]
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        return {}
    tags: dict[str, str] = {}
    for key, value in pairs:
        if not isinstance(key, str) or is_unknown_value(key) or is_unknown_value(value):
            continue
        if isinstance(value, bool):
            tags[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            tags[key] = str(value)
    return tags


tag_texts = st.sampled_from(["team", "a<b", "<unknown: Ref X>", "<unknown specific: y>", "", "x"])
tag_values = st.one_of(tag_texts, tag_texts.map(_Text), st.integers(-2, 2), st.booleans(), st.none())
text_pairs = st.fixed_dictionaries({"Key": tag_texts, "Value": tag_texts})  # the one-loop path
tag_items = st.one_of(
    text_pairs,
    text_pairs,
    text_pairs,
    st.fixed_dictionaries({"Key": tag_values, "Value": tag_values}),
    st.fixed_dictionaries({"Key": tag_values}),
    st.fixed_dictionaries({"Key": tag_values, "Value": tag_values}).map(OrderedDict),
    tag_values,
)


@WALKS
@given(
    st.one_of(st.lists(tag_items, max_size=5), st.dictionaries(tag_texts, tag_values, max_size=3), tag_values)
)
def test_tags_of_like_the_reference(tags: Any) -> None:
    got = tags_of({"Tags": tags})
    assert got == reference_tags_of({"Tags": tags})
    assert all(type(key) is str or isinstance(key, str) for key in got)
