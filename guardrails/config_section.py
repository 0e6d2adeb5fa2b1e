"""The base of every configuration section: a plain dataclass, validated by pydantic only at the boundary.

A section (`GuardrailsConfig`, `RuntimeConfig`, `OpaServerSettings`...) is a stdlib `@dataclass`: building
one in code (`default_config()`, tests, the Lambdas' defaults) imports no pydantic and runs no check, its
values being typed by mypy. What comes from outside (a config file, an SSM parameter, an S3 object, an
option such as `--opa-url`) goes through `validated`, which has pydantic validate the data whole against
the dataclasses (guardrails/validation.py; the section hooks in guardrails/config_validation.py, imported
only then):

* field types, defaults and constraints come from the dataclass fields, their constraints and
  descriptions from `dataclasses.field(metadata=...)` (keys named like pydantic's `Field()` arguments:
  `description`, `gt`, `le`, `pattern`, `min_length`...);
* unknown keys are refused at every level (`__pydantic_config__`);
* `field_checks` run on one field's validated value (a ValueError names the problem; pydantic reports it
  at that field's location), `migrate` on the raw mapping of the section before it is validated;
* `given_fields` tells which keys the validated mapping set (what pydantic models call `model_fields_set`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

S = TypeVar("S")
GIVEN_ATTRIBUTE = "_given_fields"
"""The instance attribute (not a dataclass field) where validation records the keys a mapping set."""


class ConfigSection:
    """Mixin of the configuration dataclasses: how pydantic validates them (see the module docstring)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}
    """pydantic's `ConfigDict` (a TypedDict, so a plain dict here): unknown keys are errors."""
    field_checks: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}
    """Field name -> check of its validated value, returning the value to keep; raises ValueError."""

    @classmethod
    def migrate(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The section's raw mapping, before it is validated: moves renamed keys, refuses retired ones
        (ValueError)."""
        return data

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[Any], handler: GetCoreSchemaHandler) -> CoreSchema:
        from guardrails.config_validation import section_schema

        return section_schema(cls, handler(source))


def validated(cls: type[S], data: object) -> S:
    """`data` (a mapping, as read from YAML or JSON) validated whole into the section `cls`
    (guardrails/validation.py); raises pydantic's ValidationError, each error located at its field
    (`runtime.controls.S3-01`)."""
    from guardrails.validation import validate

    return validate(cls, data)


def given_fields(section: ConfigSection) -> frozenset[str]:
    """The fields set by the mapping `section` was validated from: a default the file left alone is not
    in it; empty for a section built in code."""
    given: frozenset[str] = getattr(section, GIVEN_ATTRIBUTE, frozenset())
    return given
