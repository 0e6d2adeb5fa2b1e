"""guardrails/validation.py: outside data validated into plain dataclasses, errors in a model's words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from guardrails.engine.bundle import Catalog, ControlInfo
from guardrails.suppressions import InlineSuppression
from guardrails.validation import adapter, error_lines, validate


def test_adapters_are_built_once_per_class() -> None:
    assert adapter(ControlInfo) is adapter(ControlInfo)


def test_unknown_fields_and_non_mappings_read_as_they_did_for_pydantic_models() -> None:
    with pytest.raises(ValidationError) as caught:
        validate(Catalog, {"version": "1", "controls": [{"id": "X-1", "colour": "red"}, 5]})
    lines = error_lines(caught.value)
    assert "controls.0.colour: Extra inputs are not permitted" in lines
    assert "controls.1: Input should be a valid dictionary or instance of ControlInfo" in lines
    assert "controls.0.title: Field required" in lines
    assert "Unexpected keyword" not in lines


def test_post_init_checks_have_no_location_and_read_as_the_default() -> None:
    with pytest.raises(ValidationError) as caught:
        validate(InlineSuppression, {"control": "nope", "reason": "r", "source": "terraform-tag"})
    assert error_lines(caught.value, "suppression") == (
        "suppression: Value error, control 'nope' is not a control id like SM-18"
    )


def test_other_exceptions_read_as_their_message() -> None:
    assert error_lines(ValueError("plain")) == "plain"
