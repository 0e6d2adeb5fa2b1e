"""`guardrails handle-hook FILE`: the Lambda Hook's code path on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from admission_support import HOOK_FIXTURES, SAMPLES, closed_port, stack_event
from click.testing import CliRunner
from guardrails.cli.handle_hook import handle_hook


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(handle_hook, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def shared(name: str) -> Path:
    return SAMPLES / name


def test_noncompliant_request_prints_the_failed_response_and_exits_1():
    code, out, _ = run(str(shared("cfn-lambda-hook-request-resource-EndpointConfig.json")))
    assert code == 1
    response = json.loads(out)
    assert (response["hookStatus"], response["errorCode"]) == ("FAILED", "NonCompliant")


def test_compliant_request_exits_0():
    code, out, _ = run(str(HOOK_FIXTURES / "resource-model-update.json"))
    assert code == 0 and json.loads(out)["hookStatus"] == "SUCCESS"


def test_stack_request_with_a_local_payload_file():
    code, out, _ = run(
        str(shared("cfn-lambda-hook-request-stack.json")),
        "--payload-file",
        str(shared("cfn-lambda-hook-stack-payload-object.json")),
    )
    assert code == 1 and "SM-14" in json.loads(out)["message"]


def test_change_set_request_with_a_local_payload_file():
    code, out, _ = run(
        str(HOOK_FIXTURES / "change-set-request.json"),
        "--payload-file",
        str(HOOK_FIXTURES / "change-set-payload.json"),
    )
    assert code == 1 and "ScratchNotebook: SM-05" in json.loads(out)["message"]


def test_unreachable_payload_url_is_failed_internal_failure_exit_1(tmp_path):
    request = tmp_path / "stack.json"
    request.write_text(json.dumps(stack_event(f"http://127.0.0.1:{closed_port()}/p")))
    code, out, _ = run(str(request))
    assert code == 1 and json.loads(out)["errorCode"] == "InternalFailure"


@pytest.mark.parametrize("name", ["malformed-bad-json.json", "does-not-exist.json"])
def test_unreadable_request_file_exits_2(name):
    code, out, err = run(str(HOOK_FIXTURES / name))
    assert code == 2 and out == "" and err.startswith("error: ")


def test_request_that_is_not_a_hook_request_prints_the_response_and_exits_2():
    code, out, err = run(str(HOOK_FIXTURES / "malformed-missing-token.json"))
    assert code == 2
    assert json.loads(out)["errorCode"] == "InternalFailure" and "clientRequestToken" in err


def test_payload_file_that_is_not_a_payload_exits_2(tmp_path):
    bad = tmp_path / "payload.json"
    bad.write_text(json.dumps({"template": "Resources: [unclosed"}))
    code, _, err = run(str(shared("cfn-lambda-hook-request-stack.json")), "--payload-file", str(bad))
    assert code == 2 and "payload.json#template" in err
    bad.write_text("[]")
    code, _, err = run(str(shared("cfn-lambda-hook-request-stack.json")), "--payload-file", str(bad))
    assert code == 2 and "JSON object" in err


def test_audit_sink_records_every_decision(tmp_path):
    sink = tmp_path / "audit.jsonl"
    code, _, _ = run(
        str(HOOK_FIXTURES / "change-set-request.json"),
        "--payload-file",
        str(HOOK_FIXTURES / "change-set-payload.json"),
        "--audit",
        f"file://{sink}",
    )
    assert code == 1
    records = [json.loads(line) for line in sink.read_text().splitlines()]
    assert len(records) == 3 and {r["source_ref"]["request_id"] for r in records} == {
        "cs-2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"
    }


def test_bad_config_exits_2(tmp_path):
    config = tmp_path / "guardrails.yaml"
    config.write_text("controls: {SM-05: maybe}\n")
    code, _, err = run(str(HOOK_FIXTURES / "resource-model-update.json"), "--config", str(config))
    assert code == 2 and "SM-05" in err


def test_registered_in_the_guardrails_command():
    import click
    from guardrails.cli.main import main

    assert "handle-hook" in main.list_commands(click.Context(main))
    result = CliRunner().invoke(main, ["handle-hook", str(HOOK_FIXTURES / "resource-model-update.json")])
    assert result.exit_code == 0
