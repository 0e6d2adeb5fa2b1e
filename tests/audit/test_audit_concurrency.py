"""8 concurrent writers x 2,000 records per sink: every record arrives and the trail verifies.

Threads share one moto backend in-process (DynamoDB, S3); the file sink gets real processes. Writers
append batches of mixed sizes (single records like a Lambda, up to 150 like a check run).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from audit_support import REGION, make_record

from guardrails.audit import AuditSink, AuditTrail, verify_sink
from guardrails.audit.sinks.dynamodb import DynamoDBSink, create_table
from guardrails.audit.sinks.file import FileSink
from guardrails.audit.sinks.s3 import S3Sink

pytestmark = pytest.mark.slow  # eight writers of 2,000 records per sink

WRITERS, PER_WRITER = 8, 2000
BATCHES = (1, 1, 1, 2, 5, 40, 150)  # sums to 200: ten rounds per writer


def batch_sizes() -> list[int]:
    sizes = list(BATCHES) * (PER_WRITER // sum(BATCHES))
    assert sum(sizes) == PER_WRITER
    return sizes


def write_all(sink: AuditSink, writer: int) -> None:
    template = make_record(f"writer-{writer}")
    done = 0
    for size in batch_sizes():
        sink.append(
            [template.model_copy(update={"decision_id": f"{writer}-{done + i}"}) for i in range(size)]
        )
        done += size


def run_threads(make_sink: Callable[[], AuditSink]) -> list[AuditSink]:
    sinks = [make_sink() for _ in range(WRITERS)]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            write_all(sinks[index], index)
        except BaseException as exc:  # surfaced below: a lost record must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return sinks


def assert_complete(sink: AuditSink, stream_ids: set[str]) -> None:
    result = verify_sink(sink)
    assert result.ok, result.first
    assert result.records == WRITERS * PER_WRITER
    assert set(result.heads) == stream_ids
    assert all(head.seq == PER_WRITER - 1 for head in result.heads.values())


def test_dynamodb_eight_threads(aws):
    create_table(boto3.client("dynamodb", region_name=REGION), "audit")
    sinks = run_threads(lambda: DynamoDBSink("audit"))
    assert_complete(sinks[0], {s.stream for s in sinks})


def test_s3_eight_threads(aws):
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="audit-concurrency")
    sinks = run_threads(lambda: S3Sink("audit-concurrency", "trail"))
    assert_complete(sinks[0], {s.stream for s in sinks})


def _process_writer(path: str, writer: int, start: threading.Event) -> None:
    sink = FileSink(path)  # fsync on, as by default
    start.wait()
    write_all(sink, writer)


def test_file_eight_processes(tmp_path: Path):
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("fork")
    start = context.Event()
    processes = [context.Process(target=_process_writer, args=(str(path), i, start)) for i in range(WRITERS)]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * WRITERS
    result = verify_sink(FileSink(path))
    assert result.ok, result.first
    assert result.records == WRITERS * PER_WRITER and len(result.heads) == WRITERS


def test_one_trail_shared_by_eight_threads(tmp_path: Path):
    """A single writer instance used from many threads stays one gap-free stream."""
    sink = FileSink(tmp_path / "audit.jsonl", fsync=False)
    trail = AuditTrail(sink)
    run_threads_on = [threading.Thread(target=write_all, args=(sink, i)) for i in range(WRITERS)]
    for thread in run_threads_on:
        thread.start()
    for thread in run_threads_on:
        thread.join()
    result = verify_sink(trail.sinks[0])
    assert result.ok and result.records == WRITERS * PER_WRITER
    assert {s: h.seq for s, h in result.heads.items()} == {sink.stream: WRITERS * PER_WRITER - 1}
