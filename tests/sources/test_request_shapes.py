"""The shipped SageMaker request shape table (guardrails/sources/request_shapes.py): current, complete, and
re-casing CloudTrail requests exactly as botocore's service model does, without loading that model."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import botocore.session
import pytest
from fixtures.events.builders import camel_request, sagemaker_call, state_change

from guardrails.errors import GuardrailsError, acknowledged_by_lambda
from guardrails.resource_kinds import CLOUDTRAIL_EVENTS, KINDS
from guardrails.sources import request_shapes
from guardrails.sources.cloudtrail import parse_event, to_api_shape
from guardrails.sources.request_shapes import ShapeTableError


def sagemaker_model() -> Any:
    return botocore.session.get_session().get_service_model("sagemaker")


def test_the_shipped_table_is_what_the_installed_botocore_generates():
    shipped = json.loads(request_shapes.TABLE_FILE.read_text(encoding="utf-8"))
    fresh = request_shapes.generate()
    stale = "regenerate it: python -m guardrails.sources.request_shapes (then commit the JSON)"
    assert shipped["operations"] == fresh["operations"], stale
    changed = sorted(
        k
        for k in set(shipped["shapes"]) | set(fresh["shapes"])
        if shipped["shapes"].get(k) != fresh["shapes"].get(k)
    )
    assert not changed, (
        f"shapes differ from botocore {fresh['generated_from']['botocore']}: {changed[:20]}; {stale}"
    )
    assert request_shapes.render(fresh) == request_shapes.render(
        {**shipped, "generated_from": fresh["generated_from"]}
    )


def test_every_watched_sagemaker_operation_and_every_create_is_in_the_table():
    table = json.loads(request_shapes.TABLE_FILE.read_text(encoding="utf-8"))["operations"]
    watched = {
        operation for (_, _), (kind, operation) in CLOUDTRAIL_EVENTS.items() if kind.service == "sagemaker"
    }
    creates = {kind.operations[0] for kind in KINDS if kind.service == "sagemaker"}
    assert watched | creates <= set(table)
    for operation in watched | creates:
        assert request_shapes.operation_members(operation) == frozenset(
            sagemaker_model().operation_model(operation).input_shape.members
        ), operation


def example(shape: Any, depth: int = 0) -> Any:
    """A value for every member of `shape` (to a depth), with map keys in mixed case (user data)."""
    if shape.type_name == "structure":
        if depth > 6:
            return {}
        return {name: example(member, depth + 1) for name, member in shape.members.items()}
    if shape.type_name == "list":
        return [example(shape.member, depth + 1)] if depth <= 6 else []
    if shape.type_name == "map":
        return {"lowerKey": example(shape.value, depth + 1), "Upper_key": example(shape.value, depth + 1)}
    return {"boolean": True, "integer": 1, "long": 2, "float": 0.5, "double": 0.5}.get(shape.type_name, "x")


@pytest.mark.parametrize("operation", request_shapes.in_scope_operations())
def test_a_full_request_is_recased_back_to_the_api_shape(operation):
    # Every member of the request, nested, as CloudTrail writes it: re-cased along the table it must come
    # back exactly as the API takes it (the builder re-cases along botocore, independently of the table).
    request = example(sagemaker_model().operation_model(operation).input_shape)
    unknown: list[str] = []
    recased = to_api_shape(
        camel_request(operation, request), request_shapes.input_shape(operation), [], unknown
    )
    assert recased == request
    assert unknown == []


def test_an_operation_missing_from_the_table_fails_closed(monkeypatch, tmp_path):
    table = json.loads(request_shapes.TABLE_FILE.read_text(encoding="utf-8"))
    del table["operations"]["CreateTrainingJob"]
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps(table))
    monkeypatch.setattr(request_shapes, "TABLE_FILE", stale)
    for cached in (request_shapes._table, request_shapes.operation_members, request_shapes.members_by_lower):
        cached.cache_clear()
    try:
        event = sagemaker_call("CreateTrainingJob", {"TrainingJobName": "churn", "RoleArn": "r"})
        # Not a malformed event (that would be acknowledged and dropped): an error the platform retries.
        with pytest.raises(ShapeTableError, match="CreateTrainingJob.*regenerate") as raised:
            parse_event(event)
        assert not acknowledged_by_lambda(raised.value) and isinstance(raised.value, GuardrailsError)
        stale.write_text("{not json")
        request_shapes._table.cache_clear()
        with pytest.raises(ShapeTableError, match="cannot read"):
            parse_event(sagemaker_call("CreateModel", {"ModelName": "m"}))
    finally:
        monkeypatch.undo()
        for cached in (
            request_shapes._table,
            request_shapes.operation_members,
            request_shapes.members_by_lower,
        ):
            cached.cache_clear()


def test_reading_events_does_not_load_a_botocore_service_model():
    # The cold-start cost this table removes: no botocore session or service model is loaded while
    # CloudTrail calls and state changes are read (partitions.py reads botocore's small partition table).
    events = [
        sagemaker_call("CreateTrainingJob", {"TrainingJobName": "t", "VpcConfig": {"Subnets": ["s"]}}),
        sagemaker_call("UpdateNotebookInstance", {"NotebookInstanceName": "n", "RootAccess": "Enabled"}),
        state_change("SageMaker Notebook Instance State Change", {"NotebookInstanceName": "n"}, "arn:x"),
    ]
    script = (
        "import json, sys\n"
        "from guardrails.sources.cloudtrail import parse_event\n"
        "for event in json.loads(sys.stdin.read()):\n"
        "    assert parse_event(event).documents, event\n"
        "print(sorted({'boto3', 'botocore.session', 'botocore.model'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(events), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
