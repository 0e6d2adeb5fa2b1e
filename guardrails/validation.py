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

from collections.abc import Mapping
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


EXTRA_KEY_MESSAGE = "Extra inputs are not permitted"
SECTION_TYPE_MESSAGE = "Input should be a valid dictionary or instance of {class_name}"
"""What an unknown key and a part that is not a mapping are told: pydantic's words for a model, which
guardrails' models always had (for a stdlib dataclass pydantic says `Unexpected keyword argument` and
`Input should be a dictionary or an instance of ...`)."""


def error_message(err: Mapping[str, Any]) -> str:
    """The message of one pydantic error (an item of `ValidationError.errors()`), in a model's words."""
    if err["type"] == "unexpected_keyword_argument":
        return EXTRA_KEY_MESSAGE
    if err["type"] == "dataclass_type":
        return SECTION_TYPE_MESSAGE.format(class_name=err.get("ctx", {}).get("class_name", "?"))
    return str(err["msg"])


def error_location(err: Mapping[str, Any], default: str = "(top)") -> str:
    """The dotted location of one pydantic error; `default` when it has none (a `__post_init__` check)."""
    return ".".join(str(p) for p in err["loc"]) or default


def error_lines(exc: Exception, default: str = "(top)") -> str:
    """`loc: msg; loc: msg` of a pydantic ValidationError (its message for any other exception), every
    problem at its dotted location (`default` when it has none), in a model's words (`error_message`)."""
    errors = getattr(exc, "errors", None)
    if errors is None:
        return str(exc)
    return "; ".join(f"{error_location(err, default)}: {error_message(err)}" for err in errors())
