"""The Lambda entry point: thin, builds its Decider once, never raises, logs with the request token."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from admission_support import HOOK_FIXTURES, fixture
from guardrails.lambdas import cfn_hook

from guardrails.admission import hook_service


@dataclass
class LambdaContext:
    function_name: str = "ml-guardrail-cfn-hook"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:111122223333:function:ml-guardrail-cfn-hook"
    aws_request_id: str = "c0ffee00-0000-4000-8000-000000000001"


@pytest.fixture
def lambda_env(monkeypatch, tmp_path, decider):
    sink = tmp_path / "audit.jsonl"
    monkeypatch.setenv("GUARDRAILS_AUDIT_SINKS", f"file://{sink}")
    monkeypatch.delenv("GUARDRAILS_CONFIG", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    hook_service.SERVICE.reset()  # the config source is read from the environment once per container
    return sink


def test_handler_answers_and_records_with_the_token_as_correlation_id(lambda_env):
    event = fixture("cloud-control-notebook-create.json")
    response = cfn_hook.handler(event, LambdaContext())
    assert (
        response["hookStatus"] == "FAILED" and response["clientRequestToken"] == event["clientRequestToken"]
    )
    assert cfn_hook.logger.get_correlation_id() == event["clientRequestToken"]
    (record,) = [json.loads(line) for line in lambda_env.read_text().splitlines()]
    assert record["source_ref"]["request_id"] == event["clientRequestToken"]


def test_decider_and_trail_are_built_once_per_container(lambda_env):
    cfn_hook.handler(fixture("resource-model-update.json"), LambdaContext())
    runtime = hook_service.SERVICE.built
    cfn_hook.handler(fixture("resource-model-update.json"), LambdaContext())
    assert runtime is not None and hook_service.SERVICE.built is runtime
    assert len(lambda_env.read_text().splitlines()) == 2


@pytest.mark.parametrize("event", ["garbage", None, [], {"requestData": "x"}, {"clientRequestToken": 5}])
def test_handler_never_raises_for_bad_input(lambda_env, event):
    response = cfn_hook.handler(event, LambdaContext())
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")


def test_a_broken_configuration_answers_internal_failure(lambda_env, monkeypatch, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("unknown_key: 1\n")
    monkeypatch.setenv("GUARDRAILS_CONFIG", str(config))
    response = cfn_hook.handler(fixture("resource-model-update.json"), LambdaContext())
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert "unknown_key" in response["message"]
    assert response["clientRequestToken"] == fixture("resource-model-update.json")["clientRequestToken"]
    assert (HOOK_FIXTURES / "resource-model-update.json").exists()
