"""Sinks: round trips, no overwrite, Object Lock, and every failure surfacing as AuditWriteError."""

from __future__ import annotations

import io
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from audit_support import ACTOR, REGION, make_decision, make_record
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.stub import Stubber
from moto_server_support import offline_client

from guardrails.audit import (
    AuditReadError,
    AuditTrail,
    AuditWriteError,
    SinkURLError,
    open_sink,
    verify_sink,
)
from guardrails.audit.sinks.cloudwatch import CloudWatchSink, audit_logger
from guardrails.audit.sinks.dynamodb import DynamoDBSink, create_table
from guardrails.audit.sinks.file import FileSink
from guardrails.audit.sinks.s3 import S3Sink

TABLE, BUCKET = "guardrails-audit", "guardrails-audit-trail"
RETRYING = Config(retries={"mode": "adaptive", "max_attempts": 5})  # as the sinks' own clients


@pytest.fixture
def table(aws) -> str:
    create_table(boto3.client("dynamodb", region_name=REGION), TABLE)
    return TABLE


@pytest.fixture
def bucket(aws) -> str:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    return BUCKET


class RawBody(io.BytesIO):
    """The raw HTTP body botocore reads from a response."""

    def stream(self, **kwargs):
        yield self.getvalue()


# --- round trips ---------------------------------------------------------------------------------------------


def test_dynamodb_round_trip_one_item_per_append(table: str):
    sink = open_sink(f"dynamodb://{table}")
    sink.append([make_record("single")])
    sink.append([make_record(f"batch-{i}") for i in range(5)])
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=table)["Items"]
    assert sorted((int(i["seq"]["N"]), int(i["last_seq"]["N"])) for i in items) == [(0, 0), (1, 5)]
    result = verify_sink(sink)
    assert result.ok and result.records == 6 and result.heads[sink.stream].seq == 5


def test_dynamodb_large_batch_is_split_below_the_item_limit(table: str):
    sink = DynamoDBSink(table)
    big = {"resource": {"properties": {"Blob": "x" * 40_000}}}
    records = [make_record(f"big-{i}").model_copy(update={"input": big}) for i in range(20)]
    sink.append(records)
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=table)["Items"]
    assert len(items) >= 3 and all(len(i["records"]["S"]) <= DynamoDBSink.max_segment_bytes for i in items)
    assert verify_sink(sink).records == 20


def test_s3_round_trip_keys_by_stream_and_seq(bucket: str):
    sink = open_sink(f"s3://{bucket}/audit/prod")
    sink.append([make_record("one")])
    sink.append([make_record("two"), make_record("three")])
    keys = [
        o["Key"] for o in boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=bucket)["Contents"]
    ]
    assert keys == [
        f"audit/prod/{sink.stream}/000000000000.jsonl",
        f"audit/prod/{sink.stream}/000000000001.jsonl",
    ]
    assert verify_sink(sink).ok


def test_s3_objects_get_the_bucket_default_retention(aws):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="locked-audit-trail", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket="locked-audit-trail",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}},
        },
    )
    sink = S3Sink("locked-audit-trail", "trail")
    sink.append([make_record()])
    head = s3.head_object(Bucket="locked-audit-trail", Key=sink.key(sink.stream, 0))
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=29)


def test_s3_configured_retention_is_applied(aws):
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="locked-audit-trail", ObjectLockEnabledForBucket=True)
    sink = open_sink("s3://locked-audit-trail/p?retention-mode=COMPLIANCE&retention-days=7")
    sink.append([make_record()])
    head = s3.head_object(Bucket="locked-audit-trail", Key=sink.key(sink.stream, 0))
    assert head["ObjectLockMode"] == "COMPLIANCE"


def test_s3_without_object_lock_writes_plain_objects(bucket: str):
    sink = S3Sink(bucket)
    sink.append([make_record()])
    head = boto3.client("s3", region_name=REGION).head_object(Bucket=bucket, Key=sink.key(sink.stream, 0))
    assert "ObjectLockMode" not in head


# --- never overwrite ------------------------------------------------------------------------------------------


def test_dynamodb_never_overwrites_a_foreign_item(table: str):
    sink = DynamoDBSink(table, stream="shared")
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=table, Item={"stream": {"S": "shared"}, "seq": {"N": "0"}, "records": {"S": "{}\n"}}
    )
    with pytest.raises(AuditWriteError) as info:
        sink.append([make_record()])
    assert info.value.code == "ConditionalCheckFailedException" and info.value.sink == f"dynamodb://{table}"
    sink.append([])  # nothing to do, nothing raised


def test_dynamodb_accepts_its_own_retried_write(table: str):
    """A write that landed but whose response was lost is retried by botocore and meets its own item."""
    sink = DynamoDBSink(table, stream="retry")
    original = sink.client.put_item

    def put_twice(**kwargs):
        original(**kwargs)
        return original(**kwargs)  # the "retry" hits the condition

    sink.client.put_item = put_twice
    sink.append([make_record()])
    assert verify_sink(sink).ok


def test_s3_never_overwrites_a_foreign_object(bucket: str):
    sink = S3Sink(bucket, "p", stream="shared")
    boto3.client("s3", region_name=REGION).put_object(Bucket=bucket, Key=sink.key("shared", 0), Body=b"{}\n")
    with pytest.raises(AuditWriteError) as info:
        sink.append([make_record()])
    assert info.value.code == "PreconditionFailed"
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=bucket, Key=sink.key("shared", 0))["Body"]
    assert body.read() == b"{}\n"


def test_failed_write_does_not_advance_the_chain(table: str):
    sink = DynamoDBSink(table, stream="gap-free")
    sink.append([make_record("a")])
    stubber = Stubber(sink.client)
    stubber.add_client_error("put_item", "ProvisionedThroughputExceededException", http_status_code=400)
    with stubber, pytest.raises(AuditWriteError):
        sink.append([make_record("b")])
    sink.append([make_record("c")])
    result = verify_sink(sink)
    assert result.ok and result.records == 2 and result.heads["gap-free"].seq == 1


# --- failures surface -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("ProvisionedThroughputExceededException", 400),
        ("AccessDeniedException", 400),
    ],
)
def test_dynamodb_errors_raise_audit_write_error(code: str, status: int):
    client = offline_client("dynamodb", REGION, config=RETRYING)
    sink = DynamoDBSink("t", client=client)
    with Stubber(client) as stubber:
        stubber.add_client_error("put_item", code, "nope", http_status_code=status)
        with pytest.raises(AuditWriteError) as info:
            sink.append([make_record()])
    assert info.value.code == code and "dynamodb://t" in str(info.value) and code in str(info.value)


@pytest.mark.parametrize(
    ("code", "status"), [("SlowDown", 503), ("AccessDenied", 403), ("NoSuchBucket", 404)]
)
def test_s3_errors_raise_audit_write_error(code: str, status: int):
    client = offline_client("s3", REGION, config=RETRYING)
    sink = S3Sink("b-audit", client=client)
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "get_object_lock_configuration", "ObjectLockConfigurationNotFoundError", http_status_code=404
        )
        stubber.add_client_error("put_object", code, "nope", http_status_code=status)
        with pytest.raises(AuditWriteError) as info:
            sink.append([make_record()])
    assert info.value.code == code and "s3://b-audit" in str(info.value)


def test_s3_lock_lookup_denied_is_a_write_error():
    client = offline_client("s3", REGION, config=RETRYING)
    sink = S3Sink("b-audit", client=client)
    with Stubber(client) as stubber:
        stubber.add_client_error("get_object_lock_configuration", "AccessDenied", http_status_code=403)
        with pytest.raises(AuditWriteError) as info:
            sink.append([make_record()])
    assert info.value.code == "AccessDenied"


def test_throttling_is_retried_then_raised(monkeypatch):
    """Real botocore retry path (not the Stubber): every attempt answers 400 ThrottlingException.

    botocore reads `max_attempts` in the retries dict as retries: 1 call + 5 retries = 6 attempts.
    """
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0)
    monkeypatch.setattr(
        "botocore.retries.adaptive.ClientRateLimiter.on_sending_request", lambda self, *args, **kwargs: None
    )
    client = offline_client("dynamodb", REGION, config=RETRYING)
    attempts = []

    def throttled(request, **kwargs):
        attempts.append(request.url)
        body = json.dumps(
            {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "slow"}
        )
        return AWSResponse(
            request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, RawBody(body.encode())
        )

    client.meta.events.register_first("before-send.dynamodb.PutItem", throttled)
    with pytest.raises(AuditWriteError) as info:
        DynamoDBSink("t", client=client).append([make_record()])
    assert len(attempts) == 6 and info.value.code == "ThrottlingException"


def test_aws_clients_use_adaptive_retries(aws):
    for sink in (open_sink("dynamodb://t"), open_sink("s3://b-audit/p")):
        assert sink.client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 6}


def test_file_write_failure_raises(tmp_path: Path):
    (tmp_path / "dir.jsonl").mkdir()
    with pytest.raises(AuditWriteError) as info:
        FileSink(tmp_path / "dir.jsonl").append([make_record()])
    assert info.value.code == "EISDIR"


def test_unreadable_sinks_raise_audit_read_error(aws, tmp_path: Path):
    for url in ("dynamodb://missing-table", "s3://missing-bucket-audit/p", str(tmp_path / "none.jsonl")):
        with pytest.raises(AuditReadError) as info:
            verify_sink(open_sink(url))
        assert info.value.sink.endswith(url.split("//")[-1])


def test_trail_writes_the_healthy_sinks_and_raises_for_the_broken_one(tmp_path: Path):
    (tmp_path / "broken.jsonl").mkdir()
    good = FileSink(tmp_path / "good.jsonl", fsync=False)
    trail = AuditTrail(FileSink(tmp_path / "broken.jsonl"), good)
    with pytest.raises(AuditWriteError) as info:
        trail.record(make_decision(), actor=ACTOR)
    assert "broken.jsonl" in info.value.sink
    assert verify_sink(good).records == 1


# --- CloudWatch Logs via Powertools ------------------------------------------------------------------------------


def service_name() -> str:
    return f"audit-test-{uuid.uuid4().hex[:8]}"


def test_cloudwatch_lines_carry_the_chained_record_and_verify_as_a_file(tmp_path: Path):
    stream = io.StringIO()
    sink = CloudWatchSink(logger=audit_logger(service_name(), stream), stream="lambda-env-1")
    sink.append([make_record(f"job-{i}") for i in range(3)])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["audit_record"]["seq"] for line in lines] == [0, 1, 2]
    assert lines[0]["message"] == "audit record" and lines[0]["level"] == "INFO"
    export = tmp_path / "export.jsonl"
    export.write_text(stream.getvalue())
    result = verify_sink(FileSink(export))
    assert result.ok and result.records == 3


def test_cloudwatch_write_failure_raises():
    class Broken(io.StringIO):
        def write(self, text):
            raise OSError("stdout closed")

    sink = CloudWatchSink(logger=audit_logger(service_name(), Broken()))
    with pytest.raises(AuditWriteError) as info:
        sink.append([make_record()])
    assert "stdout closed" in str(info.value)


def test_cloudwatch_log_level_that_drops_records_raises():
    logger = audit_logger(service_name(), io.StringIO())
    logger.setLevel(logging.WARNING)
    with pytest.raises(AuditWriteError) as info:
        CloudWatchSink(logger=logger).append([make_record()])
    assert info.value.code == "LogLevelFiltered"


def test_cloudwatch_is_write_only():
    with pytest.raises(AuditReadError):
        list(CloudWatchSink(logger=audit_logger(service_name(), io.StringIO())).read())


def test_lambda_trail_adds_cloudwatch(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "guardrails-events")
    trail = AuditTrail.from_urls([str(tmp_path / "a.jsonl")])
    assert [s.url.split("://")[0] for s in trail.sinks] == ["file", "cloudwatch"]
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    assert len(AuditTrail.from_urls([str(tmp_path / "a.jsonl")]).sinks) == 1


# --- URLs ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://host/x",
        "dynamodb://",
        "dynamodb://table/extra",
        "s3://",
        "file://",
        "a.jsonl?fsync=maybe",
        "a.jsonl?colour=blue",
        "s3://b/p?retention-mode=GOVERNANCE",
        "s3://b/p?retention-mode=LOOSE&retention-days=1",
        "s3://b/p?retention-mode=GOVERNANCE&retention-days=0",
    ],
)
def test_bad_urls_raise_sink_url_error(url: str):
    with pytest.raises(SinkURLError):
        open_sink(url)


def test_url_options(aws, tmp_path: Path):
    assert open_sink(f"{tmp_path}/a.jsonl?fsync=false").fsync is False
    s3 = open_sink("s3://bucket-name/some/prefix/")
    assert (s3.bucket, s3.prefix, s3.url) == ("bucket-name", "some/prefix", "s3://bucket-name/some/prefix")
    assert open_sink("cloudwatch://").url == "cloudwatch://guardrails-audit"
