"""The CDK policy validation plugin on a real `app.synth()` with the published aws-cdk-lib (installed by
.ci/run; skipped locally when it is not installed, failed in CI)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from fixture_paths import unavailable

pytestmark = pytest.mark.slow  # synthesises CDK apps (jsii starts node)

if importlib.util.find_spec("aws_cdk") is None:
    unavailable("aws-cdk-lib", "pip install -e '.[cdk]'; .ci/run installs it")

from aws_cdk import App, Stack, Validations  # noqa: E402
from aws_cdk import aws_s3 as s3  # noqa: E402
from aws_cdk import aws_sagemaker as sagemaker  # noqa: E402

from guardrails.cdk_validation import GuardrailsPlugin, GuardrailsValidation  # noqa: E402

KMS = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_synth_fails_with_the_guardrails_violations(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path / "cdk.out"))
    Validations.of(app).add_plugins(GuardrailsPlugin())
    stack = Stack(app, "MlStack")
    s3.CfnBucket(stack, "Data", access_control="PublicRead")
    sagemaker.CfnNotebookInstance(
        stack, "Notebook", instance_type="ml.t3.medium", role_arn="arn:aws:iam::123456789012:role/x"
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
    (plugin,) = [r for r in report["pluginReports"] if r["pluginName"] == "sagemaker-guardrails"]
    assert plugin["conclusion"] == "failure"
    rules = {v["ruleName"].split()[0]: v for v in plugin["violations"]}
    assert {"S3-02", "SM-05", "SM-14"} <= set(rules)
    (resource,) = rules["S3-02"]["violatingConstructs"]
    assert resource["constructPath"] == "MlStack/Data"
    assert resource["cloudFormationResource"]["propertyPaths"] == ["AccessControl"]


def test_validate_passes_a_compliant_template_and_honours_fail_on(tmp_path: Path) -> None:
    template = tmp_path / "Stack.template.json"
    template.write_text(
        json.dumps(
            {
                "Resources": {
                    "Notebook": {
                        "Type": "AWS::SageMaker::NotebookInstance",
                        "Properties": {
                            "InstanceType": "ml.t3.medium",
                            "RoleArn": "arn:aws:iam::123456789012:role/x",
                            "SubnetId": "subnet-0123456789abcdef0",
                            "SecurityGroupIds": ["sg-0123456789abcdef0"],
                            "DirectInternetAccess": "Disabled",
                            "RootAccess": "Enabled",
                            "KmsKeyId": KMS,
                            "InstanceMetadataServiceConfiguration": {
                                "MinimumInstanceMetadataServiceVersion": "2"
                            },
                        },
                    }
                }
            }
        )
    )
    context = SimpleNamespace(template_paths=[str(template)])
    report = GuardrailsPlugin().validate(context)
    assert report.success  # RootAccess only warns (SM-18)
    assert [v.rule_name.split()[0] for v in report.violations] == ["SM-18"]
    data = json.loads(template.read_text())
    data["Resources"]["Notebook"]["Properties"]["DirectInternetAccess"] = "Enabled"
    template.write_text(json.dumps(data))
    assert not GuardrailsPlugin().validate(context).success  # SM-05 is high and deny
    assert not GuardrailsValidation().validate(context).success  # the Beta1 interface, same engine
    assert GuardrailsValidation(fail_on="critical").validate(context).success
