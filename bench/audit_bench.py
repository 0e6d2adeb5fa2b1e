"""Audit trail benchmark: records per second per sink, what auditing adds to a 1,000-resource check, and
what signing adds to that (a file HMAC key; a KMS HMAC key through moto).

    python bench/audit_bench.py [--records 2000] [--repeat 5] [--resources 1000] [--no-aws]

DynamoDB and S3 run against moto in-process (`mock_aws`): their numbers measure our code plus moto's
emulation, not AWS latency (expect ~5-20 ms per call on AWS, so single-record appends there are bound by
the round trip; batched appends write one item/object per segment).
The overhead part times `guardrails.checking.run_check` on a generated CloudFormation template with and
without recording every decision to a file sink (fsync on, as by default); target: under 20%.
The signing part times the same check + audit with the records signed by a file key and by a KMS key
(moto in-process: one GenerateMac call per append, plus one per trail for the redaction key; on AWS
add ~10-20 ms per call) against the unsigned check + audit; target: under 20% over unsigned.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGET_OVERHEAD = 0.20


def sample_records(count: int):
    from guardrails.audit import Actor, record_from_decision
    from guardrails.decision import Decision, EngineInfo, ResourceRef, Violation

    actor = Actor(kind="local-user", name="bench@host")
    records = []
    for i in range(count):
        decision = Decision(
            resource=ResourceRef(
                type="AWS::SageMaker::TrainingJob",
                name=f"job-{i}",
                arn=f"arn:aws:sagemaker:us-east-1:111122223333:training-job/job-{i}",
            ),
            violations=[
                Violation(
                    control=f"SM-0{c}",
                    severity="medium",
                    enforcement="deny",
                    path="VpcConfig.Subnets",
                    message="VpcConfig.Subnets is missing or empty: the job runs in the service network.",
                )
                for c in range(3)
            ],
            verdict="deny",
            point="pre-deploy",
            source="cloudformation",
            input_digest="sha256:" + "a" * 64,
            bundle_digest="sha256:" + "b" * 64,
            bundle_version="0.1.0",
            engine=EngineInfo(name="regorus", version="0"),
        )
        records.append(record_from_decision(decision, actor=actor))
    return records


def rate(make_sink: Callable[[], object], records: list, batch: int) -> float:
    sink = make_sink()
    start = time.perf_counter()
    for i in range(0, len(records), batch):
        sink.append(records[i : i + batch])  # type: ignore[attr-defined]
    return len(records) / (time.perf_counter() - start)


def sink_rates(records: list, with_aws: bool) -> list[tuple[str, float, float]]:
    from guardrails.audit.sinks.cloudwatch import CloudWatchSink, audit_logger
    from guardrails.audit.sinks.file import FileSink

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))
        for label, fsync in (("file (fsync)", True), ("file (no fsync)", False)):

            def make(fsync=fsync):
                return FileSink(Path(tmp) / f"audit-{next(counter)}.jsonl", fsync=fsync)

            rows.append((label, rate(make, records, 1), rate(make, records, 100)))
    logger = audit_logger("audit-bench", io.StringIO())
    rows.append(
        ("cloudwatch (Powertools Logger)", rate(lambda: CloudWatchSink(logger=logger), records, 1), 0.0)
    )
    if with_aws:
        rows.extend(aws_rates(records))
    return rows


def aws_rates(records: list) -> list[tuple[str, float, float]]:
    import boto3
    from moto import mock_aws

    from guardrails.audit.sinks.dynamodb import DynamoDBSink, create_table
    from guardrails.audit.sinks.s3 import S3Sink

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[key] = "bench"
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = "us-east-1"
    os.environ.pop("AWS_ENDPOINT_URL", None)
    single = records[: min(len(records), 500)]  # moto costs ~3 ms per call
    with mock_aws():
        create_table(boto3.client("dynamodb"), "bench-audit")
        boto3.client("s3").create_bucket(Bucket="bench-audit-trail")
        return [
            (
                "dynamodb (moto in-process)",
                rate(lambda: DynamoDBSink("bench-audit"), single, 1),
                rate(lambda: DynamoDBSink("bench-audit"), records, 100),
            ),
            (
                "s3 (moto in-process)",
                rate(lambda: S3Sink("bench-audit-trail", "b"), single, 1),
                rate(lambda: S3Sink("bench-audit-trail", "b"), records, 100),
            ),
        ]


def generated_template(count: int) -> dict:
    """A CloudFormation template of `count` SageMaker and S3 resources, some compliant, most not."""
    role = "arn:aws:iam::111122223333:role/sagemaker"
    resources: dict[str, dict] = {}
    for i in range(count):
        kind = i % 4
        if kind == 0:
            resources[f"Model{i}"] = {
                "Type": "AWS::SageMaker::Model",
                "Properties": {
                    "ExecutionRoleArn": role,
                    "PrimaryContainer": {"Image": "img:1", "Environment": {"MODE": "batch"}},
                },
            }
        elif kind == 1:
            resources[f"Config{i}"] = {
                "Type": "AWS::SageMaker::EndpointConfig",
                "Properties": {
                    "KmsKeyId": "alias/ml" if i % 8 == 1 else None,
                    "ProductionVariants": [
                        {
                            "ModelName": {"Ref": f"Model{i - 1}"},
                            "VariantName": "v1",
                            "InitialInstanceCount": 1,
                            "InstanceType": "ml.m5.large",
                        }
                    ],
                },
            }
        elif kind == 2:
            resources[f"Notebook{i}"] = {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Properties": {
                    "InstanceType": "ml.t3.medium",
                    "RoleArn": role,
                    "DirectInternetAccess": "Disabled",
                },
            }
        else:
            resources[f"Bucket{i}"] = {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": f"ml-data-{i}"},
            }
    for resource in resources.values():
        resource["Properties"] = {k: v for k, v in resource["Properties"].items() if v is not None}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def overhead(resources: int, repeat: int, keys: dict[str, Callable[[], object]] | None = None):
    """(median check seconds, {variant: median check+audit seconds}, decisions, how the check was run).

    Variants: "unsigned" and one per signing key factory in `keys` (a fresh key per run, as per process).
    """
    from guardrails.audit import AuditTrail, current_actor
    from guardrails.audit.sinks.file import FileSink
    from guardrails.decider import Decider

    decider = Decider()
    actor = current_actor()
    variants: dict[str, Callable[[], object] | None] = {"unsigned": None, **(keys or {})}
    with tempfile.TemporaryDirectory() as tmp:
        check, how = _check_function(Path(tmp), resources, decider)
        check()  # warm up: imports, policy compilation
        plain: list[float] = []
        audited: dict[str, list[float]] = {name: [] for name in variants}
        for i in range(repeat):
            start = time.perf_counter()
            check()
            plain.append(time.perf_counter() - start)
            for name, make_key in variants.items():
                sink = FileSink(Path(tmp) / f"audit-{name}-{i}.jsonl")
                key = make_key() if make_key else None
                sink.signing_key = key  # type: ignore[assignment]
                trail = AuditTrail(sink)
                start = time.perf_counter()
                decisions = check()
                trail.record_decisions(decisions, actor=actor)
                audited[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(times) for name, times in audited.items()}
        return statistics.median(plain), medians, len(decisions), how


def signing_keys(tmp: Path, with_aws: bool) -> dict[str, Callable[[], object]]:
    """Key factories: a file key, and (with_aws) a KMS HMAC key in moto (in-process)."""
    from guardrails.audit.signing import FileKey, KmsKey, generate_key_file

    path = generate_key_file(f"file://{tmp / 'bench.key'}")
    keys: dict[str, Callable[[], object]] = {"file key": lambda: FileKey(path)}
    if with_aws:
        import boto3
        from moto import mock_aws

        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ[name] = "bench"
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = "us-east-1"
        os.environ.pop("AWS_ENDPOINT_URL", None)
        mock = mock_aws()
        mock.start()  # stopped at exit; the bench process ends right after
        kms = boto3.client("kms")
        key_id = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        keys["KMS key (moto)"] = lambda: KmsKey(key_id, client=kms)
    return keys


def _check_function(tmp: Path, resources: int, decider) -> tuple[Callable[[], list], str]:
    from guardrails.config import GuardrailsConfig

    try:
        import guardrails.sources.cloudformation  # noqa: F401
        from guardrails.checking import run_check
    except ImportError:
        run_check = None
    if run_check is not None:
        template = tmp / "template.json"
        template.write_text(json.dumps(generated_template(resources)))
        config = GuardrailsConfig()
        return (
            lambda: run_check([template], config, decider=decider).decisions
        ), "run_check on a CloudFormation template"
    from guardrails.sources.api_request import document_from_request

    documents = [
        document_from_request(
            "CreateModel",
            {
                "ModelName": f"m-{i}",
                "ExecutionRoleArn": "arn:aws:iam::111122223333:role/r",
                "PrimaryContainer": {"Image": "img:1"},
            },
            account="111122223333",
            region="us-east-1",
        )
        for i in range(resources)
    ]
    return (lambda: decider.decide_many(documents)), "Decider.decide_many on API request documents"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=2000, help="records per sink measurement")
    parser.add_argument("--repeat", type=int, default=5, help="check runs per variant (median reported)")
    parser.add_argument("--resources", type=int, default=1000, help="resources in the generated template")
    parser.add_argument("--no-aws", action="store_true", help="skip the moto-backed DynamoDB and S3 sinks")
    args = parser.parse_args(argv)

    records = sample_records(args.records)
    print(f"Audit sink throughput ({args.records} records of ~{len(records[0].model_dump_json())} bytes)")
    print(f"{'sink':34} {'1 record/append':>16} {'100 records/append':>19}")
    for label, single, batched in sink_rates(records, not args.no_aws):
        batched_text = f"{batched:14,.0f} r/s" if batched else f"{'-':>18}"
        print(f"{label:34} {single:12,.0f} r/s {batched_text}")

    with tempfile.TemporaryDirectory() as keys_dir:
        keys = signing_keys(Path(keys_dir), not args.no_aws)
        plain, audited, decisions, how = overhead(args.resources, args.repeat, keys)
    unsigned = audited.pop("unsigned")
    ratio = (unsigned - plain) / plain
    print(
        f"\nAudit overhead on a check of {args.resources} resources ({how}, {decisions} decisions, median of "
        f"{args.repeat})"
    )
    print(f"  check alone:        {plain * 1000:8.1f} ms")
    print(f"  check + audit file: {unsigned * 1000:8.1f} ms")
    verdict = "met" if ratio < TARGET_OVERHEAD else "NOT met"
    print(f"  overhead:           {ratio:8.1%}   (target < {TARGET_OVERHEAD:.0%}: {verdict})")
    print("\nSigning overhead (check + signed audit file vs check + unsigned audit file)")
    for name, signed in audited.items():
        extra = (signed - unsigned) / unsigned
        verdict = "met" if extra < TARGET_OVERHEAD else "NOT met"
        target = f"(target < {TARGET_OVERHEAD:.0%}: {verdict})"
        print(f"  {name + ':':19} {signed * 1000:8.1f} ms  {extra:+8.1%}   {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
