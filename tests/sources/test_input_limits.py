"""Hostile files and folders (issue 9.2, 9.3): symlink loops, FIFOs, size caps, alias bombs, duplicate keys,
unrecognised explicit files, one bad file among good ones. Each ends in a clear exit 2 or a judged result."""

from __future__ import annotations

import ctypes
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

from guardrails.sources.input_files import MAX_INPUT_BYTES_ENV

BAD_NOTEBOOK = """
Resources:
  Nb:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::111122223333:role/r
"""


def run(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def report(*args: str) -> tuple[int, dict, str]:
    code, out, err = run("check", "--format", "json", *args)
    assert "Traceback" not in err
    return code, json.loads(out), err


# ---------------------------------------------------------------------------------------- folder walks


def test_symlinked_folders_are_followed_and_loops_walked_once(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "stack.yaml", BAD_NOTEBOOK)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "linked").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "back").symlink_to(repo, target_is_directory=True)  # a loop through both folders
    (repo / "self").symlink_to(".", target_is_directory=True)  # a loop onto itself
    code, result, _ = report(str(repo))
    assert code == 1
    assert result["summary"]["files_checked"] == 1 and result["summary"]["resources"] == 1
    assert result["results"][0]["resource"]["location"]["file"].endswith("linked/stack.yaml")


def test_fifo_socket_and_broken_link_are_skipped_without_being_opened(tmp_path):
    write(tmp_path / "stack.yaml", BAD_NOTEBOOK)
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it for reading would block forever
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock.json"))
        (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
        code, result, _ = report(str(tmp_path))
    finally:
        server.close()
    assert code == 1
    assert result["summary"]["files_checked"] == 1 and result["summary"]["files_skipped"] == 3
    assert result["errors"] == []


def test_fifo_named_explicitly_is_an_input_error_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    code, _, err = run("check", str(tmp_path / "pipe.yaml"))
    assert code == 2 and "FIFO" in err and "pipe.yaml" in err


def test_file_above_the_size_cap_is_a_clear_input_error_on_every_path(tmp_path, monkeypatch):
    monkeypatch.setenv(MAX_INPUT_BYTES_ENV, "2000")
    big = write(tmp_path / "big.json", json.dumps({"Resources": {}, "Description": "x" * 3000}))
    code, _, err = run("check", str(big))
    assert code == 2 and "big.json" in err and "2,000-byte limit" in err
    code, _, err = run("handle-hook", str(big))
    assert code == 2 and "2,000-byte limit" in err
    code, _, err = run("handle-event", str(big))
    assert code == 2 and "2,000-byte limit" in err
    code, _, err = run("handle-event", "-", input=b" " * 3000)
    assert code == 2 and "2,000-byte limit" in err
    small = write(tmp_path / "small.yaml", BAD_NOTEBOOK)
    assert run("check", str(small))[0] == 1  # under the cap: judged


def test_yaml_alias_bombs_are_refused(tmp_path):
    nodes = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7)
    )
    long_strings = "s: &s " + "y" * 100_000 + "\nt: &t [" + ", ".join(["*s"] * 100) + "]\n"
    long_strings += "u: [" + ", ".join(["*t"] * 100) + "]\n"
    for name, text in (("nodes.yaml", nodes), ("chars.yaml", long_strings)):
        path = write(tmp_path / name, text + "Resources: {}\n")
        code, _, err = run("check", str(path))
        assert code == 2 and "YAML aliases expand to more than" in err and name in err


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("dup.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Type: AWS::SNS::Topic\n", 4),
        ("dup-resource.yaml", "Resources:\n  B: {Type: AWS::S3::Bucket}\n  B: {Type: AWS::S3::Bucket}\n", 3),
        (
            "dup.json",
            '{"Resources": {"B": {"Type": "AWS::S3::Bucket",\n "Properties": {"BucketName": "a",\n "BucketName": "b"}}}}',
            3,
        ),
        ("dup-top.json", '{"Resources": {},\n "Resources": {"B": {"Type": "AWS::S3::Bucket"}}}', 2),
        ("request.json", '{"operation": "CreateBucket",\n "request": {"Bucket": "a", "Bucket": "b"}}', 2),
    ],
)
def test_duplicate_keys_are_input_errors_naming_file_and_line(tmp_path, name, text, line):
    path = write(tmp_path / name, text)
    code, _, err = run("check", str(path))
    assert code == 2 and f"{path}:{line}: duplicate key" in err


def test_numbers_too_long_to_read_are_input_errors(tmp_path):
    for name, text in (
        ("n.yaml", "Resources: {B: {Type: AWS::S3::Bucket, Properties: {X: " + "9" * 5000 + "}}}\n"),
        (
            "n.json",
            '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"X": ' + "9" * 5000 + "}}}}",
        ),
    ):
        code, _, err = run("check", str(write(tmp_path / name, text)))
        assert code == 2 and name in err and "digits" in err and "Traceback" not in err


# ------------------------------------------------------------------------------------- nothing silent


def test_explicit_file_that_is_not_a_recognised_input_is_an_error(tmp_path):
    for name, text in (
        ("workflow.yml", "on: push\njobs: {}\n"),
        ("notes.txt", "hello"),
        ("list.json", "[1, 2]"),
    ):
        path = write(tmp_path / name, text)
        code, _, err = run("check", str(path))
        assert code == 2 and str(path) in err and "not a recognised input" in err
        assert "CloudFormation" in err  # says what was expected


def test_one_bad_file_in_a_folder_does_not_hide_the_others(tmp_path):
    write(tmp_path / "a-bad.yaml", "Resources:\n  A: [unclosed\n")
    write(tmp_path / "b-stack.yaml", BAD_NOTEBOOK)
    write(tmp_path / "c-binary.json", b"\x89PNG\x00\x00")
    write(tmp_path / "d-workflow.yml", "on: push\n")  # met in a walk: skipped, not an error
    code, result, err = report(str(tmp_path))
    assert code == 2  # some input could not be judged, even though b-stack.yaml was
    assert result["summary"]["resources"] == 1 and result["results"][0]["verdict"] == "deny"
    assert result["summary"]["errors"] == 2 and result["summary"]["files_skipped"] == 1
    assert {Path(e["file"]).name for e in result["errors"]} == {"a-bad.yaml", "c-binary.json"}
    assert "a-bad.yaml" in err and "c-binary.json" in err
    code, out, _ = run("check", str(tmp_path))
    assert "Input errors" in out and "input errors: 2" in out


def test_missing_path_is_reported_and_the_others_still_judged(tmp_path):
    stack = write(tmp_path / "stack.yaml", BAD_NOTEBOOK)
    code, result, err = report(str(tmp_path / "absent.yaml"), str(stack))
    assert code == 2 and "absent.yaml" in err and "no such file" in err
    assert result["summary"]["resources"] == 1


def _without_file_read_override() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, so
    that even root is refused a file of mode 000 (CI runs as root)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_unreadable_file_is_an_error_result(tmp_path):
    path = write(tmp_path / "secret.yaml", BAD_NOTEBOOK)
    path.chmod(0)
    done = subprocess.run(
        [sys.executable, "-m", "guardrails.cli.main", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_without_file_read_override if os.geteuid() == 0 else None,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "secret.yaml" in done.stderr and "cannot read" in done.stderr


# ------------------------------------------------------------------------------- adapter shape errors

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"


@pytest.mark.parametrize(
    ("request_document", "needle"),
    [
        (
            {
                "operation": "PutBucketEncryption",
                "request": {"Bucket": "b", "ServerSideEncryptionConfiguration": {"Rules": ["x"]}},
            },
            "ServerSideEncryptionConfiguration.Rules[0]",
        ),
        ({"operation": "PutBucketPolicy", "request": {"Bucket": "b", "Policy": 123}}, "parameter Policy"),
    ],
)
def test_wrongly_shaped_s3_request_fields_are_clear_errors(tmp_path, request_document, needle):
    path = write(tmp_path / "request.json", json.dumps(request_document))
    code, _, err = run("check", str(path))
    assert code == 2 and str(path) in err and needle in err and "Traceback" not in err


def test_cloudtrail_grantee_given_as_a_string_is_a_clear_error(tmp_path):
    event = json.loads((EVENTS / "cloudtrail-PutBucketAcl-grants.json").read_text())
    grant = event["detail"]["requestParameters"]["AccessControlPolicy"]["AccessControlList"]["Grant"][1]
    grant["Grantee"] = "http://acs.amazonaws.com/groups/global/AllUsers"
    path = write(tmp_path / "event.json", json.dumps(event))
    code, _, err = run("check", str(path))
    assert code == 2 and "event.json" in err and "malformed CloudTrail record" in err


def test_state_change_event_of_the_wrong_shape_is_a_clear_error(tmp_path):
    event = json.loads((EVENTS / "sagemaker-NotebookInstanceStateChange.json").read_text())
    event["detail"] = "InService"
    path = write(tmp_path / "event.json", json.dumps(event))
    code, _, err = run("check", str(path))
    assert code == 2 and "event.json" in err and "Traceback" not in err


def test_unpaired_surrogate_escape_is_an_input_error(tmp_path):
    path = write(
        tmp_path / "s.json",
        '{"Resources": {"B": {"Type": "AWS::S3::Bucket",\n "Properties": {"BucketName": "a\\ud800"}}}}',
    )
    code, _, err = run("check", str(path))
    assert code == 2 and f"{path}:2: a string holds an unpaired UTF-16 surrogate" in err
    pair = write(
        tmp_path / "p.json",
        '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "\\ud83d\\ude00"}}}}',
    )
    assert run("check", str(pair))[0] == 1  # a proper pair is text: judged (S3-04 without a KMS key)


def test_file_names_that_are_not_utf8_are_shown_escaped(tmp_path):
    folder = os.fsencode(tmp_path)
    with open(folder + b"/\xff-bad.yaml", "w") as handle:
        handle.write("Resources:\n  A: [unclosed\n")
    with open(folder + b"/\xfe-stack.yaml", "w") as handle:
        handle.write(BAD_NOTEBOOK)
    code, result, err = report(str(tmp_path))
    assert code == 2 and "\\xff-bad.yaml" in err
    assert result["results"][0]["resource"]["location"]["file"].endswith("\\xfe-stack.yaml")


def test_unwritable_report_file_is_an_input_error(tmp_path):
    stack = write(tmp_path / "stack.yaml", BAD_NOTEBOOK)
    code, _, err = run("check", "-o", str(tmp_path / "missing" / "report.txt"), str(stack))
    assert code == 2 and "cannot write the report" in err


def test_event_that_is_not_judged_is_listed_not_evaluated(tmp_path):
    event = (EVENTS / "cloudtrail-CreateTrainingJob-AccessDenied.json").read_text()
    path = write(tmp_path / "failed.json", event)
    code, result, _ = report(str(path))
    assert code == 0 and result["results"] == []
    (note,) = result["summary"]["not_evaluated"]
    assert note["file"] == str(path) and note["type"] == "CreateTrainingJob"
