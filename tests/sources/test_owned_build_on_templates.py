"""The template build materializes resolved properties in place (`materialize_owned`, issue 15): right only
while every container it walks is the build's own and met once (its docstring). Held here on every template
we have (the third-party corpus, the project's fixtures and examples) and on templates written to share
containers (YAML aliases, one parameter or mapping value in several places, one Fn::If branch used twice):
the documents equal those of the copying `materialize`, which is right whatever is shared."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from fixture_paths import CORPUS, FIXTURES, REPO, require

from guardrails.sources.cloudformation import resource_documents
from guardrails.sources.cloudformation.property_values import materialize
from guardrails.sources.discovery import load_inputs

SHARING = {
    "aliases.yaml": """\
Parameters:
  Subnet: {Type: String}
Resources:
  First:
    Type: AWS::SageMaker::Model
    Properties: &model
      ExecutionRoleArn: arn:aws:iam::111122223333:role/r
      EnableNetworkIsolation: "true"
      VpcConfig: &vpc
        Subnets: [!Ref Subnet, subnet-2]
        SecurityGroupIds: [!Ref AWS::NoValue, sg-1]
  Second:
    Type: AWS::SageMaker::Model
    Properties: *model
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/r
      SubnetId: !Select [0, !GetAtt [First, VpcConfig.Subnets]]
      Tags: [{Key: vpc, Value: !Ref Subnet}]
""",
    "shared_values.yaml": """\
Parameters:
  Subnets: {Type: CommaDelimitedList}
  Groups: {Type: "List<AWS::EC2::SecurityGroup::Id>", Default: "sg-1,sg-2"}
  Isolated: {Type: String, AllowedValues: ["true", "false"]}
Conditions:
  Prod: !Equals [!Ref AWS::Region, us-east-1]
Mappings:
  Net: {us-east-1: {Subnets: [subnet-a, subnet-b], Flag: "true"}}
Resources:
  One:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::111122223333:role/r
      EnableNetworkIsolation: !Ref Isolated
      VpcConfig: !If [Prod, {Subnets: !Ref Subnets, SecurityGroupIds: !Ref Groups}, {Subnets: !Ref Subnets, SecurityGroupIds: !Ref Groups}]
  Two:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::111122223333:role/r
      EnableNetworkIsolation: !FindInMap [Net, !Ref AWS::Region, Flag]
      VpcConfig:
        Subnets: !FindInMap [Net, !Ref AWS::Region, Subnets]
        SecurityGroupIds: !Ref Groups
  Three:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::111122223333:role/r
      EnableNetworkIsolation: !If [Prod, !Ref Isolated, !FindInMap [Net, us-east-1, Flag]]
      VpcConfig:
        Subnets: !If [Prod, !FindInMap [Net, us-east-1, Subnets], !Ref Subnets]
        SecurityGroupIds: !If [Prod, !Ref Groups, !Ref AWS::NoValue]
""",
}


def _inputs(path: Path) -> list[dict[str, Any]]:
    loaded = load_inputs([path])
    assert not loaded.errors, loaded.errors
    return [document.to_input() for document in loaded.documents]


def _same_documents_when_copying(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    in_place = _inputs(path)
    with monkeypatch.context() as patched:
        patched.setattr(
            resource_documents,
            "materialize_owned",
            lambda value, unknown, plain: materialize(value, unknown, None, plain),
        )
        copying = _inputs(path)
    assert json.dumps(in_place, sort_keys=True) == json.dumps(copying, sort_keys=True)
    return len(in_place)


@pytest.mark.parametrize("name", sorted(SHARING))
def test_templates_that_share_containers(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / name
    path.write_text(SHARING[name])
    assert _same_documents_when_copying(path, monkeypatch) == 3


def test_the_shared_parts_keep_their_unknown_paths_in_every_document(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(SHARING["aliases.yaml"])
    first, second = (doc for doc in _inputs(path) if doc["resource"]["type"] == "AWS::SageMaker::Model")
    for document in (first, second):
        assert "VpcConfig.Subnets.0" in document["context"]["unknown"]
        assert document["resource"]["properties"]["EnableNetworkIsolation"] is True
        assert document["resource"]["properties"]["VpcConfig"]["SecurityGroupIds"] == ["sg-1"]


def _template_files() -> list[Path]:
    folders = [FIXTURES / "cloudformation", REPO / "examples", CORPUS / "cloudformation", CORPUS / "cdk"]
    return sorted(
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.suffix in (".yaml", ".yml", ".json", ".template") and path.is_file()
    )


def test_every_template_we_have(monkeypatch: pytest.MonkeyPatch) -> None:
    require(CORPUS / "cloudformation")
    documents = 0
    for path in _template_files():
        loaded = load_inputs([path], skip_unrecognised=True)
        if loaded.errors or not loaded.documents:  # not a template of ours (a config, an error case)
            continue
        documents += _same_documents_when_copying(path, monkeypatch)
    assert documents >= 60


def test_a_generated_bench_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/generate_templates.py: parameters, !Sub and !GetAtt shared by hundreds of resources."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate_templates import generate_template
    finally:
        sys.path.pop(0)
    path = tmp_path / "bench_300.yaml"
    path.write_text(generate_template(300, seed=7)[0])
    assert _same_documents_when_copying(path, monkeypatch) > 150
