"""`guardrails handle-event --mode dry-run` without AWS credentials, and no traceback from handle-event
or handle-hook whatever the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from admission_support import HOOK_FIXTURES, stack_event
from click.testing import CliRunner
from guardrails.cli.handle_event import handle_event
from guardrails.cli.handle_hook import handle_hook

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "tests" / "fixtures" / "events"
NO_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
    "AWS_WEB_IDENTITY_TOKEN_FILE": None,
    "AWS_DEFAULT_REGION": "eu-west-1",
}


def run(command, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(command, list(args), env=NO_CREDENTIALS, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def bucket_policy_event(tmp_path: Path) -> Path:
    from fixtures.events.builders import ACCOUNT, s3_call

    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
    }
    event = s3_call("PutBucketPolicy", "acme-data", {"bucketPolicy": policy}, account=ACCOUNT)
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


def test_dry_run_without_credentials_decides_the_event_alone_and_says_so(tmp_path):
    code, out, err = run(handle_event, "--mode", "dry-run", str(bucket_policy_event(tmp_path)))
    assert code == 1  # a public policy is a definite deny, credentials or not
    outcome = json.loads(out)
    assert any("without AWS credentials" in note for note in outcome["notes"])
    assert "note: dry run without AWS credentials" in err and "Traceback" not in err
    (resource,) = outcome["resources"]
    assert resource["live_state_not_read"] is True and not resource.get("enriched")
    violations = resource["decision"]["violations"]
    definite = {v["control"] for v in violations if not v["unknown"]}
    unknown = {v["control"] for v in violations if v["unknown"]}
    assert "S3-03" in definite
    assert {"S3-01", "S3-02", "S3-04"} <= unknown  # the other aspects of the bucket were not read
    assert resource["actions"] and all(
        a["outcome"] == "skipped" and "without AWS credentials" in a["reason"] for a in resource["actions"]
    )


def test_dry_run_from_the_config_file_is_offline_too(tmp_path):
    config = tmp_path / "guardrails.yaml"
    config.write_text("runtime:\n  mode: dry-run\n")
    code, out, _ = run(handle_event, "--config", str(config), str(bucket_policy_event(tmp_path)))
    assert code == 1 and json.loads(out)["notes"]


def test_enforce_without_credentials_is_a_retryable_error_without_traceback(tmp_path):
    code, out, err = run(handle_event, "--mode", "enforce", str(bucket_policy_event(tmp_path)))
    assert code == 3 and out == ""
    assert err.startswith("error: ") and "Credentials" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "content",
    ["[" * 100_000, '{"detail": ' * 50_000, "\ud800", "nan", '{"id": 1e999999}', "", "null", "[]"],
)
def test_hostile_event_files_never_end_in_a_traceback(tmp_path, content):
    path = tmp_path / "event.json"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    code, out, err = run(handle_event, "--mode", "dry-run", str(path))
    assert code in (1, 2, 3)  # never 0: none of these is a judgeable event
    assert "Traceback" not in out + err


@pytest.mark.parametrize("content", ["[" * 100_000, "{", "\ud800", "null", "[]", '{"requestData": 1}'])
def test_hostile_hook_request_files_never_end_in_a_traceback(tmp_path, content):
    path = tmp_path / "request.json"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    code, out, err = run(handle_hook, str(path))
    assert code in (1, 2) and "Traceback" not in out + err


def test_hook_request_with_a_hostile_payload_url_fails_without_a_traceback(tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(stack_event("https://169.254.169.254/latest/meta-data/?X-Amz-Signature=S")))
    code, out, err = run(handle_hook, str(path))
    response = json.loads(out)
    assert code == 1 and (response["hookStatus"], response["errorCode"]) == ("FAILED", "InternalFailure")
    assert "IP address" in response["message"] and "Traceback" not in err


def test_an_internal_error_in_handle_hook_is_exit_1_without_a_traceback(monkeypatch):
    import guardrails.admission.cfn_hook

    def broken(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(guardrails.admission.cfn_hook, "handle_hook_request", broken)
    code, out, err = run(handle_hook, str(HOOK_FIXTURES / "resource-model-update.json"))
    assert code == 1 and "internal error: MemoryError" in err and "Traceback" not in err
