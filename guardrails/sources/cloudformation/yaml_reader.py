"""YAML template text -> plain data, built from the parser's event stream.

A small builder of our own instead of PyYAML's composer/constructor: about five times faster on large
templates, it keeps `AWSTemplateFormatVersion: 2010-09-09` a string, treats only `true`/`false` as
booleans (no YAML 1.1 `yes`/`no`/`on`/`off`, octal or sexagesimal numbers), turns CloudFormation
short-form tags into their long form, records the line of every logical id under `Resources`, and
bounds nesting depth and alias expansion ("billion laughs") as it goes, without recursion.

On the way it notes the *plain* containers (`TemplateLines.plain`): those the resolver and `materialize`
would copy unchanged, so they can be used as they are instead of walked twice more per resource (issue 15).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml import events as yaml_events

from guardrails.sources.cloudformation.property_values import TYPED_PROPERTIES
from guardrails.sources.errors import SourceError

MAX_DEPTH = 200
"""Deepest nesting of mappings/sequences accepted; real templates stay well under 30."""

MAX_ALIAS_EXPANSION = 1_000_000
"""Nodes that YAML aliases may add when expanded; a 'billion laughs' document exceeds it at once."""
MAX_ALIAS_BYTES = 16 * 1024 * 1024
"""Characters of scalars that YAML aliases may add when expanded: 16 times CloudFormation's 1 MB template
limit (a few long strings aliased many times reach it with few nodes)."""

try:
    from yaml._yaml import CParser as _EventParser  # what yaml.cyaml re-exports
except ImportError:  # PyYAML built without libyaml
    _EventParser = yaml.SafeLoader  # type: ignore[assignment,misc]

_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?\Z")
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_SPECIAL_SCALARS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(_TRUES, True),
    **dict.fromkeys(_FALSES, False),
}
_NUMBER_START = frozenset("0123456789-+.")
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"


class TemplateLines(dict[str, int]):
    """`{logical id under Resources: 1-based line}`, and the parse's plain containers.

    `plain` maps `id(container)` to the container for every mapping and sequence that holds, at any depth,
    no intrinsic function (`Ref`, `Fn::*`, a short-form tag), no YAML tag, alias or merge key, no null
    mapping value and no text under a key `materialize` types (`TYPED_PROPERTIES`): resolving and then
    materializing such a container gives an equal copy, so both use it as it is. The values keep the
    containers alive, so an id in `plain` cannot be reused by another object while the mapping lives.
    The containers are the parsed template's own: nothing may change them (nothing in guardrails does:
    includes, loops and hook payloads build new structures).

    The record travels with the lines because every caller hands the parse's lines to
    `template_documents` as they are; a plain dict of lines (a JSON template, a hook payload) has none,
    and then everything is walked."""

    __slots__ = ("plain",)

    def __init__(self, plain: dict[int, Any] | None = None) -> None:
        super().__init__()
        self.plain: dict[int, Any] = {} if plain is None else plain


def plain_containers(lines: Any) -> dict[int, Any]:
    """The plain containers recorded with `lines` (none for a plain dict of lines)."""
    return lines.plain if isinstance(lines, TemplateLines) else _NO_PLAIN


_NO_PLAIN: dict[int, Any] = {}


def parse_yaml(text: str, file: str) -> tuple[Any, TemplateLines]:
    """`(data, {logical id under Resources: 1-based line})`; SourceError for invalid or hostile YAML.
    The lines carry the plain containers (`TemplateLines`)."""
    parser = _EventParser(text)
    try:
        return _YamlBuilder(file).build(parser)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        raise SourceError(file, f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SourceError(file, f"invalid YAML: {exc}") from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


def _plain_scalar(value: str) -> Any:
    """YAML 1.2 core-schema resolution of an untagged plain scalar (no octal, sexagesimal or `yes`)."""
    if value in _SPECIAL_SCALARS:
        return _SPECIAL_SCALARS[value]
    if value[0] in _NUMBER_START:
        if _PLAIN_INT.match(value):
            return int(value)
        if _PLAIN_FLOAT.match(value):
            return float(value)
    return value


def _standard_tag(tag: str, value: str) -> Any:
    kind = tag[len(_YAML_TAG_PREFIX) :]
    if kind == "int" and _PLAIN_INT.match(value.replace("_", "")):
        return int(value.replace("_", ""))
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "bool" and (value in _TRUES or value in _FALSES):
        return value in _TRUES
    if kind == "null":
        return None
    return value


def short_form(name: str, argument: Any) -> dict[str, Any]:
    """`!Name argument` -> the long form CloudFormation uses in JSON."""
    if name == "Ref":
        return {"Ref": argument}
    if name == "Condition":
        return {"Condition": argument}
    if name == "GetAtt" and isinstance(argument, str):
        return {"Fn::GetAtt": argument.split(".", 1)}
    return {f"Fn::{name}": argument}


class _Frame:
    """One open YAML mapping or sequence."""

    __slots__ = (
        "anchor",
        "chars",
        "container",
        "is_map",
        "is_resources",
        "key",
        "mark",
        "merges",
        "size",
        "tag",
    )

    def __init__(
        self, is_map: bool, tag: str | None, anchor: str | None, is_resources: bool, mark: int
    ) -> None:
        self.is_map = is_map
        self.container: Any = {} if is_map else []
        self.tag = tag
        self.anchor = anchor
        self.is_resources = is_resources
        self.key: Any = _NO_KEY
        self.merges: list[dict[str, Any]] = []
        self.size = 1
        self.chars = 0
        self.mark = mark if tag is None else -1
        """The builder's count of events that make a container not plain, when this one opened (-1 for
        a tagged one): a container is plain (see `TemplateLines`) only if the count has not moved."""

    def finish(self) -> Any:
        value = self.container
        if self.merges:
            merged: dict[str, Any] = {}
            for source in reversed(self.merges):  # earlier sources take precedence
                merged.update(source)
            merged.update(value)  # explicit keys win over merged ones
            value = merged
        if self.tag and self.tag.startswith("!") and not self.tag.startswith("!!") and self.tag != "!":
            value = short_form(self.tag[1:], value)
        return value


_NOTABLE_KEYS = TYPED_PROPERTIES | {"Ref", "Fn::Transform", "<<"}
"""Keys that make the mappings around them not plain (`TemplateLines`): a long-form `Ref`, a merged
`Fn::Transform`, a typed key (whatever its value: one test per key is cheaper than one per value), and
the merge key (`<<`, checked for here to keep the common key path to one set lookup)."""


def _long_form_function(mapping: dict[str, Any]) -> bool:
    """A one-key mapping that is an intrinsic function (`Fn::...`; `Ref` is one of `_NOTABLE_KEYS`)."""
    for key in mapping:
        return key.startswith("Fn::")
    return False


_NO_KEY = object()
_MERGE_KEY = object()


class _YamlBuilder:
    def __init__(self, file: str) -> None:
        self.file = file

    def _error(self, message: str, event: Any) -> SourceError:
        mark = getattr(event, "start_mark", None)
        return SourceError(self.file, message, mark.line + 1 if mark is not None else None)

    def build(self, parser: Any) -> tuple[Any, TemplateLines]:  # noqa: C901 - one flat event loop
        get_event = parser.get_event
        scalar_event = yaml_events.ScalarEvent
        mapping_start, mapping_end = yaml_events.MappingStartEvent, yaml_events.MappingEndEvent
        sequence_start, sequence_end = yaml_events.SequenceStartEvent, yaml_events.SequenceEndEvent
        alias_event = yaml_events.AliasEvent
        plain_scalar = _plain_scalar

        stack: list[_Frame] = []
        anchors: dict[str, tuple[Any, int, int]] = {}
        lines = TemplateLines()
        plain = lines.plain
        notable_keys = _NOTABLE_KEYS
        long_form_function = _long_form_function
        # Events that make the containers open around them not plain: a tag (short-form intrinsic), an
        # alias, a null, a notable key, a one-key `Fn::` mapping. A container is plain when none happened
        # inside it.
        specials = 0
        root: Any = None
        documents = 0
        expansion = 0
        expansion_chars = 0

        while True:
            event = get_event()
            cls = event.__class__
            if cls is scalar_event:
                try:
                    if event.tag is None:
                        if event.implicit[0]:
                            value = plain_scalar(event.value)
                            if value is None:  # (the resolver drops a null mapping value)
                                specials += 1
                        else:
                            value = event.value
                    else:
                        value = self._scalar(event)
                        specials += 1
                except ValueError:  # an integer beyond Python's digit limit
                    digits = len(event.value)
                    raise self._error(f"number too large to read ({digits} digits)", event) from None
                size = 1
                chars = len(event.value)
                if event.anchor:
                    anchors[event.anchor] = (value, 1, chars)
            elif cls is mapping_start or cls is sequence_start:
                if len(stack) >= MAX_DEPTH:
                    raise self._error(f"nesting deeper than {MAX_DEPTH} levels", event)
                is_resources = (
                    cls is mapping_start
                    and len(stack) == 1
                    and stack[0].is_map
                    and stack[0].key == "Resources"
                )
                stack.append(_Frame(cls is mapping_start, event.tag, event.anchor, is_resources, specials))
                continue
            elif cls is mapping_end or cls is sequence_end:
                frame = stack.pop()
                value = frame.finish()
                if frame.mark == specials and (
                    cls is sequence_end or len(value) != 1 or not long_form_function(value)
                ):
                    plain[id(value)] = value
                else:
                    specials += 1
                size = frame.size
                chars = frame.chars
                if frame.anchor:
                    anchors[frame.anchor] = (value, size, chars)
            elif cls is alias_event:
                found = anchors.get(event.anchor)
                if found is None:
                    raise self._error(f"YAML alias *{event.anchor} names no complete anchor", event)
                value, size, chars = found
                specials += 1
                expansion += size
                expansion_chars += chars
                if expansion > MAX_ALIAS_EXPANSION or expansion_chars > MAX_ALIAS_BYTES:
                    raise self._error(
                        f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes or"
                        f" {MAX_ALIAS_BYTES:,} characters ('billion laughs'?)",
                        event,
                    )
            elif cls is yaml_events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self._error("more than one YAML document in the file", event)
                continue
            elif cls is yaml_events.StreamEndEvent:
                return root, lines
            else:  # StreamStart, DocumentEnd
                continue

            if not stack:
                root = value
                continue
            top = stack[-1]
            top.size += size
            top.chars += chars
            if not top.is_map:
                top.container.append(value)
            elif top.key is _NO_KEY:
                if cls is scalar_event and event.tag is None:  # nearly every key: `_key`'s first case
                    key = event.value
                    if key in notable_keys:
                        specials += 1
                        if key == "<<" and event.implicit[0]:
                            key = _MERGE_KEY
                else:
                    key = self._key(event, value, cls is scalar_event)
                if key in top.container:
                    raise self._error(
                        f"duplicate key {key!r} in a mapping (CloudFormation rejects it)", event
                    )
                if top.is_resources and key is not _MERGE_KEY:
                    lines.setdefault(key, event.start_mark.line + 1)
                top.key = key
            else:
                if top.key is _MERGE_KEY:
                    self._add_merge(top, value, event)
                else:
                    top.container[top.key] = value
                top.key = _NO_KEY

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        value = event.value
        if tag is None:
            return _plain_scalar(value) if event.implicit[0] else value
        if tag == "!":
            return value
        if tag.startswith(_YAML_TAG_PREFIX):
            return _standard_tag(tag, value)
        if tag.startswith("!") and not tag.startswith("!!"):
            return short_form(tag[1:], value)
        return value

    def _key(self, event: Any, value: Any, is_scalar: bool) -> Any:
        if is_scalar and event.tag is None:
            if event.value == "<<" and event.implicit[0]:
                return _MERGE_KEY
            return event.value  # CloudFormation keys are strings: `123:` is "123", not 123
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        raise self._error("mapping keys must be plain strings", event)

    def _add_merge(self, frame: _Frame, value: Any, event: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise self._error("a YAML merge key (<<) must name a mapping or a list of mappings", event)
            frame.merges.append(source)
