"""Runtime (EventBridge Lambda) benchmark: cold import-to-ready, warm per-event time, package size.

    python bench/runtime_bench.py [--events 200] [--cold-runs 5] [--strict]

* **cold**: a fresh interpreter imports `guardrails.lambdas.events` and builds the shared service (policy
  bundle loaded and compiled, config read): "import-to-ready", best and median of N runs; target < 0.5 s.
  The import alone is reported too.
* **warm**: per-event time of the handler's code path (`RuntimeService.handle`: parse, decide, plan,
  dry-run remediation read, audit to a file sink) over the shared samples and generated events, with
  the AWS clients replaced by in-memory fakes returning canned Describe/Get responses — AWS latency is
  excluded by design; target < 50 ms (p95 reported, the median is checked).
* **package**: bytes of everything a Lambda zip needs beyond the runtime's own boto3 — this project's
  modules plus the installed distributions it depends on (regorus, pydantic, PyYAML, click, rfc8785,
  aws-lambda-powertools and their dependencies). Measured from the installed files; no network.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "fixtures" / "samples"  # the AWS payload samples the tests use
TARGET_COLD_S, TARGET_WARM_MS = 0.5, 50.0
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}

COLD_SNIPPET = """
import time
t0 = time.perf_counter()
import guardrails.lambdas.events as events
t1 = time.perf_counter()
from guardrails.runtime.service import SERVICE
SERVICE.get()
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""


def cold(runs: int) -> dict[str, Any]:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    env.pop("GUARDRAILS_IDEMPOTENCY_TABLE", None)
    imports, ready = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD_SNIPPET], capture_output=True, text=True, env=env, check=True
        )
        a, b = (float(x) for x in out.stdout.split())
        imports.append(a)
        ready.append(b)
    return {
        "import_s": {"best": min(imports), "median": statistics.median(imports)},
        "ready_s": {"best": min(ready), "median": statistics.median(ready)},
        "target_s": TARGET_COLD_S,
        "pass": statistics.median(ready) < TARGET_COLD_S,
    }


class FakeClient:
    """Answers any operation with a canned response, instantly (no AWS, no moto)."""

    RESPONSES: dict[str, Any] = {
        "list_tags": {"Tags": []},
        "get_bucket_tagging": {"TagSet": []},
        "get_public_access_block": {
            "PublicAccessBlockConfiguration": dict.fromkeys(
                ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], False
            )
        },
        "get_bucket_acl": {
            "Grants": [
                {
                    "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                    "Permission": "READ",
                }
            ]
        },
        "get_bucket_policy": {
            "Policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::b/*",
                        },
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::b/*",
                        },
                    ],
                }
            )
        },
        "get_bucket_encryption": {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            }
        },
        "get_bucket_ownership_controls": {
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
        },
    }

    def __getattr__(self, name: str) -> Any:
        def answer(**params: Any) -> dict[str, Any]:
            if name.startswith("describe_"):
                return {
                    "TrainingJobStatus": "InProgress",
                    "NotebookInstanceStatus": "InService",
                    "TrainingJobName": params.get("TrainingJobName"),
                    "NotebookInstanceName": params.get("NotebookInstanceName"),
                }
            return self.RESPONSES.get(name, {})

        return answer


def sample_events() -> list[dict[str, Any]]:
    events = [json.loads(p.read_text()) for p in sorted(SAMPLES.glob("eventbridge-*.json"))]
    for event in events:  # act in the fake's account and region
        event["account"], event["region"] = "111122223333", "eu-west-1"
        if event["detail-type"] == "AWS API Call via CloudTrail":
            event["detail"]["recipientAccountId"], event["detail"]["awsRegion"] = "111122223333", "eu-west-1"
    return events


def warm(count: int) -> dict[str, Any]:
    from guardrails.audit import AuditTrail, open_sink
    from guardrails.config import RuntimeConfig
    from guardrails.decider import Decider
    from guardrails.runtime.clients import AwsClients
    from guardrails.runtime.service import RuntimeService

    fake = FakeClient()
    clients = AwsClients(
        region="eu-west-1",
        account_id="111122223333",
        overrides={"sagemaker": fake, "s3": fake, "s3control": fake},
    )
    events = sample_events()
    with tempfile.TemporaryDirectory() as tmp:
        trail = AuditTrail(open_sink(f"file://{tmp}/audit.jsonl"))
        service = RuntimeService(
            decider=Decider(),
            trail=trail,
            clients=clients,
            config=RuntimeConfig(kms_key_id="alias/guardrails"),
        )
        for event in events:  # warm-up (first use compiles and caches)
            service.handle(event)
        timings = []
        for i in range(count):
            event = events[i % len(events)]
            start = time.perf_counter()
            outcome = service.handle(event)
            timings.append((time.perf_counter() - start) * 1000)
            assert outcome.resources, outcome
        trail.close()
    timings.sort()
    median = statistics.median(timings)
    return {
        "events": count,
        "median_ms": median,
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "max_ms": timings[-1],
        "target_ms": TARGET_WARM_MS,
        "pass": median < TARGET_WARM_MS,
    }


def package_size() -> dict[str, Any]:
    from importlib import metadata

    def requirement_names(dist: metadata.Distribution) -> list[str]:
        names = []
        for req in dist.requires or []:
            if "extra ==" in req:
                continue
            name = req.split(";")[0].split("[")[0]
            for sep in "<>=!~ (":
                name = name.split(sep)[0]
            names.append(name.strip())
        return names

    seen: set[str] = set()
    sizes: dict[str, int] = {}
    todo = requirement_names(metadata.distribution("sagemaker-guardrails"))
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen or key in RUNTIME_PROVIDED:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total = 0
        for file in dist.files or []:
            path = Path(dist.locate_file(file))
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and not str(file).endswith(".dist-info/RECORD")
            ):
                total += path.stat().st_size
        sizes[dist.metadata["Name"]] = total
        todo.extend(requirement_names(dist))
    ours = 0
    for folder in ("guardrails", "cli", "lambdas", "policies"):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                ours += path.stat().st_size
    sizes["sagemaker-guardrails (this repo)"] = ours
    total = sum(sizes.values())
    return {
        "bytes": total,
        "mb": round(total / 1e6, 1),
        "by_distribution": dict(sorted(sizes.items(), key=lambda kv: -kv[1])),
        "limit_mb_unzipped": 250,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "out" / "runtime_results.json")
    args = parser.parse_args()
    results = {"cold": cold(args.cold_runs), "warm": warm(args.events), "package": package_size()}
    c, w, p = results["cold"], results["warm"], results["package"]
    print(f"cold import          best {c['import_s']['best']:.3f} s  median {c['import_s']['median']:.3f} s")
    print(
        f"cold import-to-ready best {c['ready_s']['best']:.3f} s  median {c['ready_s']['median']:.3f} s"
        f"  target < {TARGET_COLD_S} s  {'PASS' if c['pass'] else 'FAIL'}"
    )
    print(
        f"warm per event       median {w['median_ms']:.2f} ms  p95 {w['p95_ms']:.2f} ms"
        f"  max {w['max_ms']:.2f} ms"
        f"  target < {TARGET_WARM_MS} ms  {'PASS' if w['pass'] else 'FAIL'}"
    )
    print(f"package (unzipped, without boto3) {p['mb']} MB")
    for name, size in list(p["by_distribution"].items())[:8]:
        print(f"    {size / 1e6:7.2f} MB  {name}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if args.strict and not (c["pass"] and w["pass"]) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
