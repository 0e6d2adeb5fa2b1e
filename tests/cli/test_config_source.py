"""The Lambdas' config source: bundled file, path, SSM parameter or S3 object; re-read after max_age."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from guardrails.config_source import ConfigSource, ConfigSourceError, with_deployment_defaults

REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.session.Session(region_name=REGION)


def test_without_location_the_bundled_file_at_the_task_root_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    assert ConfigSource(None).get().origin == "defaults"
    (tmp_path / "guardrails.yaml").write_text("runtime:\n  mode: enforce\n")
    loaded = ConfigSource("").get()
    assert loaded.origin == str(tmp_path / "guardrails.yaml") and loaded.config.runtime.mode == "enforce"


def test_ssm_parameter_is_reread_after_max_age_and_a_change_gets_a_new_version(aws, monkeypatch):
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/guardrails/config", Type="String", Value="runtime:\n  mode: dry-run\n")
    clock = [1000.0]
    monkeypatch.setattr("guardrails.config_source.time.monotonic", lambda: clock[0])
    source = ConfigSource("ssm:/guardrails/config", max_age=60, session=aws)
    first = source.get()
    assert first.config.runtime.mode == "dry-run" and first.origin == "ssm:/guardrails/config"
    ssm.put_parameter(
        Name="/guardrails/config", Type="String", Value="runtime:\n  mode: enforce\n", Overwrite=True
    )
    clock[0] += 30
    assert source.get() is first  # cached until max_age
    clock[0] += 31
    second = source.get()
    assert second.config.runtime.mode == "enforce" and second.version != first.version
    clock[0] += 61
    assert source.get() is second  # same text: same object, the decider is not rebuilt


def test_s3_object_is_read_and_an_invalid_config_names_the_object_and_field(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="cfg")
    s3.put_object(Bucket="cfg", Key="guardrails.yaml", Body=b"controls:\n  SM-05: warn\n")
    assert ConfigSource("s3://cfg/guardrails.yaml", session=aws).get().config.controls == {"SM-05": "warn"}
    s3.put_object(Bucket="cfg", Key="bad.yaml", Body=b"runtime:\n  mode: sometimes\n")
    with pytest.raises(ConfigSourceError, match=r"s3://cfg/bad.yaml.*runtime\.mode"):
        ConfigSource("s3://cfg/bad.yaml", session=aws).get()


@pytest.mark.parametrize("location", ["ssm:/missing", "s3://cfg/missing.yaml", "s3://only-bucket", "ssm:"])
def test_an_unreadable_source_raises_naming_it(aws, location):
    aws.client("s3").create_bucket(Bucket="cfg")
    with pytest.raises(ConfigSourceError, match=location.split("/")[0]):
        ConfigSource(location, session=aws).get()


def test_max_age_from_the_environment_must_be_a_number(monkeypatch):
    monkeypatch.setenv("GUARDRAILS_CONFIG_MAX_AGE", "soon")
    with pytest.raises(ConfigSourceError, match="GUARDRAILS_CONFIG_MAX_AGE"):
        ConfigSource.from_environment()


def test_deployment_defaults_fill_only_what_the_config_leaves_unset(monkeypatch):
    from guardrails.config import GuardrailsConfig, validated

    monkeypatch.setenv("GUARDRAILS_ALERT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:stack-topic")
    filled = with_deployment_defaults(GuardrailsConfig())
    assert filled.runtime.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:stack-topic"
    own = validated(GuardrailsConfig, {"runtime": {"sns_topic_arn": "arn:aws:sns:us-east-1:1:mine"}})
    assert with_deployment_defaults(own).runtime.sns_topic_arn == "arn:aws:sns:us-east-1:1:mine"
