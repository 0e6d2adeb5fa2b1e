"""The local-storage instance list is bundle data (policies/data/instance_storage.json), loaded by the engine."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import pytest

from guardrails.engine import BundleError, PolicyBundle
from guardrails.engine.regorus_backend import RegorusEvaluator

POLICIES = Path(__file__).resolve().parents[2] / "policies"
DATA_FILE = POLICIES / "data" / "instance_storage.json"


def families() -> dict[str, str]:
    return json.loads(DATA_FILE.read_text())["guardrails"]["facts"]["instance_storage"]["families"]


def sagemaker_instance_families() -> set[str]:
    """Every `ml.<family>.<size>` family in the SageMaker API's instance-type enums (botocore model)."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    found: set[str] = set()
    for name in model.shape_names:
        shape = model.shape_for(name)
        for value in getattr(shape, "enum", None) or []:
            parts = str(value).split(".")
            if len(parts) == 3 and parts[0] == "ml":
                found.add(parts[1])
    return found


def test_every_listed_family_is_a_sagemaker_instance_family_with_a_known_storage_kind():
    listed = families()
    assert set(listed.values()) == {"nvme", "ebs"}
    assert not set(listed) - sagemaker_instance_families(), "typo or a family SageMaker does not offer"


def test_the_families_the_api_reference_names_are_classified_as_it_says():
    # VolumeSizeInGB / VolumeKmsKeyId docs: NVMe families include ml.p4d, ml.g4dn, ml.g5; EBS-only
    # families include ml.c5 and ml.p2. CONTROLS.md adds p5, trn1 and the *d families.
    listed = families()
    for family in ("p4d", "p5", "g5", "g4dn", "m5d", "c5d", "r5d", "trn1"):
        assert listed[family] == "nvme", family
    for family in ("c5", "p2", "m5", "t3", "inf2"):
        assert listed[family] == "ebs", family


def test_the_bundle_carries_the_data_and_the_engine_reads_it():
    bundle = PolicyBundle.load()
    assert bundle.data["guardrails"]["facts"]["instance_storage"]["families"] == families()
    evaluator = RegorusEvaluator(bundle)
    training = {
        "resource": {
            "type": "AWS::SageMaker::TrainingJob",
            "name": "t",
            "properties": {
                "OutputDataConfig": {"KmsKeyId": "k"},
                "ResourceConfig": {"InstanceType": "ml.p5.48xlarge"},
            },
        },
        "context": {"point": "pre-deploy", "source": "api-request", "unknown": []},
    }
    assert [f for f in evaluator.evaluate(training) if f.control == "SM-10"] == []
    training["resource"]["properties"]["ResourceConfig"]["InstanceType"] = "ml.m5.xlarge"
    assert [f.path for f in evaluator.evaluate(training) if f.control == "SM-10"] == [
        "ResourceConfig.VolumeKmsKeyId"
    ]


def test_data_files_are_part_of_the_digest_and_merge_from_extra_policy_folders(tmp_path):
    extra = tmp_path / "org"
    (extra / "data").mkdir(parents=True)
    (extra / "org.rego").write_text("package org.x\nimport rego.v1\nx := 1\n")
    (extra / "data" / "facts.json").write_text(json.dumps({"org": {"regions": ["eu-west-1"]}}))
    bundle = PolicyBundle.load([extra])
    assert bundle.data["org"] == {"regions": ["eu-west-1"]}
    assert "instance_storage" in bundle.data["guardrails"]["facts"]
    before = bundle.digest
    (extra / "data" / "facts.json").write_text(json.dumps({"org": {"regions": ["eu-central-1"]}}))
    assert PolicyBundle.load([extra]).digest != before


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "invalid bundle data"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({"guardrails": {"facts": {"instance_storage": {"families": 1}}}}), "also defined by"),
    ],
)
def test_bad_or_conflicting_data_is_an_error_naming_the_files(tmp_path, content, needle):
    extra = tmp_path / "org"
    (extra / "data").mkdir(parents=True)
    (extra / "org.rego").write_text("package org.x\nimport rego.v1\nx := 1\n")
    (extra / "data" / "bad.json").write_text(content)
    with pytest.raises(BundleError) as err:
        PolicyBundle.load([extra])
    assert needle in str(err.value) and "bad.json" in str(err.value)
    if needle == "also defined by":
        assert "instance_storage.json" in str(err.value)


def test_a_policy_folder_can_classify_a_family_the_bundled_list_lacks(tmp_path):
    from click.testing import CliRunner
    from guardrails.cli.main import main

    extra = tmp_path / "org"
    (extra / "data").mkdir(parents=True)
    (extra / "org.rego").write_text("package org.x\nimport rego.v1\nx := 1\n")
    families = {"guardrails": {"facts": {"instance_storage": {"families": {"zz9": "nvme"}}}}}
    (extra / "data" / "families.json").write_text(json.dumps(families))
    request = tmp_path / "request.json"
    resource_config = {"InstanceType": "ml.zz9.large", "InstanceCount": 1}
    body = {"TrainingJobName": "t", "OutputDataConfig": {"KmsKeyId": "k"}, "ResourceConfig": resource_config}
    request.write_text(json.dumps({"operation": "CreateTrainingJob", "request": body}))

    def sm10(*args: str) -> set[tuple[str, bool]]:
        result = CliRunner().invoke(main, ["check", "--format", "json", *args, str(request)])
        violations = json.loads(result.stdout)["results"][0]["violations"]
        return {(v["path"], v["unknown"]) for v in violations if v["control"] == "SM-10"}

    assert sm10() == {("ResourceConfig.VolumeKmsKeyId", True)}  # not listed: unknown, never assumed
    assert sm10("--policy-dir", str(extra)) == set()
