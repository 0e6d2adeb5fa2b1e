"""The CloudFormation reader makes its documents without the dataclasses' keyword `__init__` (issue 15,
session 10: about half the cost, four objects a document): every field must still be set, to a value
`__init__` would accept, so that the objects equal ones made the ordinary way."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from guardrails.documents import Context, Location, Resource, ResourceDocument
from guardrails.sources.cloudformation.resource_documents import (
    document_from_resource_properties,
    documents_from_template,
    looks_like_cloudformation,
    template_documents,
)
from guardrails.sources.cloudformation.template_text import parse_template_text

TEMPLATE = {
    "Parameters": {"Role": {"Type": "String"}},
    "Resources": {
        "Model": {
            "Type": "AWS::SageMaker::Model",
            "Properties": {
                "ModelName": "m",
                "ExecutionRoleArn": {"Ref": "Role"},
                "Tags": [{"Key": "a", "Value": "b"}],
            },
        },
        "Config": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [{"ModelName": {"Ref": "Model"}, "InitialInstanceCount": "2"}]
            },
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


def _reference_looks_like_cloudformation(resources: dict[str, Any]) -> bool:
    """`looks_like_cloudformation`'s test of the resources before its loop (all() of a generator)."""
    return all(
        isinstance(resource, dict) and isinstance(resource.get("Type"), str)
        for logical_id, resource in resources.items()
        if logical_id != "Fn::Transform" and not str(logical_id).startswith("Fn::ForEach::")
    )


@pytest.mark.parametrize(
    "resources",
    [
        {"B": {"Type": "AWS::S3::Bucket"}},
        {"B": {"Type": "AWS::S3::Bucket"}, "Fn::Transform": {"Name": "AWS::Include"}},
        {"Fn::ForEach::Buckets": ["X", ["a"], {"B${X}": {"Type": "AWS::S3::Bucket"}}]},
        {"B": {"Type": "AWS::S3::Bucket"}, "C": {"Properties": {}}},
        {"B": {"Type": 3}},
        {"B": "AWS::S3::Bucket"},
        {"Fn::Transform": "x", "Fn::ForEach::Y": [], "B": {"Type": "T"}},
    ],
)
def test_looks_like_cloudformation_like_the_reference(resources: dict[str, Any]) -> None:
    assert looks_like_cloudformation({"Resources": resources}) == _reference_looks_like_cloudformation(
        resources
    )


YAML_TEMPLATE = """
Parameters:
  Subnets: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  Maybe: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !Sub "arn:aws:iam::${AWS::AccountId}:role/r"
      EnableNetworkIsolation: "true"
      VpcConfig: {Subnets: !Ref Subnets, SecurityGroupIds: [sg-1, !Ref "AWS::NoValue"]}
      PrimaryContainer: {Image: img, Environment: {A: !If [Maybe, x, !Ref "AWS::NoValue"], B: plain}}
      Tags: [{Key: team, Value: a}]
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants: [{ModelName: !GetAtt Model.ModelName, InitialInstanceCount: "2", VariantName: v}]
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub "b-${AWS::AccountId}", VersioningConfiguration: {Status: Enabled}}
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: [!GetAtt Bucket.Arn, !Sub "${Bucket.Arn}/*"]}]
"""


def test_documents_leave_the_template_as_it_was() -> None:
    """The build changes its own resolved containers in place (`materialize_owned`), never the template's:
    building twice from one parsed template gives the same documents and leaves the template unchanged."""
    template, lines = parse_template_text(YAML_TEMPLATE, "t.yaml")
    before = copy.deepcopy(template)
    first = [d.to_input() for d in template_documents(template, file="t.yaml", lines=lines).documents]
    assert template == before
    second = [d.to_input() for d in template_documents(template, file="t.yaml", lines=lines).documents]
    assert template == before
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first[0]["resource"]["properties"]["EnableNetworkIsolation"] is True
    assert "ExecutionRoleArn" in first[0]["context"]["unknown"]
