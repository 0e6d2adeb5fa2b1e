"""`ResourceDocument.input_parts` writes a text field or a Location of the declared type itself, without
json_data: the result must be json_data's for every document, the fields of the declared types or not, in
the same key order (json_data's is pydantic's json-mode dump: tests/sources/test_document_input.py)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from enum import StrEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.documents import Actor, Context, Location, Resource, ResourceDocument, _location_data
from guardrails.json_data import json_data


class Colour(StrEnum):
    RED = "red"


class _Text(str):
    """A str subclass: json_data converts it (pydantic writes it as text)."""


def test_location_has_the_fields_location_data_writes() -> None:
    """_location_data names Location's fields: a new field must be added there too."""
    assert [f.name for f in dataclasses.fields(Location)] == ["file", "line", "logical_id"]


_ODD = st.sampled_from([Colour.RED, _Text("t"), True, 2**70, date(2024, 1, 1), 1.5])
_TEXT = st.one_of(st.none(), st.text(max_size=3), _ODD)
_LINE = st.one_of(st.none(), st.integers(0, 10), _ODD)


@settings(max_examples=300, deadline=None, database=None)
@given(_TEXT, _LINE, _TEXT)
def test_location_data_is_json_data(file: Any, line: Any, logical_id: Any) -> None:
    location = Location(file=file, line=line, logical_id=logical_id)
    made, expected = _location_data(location), json_data(location)
    assert json.dumps(made) == json.dumps(expected)  # same keys, order and types
    assert made == expected


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.one_of(st.text(max_size=3), _ODD),
    st.one_of(st.text(max_size=3), _ODD),
    st.one_of(st.none(), st.text(max_size=3)),
    st.sampled_from(["pre-deploy", Colour.RED, _Text("runtime")]),
    st.sampled_from(["cloudformation", _Text("terraform")]),
    _TEXT,
    _LINE,
    st.booleans(),
    st.one_of(st.none(), st.lists(st.text(max_size=2), max_size=2)),
)
def test_input_parts_are_json_data(
    kind: Any,
    name: Any,
    arn: Any,
    point: Any,
    source: Any,
    file: Any,
    line: Any,
    actor: bool,
    sensitive_paths: Any,
) -> None:
    document = ResourceDocument(
        resource=Resource(type=kind, name=name, arn=arn, tags={"k": "v"}, properties={"A": [1, "x"]}),
        context=Context(
            point=point,
            source=source,
            location=Location(file=file, line=line),
            actor=Actor(arn="arn:a") if actor else None,
            unknown=["A"],
            sensitive_paths=sensitive_paths,
        ),
    )
    resource, context = document.input_parts()
    expected = {k: v for k, v in json_data(document).items() if k != "related"}
    assert json.dumps({"resource": resource, "context": context}) == json.dumps(expected)
    # as they are (engine_inputs.py): the same but tags, properties and unknown, shared
    shared_resource, shared_context = document.input_parts(None)
    assert json.dumps([shared_resource, shared_context]) == json.dumps([resource, context])
    assert shared_resource["properties"] is document.resource.properties
    assert shared_resource["tags"] is document.resource.tags
    assert shared_context["unknown"] is document.context.unknown
