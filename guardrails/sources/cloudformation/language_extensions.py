"""`AWS::LanguageExtensions`: `Fn::ForEach` loops expanded before resolution, as CloudFormation does.

`Fn::ForEach::<LoopName>: [Identifier, Collection, {OutputKey: OutputValue}]` may stand in any mapping
(Resources, Conditions, Outputs, a resource's Properties) and loops may nest. For each item of the
collection the fragment is copied with the identifier replaced: `${Identifier}` and `&{Identifier}`
(non-alphanumeric characters removed) in keys, `Ref: Identifier` and `${Identifier}` inside `Fn::Sub`
in values. A collection that cannot be resolved (a list parameter without a value, an import...) is
expanded once with the identifier unknown, so the resources it produces are still judged, with every
value that depends on the item unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from guardrails.sources.cloudformation.resolved_values import IntrinsicError, Unknown, cfn_string

FOR_EACH_PREFIX = "Fn::ForEach::"
UNKNOWN_MARKER = "Fn::Guardrails::Unknown"
"""`{UNKNOWN_MARKER: reason}` stands for an unknown value inside the raw template (resolved to `Unknown`)."""
MAX_EXPANDED = 20_000
"""Entries all loops of one template may produce (CloudFormation allows 500 resources per template)."""
_NON_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def has_for_each(template: dict[str, Any]) -> bool:
    """True when the template declares `AWS::LanguageExtensions` or its Resources hold a loop."""
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    if "AWS::LanguageExtensions" in names:
        return True
    resources = template.get("Resources")
    return isinstance(resources, dict) and any(str(k).startswith(FOR_EACH_PREFIX) for k in resources)


class ForEachExpander:
    """Expands every loop of a template; `resolve` turns a raw collection into a value (list or Unknown)."""

    def __init__(self, resolve: Callable[[Any], Any]) -> None:
        self.resolve = resolve
        self.produced = 0

    def expand(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.expand(item) for item in value]
        if not isinstance(value, dict):
            return value
        result: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and key.startswith(FOR_EACH_PREFIX):
                for out_key, out_value in self._loop(key, item):
                    if out_key in result:
                        raise IntrinsicError(
                            f"{key} produces the key {out_key} twice (or one already present)"
                        )
                    result[out_key] = out_value
            else:
                if key in result:
                    raise IntrinsicError(f"{key} is produced twice (by Fn::ForEach and literally)")
                result[key] = self.expand(item)
        return result

    def _loop(self, name: str, argument: Any) -> list[tuple[str, Any]]:
        if not (
            isinstance(argument, list)
            and len(argument) == 3
            and isinstance(argument[0], str)
            and argument[0]
            and isinstance(argument[2], dict)
        ):
            raise IntrinsicError(f"{name} takes [identifier, collection, {{output key: output value}}]")
        identifier, collection, fragment = argument
        items = self._items(name, self.resolve(collection))
        pairs: list[tuple[str, Any]] = []
        for item in items:
            self.produced += len(fragment)
            if self.produced > MAX_EXPANDED:
                raise IntrinsicError(f"Fn::ForEach loops expand to more than {MAX_EXPANDED} entries")
            copy = _substitute_fragment(fragment, identifier, item)
            pairs.extend(self.expand(copy).items())
        return pairs

    @staticmethod
    def _items(name: str, collection: Any) -> list[str | Unknown]:
        if isinstance(collection, Unknown):
            return [Unknown(f"{name} item ({collection.reason})")]
        if not isinstance(collection, list):
            raise IntrinsicError(f"{name}: the collection must be a list of strings")
        items: list[str | Unknown] = []
        for item in collection:
            text = cfn_string(item)
            items.append(Unknown(f"{name} item ({text.reason})") if isinstance(text, Unknown) else text)
        return items


def _key_text(item: str | Unknown, identifier: str, alphanumeric: bool) -> str:
    if isinstance(item, Unknown):
        return f"<{identifier}?>"
    return _NON_ALPHANUMERIC.sub("", item) if alphanumeric else item


def _substitute_key(key: str, identifier: str, item: str | Unknown) -> str:
    if "{" not in key:
        return key
    key = key.replace("${" + identifier + "}", _key_text(item, identifier, False))
    return key.replace("&{" + identifier + "}", _key_text(item, identifier, True))


def _value_of(item: str | Unknown) -> Any:
    return {UNKNOWN_MARKER: item.reason} if isinstance(item, Unknown) else item


def _substitute_fragment(fragment: dict[str, Any], identifier: str, item: str | Unknown) -> dict[str, Any]:
    return {
        _substitute_key(key, identifier, item): _substitute(value, identifier, item)
        for key, value in fragment.items()
    }


def _substitute(value: Any, identifier: str, item: str | Unknown) -> Any:
    if isinstance(value, list):
        return [_substitute(element, identifier, item) for element in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref" and argument == identifier:
            return _value_of(item)
        if key == "Fn::Sub":
            return {"Fn::Sub": _substitute_sub(argument, identifier, item)}
    result: dict[str, Any] = {}
    for key, element in value.items():
        if isinstance(key, str) and key.startswith(FOR_EACH_PREFIX):
            result[key] = _substitute(element, identifier, item)  # a nested loop's arguments
        else:
            result[_substitute_key(key, identifier, item)] = _substitute(element, identifier, item)
    return result


def _substitute_sub(argument: Any, identifier: str, item: str | Unknown) -> Any:
    """`Fn::Sub` gets the identifier as one more variable (unless it defines one of that name)."""
    if isinstance(argument, str):
        if "${" + identifier + "}" not in argument:
            return argument
        return [argument, {identifier: _value_of(item)}]
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        text, variables = argument
        variables = {k: _substitute(v, identifier, item) for k, v in variables.items()}
        if isinstance(text, str) and "${" + identifier + "}" in text and identifier not in variables:
            variables[identifier] = _value_of(item)
        return [text, variables]
    return _substitute(argument, identifier, item)
