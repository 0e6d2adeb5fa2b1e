"""The pydantic side of the configuration: imported only when a config is validated or its schema written.

The sections are plain dataclasses (guardrails/config_section.py), validated through
guardrails/validation.py. pydantic builds their validators from the dataclass fields, and `section_schema`
adds what a `field_validator` / `model_validator` did on a pydantic model: each section's `field_checks`
after its field's own validation, its `migrate` before the section is validated, and the record of the
keys the mapping set (`given_fields`).
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import ValidationError
from pydantic_core import CoreSchema, core_schema

from guardrails.config_section import GIVEN_ATTRIBUTE, ConfigSection
from guardrails.validation import adapter, error_lines


def section_schema(cls: type[ConfigSection], schema: CoreSchema) -> CoreSchema:
    """The core schema pydantic generated for the dataclass `cls`, with its checks and its record of the
    keys given."""
    if schema["type"] != "dataclass":  # pydantic's own schema for a stdlib dataclass is one
        raise TypeError(f"{cls.__name__}: expected a dataclass schema, got {schema['type']}")
    dataclass = cast(core_schema.DataclassSchema, schema)
    fields = dataclass["schema"]
    if fields["type"] != "dataclass-args":
        raise TypeError(f"{cls.__name__}: expected dataclass arguments, got {fields['type']}")
    unknown = set(cls.field_checks) - {field["name"] for field in fields["fields"]}
    if unknown:
        raise TypeError(f"{cls.__name__}.field_checks names no field: {sorted(unknown)}")
    for field in fields["fields"]:
        check = cls.field_checks.get(field["name"])
        if check is None:
            continue
        inner = field["schema"]
        if inner["type"] == "default":  # check the value given, as a field_validator did (not the default)
            inner["schema"] = core_schema.no_info_after_validator_function(check, inner["schema"])
        else:
            field["schema"] = core_schema.no_info_after_validator_function(check, inner)

    def validate(data: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
        if isinstance(data, dict):
            data = cls.migrate(data)
        section = handler(data)
        if isinstance(data, dict):
            object.__setattr__(section, GIVEN_ATTRIBUTE, frozenset(data))
        return section

    ref = dataclass.pop("ref", None)  # the definition is the checked section, referenced where it is used
    return core_schema.no_info_wrap_validator_function(validate, dataclass, ref=ref)


def describe_errors(exc: ValidationError) -> str:
    """One line naming each problem at its dotted location: `runtime.controls: Value error, ...`."""
    return error_lines(exc)


def json_schema(cls: type[Any]) -> dict[str, Any]:
    """The JSON schema (validation mode) of a section class."""
    return adapter(cls).json_schema()
