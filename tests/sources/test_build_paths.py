"""The CloudFormation reader makes its documents without the dataclasses' keyword `__init__` (issue 15,
session 10: about half the cost, four objects a document): every field must still be set, to a value
`__init__` would accept, so that the objects equal ones made the ordinary way."""

from __future__ import annotations

import dataclasses
from typing import Any

from guardrails.documents import Context, Location, Resource, ResourceDocument
from guardrails.sources.cloudformation.resource_documents import (
    document_from_resource_properties,
    documents_from_template,
)

TEMPLATE = {
    "Parameters": {"Role": {"Type": "String"}},
    "Resources": {
        "Model": {
            "Type": "AWS::SageMaker::Model",
            "Properties": {"ModelName": "m", "ExecutionRoleArn": {"Ref": "Role"}, "Tags": [{"Key": "a", "Value": "b"}]},
        },
        "Config": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {"ProductionVariants": [{"ModelName": {"Ref": "Model"}, "InitialInstanceCount": "2"}]},
        },
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {"Statement": []}},
        },
    },
}


def _remade(value: Any) -> Any:
    """`value` made again by its class's `__init__` from its fields (each field read: none may be unset)."""
    fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return type(value)(**fields)


def _check(document: ResourceDocument) -> None:
    for value in (document, document.resource, document.context, document.context.location):
        assert type(value) in (ResourceDocument, Resource, Context, Location)
        assert _remade(value) == value
    for related in document.related.values():
        _check(related)


def test_template_documents_have_every_field() -> None:
    documents = documents_from_template(TEMPLATE, file="t.yaml", lines={"Model": 3})
    assert [d.context.location.logical_id for d in documents] == ["Model", "Config", "Bucket"]
    assert documents[0].context.location == Location(file="t.yaml", line=3, logical_id="Model")
    for document in documents:
        _check(document)


def test_hook_documents_have_every_field() -> None:
    for resource_type in ("AWS::SageMaker::Model", "AWS::S3::BucketPolicy"):
        document = document_from_resource_properties(resource_type, "X", {"Bucket": "b"}, file="h.json")
        assert document.context.location == Location(file="h.json", line=None, logical_id="X")
        _check(document)
