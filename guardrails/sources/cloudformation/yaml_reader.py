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


class _Extra:
    """What a rare container carries besides its contents: a tag, an anchor (with the node and character
    counts when it opened) or merge sources. Common containers have none (`None`), so opening and closing
    them is a tuple push and pop."""

    __slots__ = ("anchor", "chars", "merges", "nodes", "tag")

    def __init__(self, tag: str | None, anchor: str | None, nodes: int, chars: int) -> None:
        self.tag = tag
        self.anchor = anchor
        self.nodes = nodes
        self.chars = chars
        self.merges: list[dict[str, Any]] = []

    def finish(self, container: Any) -> Any:
        """The container's value: merge sources under its own keys, a short-form tag to its long form."""
        value = container
        if self.merges:
            merged: dict[str, Any] = {}
            for source in reversed(self.merges):  # earlier sources take precedence
                merged.update(source)
            merged.update(value)  # explicit keys win over merged ones
            value = merged
        tag = self.tag
        if tag and tag.startswith("!") and not tag.startswith("!!") and tag != "!":
            value = short_form(tag[1:], value)
        return value


_NOTABLE_KEYS = TYPED_PROPERTIES | {"Ref", "Fn::Transform", "<<"}
"""Keys that make the mappings around them not plain (`TemplateLines`): a long-form `Ref`, a merged
`Fn::Transform`, a typed key (whatever its value: one test per key is cheaper than one per value), and
the merge key (`<<`, checked for here to keep the common key path to one set lookup)."""

_SLOW_KEYS = _NOTABLE_KEYS | {"", "~", "null", "Null", "NULL"}
"""Keys the fast key path leaves to the general one: the notable keys and the spellings of null (a null
key, read as a scalar first, makes its mapping not plain too)."""

_SHORT_KEY = 640
"""Keys up to this length take the fast path: the lowest limit on int digits Python accepts (other than 0, no
limit), so a shorter key cannot fail as a number; a longer one is read as one first, as every scalar is,
for the same error."""


def _long_form_function(mapping: dict[str, Any]) -> bool:
    """A one-key mapping that is an intrinsic function (`Fn::...`; `Ref` is one of `_NOTABLE_KEYS`)."""
    for key in mapping:
        return key.startswith("Fn::")
    return False


def _number(value: str) -> Any:
    """An untagged plain scalar that starts like a number and is not special: int, float or the text."""
    if _PLAIN_INT.match(value):
        return int(value)
    if _PLAIN_FLOAT.match(value):
        return float(value)
    return value


_SEQUENCE = object()
"""The pending key of an open sequence: its items are appended (`None`: a mapping waits for a key)."""
_MERGE_KEY = object()


class _YamlBuilder:
    def __init__(self, file: str) -> None:
        self.file = file

    def _error(self, message: str, event: Any) -> SourceError:
        mark = getattr(event, "start_mark", None)
        return SourceError(self.file, message, mark.line + 1 if mark is not None else None)

    def build(self, parser: Any) -> tuple[Any, TemplateLines]:  # noqa: C901 - one flat event loop
        """One flat loop over the events. The open container's state lives in locals (`container`, `key`,
        `is_resources`, `mark`, `extra`) and is pushed as a tuple when a child opens: the common scalar, an
        untagged, unanchored key or value, is handled in place with a few local operations; everything
        else (tags, anchors, aliases, merge keys, notable keys) falls through to the general code below."""
        get_event = parser.get_event
        scalar_event = yaml_events.ScalarEvent
        mapping_start, mapping_end = yaml_events.MappingStartEvent, yaml_events.MappingEndEvent
        sequence_start, sequence_end = yaml_events.SequenceStartEvent, yaml_events.SequenceEndEvent
        alias_event = yaml_events.AliasEvent
        special_scalars = _SPECIAL_SCALARS
        number_start = _NUMBER_START
        number = _number
        slow_keys = _SLOW_KEYS
        short_key = _SHORT_KEY
        notable_keys = _NOTABLE_KEYS
        long_form_function = _long_form_function
        sequence, merge_key = _SEQUENCE, _MERGE_KEY

        stack: list[tuple[Any, Any, bool, int, _Extra | None]] = []
        anchors: dict[str, tuple[Any, int, int]] = {}
        lines = TemplateLines()
        plain = lines.plain
        # Events that make the containers open around them not plain: a tag (short-form intrinsic), an
        # alias, a null, a notable key, a one-key `Fn::` mapping. A container is plain when none happened
        # inside it (`mark`: the count when it opened).
        specials = 0
        documents = 0
        expansion = 0
        expansion_chars = 0
        # Nodes and scalar characters seen, counted only while an anchored container is open (`anchored`
        # of them): its alias adds its size and characters to the expansion limits.
        anchored = 0
        nodes = 0
        chars = 0
        # The open container: at first a one-item list that receives the document's root.
        root: list[Any] = []
        container: Any = root
        key: Any = sequence
        is_resources = False
        mark = 0
        extra: _Extra | None = None

        while True:
            event = get_event()
            cls = event.__class__
            if cls is scalar_event:
                text = event.value
                if event.tag is None and event.anchor is None:
                    if key is None:
                        if text not in slow_keys and len(text) <= short_key:  # nearly every key
                            if text in container:
                                raise self._error(
                                    f"duplicate key {text!r} in a mapping (CloudFormation rejects it)", event
                                )
                            if is_resources:
                                lines.setdefault(text, event.start_mark.line + 1)
                            if anchored:
                                nodes += 1
                                chars += len(text)
                            key = text
                            continue
                    else:  # nearly every value: `_plain_scalar` inline
                        if text in special_scalars:
                            value = special_scalars[text] if event.implicit[0] else text
                            if value is None:  # (the resolver drops a null mapping value)
                                specials += 1
                        elif text[0] in number_start and event.implicit[0]:
                            try:
                                value = number(text)
                            except ValueError:  # an integer beyond Python's digit limit
                                raise self._error(
                                    f"number too large to read ({len(text)} digits)", event
                                ) from None
                        else:
                            value = text
                        if anchored:
                            nodes += 1
                            chars += len(text)
                        if key is sequence:
                            container.append(value)
                            continue
                        if key is not merge_key:
                            container[key] = value
                            key = None
                            continue
                if key is None or event.tag is not None or event.anchor is not None:
                    try:
                        if event.tag is None:
                            if event.implicit[0]:
                                value = _plain_scalar(text)
                                if value is None:
                                    specials += 1
                            else:
                                value = text
                        else:
                            value = self._scalar(event)
                            specials += 1
                    except ValueError:  # an integer beyond Python's digit limit
                        raise self._error(f"number too large to read ({len(text)} digits)", event) from None
                    if event.anchor:
                        anchors[event.anchor] = (value, 1, len(text))
                    if anchored:
                        nodes += 1
                        chars += len(text)
            elif cls is mapping_end or cls is sequence_end:
                if extra is None:
                    value = container
                    if mark == specials and (
                        cls is sequence_end or len(value) != 1 or not long_form_function(value)
                    ):
                        plain[id(value)] = value
                    else:
                        specials += 1
                else:
                    value = extra.finish(container)
                    if (
                        extra.tag is None
                        and mark == specials
                        and (cls is sequence_end or len(value) != 1 or not long_form_function(value))
                    ):
                        plain[id(value)] = value
                    else:
                        specials += 1
                    if extra.anchor:
                        anchors[extra.anchor] = (value, nodes - extra.nodes + 1, chars - extra.chars)
                        anchored -= 1
                if anchored:
                    nodes += 1
                container, key, is_resources, mark, extra = stack.pop()
                if key is sequence:
                    container.append(value)
                    continue
                if key is not None and key is not merge_key:
                    container[key] = value
                    key = None
                    continue
            elif cls is mapping_start or cls is sequence_start:
                depth = len(stack)
                if depth >= MAX_DEPTH:
                    raise self._error(f"nesting deeper than {MAX_DEPTH} levels", event)
                stack.append((container, key, is_resources, mark, extra))
                if cls is mapping_start:
                    is_resources = depth == 1 and key == "Resources"
                    container = {}
                    key = None
                else:
                    is_resources = False
                    container = []
                    key = sequence
                mark = specials
                tag, anchor = event.tag, event.anchor
                if tag is None and not anchor:
                    extra = None
                else:
                    extra = _Extra(tag, anchor, nodes, chars)
                    if anchor:
                        anchored += 1
                continue
            elif cls is alias_event:
                found = anchors.get(event.anchor)
                if found is None:
                    raise self._error(f"YAML alias *{event.anchor} names no complete anchor", event)
                value, size, size_chars = found
                specials += 1
                expansion += size
                expansion_chars += size_chars
                if expansion > MAX_ALIAS_EXPANSION or expansion_chars > MAX_ALIAS_BYTES:
                    raise self._error(
                        f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes or"
                        f" {MAX_ALIAS_BYTES:,} characters ('billion laughs'?)",
                        event,
                    )
                if anchored:
                    nodes += size
                    chars += size_chars
            elif cls is yaml_events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self._error("more than one YAML document in the file", event)
                continue
            elif cls is yaml_events.StreamEndEvent:
                return (root[0] if root else None), lines
            else:  # StreamStart, DocumentEnd
                continue

            # The general case: a key other than the fast path's, a merge key's value, or any node in
            # a sequence or under a key that was not handled in place above.
            if key is sequence:
                container.append(value)
            elif key is None:
                if cls is scalar_event and event.tag is None:
                    key = event.value
                    if key in notable_keys:
                        specials += 1
                        if key == "<<" and event.implicit[0]:
                            key = merge_key
                else:
                    key = self._key(event, value, cls is scalar_event)
                if key in container:
                    raise self._error(
                        f"duplicate key {key!r} in a mapping (CloudFormation rejects it)", event
                    )
                if is_resources and key is not merge_key:
                    lines.setdefault(key, event.start_mark.line + 1)
            elif key is merge_key:
                if extra is None:
                    extra = _Extra(None, None, 0, 0)
                self._add_merge(extra, value, event)
                key = None
            else:
                container[key] = value
                key = None

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

    def _add_merge(self, extra: _Extra, value: Any, event: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise self._error("a YAML merge key (<<) must name a mapping or a list of mappings", event)
            extra.merges.append(source)
