"""The fast paths of quoting-secret redaction (issue 15) give what the general path gives.

`secret_values` skips the key-by-key look at a map whose keys are all known plain (one `issuperset`) and
the scalars of a list outside a redacted place: checked against the walk it replaced, kept here as the
reference, on generated values with the shapes that matter (tags, container keys, secret-looking keys,
pipeline definitions in strings, non-string keys, dict subclasses, tuples). `quotes_none` lets the Decider
skip `redact_quoted`: whenever it says so, `redact_quoted` must return the message as it is, whatever the
path and strictness (NULs and the shield's own text included)."""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from redaction_strategies import KEYS, SCALARS, tags

from guardrails.redaction import _JSON as _JSON_KIND
from guardrails.redaction import (
    _PLAIN,
    _WHOLE,
    _key_kind,
    _secret_tag,
    quotes_none,
    redact_quoted,
    secret_path_values,
    secret_values,
)


def _reference_collect(value: Any, found: set[str], inside: bool) -> None:
    """The walk `secret_values` made before the fast paths (every key looked at)."""
    if isinstance(value, dict):
        if inside:
            for item in value.values():
                _reference_collect(item, found, True)
            return
        secret_tag = _secret_tag(value)
        for name, item in value.items():
            kind = _key_kind(name) if isinstance(name, str) else _PLAIN
            if kind == _WHOLE or (secret_tag and name in ("Value", "value")):
                _reference_collect(item, found, True)
            elif kind == _JSON_KIND and isinstance(item, str):
                with contextlib.suppress(ValueError):
                    _reference_collect(json.loads(item), found, False)
            elif isinstance(item, dict | list | tuple):
                _reference_collect(item, found, False)
    elif isinstance(value, list | tuple):
        for item in value:
            _reference_collect(item, found, inside)
    elif inside and value is not None:
        found.add(value if isinstance(value, str) else json.dumps(value))


class _Text(str):
    """A str subclass: `_collect` tells exact strings apart by type, a subclass is walked as before."""


def reference_secret_values(value: Any) -> set[str]:
    found: set[str] = set()
    _reference_collect(value, found, False)
    return found | secret_path_values(value)


def _maps(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    plain = st.dictionaries(KEYS, children, max_size=4)
    return st.one_of(
        plain,
        plain.map(OrderedDict),  # a dict subclass: walked like a dict
        st.dictionaries(st.one_of(KEYS, st.integers(0, 2)), children, max_size=3),  # non-string keys
        tags(children),
    )


_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        _maps(children),
    ),
    max_leaves=16,
)


@settings(max_examples=400, deadline=None, database=None)
@given(_VALUES)
@example({"Tags": [{"Key": "team", "Value": "a"}], "A": {"B": ["x", {"Environment": {"K": 1}}]}})
@example({"A": ("x", {"DbPassword": "p"}), "B": OrderedDict({"C": {"Key": "Token", "Value": 2}})})
@example({"Environment": {"A": _Text("s"), "B": [_Text("t"), "u"]}, "C": [_Text("v"), {"Token": _Text("w")}]})
def test_secret_values_equal_the_reference_walk(value: Any) -> None:
    # twice: the second walk meets the keys the first one learnt were plain
    assert secret_values(value) == reference_secret_values(value)
    assert secret_values(value) == reference_secret_values(value)
    document = {"resource": {"properties": value}, "related": {}, "context": {"sensitive_paths": ["A"]}}
    assert secret_values(document) == reference_secret_values(document)


_TEXT = st.text(alphabet="pathx\x00-=.[]0", max_size=10)


@settings(max_examples=600, deadline=None, database=None)
@given(_TEXT, st.one_of(st.none(), _TEXT), st.sets(_TEXT, max_size=4), st.booleans())
@example("a\x00path\x00b", "a", set(), True)
@example("xx", "xx", {"pa"}, True)  # the shield holds "pa"
@example("x=1", "x", {"1"}, False)
def test_quotes_none_means_redact_quoted_changes_nothing(
    message: str, path: str | None, secrets: set[str], strict: bool
) -> None:
    if quotes_none(message, secrets):
        assert redact_quoted(message, path, secrets, strict) == message
        assert redact_quoted(message, path, secrets, not strict) == message


def test_quotes_none_is_not_always_false() -> None:
    assert quotes_none("Environment.X is set", {"hunter2", "zz"})
    assert not quotes_none("Environment.X is hunter2", {"hunter2"})
    assert not quotes_none("no secret here", {"a"})  # "a" is part of the shield's "path"
