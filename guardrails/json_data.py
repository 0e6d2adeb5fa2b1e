"""JSON data of the plain dataclasses (documents, decisions) without pydantic on the common path.

`json_data(value)` is what pydantic's `dump_python(value, mode="json", exclude_none=True)` returns for
the dataclasses of guardrails/documents.py and guardrails/decision.py and the data they hold: fields in
declaration order, None fields left out (`exclude_none`; None *values* of a dict or list stay), fields
whose `dataclasses.field(metadata=...)` says `exclude` never written; dates as ISO text, tuples as lists,
non-finite floats as null. Any other value (a datetime, bytes, a set, a dict with non-text keys, a
pydantic model...) is converted by pydantic itself (`pydantic_core.to_jsonable_python`, imported then),
so the result is always pydantic's. tests/sources/test_document_input.py and
tests/engine/test_decision_json.py compare both on every source's documents and on decisions.

The other way, outside data is validated into these dataclasses by guardrails/validation.py.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date
from typing import Any


def json_data(value: Any, *, exclude_none: bool = True) -> Any:
    """pydantic's json-mode dump of `value` (see the module docstring)."""
    return _json(value, exclude_none)


_SCALARS = frozenset({str, int, bool, type(None)})


def _json(value: Any, exclude_none: bool) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                return _pydantic_json(value, exclude_none)
            out[key] = item if type(item) in _SCALARS else _json(item, exclude_none)
        return out
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALARS else _json(item, exclude_none) for item in value]
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is date:
        return value.isoformat()
    names = _WRITTEN.get(kind, _NOT_SEEN)
    if names is _NOT_SEEN:
        names = _WRITTEN[kind] = _written_fields(kind)
    if names is None:
        return _pydantic_json(value, exclude_none)
    fields = {}
    for name in names:
        item = getattr(value, name)
        if item is not None or not exclude_none:
            fields[name] = item if type(item) in _SCALARS else _json(item, exclude_none)
    return fields


def shared_json_data(value: Any) -> Any:
    """`json_data(value)` without copying: `value` itself when it is plain JSON data already (str, int,
    bool, None, finite floats, str-keyed dicts and lists of them: what `json_data` would copy unchanged),
    else the converted copy. The result may share containers with `value`: for data read at once (an
    engine input serialised on the spot), never for data kept and changed later."""
    return value if is_plain_json(value) else json_data(value)


def is_plain_json(value: Any) -> bool:
    """True when `value` holds only str, int, bool, None, finite floats, str-keyed dicts and lists."""
    stack = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    scalars, isfinite = _SCALARS, math.isfinite
    while stack:
        item = pop()
        kind = type(item)
        if kind in scalars:
            continue
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    return False
                if type(child) not in scalars:
                    push(child)
            continue
        if kind is list:
            extend(item)
            continue
        if kind is float and isfinite(item):
            continue
        return False
    return True


def json_text(value: Any) -> str:
    """pydantic's `dump_json(value, exclude_none=True)` text: compact, non-ASCII as it is."""
    return json.dumps(json_data(value), separators=(",", ":"), ensure_ascii=False)


_WRITTEN: dict[type, tuple[str, ...] | None] = {}
"""The fields a dump writes, per class (None: not a stdlib dataclass)."""
_NOT_SEEN: Any = object()


def _written_fields(kind: type) -> tuple[str, ...] | None:
    """The fields a dump writes, in order, when `kind` is a stdlib dataclass; else None."""
    if not dataclasses.is_dataclass(kind) or hasattr(kind, "__pydantic_validator__"):
        return None
    return tuple(f.name for f in dataclasses.fields(kind) if not f.metadata.get("exclude", False))


def _pydantic_json(value: Any, exclude_none: bool) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value, exclude_none=exclude_none)
