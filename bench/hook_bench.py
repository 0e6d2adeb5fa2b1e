"""Admission benchmark: CloudFormation Lambda Hook decision time and the boto3 hook's added latency.

    python bench/hook_bench.py [--resources 200] [--runs 7] [--calls 500] [--strict]

* **stack hook**: `handle_hook_request` on a STACK target whose payload is a generated template of N
  resources (bench/generate_templates.py, default 200) — parse, resolve, decide every resource, record
  every decision to a file audit sink, build the response. The payload download is excluded (the fetch
  returns the object from memory); it is timed separately over real HTTP on 127.0.0.1 for information.
  Target: < 1 s (median of the runs).
* **resource hook** (information): one RESOURCE target (the EndpointConfig sample shape), warm.
* **boto3 hook**: per-call latency of `create_notebook_instance` (and a partial `put_bucket_policy`)
  through a botocore client answered by `botocore.stub.Stubber` (no network), without and with
  `guardrails.install(client)`; the difference is the hook's cost. Target: < 5 ms per call (median).
* **cold start** (information): a fresh interpreter importing the Lambda entry and building its Decider.

Results go to bench/out/hook_results.json.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(REPO / "tests"))

from generate_templates import generate_template  # noqa: E402
from sagemaker_requests import COMPLIANT_NOTEBOOK  # noqa: E402 (the admission tests' notebook)

OUT_FILE = BENCH_DIR / "out" / "hook_results.json"
TARGET_STACK_S = 1.0
TARGET_BOTO3_MS = 5.0
ACCOUNT, REGION = "111122223333", "eu-west-1"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/bench/0a1b2c3d"
KMS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def stack_event(url: str) -> dict[str, Any]:
    return {
        "clientRequestToken": "bench-stack",
        "awsAccountId": ACCOUNT,
        "stackId": STACK_ID,
        "hookTypeName": "Bench::Guardrails::Hook",
        "actionInvocationPoint": "CREATE_PRE_PROVISION",
        "requestData": {
            "targetName": "STACK",
            "targetType": "STACK",
            "targetLogicalId": "bench",
            "payload": url,
        },
    }


def resource_event() -> dict[str, Any]:
    return {
        "clientRequestToken": "bench-resource",
        "awsAccountId": ACCOUNT,
        "stackId": STACK_ID,
        "hookTypeName": "Bench::Guardrails::Hook",
        "actionInvocationPoint": "CREATE_PRE_PROVISION",
        "requestData": {
            "targetName": "AWS::SageMaker::EndpointConfig",
            "targetType": "AWS::SageMaker::EndpointConfig",
            "targetLogicalId": "Config",
            "targetModel": {
                "resourceProperties": {
                    "EndpointConfigName": "churn-ec",
                    "KmsKeyId": KMS,
                    "ProductionVariants": [
                        {
                            "VariantName": "v",
                            "ModelName": "m",
                            "InitialInstanceCount": "2",
                            "InstanceType": "ml.m5.large",
                        }
                    ],
                }
            },
        },
    }


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "best": ordered[0],
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
        "runs": len(ordered),
    }


def bench_stack(resources: int, runs: int, tmp: Path) -> dict[str, Any]:
    from guardrails.admission.cfn_hook import handle_hook_request
    from guardrails.audit import AuditTrail, open_sink
    from guardrails.decider import Decider

    text, _ = generate_template(resources)
    payload = {"template": text}
    decider = Decider()
    samples, response = [], {}
    with AuditTrail(open_sink(f"file://{tmp}/stack-audit.jsonl")) as trail:
        for _ in range(runs):
            start = time.perf_counter()
            response = handle_hook_request(
                stack_event("https://bench/payload"), decider=decider, trail=trail, fetch=lambda url: payload
            )
            samples.append(time.perf_counter() - start)
    records = len((tmp / "stack-audit.jsonl").read_text(encoding="utf-8").splitlines())
    fetch = bench_fetch(json.dumps(payload).encode(), runs)
    return {
        "resources": resources,
        "payload_bytes": len(json.dumps(payload)),
        "seconds": summary(samples),
        "hook_status": response.get("hookStatus"),
        "error_code": response.get("errorCode"),
        "message_chars": len(response.get("message", "")),
        "annotations": len(response.get("annotations", [])),
        "records_written": records,
        "fetch_over_loopback_seconds": fetch,
    }


def bench_fetch(body: bytes, runs: int) -> dict[str, float]:
    from guardrails.admission.payload_fetch import fetch_payload

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    import ssl

    import trustme  # dev dependency: a test certificate authority (payloads are fetched over https only)

    from guardrails.admission.payload_fetch import PayloadAccess

    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    port = server.server_address[1]
    access = PayloadAccess(  # loopback is refused in production; allowed here for the measurement only
        hosts=("localhost",),
        ports=frozenset({port}),
        tls=client_context,
        private_addresses=True,
        resolve=lambda host, port: ["127.0.0.1"],
    )
    try:
        url = f"https://localhost:{port}/payload?X-Amz-Signature=x"
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            fetch_payload(url, access=access)
            samples.append(time.perf_counter() - start)
    finally:
        server.shutdown()
        server.server_close()
    return summary(samples)


def bench_resource(runs: int) -> dict[str, float]:
    from guardrails.admission.cfn_hook import handle_hook_request
    from guardrails.decider import Decider

    class NullTrail:
        def append(self, records):
            return records

    decider = Decider()
    handle_hook_request(resource_event(), decider=decider, trail=NullTrail())
    samples = []
    for _ in range(runs * 20):
        start = time.perf_counter()
        handle_hook_request(resource_event(), decider=decider, trail=NullTrail())
        samples.append(time.perf_counter() - start)
    return summary(samples)


NOTEBOOK = {"NotebookInstanceName": "research", **COMPLIANT_NOTEBOOK}
TLS_ONLY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
)


def time_calls(
    client: Any, method: str, params: dict[str, Any], response: dict[str, Any], calls: int
) -> list[float]:
    from botocore.stub import Stubber

    stubber = Stubber(client)
    for _ in range(calls + 20):
        stubber.add_response(method, response)
    samples = []
    with stubber:
        for index in range(calls + 20):
            start = time.perf_counter()
            getattr(client, method)(**params)
            if index >= 20:  # warm-up: first calls load models and compile the engine for this thread
                samples.append(time.perf_counter() - start)
    return samples


def bench_boto3(calls: int, tmp: Path) -> dict[str, Any]:
    import boto3

    import guardrails
    from guardrails.decider import Decider

    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    decider = Decider()
    cases = {
        "create_notebook_instance": (
            "sagemaker",
            NOTEBOOK,
            {"NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:1:notebook-instance/research"},
        ),
        "put_bucket_policy": ("s3", {"Bucket": "b", "Policy": TLS_ONLY}, {}),
    }
    results: dict[str, Any] = {}
    for method, (service, params, response) in cases.items():
        bare = session.client(service)
        without = time_calls(bare, method, params, response, calls)
        hooked_client = session.client(service)
        hook = guardrails.install(hooked_client, decider=decider)
        with_hook = time_calls(hooked_client, method, params, response, calls)
        hook.uninstall()
        audited_client = session.client(service)
        hook = guardrails.install(
            audited_client, decider=decider, audit=[f"file://{tmp}/boto3-audit-{method}.jsonl?fsync=false"]
        )
        with_audit = time_calls(audited_client, method, params, response, calls)
        hook.uninstall()
        hook.trail.close()
        base, hooked, audited = (
            statistics.median(without),
            statistics.median(with_hook),
            statistics.median(with_audit),
        )
        results[method] = {
            "without_hook_ms": summary([s * 1000 for s in without]),
            "with_hook_ms": summary([s * 1000 for s in with_hook]),
            "with_hook_and_file_audit_ms": summary([s * 1000 for s in with_audit]),
            "added_ms_median": (hooked - base) * 1000,
            "added_with_audit_ms_median": (audited - base) * 1000,
        }
    return results


def bench_cold(runs: int) -> dict[str, float]:
    code = (
        "import time; t=time.perf_counter(); from guardrails.lambdas import cfn_hook; "
        "from guardrails.admission.hook_service import SERVICE; SERVICE.get(); print(time.perf_counter()-t)"
    )
    env = dict(os.environ, GUARDRAILS_AUDIT_SINKS="file:///dev/null?fsync=false", AWS_LAMBDA_FUNCTION_NAME="")
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return summary(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--output", type=Path, default=OUT_FILE)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        stack = bench_stack(args.resources, args.runs, tmp)
        resource = bench_resource(args.runs)
        boto3_results = bench_boto3(args.calls, tmp)
    cold = bench_cold(3)

    stack_ok = stack["seconds"]["median"] < TARGET_STACK_S
    boto3_ok = all(r["added_ms_median"] < TARGET_BOTO3_MS for r in boto3_results.values())
    results = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "stack_hook": stack,
        "resource_hook_seconds": resource,
        "boto3_hook": boto3_results,
        "lambda_cold_import_to_ready_seconds": cold,
        "targets": {
            "stack_hook_median_s": {"target": TARGET_STACK_S, "pass": stack_ok},
            "boto3_added_ms_median": {"target": TARGET_BOTO3_MS, "pass": boto3_ok},
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    s = stack["seconds"]
    print(
        f"STACK hook, {stack['resources']} resources ({stack['payload_bytes']} B payload, "
        f"{stack['records_written'] // args.runs} records/run): median {s['median'] * 1000:.0f} ms, "
        f"best {s['best'] * 1000:.0f} ms  [{'PASS' if stack_ok else 'FAIL'} < {TARGET_STACK_S:g} s]"
    )
    f = stack["fetch_over_loopback_seconds"]
    print(f"  payload fetch over loopback HTTP (not included): median {f['median'] * 1000:.1f} ms")
    print(
        f"  response: {stack['hook_status']} {stack['error_code'] or ''}, "
        f"message {stack['message_chars']} chars, {stack['annotations']} annotations"
    )
    print(f"RESOURCE hook (EndpointConfig), warm: median {resource['median'] * 1000:.2f} ms")
    for method, r in boto3_results.items():
        print(
            f"boto3 hook {method}: +{r['added_ms_median']:.2f} ms per call "
            f"(without {r['without_hook_ms']['median']:.2f} ms, with {r['with_hook_ms']['median']:.2f} ms; "
            f"with file audit +{r['added_with_audit_ms_median']:.2f} ms)  "
            f"[{'PASS' if r['added_ms_median'] < TARGET_BOTO3_MS else 'FAIL'} < {TARGET_BOTO3_MS:g} ms]"
        )
    print(f"Lambda cold import-to-ready: median {cold['median'] * 1000:.0f} ms")
    print(f"results: {args.output}")
    return 1 if args.strict and not (stack_ok and boto3_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
