"""A fast reader for YAML made only of mappings, sequences and strings (the control catalog).

`plain_yaml(text)` returns exactly what `yaml.load(text, Loader=yaml.CSafeLoader)` returns for such a
document, built straight from libyaml's events (about twice as fast: no node graph, no constructor
dispatch), or NOT_PLAIN for anything else — a scalar the safe loader would read as another type (a
number, a boolean, null, a date, a merge key), a tag, an anchor or alias, no document or several, a
syntax error, or a PyYAML without libyaml or with the safe loader's resolvers or constructors changed.
The caller then reads the text with the full loader, which returns or raises what it always did.

A text read every run can be given its data ahead of time in `KNOWN` (text -> the JSON of what
`plain_yaml` returns for it): the `check` command puts the shipped control catalog there
(cli/precompiled_catalog.py), whose libyaml read costs ~8 M instructions (~1.5 ms) against ~0.6 M for
the JSON. Any other text, and any text when the safe loader is not as PyYAML ships it, is read as above.
"""

from __future__ import annotations

import json
from typing import Any, Final

import yaml
from yaml import events

NOT_PLAIN: Final[Any] = object()
_STR: Final = "tag:yaml.org,2002:str"
_SEQ: Final = "tag:yaml.org,2002:seq"
_MAP: Final = "tag:yaml.org,2002:map"
KNOWN: dict[str, str] = {}
"""YAML text -> the JSON text of its data as `plain_yaml` reads it (only texts it reads as plain)."""


def _unchanged_safe_loader() -> bool:
    """CSafeLoader resolves and constructs strings, sequences and mappings as PyYAML ships it."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return False
    constructors = loader.yaml_constructors
    safe = yaml.constructor.SafeConstructor
    return (
        None not in loader.yaml_implicit_resolvers
        and not loader.yaml_path_resolvers
        and constructors.get(_STR) is safe.construct_yaml_str
        and constructors.get(_SEQ) is safe.construct_yaml_seq
        and constructors.get(_MAP) is safe.construct_yaml_map
    )


def plain_yaml(text: str) -> Any:
    """The data of `text` when it holds one document of mappings, sequences and strings only; NOT_PLAIN
    otherwise (see the module docstring)."""
    if not _unchanged_safe_loader():
        return NOT_PLAIN
    known = KNOWN.get(text)
    if known is not None:
        return json.loads(known)
    from yaml._yaml import CParser  # what yaml.cyaml re-exports (CSafeLoader exists: so does it)

    resolvers = yaml.CSafeLoader.yaml_implicit_resolvers
    scalar, alias = events.ScalarEvent, events.AliasEvent
    mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
    mapping_end, sequence_end = events.MappingEndEvent, events.SequenceEndEvent
    document_start, stream_end = events.DocumentStartEvent, events.StreamEndEvent
    stack: list[tuple[dict[str, Any] | list[Any], list[str]]] = []  # container, its pending key (0 or 1)
    root: Any = NOT_PLAIN
    documents = 0
    parser = CParser(text)
    try:
        while True:
            event: Any = parser.get_event()
            cls = event.__class__
            if cls is scalar:
                if event.tag is not None or event.anchor is not None:
                    return NOT_PLAIN
                value: Any = event.value
                if event.implicit[0]:  # plain: the safe loader resolves it by its first character
                    for _tag, regexp in resolvers.get(value[:1], ()):
                        if regexp.match(value):
                            return NOT_PLAIN
            elif cls is mapping_start or cls is sequence_start:
                if event.tag is not None or event.anchor is not None:
                    return NOT_PLAIN
                stack.append(({} if cls is mapping_start else [], []))
                continue
            elif cls is mapping_end or cls is sequence_end:
                value = stack.pop()[0]
            elif cls is document_start:
                documents += 1
                if documents > 1:
                    return NOT_PLAIN
                continue
            elif cls is stream_end:
                return root
            elif cls is alias:
                return NOT_PLAIN
            else:
                continue
            if not stack:
                root = value
                continue
            container, key = stack[-1]
            if type(container) is list:
                container.append(value)
            elif key:
                container[key.pop()] = value  # type: ignore[call-overload]
            elif type(value) is str:
                key.append(value)
            else:  # a sequence or mapping as a key: the safe loader refuses it (unhashable)
                return NOT_PLAIN
    except yaml.YAMLError:
        return NOT_PLAIN
    finally:
        parser.dispose()
