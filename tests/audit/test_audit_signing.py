"""Signed trails: every attack a writer without the key can try, verified with and without the key.

Without a key, verify detects what the hash chain and the MAC structure show and says what it could not
check; with the key (`--audit-key`), every forgery fails with exit 1, naming the record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from audit_support import ATTACKS, make_record, read_lines, write_lines
from click.testing import CliRunner
from guardrails.cli.audit import audit

from guardrails.audit import AuditWriteError
from guardrails.audit.signing import AuditKey, AuditKeyError, FileKey, Keyring, generate_key_file, load_key
from guardrails.audit.sinks import open_sink
from guardrails.audit.sinks.file import FileSink


def run(*args: str):
    return CliRunner().invoke(audit, list(args), catch_exceptions=False)


@pytest.fixture
def key_url(tmp_path: Path) -> str:
    url = f"file://{tmp_path / 'keys' / 'audit.key'}"
    assert run("keygen", url).exit_code == 0
    return url


def signed_trail(path: Path, key_url: str, batches: tuple[int, ...] = (3, 2)) -> list[dict]:
    """A file trail of one stream written in appends of `batches` records, signed with `key_url`."""
    sink = open_sink(str(path), key=load_key(key_url))
    for i, count in enumerate(batches):
        sink.append([make_record(f"job-{i}-{j}") for j in range(count)])
    return read_lines(path)


def verify(path: Path, *args: str):
    return run("verify", str(path), *args)


def test_keygen_writes_a_0600_key_and_never_overwrites(tmp_path: Path):
    url = f"file://{tmp_path / 'k'}"
    result = run("keygen", url)
    assert result.exit_code == 0 and "key id local:" in result.output
    assert (tmp_path / "k").stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex((tmp_path / "k").read_text().strip())) == 32
    again = run("keygen", url)
    assert again.exit_code == 2 and "not overwriting" in again.output


def test_weak_or_exposed_key_files_are_refused(tmp_path: Path):
    short = tmp_path / "short"
    short.write_bytes(b"x" * 31)
    short.chmod(0o600)
    with pytest.raises(AuditKeyError, match="31 bytes"):
        load_key(f"file://{short}")
    exposed = tmp_path / "exposed"
    exposed.write_text("ab" * 32)
    exposed.chmod(0o644)
    with pytest.raises(AuditKeyError, match="chmod 600"):
        load_key(f"file://{exposed}")
    with pytest.raises(AuditKeyError, match="file:// or kms://"):
        load_key("vault://x")


def test_signed_trail_verifies_with_its_key_and_every_record_carries_mac_and_key_id(tmp_path, key_url):
    path = tmp_path / "audit.jsonl"
    records = signed_trail(path, key_url)
    key_id = load_key(key_url).key_id
    assert all(r["mac"]["key"] == key_id and r["mac"]["alg"] == "HMAC_SHA_256" for r in records)
    assert [r["mac"]["last"] for r in records] == [2, 2, 2, 4, 4]  # one MAC per stored segment
    result = verify(path, "--audit-key", key_url)
    assert result.exit_code == 0 and "every MAC verified" in result.output
    assert "not checked: no --seal" in result.output


def test_without_a_key_verify_says_what_it_could_not_check(tmp_path, key_url):
    path = tmp_path / "audit.jsonl"
    signed_trail(path, key_url)
    result = verify(path)
    assert result.exit_code == 0
    assert "not checked: 5 signed record(s): their MACs were not checked" in result.output
    unsigned = tmp_path / "unsigned.jsonl"
    FileSink(unsigned, fsync=False).append([make_record()])
    assert "not checked: unsigned trail" in verify(unsigned).output
    data = json.loads(verify(unsigned, "--format", "json").output)
    assert data["macs_checked"] is False and any("unsigned trail" in n for n in data["not_checked"])


@pytest.mark.parametrize(
    ("tamper", "exit_without_key", "kind"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS]
)
def test_every_attack_fails_with_the_key(tmp_path, key_url, tamper, exit_without_key, kind):
    path = tmp_path / "audit.jsonl"
    records = tamper(signed_trail(path, key_url))
    write_lines(path, records)
    with_key = verify(path, "--audit-key", key_url)
    assert with_key.exit_code == 1, with_key.output
    assert f"FAILED: {kind}: stream " in with_key.output and "seq " in with_key.output
    without = verify(path)
    assert without.exit_code == exit_without_key, without.output
    if exit_without_key == 0:  # undetectable without the key: verify must say so
        assert "not checked:" in without.output


def test_a_record_signed_by_another_key_is_refused(tmp_path, key_url):
    path = tmp_path / "audit.jsonl"
    signed_trail(path, key_url)
    other = f"file://{tmp_path / 'other.key'}"
    run("keygen", other)
    open_sink(str(path), key=load_key(other)).append([make_record("intruder")])
    result = verify(path, "--audit-key", key_url)
    assert result.exit_code == 1 and "which is not among the given keys" in result.output


def test_rotation_verifies_records_of_every_given_key(tmp_path, key_url):
    path = tmp_path / "audit.jsonl"
    signed_trail(path, key_url)
    new = f"file://{tmp_path / 'new.key'}"
    run("keygen", new)
    open_sink(str(path), key=load_key(new)).append([make_record("after-rotation")])
    assert verify(path, "--audit-key", key_url, "--audit-key", new).exit_code == 0
    only_new = verify(path, "--audit-key", new)
    assert only_new.exit_code == 1 and "not among the given keys" in only_new.output


def test_key_from_the_environment_variable(tmp_path, key_url, monkeypatch):
    path = tmp_path / "audit.jsonl"
    signed_trail(path, key_url)
    monkeypatch.setenv("GUARDRAILS_AUDIT_KEY", key_url)
    assert "every MAC verified" in verify(path).output


class _DownKey(AuditKey):
    url = "kms://alias/down"
    key_id = None

    def mac(self, message):
        raise AuditKeyError("kms:GenerateMac failed: could not connect", "EndpointConnectionError")

    def verify(self, message, mac_hex):
        raise AuditKeyError("kms:VerifyMac failed: could not connect", "EndpointConnectionError")

    def redaction_secret(self):
        return self.mac(b"")


def test_a_signing_outage_fails_the_write_and_stores_nothing_unsigned(tmp_path):
    path = tmp_path / "audit.jsonl"
    sink = open_sink(str(path), key=_DownKey())
    with pytest.raises(AuditWriteError, match="cannot sign") as raised:
        sink.append([make_record()])
    assert raised.value.code == "EndpointConnectionError"
    assert not path.exists() or path.read_text() == ""
    assert sink._chain.next_seq == 0  # the retry starts from the same head


def test_seal_is_signed_and_a_recomputed_seal_is_refused(tmp_path, key_url):
    path = tmp_path / "audit.jsonl"
    signed_trail(path, key_url)
    seal_path = tmp_path / "seal.json"
    sealed = run("seal", str(path), "--to", str(seal_path), "--audit-key", key_url)
    assert sealed.exit_code == 0 and "(signed)" in sealed.output
    assert verify(path, "--seal", str(seal_path), "--audit-key", key_url).exit_code == 0
    # The attacker drops the last segment and recomputes the seal over the shorter trail.
    records = read_lines(path)[:3]
    write_lines(path, records)
    from guardrails.audit.chain import Head
    from guardrails.audit.seal import Seal, read_seal, write_seal

    original = read_seal(str(seal_path))
    heads = {records[-1]["stream"]: Head(records[-1]["seq"], records[-1]["hash"])}
    recomputed = Seal.create(original.sink, heads, original.sealed_at)
    write_seal(recomputed.model_copy(update={"mac": original.mac}), str(seal_path))
    with_key = verify(path, "--seal", str(seal_path), "--audit-key", key_url)
    assert with_key.exit_code == 1 and "seal" in with_key.output and "bad-mac" in with_key.output
    without = verify(path, "--seal", str(seal_path))
    assert without.exit_code == 0 and "the seal's signature was not checked" in without.output
    write_seal(recomputed, str(seal_path))  # or without a MAC at all
    unsigned = verify(path, "--seal", str(seal_path), "--audit-key", key_url)
    assert unsigned.exit_code == 1 and "the seal carries no MAC" in unsigned.output


def test_an_unusable_key_is_an_input_error(tmp_path, key_url):
    path = tmp_path / "audit.jsonl"
    signed_trail(path, key_url)
    result = verify(path, "--audit-key", f"file://{tmp_path / 'missing.key'}")
    assert result.exit_code == 2 and "cannot read" in result.output


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"verdict":"deny","verdict":"allow"}', "duplicate key 'verdict'"),
        ('{"seq": 1e400}', "overflows a double"),
        ('{"seq": 9007199254740993}', "beyond"),
        ('{"seq": 0.10000000000000000001}', "changes when read as a double"),
        ('{"seq": NaN}', "NaN is not JSON"),
        ('{"seq": 1', "not valid JSON"),
    ],
)
def test_verify_refuses_ambiguous_or_broken_lines_naming_the_line(tmp_path, line, reason):
    path = tmp_path / "audit.jsonl"
    FileSink(path, fsync=False).append([make_record("a"), make_record("b")])
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], line, lines[1]]) + "\n")
    result = verify(path)
    assert result.exit_code == 1 and f"{path}:2" in result.output and reason in result.output


def test_a_duplicate_key_hidden_in_a_genuine_record_is_refused(tmp_path):
    path = tmp_path / "audit.jsonl"
    FileSink(path, fsync=False).append([make_record("a")])
    line = path.read_text().rstrip("\n")
    path.write_text(line[:-1] + ',"verdict":"allow"}\n')  # json.loads would read "allow"
    result = verify(path)
    assert result.exit_code == 1 and "duplicate key 'verdict'" in result.output


def test_equivalent_number_spellings_still_verify(tmp_path):
    path = tmp_path / "audit.jsonl"
    FileSink(path, fsync=False).append([make_record("a")])
    line = path.read_text().replace('"line":12', '"line":1.2E1')
    path.write_text(line)
    assert verify(path).exit_code == 0


def test_keyring_with_no_matching_key_reports_unknown():
    key = FileKey.from_secret(os.urandom(32))
    assert Keyring([key]).verify("local:0000", b"m", "00" * 32) is None
    key_id, mac = key.mac(b"m")
    assert Keyring([key]).verify(key_id, b"m", mac) is True


def test_generate_key_file_refuses_kms_urls(tmp_path):
    with pytest.raises(AuditKeyError, match="created in KMS"):
        generate_key_file("kms://alias/x")


def test_an_append_split_into_segments_signs_each_segment(tmp_path, key_url):
    path = tmp_path / "audit.jsonl"
    sink = open_sink(str(path), key=load_key(key_url))
    sink.max_segment_records = 2
    sink.append([make_record(f"job-{i}") for i in range(5)])
    assert [r["mac"]["last"] for r in read_lines(path)] == [1, 1, 3, 3, 4]
    assert verify(path, "--audit-key", key_url).exit_code == 0


def test_signed_dynamodb_and_s3_trails_verify(tmp_path, key_url, monkeypatch):
    import boto3
    from moto import mock_aws
    from moto_server_support import aws_env

    from guardrails.audit import verify_sink
    from guardrails.audit.sinks.dynamodb import create_table

    aws_env(monkeypatch)
    key = load_key(key_url)
    with mock_aws():
        create_table(boto3.client("dynamodb"), "signed-audit")
        boto3.client("s3").create_bucket(Bucket="signed-audit")
        for url in ("dynamodb://signed-audit", "s3://signed-audit/trail"):
            sink = open_sink(url, key=key)
            sink.append([make_record("a"), make_record("b")])
            sink.append([make_record("c")])
            result = verify_sink(open_sink(url), keys=Keyring([key]))
            assert result.ok and result.signed == 3 and result.macs_checked, (url, result.problems)
            assert run("verify", url, "--audit-key", key_url).exit_code == 0


def test_signing_key_from_the_config_and_a_bad_key_is_an_input_error(tmp_path, key_url):
    from guardrails.cli.main import main

    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    config = tmp_path / "config.yaml"
    trail = tmp_path / "audit.jsonl"
    config.write_text(f"audit:\n  sinks: [file://{trail}]\n  signing_key: {key_url}\n")
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(template), "--config", str(config)])
    assert result.exit_code in (0, 1) and all("mac" in r for r in read_lines(trail))
    assert verify(trail, "--audit-key", key_url).exit_code == 0
    missing = f"file://{tmp_path / 'missing.key'}"
    event = tmp_path / "event.json"
    event.write_text("{}")
    for command in (
        ["check", str(template), "--audit", f"file://{trail}", "--audit-key", missing],
        ["handle-event", str(event), "--audit", f"file://{trail}", "--audit-key", missing],
        ["handle-hook", str(event), "--audit", f"file://{trail}", "--audit-key", missing],
    ):
        bad = runner.invoke(main, command)
        assert bad.exit_code == 2, (command, bad.output)
        assert "missing.key" in bad.output and not isinstance(bad.exception, AuditKeyError)
    bad_config = tmp_path / "bad.yaml"
    bad_config.write_text("audit:\n  signing_key: vault://x\n")
    assert runner.invoke(main, ["config", "validate", str(bad_config)]).exit_code == 2


def test_audit_bench_reports_signing_overhead():
    import subprocess
    import sys

    bench = Path(__file__).resolve().parents[2] / "bench" / "audit_bench.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--records", "20", "--repeat", "1", "--resources", "20", "--no-aws"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Signing overhead" in done.stdout and "file key:" in done.stdout


def test_the_hook_lambda_signs_with_the_key_its_environment_names(tmp_path, key_url, monkeypatch, decider):
    from dataclasses import dataclass

    from admission_support import fixture
    from guardrails.lambdas import cfn_hook

    @dataclass
    class Context:
        function_name: str = "hook"
        memory_limit_in_mb: int = 512
        invoked_function_arn: str = "arn:aws:lambda:eu-west-1:111122223333:function:hook"
        aws_request_id: str = "c0ffee00-0000-4000-8000-000000000002"

    sink = tmp_path / "audit.jsonl"
    monkeypatch.setenv("GUARDRAILS_AUDIT_SINKS", f"file://{sink}")
    monkeypatch.setenv("GUARDRAILS_AUDIT_KEY", key_url)
    monkeypatch.delenv("GUARDRAILS_CONFIG", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    from guardrails.admission.hook_service import SERVICE

    SERVICE.reset()
    response = cfn_hook.handler(fixture("cloud-control-notebook-create.json"), Context())
    assert response["hookStatus"] == "FAILED"
    (record,) = read_lines(sink)
    assert record["mac"]["key"] == load_key(key_url).key_id
    assert verify(sink, "--audit-key", key_url).exit_code == 0


def test_an_ambiguous_last_line_without_newline_is_not_taken_for_a_torn_write(tmp_path):
    path = tmp_path / "audit.jsonl"
    FileSink(path, fsync=False).append([make_record("a")])
    line = path.read_text().rstrip("\n")
    with path.open("a") as handle:
        handle.write(line[:-1] + ',"verdict":"allow"}')  # no newline: looks like a write in progress
    result = verify(path)
    assert result.exit_code == 1 and f"{path}:2" in result.output and "duplicate key" in result.output
