"""Terraform plan JSON adapter: real plans made by terraform 1.11 + hashicorp/aws 5.100.0
(tests/fixtures/terraform/regenerate.sh), checked through the real decider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.decider import Decider
from guardrails.sources.discovery import load_inputs
from guardrails.sources.errors import SourceError
from guardrails.sources.input_kinds import looks_like_terraform_plan
from guardrails.sources.terraform_mapping import SAGEMAKER_TYPES, TERRAFORM_TYPES, api_name, provider_schema
from guardrails.sources.terraform_plan import documents_from_plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform"


@pytest.fixture(scope="module")
def decider() -> Decider:
    return Decider()


def decide(decider: Decider, path: Path) -> dict[str, tuple[str, set[str], set[str]]]:
    """address -> (verdict, controls failing, controls unknown)."""
    loaded = load_inputs([path])
    out = {}
    for document, decision in zip(loaded.documents, decider.decide_many(loaded.documents), strict=True):
        failing = {v.control for v in decision.violations if not v.unknown}
        unknown = {v.control for v in decision.violations if v.unknown}
        out[document.context.location.logical_id] = (decision.verdict, failing, unknown)
    return out


def test_sagemaker_plan_findings(decider: Decider) -> None:
    found = decide(decider, FIXTURES / "sagemaker" / "plan.json")
    assert found == {
        "aws_sagemaker_notebook_instance.open": found["aws_sagemaker_notebook_instance.open"],
        "aws_sagemaker_notebook_instance.locked": ("allow", set(), set()),
        "aws_sagemaker_model.public": ("deny", {"SM-03", "SM-08"}, set()),
        "aws_sagemaker_model.private": ("allow", set(), set()),
        "aws_sagemaker_endpoint_configuration.plain": ("deny", {"SM-13"}, set()),
        "aws_sagemaker_endpoint_configuration.encrypted": ("allow", set(), set()),
        "aws_sagemaker_endpoint.plain": ("deny", {"SM-17"}, set()),
        "aws_sagemaker_endpoint.encrypted": ("allow", set(), set()),
        "aws_sagemaker_domain.studio": ("deny", {"SM-06", "SM-15"}, set()),
        "aws_sagemaker_feature_group.features": ("deny", {"SM-16"}, set()),
        "aws_sagemaker_data_quality_job_definition.quality": (
            "deny",
            {"SM-07", "SM-08", "SM-09", "SM-16"},
            set(),
        ),
        "aws_sagemaker_monitoring_schedule.quality": found["aws_sagemaker_monitoring_schedule.quality"],
        "aws_sagemaker_pipeline.train": ("deny", {"SM-19"}, set()),
    }
    verdict, failing, unknown = found["aws_sagemaker_notebook_instance.open"]
    # SM-20 (IMDSv2) fails too where the bundle implements it
    assert (verdict, unknown) == ("deny", set()) and {"SM-04", "SM-05", "SM-14", "SM-18"} <= failing


def test_s3_plan_joins_split_resources_by_reference_name_and_module(decider: Decider) -> None:
    found = decide(decider, FIXTURES / "s3" / "plan.json")
    assert found == {
        # joined through `bucket = aws_s3_bucket.by_ref.id` (the bucket's id is unknown in the plan)
        # S3-07 (warn): aws_s3_bucket_ownership_controls.by_ref sets ObjectWriter
        "aws_s3_bucket.by_ref": ("deny", {"S3-01", "S3-02", "S3-03", "S3-04", "S3-05", "S3-07"}, set()),
        # joined by the literal bucket name; its KMS key ARN is known only after apply (counts as set)
        "aws_s3_bucket.by_name": ("allow", set(), set()),
        # provider v3 inline acl / server_side_encryption_configuration / policy
        "aws_s3_bucket.legacy": ("deny", {"S3-02", "S3-04"}, set()),
        # a policy text known only after apply is unknown, never a pass
        "aws_s3_bucket.prefixed": ("deny", {"S3-04"}, {"S3-03", "S3-05"}),
        # a policy for a bucket outside the plan: the other aspects are unknown
        "aws_s3_bucket_policy.external": ("deny", {"S3-03", "S3-05"}, {"S3-01", "S3-02", "S3-04"}),
        'module.private["logs"].aws_s3_bucket.this': ("allow", set(), set()),
        'module.private["models"].aws_s3_bucket.this': ("allow", set(), set()),
    }


def test_unknown_values_are_listed_and_specific_for_resource_attributes() -> None:
    documents = {
        d.context.location.logical_id: d
        for d in load_inputs([FIXTURES / "sagemaker" / "plan.json"]).documents
    }
    locked = documents["aws_sagemaker_notebook_instance.locked"]
    assert locked.context.unknown == ["KmsKeyId"]
    assert locked.resource.properties["KmsKeyId"].startswith("<unknown specific:")
    # provider-computed values the configuration does not set are AWS defaults, not unknowns
    assert documents["aws_sagemaker_notebook_instance.open"].context.unknown == []
    assert "SecurityGroupIds" not in documents["aws_sagemaker_notebook_instance.open"].resource.properties


def test_documents_carry_address_file_line_and_tags() -> None:
    path = FIXTURES / "sagemaker" / "plan.json"
    documents = {d.context.location.logical_id: d for d in load_inputs([path]).documents}
    notebook = documents["aws_sagemaker_notebook_instance.open"]
    assert notebook.context.source == "terraform"
    assert notebook.context.location.file == str(path)
    line = path.read_text().splitlines()[notebook.context.location.line - 1]
    assert '"address": "aws_sagemaker_notebook_instance.open"' in line
    assert notebook.resource.tags["guardrails:suppress"].startswith("SM-18:")
    assert notebook.resource.name == "open-notebook"
    assert notebook.resource.region == "eu-west-1"
    assert notebook.resource.arn == "arn:aws:s3:::open-notebook" or notebook.resource.arn is None


def test_field_mapping_follows_the_provider_schema() -> None:
    documents = {
        d.context.location.logical_id: d
        for d in load_inputs([FIXTURES / "sagemaker" / "plan.json"]).documents
    }
    config = documents["aws_sagemaker_endpoint_configuration.encrypted"].resource.properties
    assert isinstance(config["ProductionVariants"], list)  # a list block stays a list
    assert isinstance(config["DataCaptureConfig"], dict)  # a single-item block becomes an object
    assert [o["CaptureMode"] for o in config["DataCaptureConfig"]["CaptureOptions"]] == ["Input", "Output"]
    assert "KmsKeyId" in config and "KmsKeyArn" not in config  # kms_key_arn -> KmsKeyId
    notebook = documents["aws_sagemaker_notebook_instance.locked"].resource.properties
    assert notebook["SecurityGroupIds"] == ["sg-0123456789abcdef0"]  # security_groups -> SecurityGroupIds
    assert notebook["InstanceMetadataServiceConfiguration"] == {"MinimumInstanceMetadataServiceVersion": "2"}
    quality = documents["aws_sagemaker_data_quality_job_definition.quality"].resource.properties
    assert isinstance(quality["DataQualityJobOutputConfig"]["MonitoringOutputs"], list)
    assert api_name("enable_ssm_access") == "EnableSSMAccess"
    assert api_name("volume_size_in_gb") == "VolumeSizeInGB"
    assert api_name("s3_kms_key_id") == "S3KmsKeyId"


def test_mapping_covers_every_sagemaker_kind_the_provider_has() -> None:
    schema = provider_schema()
    assert schema["version"] == "5.100.0"
    assert set(schema["resources"]) == set(TERRAFORM_TYPES)
    from guardrails.resource_kinds import KINDS

    kinds_with_terraform = {spec.canonical for spec in SAGEMAKER_TYPES.values()}
    expected = {
        "AWS::SageMaker::Model",
        "AWS::SageMaker::EndpointConfig",
        "AWS::SageMaker::Endpoint",
        "AWS::SageMaker::NotebookInstance",
        "AWS::SageMaker::Domain",
        "AWS::SageMaker::Pipeline",
        "AWS::SageMaker::FeatureGroup",
        "AWS::SageMaker::MonitoringSchedule",
        "AWS::SageMaker::DataQualityJobDefinition",
    }
    assert kinds_with_terraform == expected
    assert expected <= {k.type for k in KINDS}
    for spec in TERRAFORM_TYPES.values():  # every rename / computed block names a real schema path
        for path in [*spec.renames, *spec.computed_blocks, *spec.api_lists]:
            assert path.split(".")[0] in json.dumps(schema["resources"]), path


def test_plain_tf_file_is_skipped_with_a_note() -> None:
    loaded = load_inputs([FIXTURES / "sagemaker"])
    assert str(FIXTURES / "sagemaker" / "main.tf") in loaded.files_skipped
    assert any(
        n.kind == "terraform-source" and "terraform show -json" in n.reason and n.file.endswith("main.tf")
        for n in loaded.notes
    )
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "sagemaker")])
    assert "Not read (Terraform sources" in result.output and "terraform show -json plan.out" in result.output
    # named explicitly, a .tf file is an input that cannot be judged: exit 2, never a silent pass
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "sagemaker" / "main.tf")])
    assert result.exit_code == 2, result.output
    assert "main.tf" in result.output and "terraform show -json plan.out" in result.output


def test_state_json_is_an_input_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}))
    result = CliRunner().invoke(main, ["check", str(state)])
    assert result.exit_code == 2
    assert "not a plan" in result.output


def test_malformed_plan_names_the_file() -> None:
    plan = {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": [1]}
    assert looks_like_terraform_plan(plan)
    with pytest.raises(SourceError, match=r"resource_changes\[0\]"):
        documents_from_plan(plan, file="bad.json")


@pytest.mark.parametrize(
    ("field", "value", "message"), [("errored", True, "errored"), ("complete", False, "incomplete")]
)
def test_errored_or_incomplete_plans_are_input_errors(field: str, value: bool, message: str) -> None:
    plan = json.loads((FIXTURES / "parity" / "plan.json").read_text())
    plan[field] = value
    with pytest.raises(SourceError, match=message):
        documents_from_plan(plan, file="p.json")


def test_deleted_resources_and_data_sources_are_not_judged() -> None:
    plan = json.loads((FIXTURES / "sagemaker" / "plan.json").read_text())
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_sagemaker_model.public")
    change["change"]["after"] = None
    change["change"]["actions"] = ["delete"]
    addresses = {d.context.location.logical_id for d in documents_from_plan(plan, file="p.json")}
    assert "aws_sagemaker_model.public" not in addresses
    assert "aws_sagemaker_model.private" in addresses


def test_unknown_block_from_a_dynamic_block_stays_unknown() -> None:
    """A `dynamic "vpc_config"` with an unknown for_each: the block is unknown (not in the configuration)."""
    plan = json.loads((FIXTURES / "sagemaker" / "plan.json").read_text())
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_sagemaker_model.private")
    del change["change"]["after"]["vpc_config"]
    change["change"]["after_unknown"]["vpc_config"] = True
    for resource in plan["configuration"]["root_module"]["resources"]:
        if resource["address"] == "aws_sagemaker_model.private":
            del resource["expressions"]["vpc_config"]
    document = next(d for d in documents_from_plan(plan, file="p.json") if d.resource.name == "private-model")
    assert document.context.unknown == ["VpcConfig"]
    assert document.resource.properties["VpcConfig"].startswith("<unknown")
    # the same block dropped as "absent" would fail SM-03 as missing; unknown counts as present (CONTROLS.md)
    decision = Decider().decide(document)
    assert not any(v.control == "SM-03" and not v.unknown for v in decision.violations)


def test_split_policy_replaces_the_buckets_read_back_policy() -> None:
    """On an existing bucket the plan shows its current policy in `aws_s3_bucket.policy` (provider-computed,
    not configured): the aws_s3_bucket_policy resource replaces it, so an old public statement is gone."""
    plan = json.loads((FIXTURES / "s3" / "plan.json").read_text())
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_s3_bucket.by_name")
    old = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::guardrails-tf-by-name/*",
            }
        ]
    }
    change["change"]["actions"] = ["no-op"]
    change["change"]["after"]["policy"] = json.dumps(old)
    change["change"]["after_unknown"].pop("policy", None)
    bucket = next(
        d for d in documents_from_plan(plan, file="p.json") if d.resource.name == "guardrails-tf-by-name"
    )
    assert [s["Sid"] for s in bucket.resource.properties["Policy"]["Statement"]] == ["TlsOnly"]
    # configured inline as well (v3 style): both policies are in force, so both are judged
    for resource in plan["configuration"]["root_module"]["resources"]:
        if resource["address"] == "aws_s3_bucket.by_name":
            resource["expressions"]["policy"] = {"constant_value": json.dumps(old)}
    bucket = next(
        d for d in documents_from_plan(plan, file="p.json") if d.resource.name == "guardrails-tf-by-name"
    )
    assert len(bucket.resource.properties["Policy"]["Statement"]) == 2


def test_split_acl_replaces_the_buckets_read_back_grants() -> None:
    plan = json.loads((FIXTURES / "s3" / "plan.json").read_text())
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_s3_bucket.by_ref")
    change["change"]["after"]["grant"] = [
        {
            "type": "Group",
            "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
            "permissions": ["READ"],
            "id": "",
        }
    ]
    change["change"]["after_unknown"].pop("grant", None)
    acl = next(c for c in plan["resource_changes"] if c["address"] == "aws_s3_bucket_acl.by_ref")
    acl["change"]["after"]["acl"] = "private"
    bucket = next(
        d for d in documents_from_plan(plan, file="p.json") if d.resource.name == "guardrails-tf-by-ref"
    )
    assert bucket.resource.properties["AccessControl"] == "Private"
    assert "AccessControlPolicy" not in bucket.resource.properties or not bucket.resource.properties[
        "AccessControlPolicy"
    ].get("Grants")


def test_sagemaker_types_no_control_covers_are_noted() -> None:
    plan = json.loads((FIXTURES / "sagemaker" / "plan.json").read_text())
    plan["resource_changes"].append(
        {
            "address": "aws_sagemaker_user_profile.jane",
            "mode": "managed",
            "type": "aws_sagemaker_user_profile",
            "name": "jane",
            "change": {"actions": ["create"], "after": {"user_profile_name": "jane"}, "after_unknown": {}},
        }
    )
    notes = []
    documents_from_plan(plan, file="p.json", notes=notes)
    assert [(n.kind, n.logical_id, n.type) for n in notes] == [
        ("not-evaluated", "aws_sagemaker_user_profile.jane", "aws_sagemaker_user_profile")
    ]
