"""Validating outside data into guardrails' plain dataclasses, with pydantic imported only when it is needed.

Documents, decisions, findings, the control catalog, inline suppressions and the configuration are stdlib
dataclasses: the hot path (a `check`, an event) builds them directly from values it has already typed, and
never imports pydantic. Where data comes from outside (a config file, a catalog that is not exactly
typed, an audit record, a stored document), `validate(cls, data)` validates it with pydantic's support for
stdlib dataclasses: field types and coercions as pydantic has them, `dataclasses.field(metadata=...)`
read as `Field()` arguments (`description`, `min_length`, `gt`...), `__pydantic_config__` (a plain dict,
e.g. `{"extra": "forbid"}`) as the model config, and `__post_init__` checks run, their ValueErrors
reported as validation errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from pydantic import TypeAdapter

T = TypeVar("T")


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def adapter(cls: type[T]) -> TypeAdapter[T]:
    """The (cached) pydantic TypeAdapter of `cls`; its schema is built on first use."""
    found = _ADAPTERS.get(cls)
    if found is None:
        from pydantic import TypeAdapter

        found = _ADAPTERS[cls] = TypeAdapter(cls)
    return cast("TypeAdapter[T]", found)


def validate(cls: type[T], data: Any) -> T:
    """`data` validated into `cls`; raises pydantic.ValidationError (a ValueError)."""
    return adapter(cls).validate_python(data)


def error_lines(exc: Exception, default: str = "(top)") -> str:
    """`loc: msg; loc: msg` of a pydantic ValidationError (its message for any other exception); an error
    raised by `__post_init__` has no location and reads as `default`."""
    errors = getattr(exc, "errors", None)
    if errors is None:
        return str(exc)
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or default}: {err['msg']}" for err in errors())
