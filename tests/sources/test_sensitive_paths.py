"""`context.sensitive_paths`: which property paths hold a CloudFormation NoEcho value (wholly or in part,
through the intrinsic functions) or a value a Terraform plan marks sensitive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from guardrails.decider import Decider
from guardrails.documents import ResourceDocument
from guardrails.redaction import (
    redact_document,
    redact_quoted,
    secret_values,
    under_sensitive_path,
)
from guardrails.sources.cloudformation.resource_documents import documents_from_template, template_documents
from guardrails.sources.cloudformation.template_text import parse_template_text
from guardrails.sources.sensitive_paths import marked_texts, sensitive_paths
from guardrails.sources.terraform_plan import documents_from_plan

SECRET = "s3cr3t-Value!"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _documents(text: str, parameters: dict[str, str] | None = None) -> dict[str, ResourceDocument]:
    template, lines = parse_template_text(text, "t.yaml")
    found = documents_from_template(template, file="t.yaml", parameters=parameters, lines=lines)
    return {d.context.location.logical_id or "": d for d in found}


def _notebook(properties: str, no_echo: str = "true", extra_parameters: str = "") -> str:
    return f"""\
Parameters:
  Password:
    Type: String
    NoEcho: {no_echo}
{extra_parameters}Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/nb
{properties}"""


@pytest.mark.parametrize(
    ("properties", "paths"),
    [
        ("      PlatformIdentifier: !Ref Password\n", ["PlatformIdentifier"]),
        ('      KmsKeyId: !Sub "key-${Password}-x"\n', ["KmsKeyId"]),
        ('      KmsKeyId: !Join ["/", [a, !Ref Password]]\n', ["KmsKeyId"]),
        ("      KmsKeyId: !Select [0, [!Ref Password, b]]\n", ["KmsKeyId"]),
        ("      KmsKeyId:\n        Fn::Base64: !Sub 'user=${Password}'\n", ["KmsKeyId"]),
        (
            "      Tags:\n        - Key: a\n          Value: visible\n        - Key: b\n"
            "          Value: !Sub '${Password}'\n",
            ["Tags.1.Value"],
        ),
        ('      KmsKeyId: "no secret here"\n', None),
    ],
)
def test_paths_holding_a_no_echo_value(properties: str, paths: list[str] | None) -> None:
    document = _documents(_notebook(properties), {"Password": SECRET})["Nb"]
    assert document.context.sensitive_paths == paths
    assert document.to_input() == TypeAdapter(ResourceDocument).dump_python(
        document, mode="json", exclude_none=True
    )


def test_no_echo_as_a_string_and_the_default_value() -> None:
    text = _notebook("      KmsKeyId: !Ref Password\n", no_echo='"true"\n    Default: from-the-default-1')
    document = _documents(text)["Nb"]
    assert document.resource.properties["KmsKeyId"] == "from-the-default-1"
    assert document.context.sensitive_paths == ["KmsKeyId"]


def test_no_paths_without_no_echo_or_without_a_value() -> None:
    plain = _documents(_notebook("      KmsKeyId: !Ref Password\n", no_echo="false"), {"Password": SECRET})
    assert plain["Nb"].context.sensitive_paths is None
    assert "sensitive_paths" not in plain["Nb"].to_input()["context"]
    unknown = _documents(_notebook("      KmsKeyId: !Ref Password\n"))  # no value: unknown, nothing secret
    assert unknown["Nb"].context.sensitive_paths is None


def test_a_pipeline_definition_is_followed_inside() -> None:
    text = """\
Parameters:
  Token:
    Type: String
    NoEcho: true
Resources:
  Pipe:
    Type: AWS::SageMaker::Pipeline
    Properties:
      PipelineName: p
      RoleArn: arn:aws:iam::111122223333:role/p
      PipelineDefinition:
        PipelineDefinitionBody:
          Fn::ToJsonString:
            Version: "2020-12-01"
            Steps:
              - Name: Train
                Type: Training
                Arguments:
                  OutputDataConfig:
                    S3OutputPath: !Sub "s3://bucket/out?token=${Token}"
                    KmsKeyId: visible-key-id
"""
    token = 'tok"\u00e9n-1234'  # JSON-escaped in the definition's text
    document = _documents(text, {"Token": token})["Pipe"]
    assert document.context.sensitive_paths == [
        "PipelineDefinition.Steps.0.Arguments.OutputDataConfig.S3OutputPath"
    ]
    data = document.to_input()
    assert json.dumps(token)[1:-1] in data["resource"]["properties"]["PipelineDefinition"]
    assert f"s3://bucket/out?token={token}" in secret_values(data)
    assert "visible-key-id" not in secret_values(data)
    definition = redact_document(data)["resource"]["properties"]["PipelineDefinition"]
    assert definition.startswith("sha256:")


def test_a_nested_stack_inherits_the_parents_no_echo_values(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text(
        "Parameters:\n  Key:\n    Type: String\n"  # not NoEcho in the child
        "Resources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n"
        "      InstanceType: ml.t3.medium\n      RoleArn: arn:aws:iam::111122223333:role/nb\n"
        "      KmsKeyId: !Sub 'arn:aws:kms:us-east-1:111122223333:key/${Key}'\n"
    )
    parent_text = (
        "Parameters:\n  Password:\n    Type: String\n    NoEcho: true\n"
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: child.yaml\n      Parameters:\n        Key: !Ref Password\n"
    )
    (tmp_path / "parent.yaml").write_text(parent_text)
    template, lines = parse_template_text(parent_text, "parent.yaml")
    result = template_documents(
        template, file="parent.yaml", parameters={"Password": SECRET}, lines=lines, base_dir=tmp_path
    )
    (child,) = result.documents
    assert child.context.sensitive_paths == ["KmsKeyId"]


def test_sensitive_paths_by_value() -> None:
    properties: dict[str, Any] = {
        "A": {"B": [1, "x-" + SECRET]},
        "Escaped": json.dumps({"k": 'q"' + "uote"}),
        "Number": 4711,
    }
    assert sensitive_paths(properties, [SECRET]) == ["A.B.1"]
    assert sensitive_paths(properties, ['q"uote']) == ["Escaped.k"]
    assert sensitive_paths(properties, ["4711"]) == ["Number"]
    assert sensitive_paths(properties, []) is None
    assert sensitive_paths(properties, ["not-there"]) is None


def test_terraform_sensitive_values() -> None:
    assert marked_texts({"a": "x", "b": ["y", "z"]}, {"a": False, "b": [False, True]}) == {"z"}
    assert marked_texts({"a": {"b": 1}}, {"a": True}) == {"1"}
    plan = json.loads((FIXTURES / "terraform" / "sagemaker" / "plan.json").read_text())
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_sagemaker_model.private")
    url = f"s3://models/{SECRET}/model.tar.gz"
    change["change"]["after"]["primary_container"][0]["model_data_url"] = url
    change["change"]["after_sensitive"]["primary_container"][0]["model_data_url"] = True
    documents = {d.context.location.logical_id: d for d in documents_from_plan(plan, file="p.json")}
    document = documents["aws_sagemaker_model.private"]
    assert document.context.sensitive_paths == ["PrimaryContainer.ModelDataUrl"]
    assert url in secret_values(document.to_input())
    assert all(d.context.sensitive_paths is None for a, d in documents.items() if a != change["address"])


def test_quoted_short_values_at_a_sensitive_path_are_removed() -> None:
    assert under_sensitive_path("Tags[1].Value", ["Tags.1.Value"])
    assert under_sensitive_path("Tags", ["Tags.1.Value"])
    assert not under_sensitive_path("Tags[10].Value", ["Tags.1.Value"])
    assert not under_sensitive_path(None, ["Tags.1.Value"])
    message = "Tags[1].Value is abc: bad"
    assert redact_quoted(message, "Tags[1].Value", {"abc"}) == message  # short: kept elsewhere
    assert redact_quoted(message, "Tags[1].Value", {"abc"}, strict=True) == "Tags[1].Value is <redacted>: bad"


def test_the_decider_removes_quoted_no_echo_values() -> None:
    text = _notebook('      KmsKeyId: !Sub "arn:aws:kms:us-east-1:111122223333:alias/aws/${Password}"\n')
    document = _documents(text, {"Password": SECRET})["Nb"]
    decision = Decider().decide(document)
    messages = [v.message for v in decision.violations]
    assert any("KmsKeyId: <redacted> is an AWS managed key" in m for m in messages)
    assert not any(SECRET in m for m in messages)


def test_notes_do_not_quote_a_no_echo_value() -> None:
    text = (
        "Parameters:\n  Password:\n    Type: String\n    NoEcho: true\n"
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: !Sub 'https://b.s3.amazonaws.com/child.yaml?token=${Password}'\n"
    )
    template, lines = parse_template_text(text, "parent.yaml")
    result = template_documents(
        template, file="parent.yaml", parameters={"Password": SECRET}, lines=lines, base_dir=Path(".")
    )
    (note,) = result.notes
    assert "child.yaml?token=<redacted>" in note.reason and SECRET not in note.reason
