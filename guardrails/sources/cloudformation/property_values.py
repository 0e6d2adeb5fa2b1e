"""Resolved property values -> the JSON-ready canonical shape: placeholders for unknowns, typed scalars."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from guardrails.documents import UNKNOWN_PREFIX, is_unknown_value, path_string, unknown_value
from guardrails.sources.cloudformation.resolved_values import (
    NO_VALUE,
    MaybeAbsent,
    Unknown,
    contains_unknown,
    parse_number,
)

BOOLEAN_PROPERTIES = frozenset(
    {
        "EnableNetworkIsolation",
        "EnableInterContainerTrafficEncryption",
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
        "EnableCapture",
        "BucketKeyEnabled",
        "EnableOnlineStore",
        "EnableSSMAccess",
        "ObjectLockEnabled",
    }
)
"""Boolean in the API; CloudFormation parameters and hook payloads deliver them as "true"/"false"."""

NUMBER_PROPERTIES = frozenset(
    {
        "InitialInstanceCount",
        "InitialVariantWeight",
        "InitialSamplingPercentage",
        "InstanceCount",
        "VolumeSizeInGB",
        "MaxConcurrency",
        "MemorySizeInMB",
        "ProvisionedConcurrency",
        "MaxRuntimeInSeconds",
    }
)
"""Numeric in the API; may arrive as strings the same way."""


TYPED_PROPERTIES = BOOLEAN_PROPERTIES | NUMBER_PROPERTIES
"""Where `materialize` turns text into a boolean or a number."""


_NOTHING_PLAIN: Mapping[int, Any] = {}


def materialize(
    value: Any,
    unknown: list[str],
    path: list[str | int] | None = None,
    plain: Mapping[int, Any] = _NOTHING_PLAIN,
) -> Any:
    """A JSON-ready copy of resolved properties.

    Each `Unknown` becomes an `unknown_value` placeholder and its dotted path is appended to `unknown`;
    a `MaybeAbsent` mapping value is left out and only its path is listed (absent + listed = maybe absent;
    in a list it is a placeholder, since dropping it would shift the indexes);
    `AWS::NoValue` and null mapping values are dropped; "true"/"false" under boolean API keys become
    booleans and numeric strings under number keys become numbers.

    `plain`: containers (by `id()`) this would copy unchanged (yaml_reader.TemplateLines): below the top
    level they are shared instead; the top-level mapping is always a new one.
    """
    path = [] if path is None else path
    if isinstance(value, dict):
        return _mapping(value, unknown, path, plain)
    if isinstance(value, list):
        return _list(value, unknown, path, plain)
    if isinstance(value, Unknown):
        unknown.append(path_string(path))
        return unknown_value(value.reason, specific=value.specific)
    return value


# `_mapping` and `_list` test the exact class first: nearly every value is a str, dict or list.


def _mapping(
    value: dict[Any, Any], unknown: list[str], path: list[str | int], plain: Mapping[int, Any]
) -> dict[Any, Any]:
    result = {}
    for key, item in value.items():
        kind = item.__class__
        if kind is str:
            result[key] = _typed(key, item) if key in TYPED_PROPERTIES else item
        elif kind is dict:
            if id(item) in plain:
                result[key] = item
                continue
            path.append(key)
            result[key] = _mapping(item, unknown, path, plain)
            path.pop()
        elif kind is list:
            if id(item) in plain:
                result[key] = item
                continue
            path.append(key)
            result[key] = _list(item, unknown, path, plain)
            path.pop()
        elif item is None or item is NO_VALUE:
            continue
        elif isinstance(item, str):
            result[key] = _typed(key, item) if key in TYPED_PROPERTIES else item
        elif isinstance(item, (dict, list, Unknown)):
            path.append(key)
            if isinstance(item, MaybeAbsent):  # absent, and listed unknown: "maybe absent"
                unknown.append(path_string(path))
            else:
                result[key] = materialize(item, unknown, path, plain)
            path.pop()
        else:
            result[key] = item
    return result


def _list(value: list[Any], unknown: list[str], path: list[str | int], plain: Mapping[int, Any]) -> list[Any]:
    items: list[Any] = []
    for item in value:
        kind = item.__class__
        if kind is str:
            items.append(item)
        elif kind is dict or kind is list:
            if id(item) in plain:
                items.append(item)
                continue
            path.append(len(items))
            items.append(
                _mapping(item, unknown, path, plain) if kind is dict else _list(item, unknown, path, plain)
            )
            path.pop()
        elif item is NO_VALUE:
            continue
        elif isinstance(item, (dict, list, Unknown)):
            path.append(len(items))
            items.append(materialize(item, unknown, path, plain))
            path.pop()
        else:
            items.append(item)
    return items


_KEPT_SCALARS = frozenset({bool, int, float})
"""Values `materialize` keeps as they are (after text, the commonest): one set test instead of the chain of
tests below."""


def materialize_owned(
    value: dict[Any, Any], unknown: list[str], plain: Mapping[int, Any] = _NOTHING_PLAIN
) -> dict[Any, Any]:
    """`materialize` of resolved properties the caller owns, done in place: `value` and every container
    in it but the `plain` ones (the template's, shared and never changed) must be the caller's own, each
    met once. A resolved template's are (TemplateResolver builds a new container for each one that is not
    plain), so the document takes them as they are instead of a second copy of each (issue 15).

    Same result as `materialize(value, unknown, None, plain)` (tests/sources/test_resolution_walks.py):
    a container the copy would leave unchanged is kept; only values that change are written."""
    _owned_mapping(value, unknown, [], plain)
    return value


def _owned_mapping(
    value: dict[Any, Any], unknown: list[str], path: list[str | int], plain: Mapping[int, Any]
) -> None:
    dropped: list[Any] | None = None
    for key, item in value.items():
        kind = type(item)
        if kind is str:
            if key in TYPED_PROPERTIES:
                value[key] = _typed(key, item)  # (changes a value, not the keys: the loop goes on)
        elif kind in _KEPT_SCALARS:
            continue
        elif kind is Unknown:  # (`materialize` of it, inline)
            path.append(key)
            unknown.append(".".join(map(str, path)))  # path_string
            path.pop()
            value[key] = unknown_value(item.reason, specific=item.specific)
        elif kind is dict:
            if id(item) not in plain:
                path.append(key)
                _owned_mapping(item, unknown, path, plain)
                path.pop()
        elif kind is list:
            if id(item) not in plain:
                path.append(key)
                _owned_list(item, unknown, path, plain)
                path.pop()
        elif item is None or item is NO_VALUE:
            dropped = [] if dropped is None else dropped
            dropped.append(key)
        elif isinstance(item, str):
            if key in TYPED_PROPERTIES:
                value[key] = _typed(key, item)
        elif isinstance(item, (dict, list, Unknown)):  # an Unknown, or a subclass of dict or list (copied)
            path.append(key)
            if isinstance(item, MaybeAbsent):  # absent, and listed unknown: "maybe absent"
                unknown.append(path_string(path))
                dropped = [] if dropped is None else dropped
                dropped.append(key)
            else:
                value[key] = materialize(item, unknown, path, plain)
            path.pop()
    if dropped is not None:
        for key in dropped:
            del value[key]


def _owned_list(
    value: list[Any], unknown: list[str], path: list[str | int], plain: Mapping[int, Any]
) -> None:
    kept = 0  # the item's index once `AWS::NoValue` items are left out (the paths count those kept)
    for position, item in enumerate(value):
        kind = type(item)
        if kind is str or kind in _KEPT_SCALARS:
            pass
        elif kind is Unknown:  # (`materialize` of it, inline)
            path.append(kept)
            unknown.append(".".join(map(str, path)))  # path_string
            path.pop()
            value[position] = unknown_value(item.reason, specific=item.specific)
        elif kind is dict or kind is list:
            if id(item) not in plain:
                path.append(kept)
                if kind is dict:
                    _owned_mapping(item, unknown, path, plain)
                else:
                    _owned_list(item, unknown, path, plain)
                path.pop()
        elif item is NO_VALUE:
            continue
        elif isinstance(item, (dict, list, Unknown)):
            path.append(kept)
            value[position] = materialize(item, unknown, path, plain)
            path.pop()
        kept += 1
    if kept != len(value):
        value[:] = [item for item in value if item is not NO_VALUE]


def _typed(key: str, text: str) -> Any:
    if key in BOOLEAN_PROPERTIES:
        lowered = text.strip().lower()
        return lowered == "true" if lowered in ("true", "false") else text
    return parse_number(text)


def tags_of(properties: dict[str, Any]) -> dict[str, str]:
    """Known tags from CFN `Tags`: a `[{Key, Value}]` list or, for some types, a plain mapping."""
    raw = properties.get("Tags")
    pairs: Iterable[tuple[Any, Any]]
    if raw.__class__ is list:  # nearly always: text pairs, taken here without the general checks below
        tags: dict[str, str] = {}
        for item in raw:
            if item.__class__ is not dict:
                if isinstance(item, dict):
                    break
                continue
            key, value = item.get("Key"), item.get("Value")
            if key.__class__ is not str or value.__class__ is not str:
                break
            # ("<" in text: a C-level test that spares nearly every tag the startswith call)
            if ("<" in key and key.startswith(UNKNOWN_PREFIX)) or (
                "<" in value and value.startswith(UNKNOWN_PREFIX)
            ):
                continue
            tags[key] = value
        else:
            return tags
    if isinstance(raw, list):
        pairs = [(item.get("Key"), item.get("Value")) for item in raw if isinstance(item, dict)]
    elif isinstance(raw, dict):
        pairs = raw.items()
    else:
        return {}
    return _tags_of_pairs(pairs)


def _tags_of_pairs(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for key, value in pairs:
        if key.__class__ is str and value.__class__ is str:  # (nearly always: the test below, cheaper)
            if not key.startswith(UNKNOWN_PREFIX) and not value.startswith(UNKNOWN_PREFIX):
                tags[key] = value
            continue
        if not isinstance(key, str) or is_unknown_value(key) or is_unknown_value(value):
            continue
        if isinstance(value, bool):
            tags[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            tags[key] = str(value)
    return tags


def policy_object(document: Any) -> Any:
    """A bucket policy document as an object (CloudFormation also accepts it as a JSON string). A string
    that is not a JSON object is `Unknown`: what it grants cannot be read, which is not "no policy"."""
    if isinstance(document, str) and not is_unknown_value(document):
        try:
            parsed = json.loads(document)
        except (ValueError, RecursionError):
            return Unknown("PolicyDocument is not valid JSON")
        return parsed if isinstance(parsed, dict) else Unknown("PolicyDocument is not a JSON object")
    return document


def merge_policies(first: Any, second: Any) -> Any:
    """Two policies on one bucket -> one document whose `Statement` list holds both."""
    if isinstance(first, Unknown) or isinstance(second, Unknown):
        return Unknown("one of several bucket policies is unknown")
    if not isinstance(first, dict) or not isinstance(second, dict):
        return Unknown("bucket policy is not an object")
    merged = dict(first)
    merged["Statement"] = _statements(first) + _statements(second)
    return merged


def _statements(policy: dict[str, Any]) -> list[Any]:
    statement = policy.get("Statement")
    if statement is None:
        return []
    return list(statement) if isinstance(statement, list) else [statement]


def pipeline_request_shape(properties: dict[str, Any]) -> dict[str, Any]:
    """CFN `PipelineDefinition: {PipelineDefinitionBody | PipelineDefinitionS3Location}` -> API shape."""
    definition = properties.get("PipelineDefinition")
    if not isinstance(definition, dict):
        return properties
    shaped = dict(properties)
    if "PipelineDefinitionBody" in definition:
        body = definition["PipelineDefinitionBody"]
        if isinstance(body, (dict, list)):
            body = Unknown("PipelineDefinitionBody") if contains_unknown(body) else json.dumps(body)
        shaped["PipelineDefinition"] = body
    elif "PipelineDefinitionS3Location" in definition:
        del shaped["PipelineDefinition"]
        shaped["PipelineDefinitionS3Location"] = definition["PipelineDefinitionS3Location"]
    return shaped
