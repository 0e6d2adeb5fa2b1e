"""Template file/text -> `(template, {logical id: line})`: JSON by the json module, YAML by yaml_reader.

Unreadable, binary, undecodable, malformed or absurdly nested input raises SourceError naming the file.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from guardrails.errors import InputError
from guardrails.sources.cloudformation.yaml_reader import MAX_DEPTH, parse_yaml
from guardrails.sources.errors import SourceError
from guardrails.sources.input_files import read_input_text


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic trees (a third of the time on
    big templates goes to collections that find nothing); restore it afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_template_file(path: Path) -> str:
    """The text of a template file; SourceError when it is unreadable, not a regular file, binary, larger
    than the input cap (`guardrails.sources.input_files`) or not UTF-8."""
    return read_input_text(path)


def parse_template_text(text: str, file: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse JSON or YAML template text into `(template, {logical id: 1-based line})`.

    Short-form YAML tags become their long form (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` ->
    `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` -> `{"Fn::Sub": s}`, `!Condition C` -> `{"Condition": "C"}`).
    Raises SourceError (naming `file`) for anything that is not a readable mapping.
    """
    data, lines = parse_structured_text(text, file)
    if data is None:
        raise SourceError(file, "empty file")
    if not isinstance(data, dict):
        raise SourceError(file, f"a template must be a mapping, not {_kind(data)}")
    return data, lines


def parse_structured_text(text: str, file: str) -> tuple[Any, dict[str, int]]:
    """Like `parse_template_text`, for any JSON/YAML file that may or may not be a template (a folder
    walk): the top level may be anything, and an empty file gives `(None, {})`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise SourceError(file, "binary content (contains NUL characters), not a template")
    stripped = text.lstrip()
    if not stripped:
        return None, {}
    with paused_gc():
        if stripped[0] in "{[":
            return _parse_json(text, file)
        return parse_yaml(text, file)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


# --------------------------------------------------------------------------------------------- JSON


class _DuplicateKey(InputError):
    """A JSON object names the same key twice (CloudFormation rejects such a template)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _parse_json(text: str, file: str) -> tuple[Any, dict[str, int]]:
    try:
        try:
            data, lines = _json_with_resource_lines(text)
        except (ValueError, IndexError):
            # Not a plain JSON object (or not one the fast path reads): let json.loads decide.
            data, lines = _JSON_DECODER.decode(text), None
    except _DuplicateKey as exc:
        raise SourceError(
            file, f"duplicate key {exc.key!r} in a mapping (CloudFormation rejects it)", _duplicate_line(text)
        ) from None
    except RecursionError:
        raise SourceError(file, f"nesting deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        # CloudFormation reads a template that is not valid JSON as YAML (a superset); do the same,
        # except for a `.json` file, and report the JSON error when YAML cannot read it either.
        problem = str(getattr(exc, "msg", exc))
        if "integer string conversion" in problem:
            problem = "a number has too many digits to read"
        json_error = SourceError(file, f"invalid JSON: {problem}", getattr(exc, "lineno", None))
        if file.lower().endswith(".json"):
            raise json_error from None
        try:
            return parse_yaml(text, file)
        except SourceError:
            raise json_error from None
    _check_depth(data, file)
    if _SURROGATE_ESCAPE.search(text):
        _check_surrogates(data, text, file)
    return data, _json_resource_lines(text) if lines is None else lines


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_surrogates(data: Any, text: str, file: str) -> None:
    """A `\\udXXX` escape that is not half of a pair decodes to no character at all: refuse it (it
    could never be printed, hashed or stored)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                match = _SURROGATE_ESCAPE.search(text)
                line = text.count("\n", 0, match.start()) + 1 if match else None
                raise SourceError(file, "a string holds an unpaired UTF-16 surrogate escape", line) from None


_JSON_DECODER = json.JSONDecoder(object_pairs_hook=_unique_object)
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _space_end(text: str, position: int) -> int:
    """The position after the JSON whitespace at `position` (_JSON_SPACE also matches no whitespace)."""
    match = _JSON_SPACE.match(text, position)
    assert match is not None
    return match.end()


def _json_with_resource_lines(text: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a JSON object, decoding each top-level value (and each resource) with the C decoder and
    noting the line of every key of `Resources` on the way: one pass at the speed of `json.loads`."""
    lines: dict[str, int] = {}
    counted = [0, 1]  # offset counted up to, line number there

    def line_at(position: int) -> int:
        counted[1] += text.count("\n", counted[0], position)
        counted[0] = position
        return counted[1]

    def members(position: int, on_key: Any) -> tuple[dict[str, Any], int]:
        """The object starting at `position` (a "{"), calling `on_key(key, key_position, value_position)`."""
        result: dict[str, Any] = {}
        position = _space_end(text, position + 1)
        if text[position] == "}":
            return result, position + 1
        while True:
            if text[position] != '"':
                raise ValueError("expected a key")
            key_position = position
            key, position = _JSON_DECODER.raw_decode(text, position)
            if key in result:
                raise _DuplicateKey(key)
            position = _space_end(text, position)
            if text[position] != ":":
                raise ValueError("expected ':'")
            position = _space_end(text, position + 1)
            result[key], position = on_key(key, key_position, position)
            position = _space_end(text, position)
            if text[position] == ",":
                position = _space_end(text, position + 1)
            elif text[position] == "}":
                return result, position + 1
            else:
                raise ValueError("expected ',' or '}'")

    def resource(key: str, key_position: int, position: int) -> tuple[Any, int]:
        lines.setdefault(key, line_at(key_position))
        return _JSON_DECODER.raw_decode(text, position)

    def section(key: str, key_position: int, position: int) -> tuple[Any, int]:
        if key == "Resources" and text[position] == "{":
            return members(position, resource)
        return _JSON_DECODER.raw_decode(text, position)

    start = _space_end(text, 0)
    if text[start] != "{":
        raise ValueError("not an object")
    template, end = members(start, section)
    if _space_end(text, end) != len(text):
        raise ValueError("extra data after the template")
    return template, lines


def _check_depth(data: Any, file: str) -> None:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SourceError(file, f"nesting deeper than {MAX_DEPTH} levels")
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]')
_JSON_COLON = re.compile(r"\s*:")


def _duplicate_line(text: str) -> int | None:
    """The line of the first key a JSON object repeats (found again by a token scan, off the hot path)."""
    stack: list[set[str] | None] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            keys = stack[-1] if stack else None
            if keys is not None and _JSON_COLON.match(text, match.end()):
                key = json.loads(token)
                if key in keys:
                    return text.count("\n", 0, match.start()) + 1
                keys.add(key)
        elif token in "{[":
            stack.append(set() if token == "{" else None)
        elif stack:
            stack.pop()
    return None


def _json_resource_lines(text: str) -> dict[str, int]:
    """Line of each key of the top-level `Resources` object, found by a token scan of the text."""
    lines: dict[str, int] = {}
    depth = 0
    resources_key_seen = False
    in_resources = False
    line, counted_to = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if depth == 2 and in_resources and _JSON_COLON.match(text, match.end()):
                line += text.count("\n", counted_to, match.start())
                counted_to = match.start()
                lines.setdefault(json.loads(token), line)
            elif depth == 1 and not in_resources:
                resources_key_seen = token == '"Resources"' and bool(_JSON_COLON.match(text, match.end()))
            continue
        if first in "{[":
            depth += 1
            if depth == 2 and resources_key_seen and first == "{":
                in_resources = True
            resources_key_seen = False
        else:
            depth -= 1
            if in_resources and depth == 1:
                break
    return lines
