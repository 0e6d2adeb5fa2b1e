"""CloudFormation / SAM / CDK source: template text -> canonical ResourceDocuments."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fixture_paths import CORPUS

from guardrails.documents import ResourceDocument, is_unknown_value, unknown_value
from guardrails.sources.cloudformation import (
    document_from_resource_properties,
    documents_from_template,
    load_cloudformation,
    looks_like_cloudformation,
    parse_structured_text,
    parse_template_text,
)
from guardrails.sources.errors import SourceError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cloudformation"
requires_corpus = pytest.mark.usefixtures("corpus")  # ../shared/corpus: skips locally without it, fails in CI


def load(tmp_path: Path, text: str, name: str = "template.yaml", **parameters: str) -> list[ResourceDocument]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return load_cloudformation(path, parameters or None)


def by_id(documents: list[ResourceDocument]) -> dict[str, ResourceDocument]:
    return {document.context.location.logical_id: document for document in documents}


def only(documents: list[ResourceDocument]) -> ResourceDocument:
    assert len(documents) == 1, [d.context.location.logical_id for d in documents]
    return documents[0]


def props(document: ResourceDocument) -> dict[str, Any]:
    return document.resource.properties


# ------------------------------------------------------------------------------------------------ errors


def test_source_error_names_file_and_line():
    assert (
        str(SourceError("stack.yaml", "resource X has no Type", 12))
        == "stack.yaml:12: resource X has no Type"
    )
    error = SourceError("stack.yaml", "empty file")
    assert str(error) == "stack.yaml: empty file"
    assert (error.file, error.message, error.line) == ("stack.yaml", "empty file", None)


# ----------------------------------------------------------------------------------------------- loading

ALL_SHORT_FORMS = """
Resources:
  R:
    Type: AWS::SageMaker::Model
    Properties:
      A: !Ref P
      B: !Sub "${P}-x"
      C: !Sub ["${X}-y", {X: !Ref P}]
      D: !GetAtt Role.Arn
      E: !GetAtt [Role, Arn]
      F: !If [Cond, 1, 2]
      G: !Equals [a, b]
      H: !And [!Condition Cond, !Not [!Condition Cond]]
      I: !Or [!Condition Cond, !Condition Cond]
      J: !ImportValue shared-subnet
      K: !Join ["", [a, b]]
      L: !Split [",", "a,b"]
      M: !Select [0, !GetAZs ""]
      N: !FindInMap [Map, top, second]
      O: !Base64 text
      Q: !Cidr ["10.0.0.0/16", 2, 8]
      S: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
      T: !ToJsonString {a: b}
      U: !Length [1, 2]
      V: !GetAtt Endpoint.Address.Port
"""


def test_yaml_short_form_tags_become_long_form():
    template, _ = parse_template_text(ALL_SHORT_FORMS, "t.yaml")
    p = template["Resources"]["R"]["Properties"]
    assert p["A"] == {"Ref": "P"}
    assert p["B"] == {"Fn::Sub": "${P}-x"}
    assert p["C"] == {"Fn::Sub": ["${X}-y", {"X": {"Ref": "P"}}]}
    assert p["D"] == p["E"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert p["F"] == {"Fn::If": ["Cond", 1, 2]}
    assert p["G"] == {"Fn::Equals": ["a", "b"]}
    assert p["H"] == {"Fn::And": [{"Condition": "Cond"}, {"Fn::Not": [{"Condition": "Cond"}]}]}
    assert p["I"] == {"Fn::Or": [{"Condition": "Cond"}, {"Condition": "Cond"}]}
    assert p["J"] == {"Fn::ImportValue": "shared-subnet"}
    assert p["K"] == {"Fn::Join": ["", ["a", "b"]]}
    assert p["L"] == {"Fn::Split": [",", "a,b"]}
    assert p["M"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert p["N"] == {"Fn::FindInMap": ["Map", "top", "second"]}
    assert p["O"] == {"Fn::Base64": "text"}
    assert p["Q"] == {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}
    assert p["S"] == {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}
    assert p["T"] == {"Fn::ToJsonString": {"a": "b"}}
    assert p["U"] == {"Fn::Length": [1, 2]}
    assert p["V"] == {"Fn::GetAtt": ["Endpoint", "Address.Port"]}


def test_yaml_scalars_follow_yaml_1_2_not_1_1():
    text = """
    AWSTemplateFormatVersion: 2010-09-09
    Metadata:
      yes_no: [yes, no, on, off, true, False]
      numbers: [8080, -3, 0.5, 1e3, 012345678901, "42", 12:30, 0x1F]
      empty: [~, null, ""]
      123: numeric key
    Resources: {}
    """
    template, _ = parse_template_text(textwrap.dedent(text), "t.yaml")
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    metadata = template["Metadata"]
    assert metadata["yes_no"] == ["yes", "no", "on", "off", True, False]
    assert metadata["numbers"] == [8080, -3, 0.5, 1000.0, "012345678901", "42", "12:30", "0x1F"]
    assert metadata["empty"] == [None, None, ""]
    assert metadata["123"] == "numeric key"


def test_yaml_resource_lines_are_the_logical_id_lines():
    text = "Description: x\nResources:\n  First:\n    Type: AWS::S3::Bucket\n\n  Second:\n    Type: X\n"
    _, lines = parse_template_text(text, "t.yaml")
    assert lines == {"First": 3, "Second": 6}


def test_json_is_parsed_by_json_with_lines_even_with_tabs():
    # PyYAML rejects tab indentation; the JSON path must not depend on it.
    template, lines = parse_template_text((FIXTURES / "tab-indented.json").read_text(), "tab-indented.json")
    assert set(template["Resources"]) == {"Policy", "Bucket"}
    assert lines == {"Policy": 4, "Bucket": 12}


def test_json_lines_ignore_nested_keys_with_the_same_name():
    text = (
        '{"Outputs": {"Bucket": {"Value": 1}},\n'
        ' "Resources": {\n'
        '  "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Bucket"}}},\n'
        '  "Bucket": {"Type": "AWS::S3::Bucket"}\n'
        " }\n}"
    )
    _, lines = parse_template_text(text, "t.json")
    assert lines == {"Policy": 3, "Bucket": 4}


def test_minified_json_has_every_resource_on_line_1():
    text = json.dumps({"Resources": {"A": {"Type": "AWS::S3::Bucket"}, "B": {"Type": "AWS::S3::Bucket"}}})
    assert parse_template_text(text, "t.json")[1] == {"A": 1, "B": 1}


def test_template_extension_holding_yaml_loads():
    document = only(load_cloudformation(FIXTURES / "notebook-yaml.template"))
    assert document.resource.type == "AWS::SageMaker::NotebookInstance"
    assert document.resource.name == "analytics-%%VERSION%%"  # build-time placeholder: a plain string
    assert document.context.location.line == 12
    assert props(document)["RoleArn"] == unknown_value("Fn::Sub (Ref AWS::AccountId)", specific=True)
    assert set(document.context.unknown) == {"RoleArn", "KmsKeyId", "SubnetId"}
    assert "DirectInternetAccess" not in props(document)


def test_yaml_anchors_and_merge_keys(tmp_path):
    documents = load(
        tmp_path,
        """
        Metadata:
          NotebookDefaults: &defaults
            InstanceType: ml.t3.medium
            DirectInternetAccess: Disabled
          Tags: &tags
            - {Key: team, Value: risk}
        Resources:
          Notebook:
            Type: AWS::SageMaker::NotebookInstance
            Properties:
              <<: *defaults
              DirectInternetAccess: Enabled
              RoleArn: arn:aws:iam::111122223333:role/nb
              Tags: *tags
        """,
    )
    document = only(documents)
    assert props(document)["InstanceType"] == "ml.t3.medium"
    assert props(document)["DirectInternetAccess"] == "Enabled"  # the explicit key wins over the merged one
    assert document.resource.tags == {"team": "risk"}


def test_pure_python_yaml_parser_gives_the_same_result(monkeypatch):
    import yaml

    from guardrails.sources.cloudformation import yaml_reader

    expected = parse_template_text(ALL_SHORT_FORMS, "t.yaml")
    monkeypatch.setattr(yaml_reader, "_EventParser", yaml.SafeLoader)  # PyYAML without libyaml
    assert parse_template_text(ALL_SHORT_FORMS, "t.yaml") == expected


def test_json_looking_yaml_is_read_as_yaml_except_in_json_files(tmp_path):
    flow = "{Resources: {B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref AWS::StackName}}}}\n"
    assert only(load(tmp_path, flow, "flow.yaml")).context.unknown == ["BucketName"]
    with pytest.raises(SourceError, match="invalid JSON"):
        load(tmp_path, flow, "flow.json")


def test_unsupported_intrinsic_function_is_unknown(tmp_path):
    document = only(
        load(
            tmp_path,
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Foo x\n",
        )
    )
    assert props(document)["BucketName"] == "<unknown: Fn::Foo>"


def test_one_thousand_resources_load_fast(tmp_path):
    resources = {}
    for i in range(250):
        resources[f"Model{i}"] = {
            "Type": "AWS::SageMaker::Model",
            "Properties": {
                "ModelName": {"Fn::Sub": f"${{Env}}-model-{i}"},
                "ExecutionRoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                "VpcConfig": {"Subnets": {"Ref": "Subnets"}, "SecurityGroupIds": ["sg-1"]},
            },
        }
        resources[f"Config{i}"] = {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "KmsKeyId": {"Ref": "Key"},
                "ProductionVariants": [
                    {"ModelName": {"Fn::GetAtt": [f"Model{i}", "ModelName"]}, "VariantName": "v"}
                ],
            },
        }
        resources[f"Endpoint{i}"] = {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {"EndpointConfigName": {"Fn::GetAtt": [f"Config{i}", "EndpointConfigName"]}},
        }
        resources[f"Bucket{i}"] = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"bucket-{i}"}}
    parameters = {"Env": {"Type": "String", "Default": "dev"}, "Subnets": {"Type": "CommaDelimitedList"}}
    path = tmp_path / "thousand.yaml"
    path.write_text(yaml_dump({"Parameters": parameters, "Resources": resources}))
    documents = load_cloudformation(path)
    assert len(documents) == 1000
    endpoint = by_id(documents)["Endpoint7"]
    assert endpoint.related[
        "AWS::SageMaker::EndpointConfig/<unknown specific: GetAtt Config7.EndpointConfigName>"
    ].related["AWS::SageMaker::Model/dev-model-7"]


def yaml_dump(data: Any) -> str:
    import yaml

    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)


def test_structured_text_accepts_files_that_are_not_templates():
    assert parse_structured_text("- name: a playbook\n  hosts: all\n", "site.yml") == (
        [{"name": "a playbook", "hosts": "all"}],
        {},
    )
    assert parse_structured_text('[\t{"a": 1}]', "list.json") == ([{"a": 1}], {})
    assert parse_structured_text("\n", "empty.yaml") == (None, {})
    assert not looks_like_cloudformation(parse_structured_text("jobs: {build: {}}\n", "ci.yml")[0])


def test_sam_transform_does_not_break_parsing_and_serverless_types_are_out_of_scope(tmp_path):
    documents = load(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
          Child:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: child.yaml}
          Topic:
            Type: AWS::SNS::Topic
          Bucket:
            Type: AWS::S3::Bucket
        """,
    )
    assert [d.context.location.logical_id for d in documents] == ["Bucket"]


def test_looks_like_cloudformation():
    assert looks_like_cloudformation({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    assert looks_like_cloudformation({"AWSTemplateFormatVersion": "2010-09-09", "Description": "x"})
    assert not looks_like_cloudformation({"format_version": "1.2", "planned_values": {}})  # terraform plan
    assert not looks_like_cloudformation({"Resources": {"B": {"Properties": {}}}})
    assert not looks_like_cloudformation({"Resources": []})
    assert not looks_like_cloudformation([{"Resources": {}}])


# ------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yaml", "Resources:\n  B:\n    Type: [unclosed\n", "invalid YAML"),
        ("bad.json", '{"Resources": {"B": {"Type": }}}', "invalid JSON"),
        ("none.yaml", "Description: no resources here\n", "no Resources section"),
        ("list.yaml", "Resources:\n  - Type: AWS::S3::Bucket\n", "Resources must be a mapping"),
        ("notype.yaml", "Resources:\n  B:\n    Properties: {}\n", "resource B has no Type"),
        ("scalar.yaml", "just a string\n", "must be a mapping"),
        ("empty.yaml", "\n\n", "empty file"),
        ("two.yaml", "Resources: {}\n---\nResources: {}\n", "more than one YAML document"),
        ("alias.yaml", "Resources:\n  B: *nowhere\n", "names no complete anchor"),
        (
            "cond.yaml",
            "Conditions:\n  C: !Equals [a]\nResources:\n  B: {Type: AWS::S3::Bucket, Condition: C}\n",
            "condition C: Fn::Equals takes",
        ),
        ("recursive.yaml", "Metadata: &a [*a]\nResources: {}\n", "names no complete anchor"),
        (
            "badintrinsic.yaml",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
            "      BucketName: !If [OnlyTwo, x]\n",
            "Fn::If takes",
        ),
    ],
)
def test_invalid_templates_raise_source_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SourceError) as caught:
        load_cloudformation(path)
    assert caught.value.file == str(path)
    assert message in caught.value.message
    assert str(caught.value).startswith(str(path))


def test_syntax_errors_carry_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {a: [}\n")
    with pytest.raises(SourceError) as caught:
        load_cloudformation(path)
    assert caught.value.line == 4
    json_path = tmp_path / "bad.json"
    json_path.write_text('{\n  "Resources": {\n    "B": {"Type": "AWS::S3::Bucket",,}\n  }\n}\n')
    with pytest.raises(SourceError) as caught:
        load_cloudformation(json_path)
    assert caught.value.line == 3


def test_resource_without_type_reports_its_line(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  Good:\n    Type: AWS::S3::Bucket\n  Bad:\n    Properties: {}\n")
    with pytest.raises(SourceError) as caught:
        load_cloudformation(path)
    assert caught.value.line == 4


def test_binary_and_undecodable_files_are_refused(tmp_path):
    binary = tmp_path / "image.template"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SourceError, match="binary"):
        load_cloudformation(binary)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    # caf\u00e9\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8") as caught:
        load_cloudformation(latin1)
    assert caught.value.line == 4
    with pytest.raises(SourceError, match="cannot read"):
        load_cloudformation(tmp_path / "missing.yaml")


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_deep_nesting_is_refused_without_recursion_error(tmp_path, name):
    nested = "[" * 10_000 + "]" * 10_000
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Metadata": ' + nested + "}}}")
    else:
        path.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata: " + nested + "\n")
    with pytest.raises(SourceError, match="nesting"):
        load_cloudformation(path)


def test_moderate_nesting_still_loads(tmp_path):
    nested = "[" * 150 + "1" + "]" * 150
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Deep: " + nested + "\n"
    )
    assert only(load_cloudformation(path)).resource.type == "AWS::S3::Bucket"


def test_deeply_nested_template_object_raises_source_error():
    deep: Any = "leaf"
    for _ in range(5_000):
        deep = {"Inner": deep}
    template = {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Deep": deep}}}}
    with pytest.raises(SourceError, match="too deep"):
        documents_from_template(template, file="generated")


def test_billion_laughs_yaml_is_refused(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join(f"*{previous}" for _ in range(9)) + "]")
        previous = name
    path = tmp_path / "laughs.yaml"
    path.write_text("Metadata:\n" + "\n".join("  " + line for line in lines) + "\nResources: {}\n")
    with pytest.raises(SourceError, match="aliases expand"):
        load_cloudformation(path)


@pytest.mark.slow
def test_ten_megabyte_template_loads_every_resource_with_its_line(tmp_path):
    resources = {
        f"Bucket{i}": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": {"Fn::Sub": f"data-${{AWS::AccountId}}-{i}"},
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": {"Ref": "Key"},
                            }
                        }
                    ]
                },
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "Tags": [{"Key": "team", "Value": "risk"}, {"Key": "n", "Value": str(i)}],
            },
        }
        for i in range(12_500)
    }
    path = tmp_path / "big.template.json"
    path.write_text(json.dumps({"Parameters": {"Key": {"Type": "String"}}, "Resources": resources}, indent=2))
    assert path.stat().st_size > 10_000_000
    documents = load_cloudformation(path)
    assert len(documents) == 12_500
    assert documents[-1].context.location.line > 400_000


# ------------------------------------------------------------------------------------ parameters, pseudo


def test_parameter_without_default_is_unknown_but_present(tmp_path):
    document = only(
        load(
            tmp_path,
            """
            Parameters:
              SubnetParam: {Type: String}
            Resources:
              Model:
                Type: AWS::SageMaker::Model
                Properties:
                  ExecutionRoleArn: arn:aws:iam::111122223333:role/x
                  VpcConfig:
                    Subnets: [!Ref SubnetParam]
                    SecurityGroupIds: [sg-1]
            """,
        )
    )
    assert props(document)["VpcConfig"]["Subnets"] == ["<unknown: Ref SubnetParam>"]
    assert is_unknown_value(props(document)["VpcConfig"]["Subnets"][0])
    assert document.context.unknown == ["VpcConfig.Subnets.0"]


PARAMETERISED_NOTEBOOK = """
Parameters:
  Internet: {Type: String, Default: Enabled, AllowedValues: [Enabled, Disabled]}
  Groups: {Type: CommaDelimitedList, Default: "sg-1, sg-2"}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: subnet-a}
  Volume: {Type: Number, Default: "20"}
  KeyFromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /platform/kms-key}
Resources:
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      DirectInternetAccess: !Ref Internet
      SecurityGroupIds: !Ref Groups
      SubnetId: !Select [0, !Ref Subnets]
      VolumeSizeInGB: !Ref Volume
      KmsKeyId: !Ref KeyFromSsm
"""


def test_parameter_defaults_and_types(tmp_path):
    document = only(load(tmp_path, PARAMETERISED_NOTEBOOK))
    assert props(document)["DirectInternetAccess"] == "Enabled"
    assert props(document)["SecurityGroupIds"] == ["sg-1", "sg-2"]
    assert props(document)["SubnetId"] == "subnet-a"
    assert props(document)["VolumeSizeInGB"] == 20
    # An SSM-typed parameter's default is the NAME of an SSM parameter, not the key id.
    assert props(document)["KmsKeyId"] == "<unknown: Ref KeyFromSsm (SSM parameter)>"
    assert document.context.unknown == ["KmsKeyId"]


def test_parameter_override_changes_the_result(tmp_path):
    document = only(
        load(tmp_path, PARAMETERISED_NOTEBOOK, Internet="Disabled", Groups="sg-9", Volume="50", Unused="x")
    )
    assert props(document)["DirectInternetAccess"] == "Disabled"
    assert props(document)["SecurityGroupIds"] == ["sg-9"]
    assert props(document)["VolumeSizeInGB"] == 50


def test_pseudo_parameters(tmp_path):
    text = """
    Resources:
      Model:
        Type: AWS::SageMaker::Model
        Properties:
          ModelName: !Sub "churn-${AWS::Region}"
          ExecutionRoleArn: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x"
          PrimaryContainer:
            Image: !Sub "111122223333.dkr.ecr.eu-west-1.${AWS::URLSuffix}/churn:1"
            Environment:
              STACK: !Ref AWS::StackName
    """
    unresolved = only(load(tmp_path, text))
    assert (
        props(unresolved)["PrimaryContainer"]["Image"]
        == "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:1"
    )
    assert set(unresolved.context.unknown) == {
        "ModelName",
        "ExecutionRoleArn",
        "PrimaryContainer.Environment.STACK",
    }
    assert unresolved.resource.name == "Model"
    assert unresolved.resource.arn is None
    resolved = only(
        load(
            tmp_path,
            text,
            **{"AWS::Region": "eu-west-1", "AWS::AccountId": "111122223333", "AWS::StackName": "s"},
        )
    )
    assert props(resolved)["ExecutionRoleArn"] == "arn:aws:iam::111122223333:role/x"
    assert props(resolved)["PrimaryContainer"]["Environment"]["STACK"] == "s"
    assert resolved.context.unknown == []
    assert resolved.resource.name == "churn-eu-west-1"
    assert (resolved.resource.region, resolved.resource.account) == ("eu-west-1", "111122223333")
    assert resolved.resource.arn == "arn:aws:sagemaker:eu-west-1:111122223333:model/churn-eu-west-1"


# ------------------------------------------------------------------------------------------- conditions

CONDITIONAL = """
Parameters:
  Env: {Type: String, Default: dev}
  Unset: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [dev, !Ref Env]
  UnsetIsX: !Equals [!Ref Unset, x]
  DevAndUnknown: !And [!Condition IsDev, !Condition UnsetIsX]
  ProdAndUnknown: !And [!Condition IsProd, !Condition UnsetIsX]
  DevOrUnknown: !Or [!Condition IsDev, !Condition UnsetIsX]
  NotProd: !Not [!Condition IsProd]
  NotUnknown: !Not [!Condition UnsetIsX]
Resources:
  OnlyProd: {Type: AWS::S3::Bucket, Condition: IsProd}
  OnlyDev: {Type: AWS::S3::Bucket, Condition: IsDev}
  Unknowable: {Type: AWS::S3::Bucket, Condition: UnsetIsX}
  AndUnknown: {Type: AWS::S3::Bucket, Condition: DevAndUnknown}
  AndFalse: {Type: AWS::S3::Bucket, Condition: ProdAndUnknown}
  OrTrue: {Type: AWS::S3::Bucket, Condition: DevOrUnknown}
  NotFalse: {Type: AWS::S3::Bucket, Condition: NotProd}
  NotUnknowable: {Type: AWS::S3::Bucket, Condition: NotUnknown}
"""


def test_resource_conditions_false_omit_unknown_or_true_emit(tmp_path):
    emitted = set(by_id(load(tmp_path, CONDITIONAL)))
    assert emitted == {"OnlyDev", "Unknowable", "AndUnknown", "OrTrue", "NotFalse", "NotUnknowable"}
    emitted = set(by_id(load(tmp_path, CONDITIONAL, Env="prod", Unset="y")))
    assert emitted == {"OnlyProd", "NotUnknowable"}


def test_fn_if_on_known_and_unknown_conditions(tmp_path):
    document = only(
        load(
            tmp_path,
            """
            Parameters:
              Env: {Type: String, Default: dev}
              Stage: {Type: String}
              Key: {Type: String, Default: ""}
            Conditions:
              IsProd: !Equals [!Ref Env, prod]
              StageIsProd: !Equals [!Ref Stage, prod]
              HasKey: !Not [!Equals [!Ref Key, ""]]
            Resources:
              Config:
                Type: AWS::SageMaker::EndpointConfig
                Properties:
                  KmsKeyId: !If [HasKey, !Ref Key, !Ref AWS::NoValue]
                  Known: !If [IsProd, big, small]
                  Agreed: !If [StageIsProd, same, same]
                  Disagreed: !If [StageIsProd, one, other]
                  Nested: !If [IsProd, a, !If [StageIsProd, b, b]]
                  SameRef: !If [StageIsProd, !Ref Stage, !Ref Stage]
                  List: [x, !If [IsProd, y, !Ref AWS::NoValue], z]
                  Partly: !If [StageIsProd, {A: 1, B: 2}, {A: 1, B: 3, C: 4}]
            """,
        )
    )
    p = props(document)
    assert "KmsKeyId" not in p
    assert p["Known"] == "small"
    assert p["Agreed"] == "same"
    assert p["Disagreed"] == "<unknown: Fn::If StageIsProd>"
    assert p["Nested"] == "b"
    assert p["SameRef"] == "<unknown: Ref Stage>"
    assert p["List"] == ["x", "z"]
    # C is in one branch only: maybe absent, so left out and listed unknown (absent + listed)
    assert p["Partly"] == {"A": 1, "B": "<unknown: Fn::If StageIsProd>"}
    assert document.context.unknown == ["Disagreed", "SameRef", "Partly.B", "Partly.C"]


def test_whole_properties_fn_if(tmp_path):
    text = """
    Parameters:
      WithKey: {Type: String}
    Conditions:
      UseKey: !Equals [!Ref WithKey, "yes"]
    Resources:
      Config:
        Type: AWS::SageMaker::EndpointConfig
        Properties: !If
          - UseKey
          - {KmsKeyId: alias/k, ProductionVariants: [{ModelName: m, VariantName: v}]}
          - ProductionVariants: [{ModelName: m, VariantName: v}]
      Other:
        Type: AWS::SageMaker::Model
        Properties: !If [UseKey, {ExecutionRoleArn: r}, !Ref AWS::NoValue]
    """
    documents = by_id(load(tmp_path, text))
    # a key in one branch only is maybe absent: left out of properties, listed unknown
    assert props(documents["Config"]) == {"ProductionVariants": [{"ModelName": "m", "VariantName": "v"}]}
    assert documents["Config"].context.unknown == ["KmsKeyId"]
    assert props(documents["Other"]) == {}
    assert documents["Other"].context.unknown == ["ExecutionRoleArn"]
    documents = by_id(load(tmp_path, text, WithKey="no"))
    assert "KmsKeyId" not in props(documents["Config"])
    assert props(documents["Other"]) == {}
    assert props(by_id(load(tmp_path, text, WithKey="yes"))["Config"])["KmsKeyId"] == "alias/k"


def test_properties_that_are_wholly_unknown(tmp_path):
    document = only(
        load(tmp_path, "Resources:\n  M:\n    Type: AWS::SageMaker::Model\n    Properties: !ImportValue m\n")
    )
    assert props(document) == {}
    assert document.context.unknown == [""]  # the empty path: the whole properties object


def test_resolution_does_not_change_the_template():
    import copy

    template, lines = parse_template_text(textwrap.dedent(BUCKET_POLICIES), "t.yaml")
    before = copy.deepcopy(template)
    documents_from_template(template, file="t.yaml", lines=lines)
    documents_from_template(template, file="t.yaml", lines=lines, parameters={"App": "x"})
    assert template == before


# -------------------------------------------------------------------------------------- functions


def test_string_and_list_functions(tmp_path):
    document = only(
        load(
            tmp_path,
            """
            Parameters:
              Project: {Type: String, Default: churn}
              Unset: {Type: String}
            Mappings:
              Sizes:
                dev: {instance: ml.t3.medium}
            Resources:
              Model:
                Type: AWS::SageMaker::Model
                Properties:
                  ModelName: !Sub "${Project}-model"
                  Literal: !Sub "${!NotAVariable}-${Project}"
                  WithVars: !Sub ["${Name}-${Project}", {Name: !Join ["-", [a, !Ref Project]]}]
                  Joined: !Join [":", [!Ref Project, 1, true]]
                  Selected: !Select [1, [a, b, c]]
                  SplitUp: !Split [",", "x,y"]
                  FromMap: !FindInMap [Sizes, dev, instance]
                  MissingInMap: !FindInMap [Sizes, prod, instance]
                  Encoded: !Base64 "echo ${Project}"
                  AsJson: !ToJsonString {a: [1, true]}
                  Count: !Length [a, b]
                  Zones: !GetAZs ""
                  FirstZone: !Select [0, !GetAZs ""]
                  Imported: !ImportValue network-subnet
                  Included: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
                  Blocks: !Cidr [10.0.0.0/16, 2, 8]
                  PartlyUnknown: !Sub "${Project}-${Unset}"
                  Placeholder: "%%BUCKET_NAME%%-%%VERSION%%"
            """,
        )
    )
    p = props(document)
    assert document.resource.name == "churn-model"
    assert p["Literal"] == "${NotAVariable}-churn"
    assert p["WithVars"] == "a-churn-churn"
    assert p["Joined"] == "churn:1:true"
    assert p["Selected"] == "b"
    assert p["SplitUp"] == ["x", "y"]
    assert p["FromMap"] == "ml.t3.medium"
    assert p["Encoded"] == base64.b64encode(b"echo ${Project}").decode()
    assert p["AsJson"] == '{"a":[1,true]}'
    assert p["Count"] == 2
    assert p["Imported"] == "<unknown: ImportValue network-subnet>"
    assert p["PartlyUnknown"] == "<unknown specific: Fn::Sub (Ref Unset)>"
    assert p["Placeholder"] == "%%BUCKET_NAME%%-%%VERSION%%"
    assert set(document.context.unknown) == {
        "MissingInMap",
        "Zones",
        "FirstZone",
        "Imported",
        "Included",
        "Blocks",
        "PartlyUnknown",
    }


def test_refs_and_getatts_to_resources(tmp_path):
    documents = by_id(
        load(
            tmp_path,
            """
            Resources:
              Logs: {Type: AWS::S3::Bucket, Properties: {BucketName: central-logs}}
              Unnamed: {Type: AWS::S3::Bucket}
              Role: {Type: AWS::IAM::Role}
              Data:
                Type: AWS::S3::Bucket
                Properties:
                  LoggingConfiguration: {DestinationBucketName: !Ref Logs}
                  ReplicationConfiguration:
                    Role: !GetAtt Role.Arn
                    Rules:
                      - Destination: {Bucket: !GetAtt Logs.Arn}
                      - Destination: {Bucket: !GetAtt Unnamed.Arn}
            """,
        )
    )
    p = props(documents["Data"])
    assert p["LoggingConfiguration"]["DestinationBucketName"] == "central-logs"  # Ref of a bucket = its name
    assert p["ReplicationConfiguration"]["Role"] == "<unknown specific: GetAtt Role.Arn>"
    assert p["ReplicationConfiguration"]["Rules"][0]["Destination"]["Bucket"] == "arn:aws:s3:::central-logs"
    assert documents["Data"].context.unknown == [
        "ReplicationConfiguration.Role",
        "ReplicationConfiguration.Rules.1.Destination.Bucket",
    ]


def test_boolean_and_number_strings_are_coerced(tmp_path):
    document = only(
        load(
            tmp_path,
            """
            Parameters:
              Isolate: {Type: String, Default: "true", AllowedValues: ["true", "false"]}
              Count: {Type: String, Default: "2"}
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: coerced
                  PublicAccessBlockConfiguration:
                    BlockPublicAcls: "true"
                    IgnorePublicAcls: "True"
                    BlockPublicPolicy: !Ref Isolate
                    RestrictPublicBuckets: "false"
                  BucketEncryption:
                    ServerSideEncryptionConfiguration:
                      - {BucketKeyEnabled: "true", ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms}}
                  Tags: [{Key: count, Value: !Ref Count}, {Key: flag, Value: true}]
            """,
        )
    )
    assert props(document)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    assert (
        props(document)["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["BucketKeyEnabled"]
        is True
    )
    assert document.resource.tags == {"count": "2", "flag": "true"}
    assert document.resource.arn == "arn:aws:s3:::coerced"


# -------------------------------------------------------------------------------------------- shapes


def test_pipeline_definition_takes_the_api_shape(tmp_path):
    documents = by_id(
        load(
            tmp_path,
            """
            Parameters:
              Body: {Type: String}
              Bucket: {Type: String, Default: definitions}
            Resources:
              Inline:
                Type: AWS::SageMaker::Pipeline
                Properties:
                  PipelineName: inline
                  RoleArn: r
                  PipelineDefinition:
                    PipelineDefinitionBody: !Sub '{"Version": "2020-12-01", "Steps": [], "B": "${Bucket}"}'
              FromParameter:
                Type: AWS::SageMaker::Pipeline
                Properties:
                  PipelineName: opaque
                  RoleArn: r
                  PipelineDefinition: {PipelineDefinitionBody: !Ref Body}
              InS3:
                Type: AWS::SageMaker::Pipeline
                Properties:
                  PipelineName: in-s3
                  RoleArn: r
                  PipelineDefinition:
                    PipelineDefinitionS3Location: {Bucket: !Ref Bucket, Key: pipeline.json}
            """,
        )
    )
    inline = props(documents["Inline"])["PipelineDefinition"]
    assert isinstance(inline, str)
    assert json.loads(inline) == {"Version": "2020-12-01", "Steps": [], "B": "definitions"}
    assert props(documents["FromParameter"])["PipelineDefinition"] == "<unknown: Ref Body>"
    assert documents["FromParameter"].context.unknown == ["PipelineDefinition"]
    assert props(documents["InS3"]) == {
        "PipelineName": "in-s3",
        "RoleArn": "r",
        "PipelineDefinitionS3Location": {"Bucket": "definitions", "Key": "pipeline.json"},
    }


BUCKET_POLICIES = """
Parameters:
  App: {Type: String}
  External: {Type: String, Default: legacy-bucket}
Resources:
  Named:
    Type: AWS::S3::Bucket
    Properties: {BucketName: named-bucket}
  ByExpression:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub "${App}-${AWS::AccountId}"}
  TlsOnly:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Named
      PolicyDocument:
        Statement:
          - {Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*",
             Condition: {Bool: {"aws:SecureTransport": false}}}
  Logging:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: named-bucket
      PolicyDocument:
        Statement: {Effect: Allow, Principal: {Service: logging.s3.amazonaws.com}, Action: "s3:PutObject"}
  SameExpression:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Sub "${App}-${AWS::AccountId}"
      PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: "s3:GetObject"}]}
  Outside:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref External
      PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: "s3:GetObject"}]}
  Imported:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !ImportValue shared-bucket
      PolicyDocument: '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*"}]}'
"""


def test_bucket_policies_join_their_buckets(tmp_path):
    documents = load(tmp_path, BUCKET_POLICIES)
    assert [(d.resource.type, d.context.location.logical_id) for d in documents] == [
        ("AWS::S3::Bucket", "Named"),
        ("AWS::S3::Bucket", "ByExpression"),
        ("AWS::S3::Bucket", "Outside"),
        ("AWS::S3::Bucket", "Imported"),
    ]
    named, by_expression, outside, imported = documents
    statements = props(named)["Policy"]["Statement"]
    assert [s["Effect"] for s in statements] == ["Deny", "Allow"]  # two policies, one Statement list
    assert props(by_expression)["Policy"]["Statement"][0]["Action"] == "s3:GetObject"
    assert named.resource.arn == "arn:aws:s3:::named-bucket"

    # A policy on a bucket the template does not declare: a bucket document that only knows its policy.
    assert outside.resource.name == "legacy-bucket"
    assert outside.resource.arn == "arn:aws:s3:::legacy-bucket"
    assert props(outside)["BucketName"] == "legacy-bucket"  # as API request documents carry it
    assert list(props(outside)) == ["Policy", "BucketName"]
    assert outside.context.unknown == ["PublicAccessBlockConfiguration", "AccessControl", "BucketEncryption"]
    assert outside.context.location.line == 31
    assert imported.resource.name == "<unknown: ImportValue shared-bucket>"
    assert props(imported)["BucketName"] == imported.resource.name
    assert "BucketName" in imported.context.unknown
    assert props(imported)["Policy"]["Statement"][0]["Effect"] == "Deny"  # JSON-string policy parsed


ENDPOINT_CHAIN = """
Parameters:
  Suffix: {Type: String}
Resources:
  NamedModel:
    Type: AWS::SageMaker::Model
    Properties: {ModelName: churn-model, ExecutionRoleArn: r}
  UnnamedModel:
    Type: AWS::SageMaker::Model
    Properties: {ExecutionRoleArn: r}
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      EndpointConfigName: churn-config
      ProductionVariants:
        - {VariantName: a, ModelName: !GetAtt NamedModel.ModelName}
        - {VariantName: b, ModelName: !GetAtt UnnamedModel.ModelName}
        - {VariantName: c, ModelName: model-built-elsewhere}
      ShadowProductionVariants:
        - {VariantName: s, ModelName: !Ref NamedModel}
  UnnamedConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants: [{VariantName: a, ModelName: churn-model}]
  ByGetAtt:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointConfigName: !GetAtt Config.EndpointConfigName}
  ByRef:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointConfigName: !Ref Config}
  ByLiteral:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointConfigName: churn-config}
  ToUnnamed:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointConfigName: !GetAtt UnnamedConfig.EndpointConfigName}
  External:
    Type: AWS::SageMaker::Endpoint
    Properties: {EndpointConfigName: !Sub "config-${Suffix}"}
"""


def test_endpoint_config_model_references_become_related_documents(tmp_path):
    documents = by_id(load(tmp_path, ENDPOINT_CHAIN))
    config = documents["Config"]
    variants = props(config)["ProductionVariants"]
    assert variants[0]["ModelName"] == "churn-model"
    assert variants[1]["ModelName"] == "<unknown specific: GetAtt UnnamedModel.ModelName>"
    assert props(config)["ShadowProductionVariants"][0]["ModelName"] == "churn-model"  # Ref X -> X's name
    assert config.context.unknown == ["ProductionVariants.1.ModelName"]
    assert set(config.related) == {
        "AWS::SageMaker::Model/churn-model",
        "AWS::SageMaker::Model/<unknown specific: GetAtt UnnamedModel.ModelName>",
    }
    assert config.related["AWS::SageMaker::Model/churn-model"].context.location.logical_id == "NamedModel"

    for endpoint in ("ByGetAtt", "ByRef", "ByLiteral"):
        document = documents[endpoint]
        assert props(document)["EndpointConfigName"] == "churn-config"
        assert document.context.unknown == []
        related = document.related[
            ResourceDocument.related_key("AWS::SageMaker::EndpointConfig", "churn-config")
        ]
        assert related.context.location.logical_id == "Config"
        assert "AWS::SageMaker::Model/churn-model" in related.related  # config -> models, nested

    to_unnamed = documents["ToUnnamed"]
    placeholder = "<unknown specific: GetAtt UnnamedConfig.EndpointConfigName>"
    assert props(to_unnamed)["EndpointConfigName"] == placeholder
    assert to_unnamed.context.unknown == ["EndpointConfigName"]
    assert list(to_unnamed.related) == [f"AWS::SageMaker::EndpointConfig/{placeholder}"]
    assert documents["External"].related == {}
    assert documents["UnnamedConfig"].related.keys() == {"AWS::SageMaker::Model/churn-model"}


def test_resource_name_tags_arn_and_location(tmp_path):
    documents = by_id(
        load(
            tmp_path,
            """
            Resources:
              Domain:
                Type: AWS::SageMaker::Domain
                Properties:
                  DomainName: studio
                  AuthMode: IAM
                  Tags: [{Key: team, Value: risk}, {Key: !Ref AWS::Region, Value: x}]
              Group:
                Type: AWS::SageMaker::FeatureGroup
                Properties:
                  FeatureGroupName: customers
                  OnlineStoreConfig: {EnableOnlineStore: "true"}
                  Tags: {owner: data}
            """,
            **{"AWS::Region": "eu-west-1", "AWS::AccountId": "111122223333"},
        )
    )
    domain = documents["Domain"]
    assert domain.resource.name == "studio"
    assert domain.resource.tags == {"team": "risk", "eu-west-1": "x"}
    assert domain.resource.arn == "arn:aws:sagemaker:eu-west-1:111122223333:domain/studio"
    assert domain.context.source == "cloudformation"
    assert domain.context.point == "pre-deploy"
    assert domain.context.location.line == 3
    assert domain.context.location.file.endswith("template.yaml")
    group = documents["Group"]
    assert group.resource.tags == {"owner": "data"}
    assert props(group)["OnlineStoreConfig"]["EnableOnlineStore"] is True
    input_document = group.to_input()
    assert input_document["resource"]["type"] == "AWS::SageMaker::FeatureGroup"
    json.dumps(input_document)  # JSON-ready


def test_documents_from_template_for_the_hook_stack_payload():
    payload_template = (
        '{"Resources":{"Nb":{"Type":"AWS::SageMaker::NotebookInstance","Properties":{"InstanceType":'
        '"ml.t3.medium","RoleArn":"arn:aws:iam::111122223333:role/r","DirectInternetAccess":"Disabled",'
        '"SubnetId":"subnet-0abc","SecurityGroupIds":["sg-0abc"],"RootAccess":"Disabled"}}}}'
    )
    template, lines = parse_template_text(payload_template, "stack churn-serving")
    document = only(
        documents_from_template(template, file="stack churn-serving", lines=lines, point="admission")
    )
    assert document.context.point == "admission"
    assert document.context.location.logical_id == "Nb"
    assert props(document)["DirectInternetAccess"] == "Disabled"


def test_document_from_resolved_hook_properties():
    config = document_from_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        "ChurnEndpointConfig",
        {
            "EndpointConfigName": "churn-ec-v7",
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "churn-model-v7",
                    "InitialInstanceCount": "1",
                    "InitialVariantWeight": "1.0",
                }
            ],
            "DataCaptureConfig": {"EnableCapture": "true", "InitialSamplingPercentage": "20"},
            "KmsKeyId": None,
        },
        region="eu-west-1",
        account="111122223333",
    )
    assert config.context.point == "admission"
    assert config.resource.name == "churn-ec-v7"
    assert config.resource.arn == "arn:aws:sagemaker:eu-west-1:111122223333:endpoint-config/churn-ec-v7"
    assert props(config)["ProductionVariants"][0]["InitialInstanceCount"] == 1
    assert props(config)["ProductionVariants"][0]["InitialVariantWeight"] == 1.0
    assert props(config)["DataCaptureConfig"] == {"EnableCapture": True, "InitialSamplingPercentage": 20}
    assert "KmsKeyId" not in props(config)

    policy = document_from_resource_properties(
        "AWS::S3::BucketPolicy",
        "DataPolicy",
        {"Bucket": "data", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": "*"}]}},
    )
    assert (policy.resource.type, policy.resource.name) == ("AWS::S3::Bucket", "data")
    assert props(policy) == {"Policy": props(policy)["Policy"], "BucketName": "data"}
    assert "BucketEncryption" in policy.context.unknown

    pipeline = document_from_resource_properties(
        "AWS::SageMaker::Pipeline",
        "P",
        {"PipelineName": "p", "PipelineDefinition": {"PipelineDefinitionBody": "{}"}},
    )
    assert props(pipeline)["PipelineDefinition"] == "{}"


# ------------------------------------------------------------------------------------------------ corpus

EXPECTED_CORPUS = {
    "cdk/aws-samples__amazon-sagemaker-cdk-examples__dask-fargate__cdk.out__dask-fargate.template.json": [
        ("AWS::SageMaker::NotebookInstance", "DaskNotebook"),
    ],
    "cdk/aws-samples__amazon-sagemaker-cdk-examples__notebook-teams__cdk.out__"
    "multinotebookefs.template.json": [
        ("AWS::SageMaker::NotebookInstance", "CDKNotebookInstanceUser0"),
        ("AWS::SageMaker::NotebookInstance", "CDKNotebookInstanceUser1"),
        ("AWS::SageMaker::NotebookInstance", "CDKNotebookInstanceUser2"),
    ],
    "cloudformation/aws-cloudformation__aws-cloudformation-templates__S3__compliant-bucket.json": [
        ("AWS::S3::Bucket", "ObjectStorageBucket"),
        ("AWS::S3::Bucket", "ObjectStorageLogBucket"),
        ("AWS::S3::Bucket", "ObjectStorageReplicaBucket"),
    ],
    "cloudformation/aws-cloudformation__aws-cloudformation-templates__aws__services__S3__"
    "S3_Website_Bucket_With_Retain_On_Delete.json": [("AWS::S3::Bucket", "S3Bucket")],
    "cloudformation/aws-cloudformation__aws-cloudformation-templates__aws__services__S3__"
    "S3_Website_Bucket_With_Retain_On_Delete.yaml": [("AWS::S3::Bucket", "S3Bucket")],
    "cloudformation/aws-cloudformation__aws-cloudformation-templates__aws__services__S3__"
    "S3_Website_With_CloudFront_Distribution.yaml": [("AWS::S3::Bucket", "S3BucketForWebsiteContent")],
    "cloudformation/aws-samples__amazon-sagemaker-safe-deployment-pipeline__assets__deploy-model-dev.yml": [
        ("AWS::SageMaker::Model", "Model"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfig"),
        ("AWS::SageMaker::Endpoint", "Endpoint"),
    ],
    "cloudformation/aws-samples__amazon-sagemaker-safe-deployment-pipeline__assets__deploy-model-prd.yml": [
        ("AWS::SageMaker::Model", "Model"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfig"),
        ("AWS::SageMaker::Endpoint", "Endpoint"),
        ("AWS::SageMaker::MonitoringSchedule", "SagemakerMonitoringSchedule"),
    ],
    "cloudformation/aws-samples__amazon-sagemaker-safe-deployment-pipeline__pipeline.yml": [
        ("AWS::S3::Bucket", "ArtifactBucket"),
    ],
    "cloudformation/aws-samples__amazon-sagemaker-secure-mlops__cfn_templates__env-main.yaml": [],
    "cloudformation/aws-samples__amazon-sagemaker-secure-mlops__cfn_templates__env-s3.yaml": [
        ("AWS::S3::Bucket", "DataBucket"),
        ("AWS::S3::Bucket", "ModelBucket"),
    ],
    "cloudformation/aws-samples__amazon-sagemaker-secure-mlops__cfn_templates__env-sagemaker-studio.yaml": [
        ("AWS::SageMaker::Domain", "SageMakerStudioDomain"),
    ],
    "cloudformation/aws-samples__amazon-sagemaker-secure-mlops__mlops-seed-code__model-deploy__"
    "cfn-sm-endpoint-template.yaml": [
        ("AWS::SageMaker::Model", "SageMakerModel"),
        ("AWS::SageMaker::EndpointConfig", "SageMakerEndpointConfig"),
        ("AWS::SageMaker::Endpoint", "SageMakerEndpoint"),
    ],
    "cloudformation/aws-samples__amazon-sagemaker-studio-secure-data-science-workshop__cloudformation__"
    "ds_env_sagemaker_studio.yaml": [("AWS::SageMaker::Domain", "SageMakerStudioDomain")],
    "cloudformation/aws-samples__amazon-sagemaker-studio-secure-data-science-workshop__cloudformation__"
    "ds_env_studio_user_profile_v2.yaml": [],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__asynchronous-inference-endpoint__seedcode__"
    "endpoint-config-template.yml": [
        ("AWS::SageMaker::Model", "Model"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfig"),
        ("AWS::SageMaker::Endpoint", "Endpoint"),
    ],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__batch-inference__seedcode__"
    "endpoint-config-template.yml": [
        ("AWS::SageMaker::Model", "ModelToDeploy"),
        ("AWS::SageMaker::Pipeline", "BatchPipeline"),
    ],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__mlops-deployment-patterns__seedcode__deploy__"
    "endpoint-config-template.yml": [
        ("AWS::SageMaker::Model", "Model"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfig"),
        ("AWS::SageMaker::Endpoint", "Endpoint"),
    ],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__mlops-shadow-deployment__seedcode__deploy__"
    "endpoint-config-template.yml": [
        ("AWS::SageMaker::Model", "CurrentModel"),
        ("AWS::SageMaker::Model", "ShadowModel"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfig"),
        ("AWS::SageMaker::Endpoint", "Endpoint"),
    ],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__multi-model-endpoint__seedcode__"
    "endpoint-config-template.yml": [
        ("AWS::SageMaker::Model", "Model"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfig"),
        ("AWS::SageMaker::Endpoint", "Endpoint"),
    ],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__multi-model-trainining-batch-inference-"
    "pipeline__project__template.yaml": [("AWS::S3::Bucket", "MlOpsArtifactsBucket")],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__s3_templates__mlops-github-actions__"
    "template.yaml": [("AWS::S3::Bucket", "MlOpsArtifactsBucket")],
    "cloudformation/aws-samples__sagemaker-custom-project-templates__serverless-inf__seedcode__deploy__"
    "endpoint-config-template.yml": [
        ("AWS::SageMaker::Model", "Model"),
        ("AWS::SageMaker::EndpointConfig", "EndpointConfig"),
        ("AWS::SageMaker::Endpoint", "Endpoint"),
    ],
    "cloudformation/aws-samples__secure-data-science-reference-architecture__cloudformation__"
    "ds_env_backing_store.yaml": [
        ("AWS::S3::Bucket", "DataBucket"),
        ("AWS::S3::Bucket", "ModelArtifactsBucket"),
    ],
    "cloudformation/aws-samples__secure-data-science-reference-architecture__cloudformation__"
    "ds_notebook_v2.yaml": [("AWS::SageMaker::NotebookInstance", "NotebookInstance")],
    "cloudformation/aws-solutions__improving-forecast-accuracy-with-machine-learning__deployment__"
    "improving-forecast-accuracy-with-machine-learning.yaml": [
        ("AWS::S3::Bucket", "AccessLogsBucket"),
        ("AWS::S3::Bucket", "AthenaBucket"),
        ("AWS::S3::Bucket", "ForecastBucket"),
    ],
    "cloudformation/awslabs__predictive-segmentation-using-amazon-pinpoint-and-amazon-sagemaker__deployment__"
    "predictive-segmentation-using-amazon-pinpoint-and-amazon-sagemaker.template": [
        ("AWS::S3::Bucket", "DataS3Bucket"),
        ("AWS::S3::Bucket", "NotebookS3Bucket"),
        ("AWS::S3::Bucket", "LogBucket"),
        ("AWS::SageMaker::NotebookInstance", "BasicNotebookInstance"),
    ],
}


def corpus_file(fragment: str) -> Path:
    matches = [path for path in EXPECTED_CORPUS if fragment in path]
    assert len(matches) == 1, matches
    return CORPUS / matches[0]


@requires_corpus
def test_expected_list_covers_every_corpus_template():
    on_disk = {
        f"{path.parent.name}/{path.name}"
        for folder in ("cloudformation", "cdk")
        for path in (CORPUS / folder).iterdir()
    }
    assert on_disk == set(EXPECTED_CORPUS)


@requires_corpus
@pytest.mark.parametrize("relative", sorted(EXPECTED_CORPUS), ids=lambda p: "/".join(p.split("__")[-4:]))
def test_corpus_template_yields_the_expected_documents(relative):
    path = CORPUS / relative
    documents = load_cloudformation(path)
    assert [(d.resource.type, d.context.location.logical_id) for d in documents] == EXPECTED_CORPUS[relative]
    text = path.read_text()
    for document in documents:
        assert document.context.location.file == str(path)
        line = text.splitlines()[document.context.location.line - 1]
        assert document.context.location.logical_id in line
        json.dumps(document.to_input())


@requires_corpus
def test_corpus_shadow_deployment_properties_fn_if():
    path = corpus_file("mlops-shadow-deployment")
    config = by_id(load_cloudformation(path))["EndpointConfig"]
    assert "KmsKeyId" not in props(config)  # absent in both branches
    assert "ShadowProductionVariants" not in props(config)  # maybe absent: listed unknown
    assert "ShadowProductionVariants" in config.context.unknown
    assert props(config)["DataCaptureConfig"]["EnableCapture"] is True
    shadow = by_id(load_cloudformation(path, {"DeployShadow": "true"}))["EndpointConfig"]
    assert shadow.related.keys() == {
        "AWS::SageMaker::Model/<unknown specific: GetAtt CurrentModel.ModelName>",
        "AWS::SageMaker::Model/<unknown specific: GetAtt ShadowModel.ModelName>",
    }
    plain = by_id(load_cloudformation(path, {"DeployShadow": "false"}))["EndpointConfig"]
    assert "ShadowProductionVariants" not in props(plain)


@requires_corpus
def test_corpus_studio_domain_kms_key_absent_with_default_parameters():
    path = corpus_file("env-sagemaker-studio")
    domain = only(load_cloudformation(path))
    assert "KmsKeyId" not in props(domain)
    assert props(domain)["AppNetworkAccessType"] == "VpcOnly"
    assert {"SubnetIds", "VpcId"} <= set(domain.context.unknown)
    with_key = only(load_cloudformation(path, {"SageMakerStudioStorageKMSKeyId": "alias/studio"}))
    assert props(with_key)["KmsKeyId"] == "alias/studio"
    public = only(load_cloudformation(path, {"NetworkAccessType": "PublicInternetOnly"}))
    assert props(public)["AppNetworkAccessType"] == "PublicInternetOnly"


@requires_corpus
def test_corpus_forecast_notebook_follows_its_condition():
    path = corpus_file("improving-forecast-accuracy")
    assert "NotebookInstance" not in by_id(load_cloudformation(path))  # NotebookDeploy defaults to 'No'
    notebook = by_id(load_cloudformation(path, {"NotebookDeploy": "Yes"}))["NotebookInstance"]
    assert notebook.resource.type == "AWS::SageMaker::NotebookInstance"
    assert {"KmsKeyId", "SubnetId", "DirectInternetAccess"}.isdisjoint(props(notebook))
    assert notebook.resource.name == "NotebookInstance"  # name needs AWS::StackName
    stack = by_id(load_cloudformation(path, {"NotebookDeploy": "Yes", "AWS::StackName": "forecast"}))
    assert stack["NotebookInstance"].resource.name == "forecast-aws-forecast-visualization"


@requires_corpus
def test_corpus_compliant_buckets_carry_their_joined_policies():
    for bucket in load_cloudformation(corpus_file("compliant-bucket.json")):
        statements = props(bucket)["Policy"]["Statement"]
        assert statements[0]["Effect"] == "Deny"
        assert statements[0]["Principal"] == {"AWS": "*"}
        assert props(bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
        assert "BucketName" in bucket.context.unknown


@requires_corpus
def test_corpus_website_json_and_yaml_twins_give_identical_documents():
    documents = []
    for suffix in ("Retain_On_Delete.json", "Retain_On_Delete.yaml"):
        (document,) = load_cloudformation(corpus_file(suffix))
        data = document.to_input()
        data["context"].pop("location")
        documents.append(data)
    assert documents[0] == documents[1]
    assert documents[0]["resource"]["properties"]["AccessControl"] == "PublicRead"


@requires_corpus
def test_corpus_deploy_model_dev_endpoint_config_model_chain():
    endpoint = by_id(load_cloudformation(corpus_file("deploy-model-dev")))["Endpoint"]
    config_key = "AWS::SageMaker::EndpointConfig/<unknown specific: GetAtt EndpointConfig.EndpointConfigName>"
    assert props(endpoint)["EndpointConfigName"] == config_key.split("/", 1)[1]
    config = endpoint.related[config_key]
    assert props(config)["KmsKeyId"] == "<unknown: Ref KmsKeyId>"
    model = config.related["AWS::SageMaker::Model/<unknown specific: GetAtt Model.ModelName>"]
    assert model.resource.type == "AWS::SageMaker::Model"
    assert "VpcConfig" not in props(model)
    named = by_id(
        load_cloudformation(corpus_file("deploy-model-dev"), {"ModelName": "churn", "TrainJobId": "7"})
    )
    assert props(named["Endpoint"])["EndpointConfigName"] == "churn-dec-7"
    assert "AWS::SageMaker::Model/churn-dev-7" in named["EndpointConfig"].related


@requires_corpus
def test_corpus_ssm_parameters_and_opaque_pipeline_are_unknown():
    model = by_id(load_cloudformation(corpus_file("cfn-sm-endpoint-template")))["SageMakerModel"]
    assert {"VpcConfig.Subnets", "VpcConfig.SecurityGroupIds"} <= set(model.context.unknown)
    pipeline = by_id(load_cloudformation(corpus_file("batch-inference__seedcode")))["BatchPipeline"]
    assert "PipelineDefinition" in pipeline.context.unknown


@requires_corpus
def test_corpus_cdk_notebook_is_explicitly_internet_enabled():
    notebook = only(load_cloudformation(corpus_file("dask-fargate")))
    assert props(notebook)["DirectInternetAccess"] == "Enabled"
    assert notebook.resource.name == "DaskNotebook"
    assert props(notebook)["VolumeSizeInGB"] == 50


def test_unknown_values_that_cannot_be_a_wildcard_are_marked_specific():
    template = {
        "Parameters": {"Who": {"Type": "String"}},
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
            "M": {
                "Type": "AWS::SageMaker::Model",
                "Properties": {
                    "Attribute": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Account": {"Ref": "AWS::AccountId"},
                    "WithText": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"},
                    "Joined": {"Fn::Join": [":", ["arn", {"Ref": "Who"}]]},
                    "Bare": {"Fn::Sub": "${Who}"},
                    "Param": {"Ref": "Who"},
                    "Imported": {"Fn::ImportValue": "x"},
                },
            },
        },
    }
    p = props(documents_from_template(template, file="t.yaml")[0])
    specific = {k for k, v in p.items() if v.startswith("<unknown specific:")}
    assert specific == {"Attribute", "Account", "WithText", "Joined"}
    assert {k for k, v in p.items() if v.startswith("<unknown: ")} == {"Bare", "Param", "Imported"}
