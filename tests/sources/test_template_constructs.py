"""Template constructs that must never get through unjudged (issue 9.1, 9.3, 8.8): Fn::ForEach, macros and
AWS::Include, nested stacks, uncovered SageMaker/S3 types, maybe-absent values from Fn::If."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.sources.cloudformation import load_cloudformation
from guardrails.sources.errors import SourceError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cloudformation"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check_json(path: Path, *args: str) -> tuple[int, dict]:
    code, out, err = run("check", "--format", "json", *args, str(path))
    assert "Traceback" not in err
    return code, json.loads(out)


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def by_logical_id(report: dict) -> dict[str, dict]:
    return {r["resource"]["location"]["logical_id"]: r for r in report["results"]}


def controls(result: dict, *, unknown: bool | None = None) -> set[str]:
    return {v["control"] for v in result["violations"] if unknown is None or v["unknown"] == unknown}


# ----------------------------------------------------------------------------------------- Fn::ForEach

FOR_EACH = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::LanguageExtensions
Parameters:
  Teams: {Type: CommaDelimitedList, Default: "risk,fraud"}
  Envs: {Type: CommaDelimitedList}
Mappings:
  Keys:
    risk: {Arn: arn:aws:kms:eu-west-1:111122223333:key/risk}
Conditions:
  Fn::ForEach::IsTeam:
    - Team
    - !Ref Teams
    - 'Is${Team}': !Equals [!Ref Team, risk]
Resources:
  Fn::ForEach::Teams:
    - Team
    - !Ref Teams
    - Fn::ForEach::Stages:
        - Stage
        - [dev, prod-eu]
        - 'Notebook${Team}&{Stage}':
            Type: AWS::SageMaker::NotebookInstance
            Properties:
              NotebookInstanceName: !Sub '${Team}-${Stage}'
              KmsKeyId: !FindInMap [Keys, !Ref Team, Arn, {DefaultValue: !Ref AWS::NoValue}]
              Tags:
                - {Key: length, Value: !Length [a, b, c]}
                - {Key: json, Value: !ToJsonString {team: !Ref Team}}
              InstanceType: ml.t3.medium
              RoleArn: arn:aws:iam::111122223333:role/r
              SubnetId: subnet-0a
              SecurityGroupIds: [sg-0a]
              DirectInternetAccess: Disabled
              RootAccess: Disabled
              InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}
  Fn::ForEach::Unknown:
    - Env
    - !Ref Envs
    - 'Bucket${Env}':
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub 'data-${Env}'
"""


def for_each_template(tmp_path: Path) -> Path:
    return write(tmp_path, FOR_EACH)


def test_for_each_nested_loops_expand_to_one_resource_per_item(tmp_path):
    documents = {d.context.location.logical_id: d for d in load_cloudformation(for_each_template(tmp_path))}
    assert set(documents) == {
        "Notebookriskdev",
        "Notebookriskprodeu",  # &{Stage}: non-alphanumeric characters removed
        "Notebookfrauddev",
        "Notebookfraudprodeu",
        "Bucket<Env?>",  # the collection is unknown: expanded once, the item unknown
    }
    risk = documents["Notebookriskprodeu"].resource
    assert risk.name == "risk-prod-eu"  # ${Team} and ${Stage} inside Fn::Sub
    assert risk.properties["KmsKeyId"] == "arn:aws:kms:eu-west-1:111122223333:key/risk"
    assert "KmsKeyId" not in documents["Notebookfrauddev"].resource.properties  # FindInMap DefaultValue
    assert risk.tags == {"length": "3", "json": '{"team":"risk"}'}
    bucket = documents["Bucket<Env?>"]
    assert bucket.resource.properties["BucketName"].startswith("<unknown")
    assert "BucketName" in bucket.context.unknown


def test_for_each_resources_are_judged_by_check(tmp_path):
    code, report = check_json(for_each_template(tmp_path))
    results = by_logical_id(report)
    assert code == 1
    assert "SM-14" in controls(results["Notebookfrauddev"])  # no key in the mapping for fraud
    assert "SM-14" not in controls(results["Notebookriskdev"])


@pytest.mark.parametrize(
    ("loop", "needle"),
    [
        ("Fn::ForEach::Bad: [x]", "takes [identifier, collection"),
        ("Fn::ForEach::Bad: [x, {a: b}, {'B${x}': {Type: AWS::S3::Bucket}}]", "collection must be a list"),
        ("Fn::ForEach::Bad: [x, [a, a], {'B${x}': {Type: AWS::S3::Bucket}}]", "twice"),
    ],
)
def test_malformed_for_each_is_an_input_error(tmp_path, loop, needle):
    path = write(tmp_path, f"Transform: AWS::LanguageExtensions\nResources:\n  {loop}\n")
    code, _, err = run("check", str(path))
    assert code == 2 and needle in err and str(path) in err and "Traceback" not in err


def test_for_each_expansion_is_bounded(tmp_path):
    items = ", ".join(f"i{n}" for n in range(200))
    path = write(
        tmp_path,
        f"""
        Transform: AWS::LanguageExtensions
        Resources:
          Fn::ForEach::A:
            - a
            - [{items}]
            - Fn::ForEach::B:
                - b
                - [{items}]
                - 'R${{a}}${{b}}': {{Type: AWS::S3::Bucket}}
        """,
    )
    code, _, err = run("check", str(path))
    assert code == 2 and "more than" in err


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ('{"Fn::ToJsonString": {"Ref": "AWS::NoValue"}}', "Fn::ToJsonString takes a mapping or a list"),
        ("!ToJsonString {a: 1e999}", "JSON cannot carry"),
        ("!Select [1e999, [a, b]]", "Fn::Select index must be a whole number"),
        ("!Select [.nan, [a, b]]", "Fn::Select index must be a whole number"),
        ("!Length abc", "Fn::Length takes a list"),
    ],
)
def test_hostile_intrinsic_arguments_are_input_errors(tmp_path, value, needle):
    path = write(
        tmp_path, f"Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {value}\n"
    )
    code, _, err = run("check", str(path))
    assert code == 2 and needle in err and "Traceback" not in err


# ----------------------------------------------------------------------------- macros and AWS::Include


def test_properties_from_a_macro_are_unknown_content_that_fails_the_check(tmp_path):
    path = write(
        tmp_path,
        """
        Resources:
          Nb:
            Type: AWS::SageMaker::NotebookInstance
            Properties:
              Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://acme/notebook.yaml}}
        """,
    )
    code, report = check_json(path)
    assert code == 1
    (result,) = report["results"]
    assert result["verdict"] == "deny"
    (note,) = report["summary"]["unknown_content"]
    assert note["logical_id"] == "Nb" and "AWS::Include" in note["reason"]
    # presence checks on the resource itself report unknown (KmsKeyId, SubnetId may be absent)
    assert {"SM-04", "SM-14"} <= controls(result, unknown=True)
    # under `unknown: warn` the macro content warns, like an unknown violation
    config = write(tmp_path, "unknown: warn\n", "config.yaml")
    assert run("check", "--config", str(config), str(path))[0] == 0


def test_include_merged_into_properties_makes_them_unknown(tmp_path):
    path = write(
        tmp_path,
        """
        Resources:
          Bucket:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: data
              Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://acme/bucket.yaml}}
        """,
    )
    (document,) = load_cloudformation(path)
    assert document.resource.properties == {} and document.context.unknown == [""]


def test_section_include_and_unknown_template_macro_fail_closed(tmp_path):
    section = write(
        tmp_path,
        """
        Resources:
          Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://acme/more.yaml}}
          Topic: {Type: AWS::SNS::Topic}
        """,
        "section.yaml",
    )
    code, report = check_json(section)
    assert code == 1 and report["results"] == []
    assert "s3://acme/more.yaml" in report["summary"]["unknown_content"][0]["reason"]

    macro = write(
        tmp_path,
        """
        Transform: [AWS::Serverless-2016-10-31, AcmeMacro]
        Resources:
          Nb:
            Type: AWS::SageMaker::NotebookInstance
            Properties:
              KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/k
              InstanceType: ml.t3.medium
              RoleArn: arn:aws:iam::111122223333:role/r
              SubnetId: subnet-0a
              SecurityGroupIds: [sg-0a]
              DirectInternetAccess: Disabled
              RootAccess: Disabled
              InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}
        """,
        "macro.yaml",
    )
    code, report = check_json(macro)
    assert code == 1
    reasons = [n["reason"] for n in report["summary"]["unknown_content"]]
    assert any("AcmeMacro" in r for r in reasons)
    assert report["results"][0]["verdict"] == "deny"  # every value may be rewritten: unknown


def test_known_transforms_change_nothing(tmp_path):
    path = write(
        tmp_path, "Transform: AWS::Serverless-2016-10-31\nResources:\n  Topic: {Type: AWS::SNS::Topic}\n"
    )
    code, report = check_json(path)
    assert code == 0 and report["summary"]["unknown_content"] == []


# --------------------------------------------------------------------------------------- nested stacks


def test_local_nested_stack_is_followed_with_the_parents_parameters():
    parent = FIXTURES / "nested" / "parent.yaml"
    code, report = check_json(parent, "-p", "Subnet=subnet-0b")
    assert code == 1
    (result,) = report["results"]
    assert result["resource"]["location"]["file"].endswith("stacks/notebook.yaml")
    assert controls(result) == {"SM-05"}  # the parent passes Internet=Enabled (its default)
    not_followed = {n["logical_id"]: n["reason"] for n in report["summary"]["not_followed"]}
    assert set(not_followed) == {"Remote", "Missing"}
    assert "https://s3.amazonaws.com/acme-cfn/network.yaml" in not_followed["Remote"]
    code, report = check_json(parent, "-p", "Subnet=subnet-0b", "-p", "Internet=Disabled")
    assert code == 0 and controls(report["results"][0]) == set()


def test_unknown_parent_parameter_stays_unknown_in_the_child():
    # Subnet has no value in the parent: the child's SubnetId is unknown, not the child's default
    (document,) = load_cloudformation(FIXTURES / "nested" / "parent.yaml", {"Internet": "Disabled"})
    assert document.resource.properties["SubnetId"].startswith("<unknown")
    assert "SubnetId" in document.context.unknown


def test_nested_stack_cycle_is_an_input_error():
    code, _, err = run("check", str(FIXTURES / "nested-cycle" / "a.yaml"))
    assert code == 2 and "cycle" in err and "a.yaml -> b.yaml -> a.yaml" in err
    with pytest.raises(SourceError, match="cycle"):
        load_cloudformation(FIXTURES / "nested-cycle" / "a.yaml")


# -------------------------------------------------------------------------------------- not evaluated


def test_uncovered_sagemaker_and_s3_types_are_listed_not_evaluated(tmp_path):
    path = write(
        tmp_path,
        """
        Resources:
          Profile: {Type: AWS::SageMaker::UserProfile, Properties: {DomainId: d-1, UserProfileName: u}}
          Space: {Type: AWS::SageMaker::Space, Properties: {DomainId: d-1, SpaceName: s}}
          Lifecycle: {Type: AWS::SageMaker::NotebookInstanceLifecycleConfig}
          Repo: {Type: AWS::SageMaker::CodeRepository}
          Lens: {Type: AWS::S3::StorageLens}
          Topic: {Type: AWS::SNS::Topic}
        """,
    )
    code, report = check_json(path)
    listed = {n["logical_id"]: n["type"] for n in report["summary"]["not_evaluated"]}
    assert listed == {
        "Profile": "AWS::SageMaker::UserProfile",
        "Space": "AWS::SageMaker::Space",
        "Lifecycle": "AWS::SageMaker::NotebookInstanceLifecycleConfig",
        "Repo": "AWS::SageMaker::CodeRepository",
        "Lens": "AWS::S3::StorageLens",
    }
    assert report["results"] == []
    code, out, _ = run("check", str(path))
    assert "Not evaluated" in out and "AWS::SageMaker::UserProfile" in out and "not evaluated: 5" in out


# -------------------------------------------------------------------------------------- maybe absent

MAYBE_ABSENT = """
Parameters:
  Env: {Type: String}
  Key: {Type: String, Default: arn:aws:kms:eu-west-1:111122223333:key/k}
Conditions:
  Prod: !Equals [!Ref Env, prod]
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/r
      KmsKeyId: !If [Prod, !Ref Key, !Ref AWS::NoValue]
      SubnetId: !If [Prod, subnet-0a, !Ref AWS::NoValue]
      SecurityGroupIds: [sg-0a]
      DirectInternetAccess: Disabled
      RootAccess: Disabled
      InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}
  Whole:
    Type: AWS::SageMaker::NotebookInstance
    Properties: !If
      - Prod
      - {InstanceType: ml.t3.medium, RoleArn: r, KmsKeyId: !Ref Key, SubnetId: subnet-0a,
         SecurityGroupIds: [sg-0a], DirectInternetAccess: Disabled, RootAccess: Disabled,
         InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}}
      - {InstanceType: ml.t3.medium, RoleArn: r, SubnetId: subnet-0a,
         SecurityGroupIds: [sg-0a], DirectInternetAccess: Disabled, RootAccess: Disabled,
         InstanceMetadataServiceConfiguration: {MinimumInstanceMetadataServiceVersion: "2"}}
"""


def test_maybe_absent_is_left_out_and_listed_unknown(tmp_path):
    documents = {d.context.location.logical_id: d for d in load_cloudformation(write(tmp_path, MAYBE_ABSENT))}
    for logical_id in ("Nb", "Whole"):
        document = documents[logical_id]
        assert "KmsKeyId" not in document.resource.properties
        assert "KmsKeyId" in document.context.unknown


def test_maybe_absent_presence_is_an_unknown_violation_never_a_pass(tmp_path):
    code, report = check_json(write(tmp_path, MAYBE_ABSENT))
    results = by_logical_id(report)
    assert code == 1
    assert controls(results["Nb"], unknown=True) >= {"SM-04", "SM-14"}
    assert controls(results["Whole"], unknown=True) >= {"SM-14"}
    # with the condition known, the same template passes (prod) or fails for real (dev)
    code, report = check_json(write(tmp_path, MAYBE_ABSENT), "-p", "Env=prod")
    assert code == 0
    code, report = check_json(write(tmp_path, MAYBE_ABSENT), "-p", "Env=dev")
    assert controls(by_logical_id(report)["Nb"], unknown=False) >= {"SM-04", "SM-14"}


def test_serverless_application_with_a_local_location_is_followed(tmp_path):
    write(
        tmp_path,
        """
        Resources:
          Bucket: {Type: AWS::S3::Bucket, Properties: {AccessControl: PublicRead}}
        """,
        "child.yaml",
    )
    parent = write(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          App: {Type: AWS::Serverless::Application, Properties: {Location: child.yaml}}
          Sar:
            Type: AWS::Serverless::Application
            Properties: {Location: {ApplicationId: arn:aws:serverlessrepo:us-east-1:1:applications/x, SemanticVersion: 1.0.0}}
        """,
        "parent.yaml",
    )
    code, report = check_json(parent)
    assert code == 1 and "S3-02" in controls(report["results"][0])
    assert [n["logical_id"] for n in report["summary"]["not_followed"]] == ["Sar"]


def test_bucket_policy_string_that_does_not_parse_is_unknown_not_no_policy(tmp_path):
    path = write(
        tmp_path,
        """
        Resources:
          B: {Type: AWS::S3::Bucket, Properties: {BucketName: b}}
          P:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref B
              PolicyDocument: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}'
        """,
    )
    (document,) = load_cloudformation(path)
    assert document.resource.properties["Policy"].startswith("<unknown")
    assert "Policy" in document.context.unknown
    code, report = check_json(path)
    assert code == 1 and "S3-03" in controls(report["results"][0], unknown=True)


def test_corpus_parent_stack_lists_its_nested_stacks_as_not_followed(decider):
    from fixture_paths import CORPUS, require

    from guardrails.checking import run_check
    from guardrails.config import GuardrailsConfig

    parent = require(
        CORPUS / "cloudformation" / "aws-samples__amazon-sagemaker-secure-mlops__cfn_templates__env-main.yaml"
    )
    run = run_check([parent], GuardrailsConfig(), decider=decider)
    assert run.decisions == [] and run.errors == []
    reasons = {n.logical_id: n.reason for n in run.notes_of("not-followed")}
    # its children sit in the corpus under flattened names, not next to it: not followed, and said so
    assert "env-s3.yaml is not a file next to this template" in " ".join(reasons.values())
    assert len(reasons) == 7  # the two stack sets have a false Condition with the default parameters
    multi = {"StagingAccountList": "111111111111", "ProductionAccountList": "222222222222"}
    multi |= {"CreateEnvironmentIAMRoles": "YES", "CreateTargetAccountNetworkInfra": "YES"}
    run = run_check([parent], GuardrailsConfig(), multi, decider=decider)
    reasons = {n.logical_id: n.reason for n in run.notes_of("not-followed")}
    assert (
        sum("https://s3.amazonaws.com/" in reason for reason in reasons.values()) == 2
    )  # stack sets from S3


def test_maybe_absent_bucket_settings_are_unknown_violations(tmp_path):
    path = write(
        tmp_path,
        """
        Parameters:
          Env: {Type: String}
        Conditions:
          Prod: !Equals [!Ref Env, prod]
        Resources:
          B:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: b
              BucketEncryption: !If
                - Prod
                - ServerSideEncryptionConfiguration:
                    - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: arn:aws:kms:eu-west-1:111122223333:key/k}
                - !Ref AWS::NoValue
              PublicAccessBlockConfiguration: !If
                - Prod
                - {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
                - !Ref AWS::NoValue
        """,
    )
    code, report = check_json(path)
    assert code == 1 and {"S3-01", "S3-04"} <= controls(report["results"][0], unknown=True)


def test_local_include_snippets_are_read_where_they_stand():
    code, report = check_json(FIXTURES / "include" / "main.yaml")
    results = by_logical_id(report)
    assert code == 1 and report["summary"]["unknown_content"] == []
    assert controls(results["Nb"]) == set()  # network settings and key come from the snippets
    assert "S3-02" in controls(results["Public"], unknown=False)  # a bucket added by the section snippet


def test_include_cycle_and_clash_are_input_errors(tmp_path):
    write(tmp_path, "X: {Fn::Transform: {Name: AWS::Include, Parameters: {Location: b.yaml}}}\n", "a.yaml")
    write(tmp_path, "Y: {Fn::Transform: {Name: AWS::Include, Parameters: {Location: a.yaml}}}\n", "b.yaml")
    main = write(
        tmp_path,
        "Resources:\n  Fn::Transform: {Name: AWS::Include, Parameters: {Location: a.yaml}}\n",
        "main.yaml",
    )
    code, _, err = run("check", str(main))
    assert code == 2 and "cycle" in err
    write(tmp_path, "BucketName: other\n", "props.yaml")
    clash = write(
        tmp_path,
        """
        Resources:
          B:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: mine
              Fn::Transform: {Name: AWS::Include, Parameters: {Location: props.yaml}}
        """,
        "clash.yaml",
    )
    code, _, err = run("check", str(clash))
    assert code == 2 and "BucketName already in the mapping" in err
