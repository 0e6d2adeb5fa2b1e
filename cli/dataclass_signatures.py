"""`dataclasses` without `inspect` and `copy`, for the console script.

`dataclasses` (Python 3.11) imports `inspect`, which imports `ast`, `dis`, `tokenize` and `linecache`:
~33 M instructions, half of what a small `check` spends beyond the floor (bench/floor.py), for one use:
`str(inspect.signature(cls))`, the text it writes as the `__doc__` of a class that has no docstring
(`Location(*, file: 'str | None' = None, ...)`); a check's path uses nothing else of `inspect`. It also
imports `copy` (and `copy` `weakref`: ~4 M), which only `asdict` and `astuple` use.

`import_dataclasses` imports `dataclasses` with stand-ins as its `inspect` and `copy`. `DataclassInspect`'s
`signature` of a class of the plain shape `dataclasses` makes (its own `__init__`, a plain function; no
metaclass, no `__new__`, no wrapper or explicit signature; string annotations, as with `from __future__
import annotations`) is that text, written here as `inspect`'s `Signature.__str__` writes it; any other
object, and any other name, is the real module's (imported then), as every name of the `copy` stand-in
is. tests/cli/test_dataclass_signatures.py compares the text with `inspect`'s. The real modules stay out
of `sys.modules` until something imports them, and then are the usual modules: only `dataclasses.inspect`
and `dataclasses.copy` differ, in the console script only (cli/console.py); a program importing
guardrails keeps its `dataclasses` untouched.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import FunctionType, ModuleType
from typing import Any

_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08
_NOT_PLAIN = ("__wrapped__", "__signature__", "_partialmethod")
"""Attributes with which `inspect.signature` reads a class otherwise than from its `__init__`."""


class ImportedOnUse(ModuleType):
    """What `dataclasses` sees as a module it imports: every name is the real module's, imported on the
    first look-up. A module (its `__spec__` is None), so that the import system, which reads `__spec__` of
    a module it finds in `sys.modules`, does not look further."""

    def __getattr__(self, name: str) -> Any:
        return getattr(import_module(self.__name__), name)


class DataclassInspect(ImportedOnUse):
    """What `dataclasses` sees as `inspect`: `signature` of a plain dataclass as text, without `inspect`."""

    def signature(self, obj: Any) -> Any:
        """`str(inspect.signature(obj))` for a plain dataclass, else `inspect.signature(obj)`."""
        text = init_signature(obj)
        if text is None:
            import inspect

            return inspect.signature(obj)
        return text


def init_signature(cls: Any) -> str | None:
    """`str(inspect.signature(cls))` when `cls` is a class whose signature is that of its own plain
    `__init__` with string annotations (and None as the return annotation); None otherwise."""
    if type(cls) is not type or "__new__" in cls.__dict__ or any(hasattr(cls, a) for a in _NOT_PLAIN):
        return None
    init = cls.__dict__.get("__init__")
    if type(init) is not FunctionType or vars(init):
        return None  # wrapped, or with an explicit signature
    code = init.__code__
    positional, kw_only = code.co_argcount, code.co_kwonlyargcount
    defaults = init.__defaults__ or ()
    if code.co_flags & (_CO_VARARGS | _CO_VARKEYWORDS) or code.co_posonlyargcount or not positional:
        return None
    if len(defaults) >= positional or type(init.__annotations__) is not dict:
        return None
    names = code.co_varnames
    annotations: dict[str, Any] = init.__annotations__
    kw_defaults = init.__kwdefaults__ or {}
    first_default = positional - len(defaults)
    params = [
        _parameter(names[i], annotations, (defaults[i - first_default],) if i >= first_default else ())
        for i in range(1, positional)  # `self` is not part of the class's signature
    ]
    if kw_only:
        params.append("*")
    for name in names[positional : positional + kw_only]:
        params.append(_parameter(name, annotations, (kw_defaults[name],) if name in kw_defaults else ()))
    if None in params:
        return None
    text = "(" + ", ".join(p for p in params if p is not None) + ")"
    if "return" not in annotations:
        return text
    returns = annotations["return"]
    if returns is None:
        return text + " -> None"
    return text + " -> " + repr(returns) if type(returns) is str else None


def _parameter(name: str, annotations: dict[str, Any], default: tuple[Any, ...]) -> str | None:
    """As `inspect.Parameter.__str__` writes a parameter (None for a non-string annotation)."""
    if name not in annotations:
        return f"{name}={default[0]!r}" if default else name
    annotation = annotations[name]
    if type(annotation) is not str:
        return None
    text = f"{name}: {annotation!r}"
    return f"{text} = {default[0]!r}" if default else text


def import_dataclasses() -> None:
    """Import `dataclasses` with stand-ins as its `inspect` and `copy` (Python 3.11, when `dataclasses` is
    not imported yet; a module imported already is its own): otherwise nothing, and `dataclasses` is
    imported as usual where it is used."""
    if sys.version_info[:2] != (3, 11) or "dataclasses" in sys.modules:
        return
    stand_ins = {
        name: kind(name)
        for name, kind in (("inspect", DataclassInspect), ("copy", ImportedOnUse))
        if name not in sys.modules
    }
    sys.modules.update(stand_ins)  # what `import inspect` and `import copy` in dataclasses bind
    try:
        import dataclasses  # noqa: F401
    finally:
        for name, module in stand_ins.items():  # the real modules for anything else that imports them
            if sys.modules.get(name) is module:
                del sys.modules[name]
