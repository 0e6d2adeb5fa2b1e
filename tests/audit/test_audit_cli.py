"""`guardrails audit verify|seal|query|export`: exit 0 ok, 1 tampered, 2 bad input (no traceback)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from audit_support import ACTOR, REGION, make_decision, read_lines, write_lines
from click.testing import CliRunner
from guardrails.cli.audit import audit
from moto import mock_aws
from moto_server_support import aws_env

from guardrails.audit import AuditTrail, record_from_decision
from guardrails.audit.sinks.file import FileSink
from guardrails.audit.sinks.s3 import S3Sink

NOW = datetime.now(UTC)


@pytest.fixture
def trail_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    sink = FileSink(path, fsync=False)
    records = [
        record_from_decision(
            make_decision("old-job", "deny", ("SM-01",)), actor=ACTOR, time=NOW - timedelta(days=10)
        ),
        record_from_decision(
            make_decision("new-job", "warn", ("SM-08",)), actor=ACTOR, time=NOW - timedelta(hours=1)
        ),
        record_from_decision(make_decision("ok-job", "allow", ()), actor=ACTOR, time=NOW),
    ]
    sink.append(records)
    return path


def run(*args: str):
    return CliRunner().invoke(audit, list(args), catch_exceptions=False)


def test_verify_ok(trail_file: Path):
    result = run("verify", str(trail_file))
    assert result.exit_code == 0 and "OK: 3 records in 1 streams" in result.output


def test_verify_names_the_first_bad_record_and_exits_1(trail_file: Path):
    records = read_lines(trail_file)
    records[1]["verdict"] = "allow"
    write_lines(trail_file, records)
    result = run("verify", str(trail_file))
    assert result.exit_code == 1
    assert (
        f"changed: stream {records[1]['stream']} seq 1 (decision {records[1]['decision_id']})"
        in result.output
    )


def test_verify_json_format(trail_file: Path):
    result = run("verify", str(trail_file), "--format", "json")
    data = json.loads(result.output)
    assert data["ok"] is True and data["records"] == 3 and len(data["heads"]) == 1


def test_seal_then_truncate_then_verify_with_seal(trail_file: Path, tmp_path: Path):
    sealed = run("seal", str(trail_file), "--to", str(tmp_path / "seal.json"))
    assert sealed.exit_code == 0 and "sealed 1 stream heads (3 records)" in sealed.output
    write_lines(trail_file, read_lines(trail_file)[:2])
    assert run("verify", str(trail_file)).exit_code == 0
    result = run("verify", str(trail_file), "--seal", str(tmp_path / "seal.json"))
    assert result.exit_code == 1 and "truncated" in result.output and "seq 2" in result.output


def test_seal_refuses_a_broken_trail(trail_file: Path, tmp_path: Path):
    records = read_lines(trail_file)
    write_lines(trail_file, [records[0], records[2]])
    result = run("seal", str(trail_file), "--to", str(tmp_path / "seal.json"))
    assert result.exit_code == 1 and not (tmp_path / "seal.json").exists()


def test_seal_to_s3_and_verify_from_it(trail_file: Path, monkeypatch):
    aws_env(monkeypatch)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="audit-seals")
        sealed = run("seal", str(trail_file), "--to", "s3://audit-seals/prod/")
        assert sealed.exit_code == 0
        key = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket="audit-seals")["Contents"][0][
            "Key"
        ]
        assert key.startswith("prod/seal-")
        assert run("verify", str(trail_file), "--seal", f"s3://audit-seals/{key}").exit_code == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("verify", "ftp://somewhere"), "unknown scheme"),
        (("verify", "{tmp}/missing.jsonl"), "missing.jsonl"),
        (("verify", "{tmp}/audit.jsonl", "--seal", "{tmp}/no-seal.json"), "no-seal.json"),
        (("query", "dynamodb://"), "dynamodb://"),
        (("export", "cloudwatch://"), "write-only"),
    ],
)
def test_input_errors_exit_2_naming_the_sink(trail_file: Path, args: tuple[str, ...], needle: str):
    tmp = str(trail_file.parent)
    result = CliRunner().invoke(audit, [a.format(tmp=tmp) for a in args])
    assert result.exit_code == 2
    assert needle.format(tmp=tmp) in result.output and "Traceback" not in result.output


def test_unreachable_aws_sink_exits_2(monkeypatch):
    aws_env(monkeypatch)
    with mock_aws():
        result = CliRunner().invoke(audit, ["verify", "dynamodb://no-such-table"])
    assert result.exit_code == 2 and "dynamodb://no-such-table" in result.output
    assert "ResourceNotFoundException" in result.output


def test_query_filters(trail_file: Path):
    def names(*args: str) -> list[str]:
        out = run("query", str(trail_file), "--format", "json", *args).output
        return [r["resource"]["name"] for r in json.loads(out)]

    assert names() == ["old-job", "new-job", "ok-job"]
    assert names("--control", "SM-08") == ["new-job"]
    assert names("--verdict", "deny") == ["old-job"]
    assert names("--resource", "*:training-job/ok-*") == ["ok-job"]
    assert names("--resource", "AWS::SageMaker::TrainingJob/new-job") == ["new-job"]
    assert names("--since", "2d") == ["new-job", "ok-job"]
    assert names("--until", (NOW - timedelta(days=1)).date().isoformat()) == ["old-job"]


def test_query_table_and_csv(trail_file: Path):
    table = run("query", str(trail_file), "--verdict", "warn").output
    assert "new-job" in table and "SM-08" in table and "1 record(s)" in table
    rows = list(csv.DictReader(io.StringIO(run("query", str(trail_file), "--format", "csv").output)))
    assert [r["verdict"] for r in rows] == ["deny", "warn", "allow"] and rows[0]["controls"] == "SM-01"


def test_query_table_and_csv_say_why_a_record_without_violations_decided(tmp_path: Path):
    from guardrails.decision import UnseenPart

    path = tmp_path / "audit.jsonl"
    broken = replace(make_decision("bad-file", "error", ()), error="stack.yaml: line 3: bad YAML")
    macro = replace(
        make_decision("stack", "deny", ()),
        unseen=[UnseenPart(kind="unknown-content", reason="Transform MyMacro may add resources")],
    )
    FileSink(path, fsync=False).append([record_from_decision(d, actor=ACTOR) for d in (broken, macro)])
    rows = list(csv.DictReader(io.StringIO(run("query", str(path), "--format", "csv").output)))
    assert [r["reason"] for r in rows] == [
        "stack.yaml: line 3: bad YAML",
        "unknown-content: Transform MyMacro may add resources",
    ]
    table = run("query", str(path)).output
    assert "REASON" in table and "bad YAML" in table and "unknown-content: Transform MyMacro" in table


def test_query_rejects_a_bad_time(trail_file: Path):
    result = CliRunner().invoke(audit, ["query", str(trail_file), "--since", "last tuesday"])
    assert result.exit_code == 2 and "duration" in result.output


def test_export_is_a_verifiable_trail(monkeypatch, tmp_path: Path):
    aws_env(monkeypatch)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="audit-export")
        AuditTrail(S3Sink("audit-export", "t")).record_decisions(
            [make_decision(f"j{i}") for i in range(4)], actor=ACTOR
        )
        out = tmp_path / "export.jsonl"
        assert run("export", "s3://audit-export/t", "-o", str(out)).exit_code == 0
    assert len(read_lines(out)) == 4
    assert run("verify", str(out)).exit_code == 0
