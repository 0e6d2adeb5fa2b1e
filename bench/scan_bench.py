"""`guardrails scan` vs Cloud Custodian (c7n, pull mode) on the same moto_server inventory.

    python bench/scan_bench.py [--per-kind 30] [--json bench/out/scan_bench.json]

* **inventory**: one moto_server (127.0.0.1, this venv's moto) seeded with `--per-kind` resources of every
  kind both moto and c7n can hold — notebook instances, training/processing/transform jobs, models,
  endpoint configs, endpoints, S3 buckets — half of them noncompliant, plus the account-level public access
  block left unset. The seeder records the violations it planted: (resource, control) pairs.
* **API requests** are counted at the server: moto runs behind a WSGI middleware that counts every request
  by service and operation (`/__bench/counts`), so retries and calls a tool does not report are included.
* **c7n**: `custodian run` (PyPI c7n, its own venv bench/.venv-c7n from bench/requirements-c7n.txt) with
  one pull-mode policy per control and kind, filters equivalent to our controls (`C7N_POLICIES`); jobs are
  listed without a status filter (`query: []`) so c7n sees the same ended jobs as `scan --since all`.
* **guardrails**: `guardrails scan --since all --format json` on the same server.
* **recall**: planted violations each tool reported / planted violations. What c7n cannot express (SM-17:
  an endpoint serving a noncompliant config) stays in its denominator: that is a real gap, not a rounding.

Wall time is one cold run of each command (process start, imports and policy loading included): that is
what a user waits for. Targets (issue 11): >= 2x faster, >= 3x fewer API requests, 100% recall.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "bench"
VENV = BENCH_DIR / ".venv-c7n"
REQUIREMENTS = BENCH_DIR / "requirements-c7n.txt"
REGION, ACCOUNT = "us-east-1", "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sm-exec"
KMS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:latest"
VPC = {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0123456789abcdef0"]}
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
sys.path.insert(0, str(REPO / "tests"))

from scan_support import compliant_bucket  # noqa: E402 (the scan tests' compliant bucket: same account and key)

# --- moto_server with request counting ----------------------------------------------------------------


def serve(port: int) -> None:
    """moto's server application behind a counter of every AWS request (`--serve PORT`, a subprocess)."""
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    moto_app = DomainDispatcherApplication(create_backend_app)
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/__bench/counts":
            with lock:
                body = json.dumps(dict(counts)).encode()
                if environ["REQUEST_METHOD"] == "POST":
                    counts.clear()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if not path.startswith("/moto-api"):
            with lock:
                counts[_operation(environ)] += 1
        return moto_app(environ, start_response)

    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)


def _operation(environ: dict[str, Any]) -> str:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    service = auth.split("Credential=", 1)[1].split("/")[3] if "Credential=" in auth else "unknown"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if "Action" in query:
        return f"{service}:{query['Action'][0]}"
    if service in ("s3", "s3control"):
        sub = sorted(k for k in query if k not in ("prefix", "max-keys", "encoding-type", "list-type"))
        return f"{service}:{environ['REQUEST_METHOD']} {','.join(sub) or '(object/bucket)'}"
    return f"{service}:{environ['REQUEST_METHOD']}"


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/__bench/counts", timeout=1).read()
            return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                stop_server(proc)
                sys.exit("moto_server did not start")
            time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def take_counts(url: str) -> Counter[str]:
    request = urllib.request.Request(f"{url}/__bench/counts", method="POST")
    return Counter(json.loads(urllib.request.urlopen(request).read()))


# --- the inventory --------------------------------------------------------------------------------------

SEEDED_KINDS = (
    "NotebookInstance",
    "TrainingJob",
    "ProcessingJob",
    "TransformJob",
    "Model",
    "EndpointConfig",
    "Endpoint",
    "Bucket",
    "AccountPublicAccessBlock",
)
Planted = set[tuple[str, str]]
"""(resource name, control id) the seeder made fail."""


def seed(url: str, per_kind: int) -> tuple[Planted, Counter[str]]:
    import boto3

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="x",
        )

    sm, s3 = client("sagemaker"), client("s3")
    planted: Planted = set()
    kinds: Counter[str] = Counter()

    def plant(name: str, bad: bool, controls: tuple[str, ...], kind: str) -> None:
        kinds[kind] += 1
        if bad:
            planted.update((name, c) for c in controls)

    for i in range(per_kind):
        bad = i % 2 == 0
        tag = "bad" if bad else "good"
        name = f"nb-{tag}-{i}"
        extra: dict[str, Any] = (
            {}
            if bad
            else {
                "SubnetId": VPC["Subnets"][0],
                "SecurityGroupIds": VPC["SecurityGroupIds"],
                "KmsKeyId": KMS,
                "DirectInternetAccess": "Disabled",
                "RootAccess": "Disabled",
                "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
            }
        )
        sm.create_notebook_instance(
            NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE, **extra
        )
        plant(name, bad, ("SM-04", "SM-05", "SM-14", "SM-18", "SM-20"), "NotebookInstance")

        name = f"train-{tag}-{i}"
        extra = (
            {}
            if bad
            else {
                "VpcConfig": VPC,
                "EnableNetworkIsolation": True,
                "EnableInterContainerTrafficEncryption": True,
            }
        )
        sm.create_training_job(
            TrainingJobName=name,
            RoleArn=ROLE,
            AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            OutputDataConfig={"S3OutputPath": "s3://out/train", **({} if bad else {"KmsKeyId": KMS})},
            ResourceConfig={
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 10,
                **({} if bad else {"VolumeKmsKeyId": KMS}),
            },
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            **extra,
        )
        plant(name, bad, ("SM-01", "SM-08", "SM-09", "SM-10"), "TrainingJob")

        name = f"proc-{tag}-{i}"
        sm.create_processing_job(
            ProcessingJobName=name,
            RoleArn=ROLE,
            AppSpecification={"ImageUri": IMAGE},
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 10,
                    **({} if bad else {"VolumeKmsKeyId": KMS}),
                }
            },
            ProcessingOutputConfig={"Outputs": [], **({} if bad else {"KmsKeyId": KMS})},
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            **(
                {}
                if bad
                else {
                    "NetworkConfig": {
                        "VpcConfig": VPC,
                        "EnableNetworkIsolation": True,
                        "EnableInterContainerTrafficEncryption": True,
                    }
                }
            ),
        )
        plant(name, bad, ("SM-02", "SM-08", "SM-09", "SM-11"), "ProcessingJob")

        model = f"model-{tag}-{i}"
        sm.create_model(
            ModelName=model,
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": IMAGE},
            **({} if bad else {"VpcConfig": VPC, "EnableNetworkIsolation": True}),
        )
        plant(model, bad, ("SM-03", "SM-08"), "Model")

        name = f"transform-{tag}-{i}"
        sm.create_transform_job(
            TransformJobName=name,
            ModelName=model,
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://in/x"}}},
            TransformOutput={"S3OutputPath": "s3://out/transform", **({} if bad else {"KmsKeyId": KMS})},
            TransformResources={
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                **({} if bad else {"VolumeKmsKeyId": KMS}),
            },
        )
        plant(name, bad, ("SM-12",), "TransformJob")

        config = f"epc-{tag}-{i}"
        sm.create_endpoint_config(
            EndpointConfigName=config,
            ProductionVariants=[
                {
                    "VariantName": "main",
                    "ModelName": model,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
            **({} if bad else {"KmsKeyId": KMS}),
        )
        plant(config, bad, ("SM-13",), "EndpointConfig")

        name = f"ep-{tag}-{i}"
        sm.create_endpoint(EndpointName=name, EndpointConfigName=config)
        plant(name, bad, ("SM-17",), "Endpoint")

        name = f"bucket-{tag}-{i}"
        if bad:
            s3.create_bucket(Bucket=name)
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
        else:  # public access blocked, ACLs disabled (S3-07), KMS default encryption, TLS-only policy
            compliant_bucket(s3, name)
        plant(name, bad, ("S3-01", "S3-02", "S3-04", "S3-05"), "Bucket")
    plant(ACCOUNT, True, ("S3-06",), "AccountPublicAccessBlock")  # never configured: the account fails
    return planted, kinds


# --- Cloud Custodian ------------------------------------------------------------------------------------


def _absent(key: str) -> dict[str, Any]:
    return {"type": "value", "key": key, "value": "absent"}


def _empty(key: str) -> dict[str, Any]:
    return {"type": "value", "key": key, "value": "empty"}


def _not(key: str, value: str) -> dict[str, Any]:
    """Unset counts as failing, as in CONTROLS.md (e.g. DirectInternetAccess unset = Enabled)."""
    return {"type": "value", "key": key, "value": value, "op": "ne"}


def _not_true(key: str) -> dict[str, Any]:
    return {"type": "value", "key": key, "value": True, "op": "ne"}


TLS_DENY = {
    "Effect": "Deny",
    "Action": "s3:*",
    "Principal": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ALL_JOBS: dict[str, Any] = {"query": []}
C7N_POLICIES: list[tuple[str, str, str, dict[str, Any], list[Any]]] = [
    # (control, c7n resource, name field, resource options, filters) — the same conditions as CONTROLS.md
    (
        "SM-04",
        "sagemaker-notebook",
        "NotebookInstanceName",
        {},
        [{"or": [_absent("SubnetId"), _absent("SecurityGroups")]}],
    ),
    ("SM-05", "sagemaker-notebook", "NotebookInstanceName", {}, [_not("DirectInternetAccess", "Disabled")]),
    ("SM-14", "sagemaker-notebook", "NotebookInstanceName", {}, [_absent("KmsKeyId")]),
    ("SM-18", "sagemaker-notebook", "NotebookInstanceName", {}, [_not("RootAccess", "Disabled")]),
    (
        "SM-20",
        "sagemaker-notebook",
        "NotebookInstanceName",
        {},
        [
            {
                "type": "value",
                "key": "InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion",
                "value": "2",
                "op": "ne",
            }
        ],
    ),
    (
        "SM-01",
        "sagemaker-job",
        "TrainingJobName",
        ALL_JOBS,
        [{"or": [_empty("VpcConfig.Subnets"), _empty("VpcConfig.SecurityGroupIds")]}],
    ),
    ("SM-08", "sagemaker-job", "TrainingJobName", ALL_JOBS, [_not_true("EnableNetworkIsolation")]),
    (
        "SM-09",
        "sagemaker-job",
        "TrainingJobName",
        ALL_JOBS,
        [_not_true("EnableInterContainerTrafficEncryption")],
    ),
    (
        "SM-10",
        "sagemaker-job",
        "TrainingJobName",
        ALL_JOBS,
        [{"or": [_absent("OutputDataConfig.KmsKeyId"), _absent("ResourceConfig.VolumeKmsKeyId")]}],
    ),
    (
        "SM-02",
        "sagemaker-processing-job",
        "ProcessingJobName",
        ALL_JOBS,
        [
            {
                "or": [
                    _empty("NetworkConfig.VpcConfig.Subnets"),
                    _empty("NetworkConfig.VpcConfig.SecurityGroupIds"),
                ]
            }
        ],
    ),
    (
        "SM-08",
        "sagemaker-processing-job",
        "ProcessingJobName",
        ALL_JOBS,
        [_not_true("NetworkConfig.EnableNetworkIsolation")],
    ),
    (
        "SM-09",
        "sagemaker-processing-job",
        "ProcessingJobName",
        ALL_JOBS,
        [_not_true("NetworkConfig.EnableInterContainerTrafficEncryption")],
    ),
    (
        "SM-11",
        "sagemaker-processing-job",
        "ProcessingJobName",
        ALL_JOBS,
        [
            {
                "or": [
                    _absent("ProcessingOutputConfig.KmsKeyId"),
                    _absent("ProcessingResources.ClusterConfig.VolumeKmsKeyId"),
                ]
            }
        ],
    ),
    (
        "SM-12",
        "sagemaker-transform-job",
        "TransformJobName",
        ALL_JOBS,
        [{"or": [_absent("TransformOutput.KmsKeyId"), _absent("TransformResources.VolumeKmsKeyId")]}],
    ),
    (
        "SM-03",
        "sagemaker-model",
        "ModelName",
        {},
        [{"or": [_empty("VpcConfig.Subnets"), _empty("VpcConfig.SecurityGroupIds")]}],
    ),
    ("SM-08", "sagemaker-model", "ModelName", {}, [_not_true("EnableNetworkIsolation")]),
    ("SM-13", "sagemaker-endpoint-config", "EndpointConfigName", {}, [_absent("KmsKeyId")]),
    # SM-17 (an endpoint serving a noncompliant config or model) has no c7n filter: not expressible.
    ("S3-01", "s3", "Name", {}, [{"type": "check-public-block"}]),
    ("S3-02", "s3", "Name", {}, [{"type": "global-grants"}]),
    (
        "S3-04",
        "s3",
        "Name",
        {},
        [{"not": [{"type": "bucket-encryption", "state": True, "crypto": "aws:kms"}]}],
    ),
    ("S3-05", "s3", "Name", {}, [{"not": [{"type": "has-statement", "statements": [TLS_DENY]}]}]),
    (
        "S3-06",
        "account",
        "account_id",
        {},
        [{"or": [{"type": "s3-public-block", "key": flag, "value": True, "op": "ne"} for flag in FLAGS]}],
    ),
]


def c7n_policies() -> dict[str, Any]:
    policies = []
    for control, resource, _, options, filters in C7N_POLICIES:
        name = f"{control.lower()}-{resource}"
        policies.append({"name": name, "resource": f"aws.{resource}", **options, "filters": filters})
    return {"policies": policies}


def ensure_c7n() -> str:
    exe = VENV / "bin" / "custodian"
    want = next(
        line.split("==")[1].strip()
        for line in REQUIREMENTS.read_text().splitlines()
        if line.startswith("c7n==")
    )
    have = (
        subprocess.run([str(exe), "version"], capture_output=True, text=True).stdout.strip()
        if exe.exists()
        else ""
    )
    if have != want:
        print(f"installing c7n=={want} into {VENV.relative_to(REPO)} ...", flush=True)
        if not (VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        proc = subprocess.run(
            [
                str(VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(REQUIREMENTS),
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            sys.exit(f"pip install c7n failed:\n{proc.stderr[-3000:]}")
        have = subprocess.run([str(exe), "version"], capture_output=True, text=True).stdout.strip()
    return have


C7N_LAUNCHER = """
import sys
import botocore.session

def strip_account_host(request, **_):
    # S3 Control puts the account id in the host (<account>.s3-control...): an endpoint override serves
    # every account on one host, so the prefix is dropped, as guardrails' scan does (CountingClients).
    scheme, sep, rest = request.url.partition("://")
    host, slash, path = rest.partition("/")
    first, dot, remainder = host.partition(".")
    if first.isdigit() and len(first) == 12 and remainder:
        request.url = f"{scheme}{sep}{remainder}{slash}{path}"

create_client = botocore.session.Session.create_client

def create_client_without_account_host(self, *args, **kwargs):
    client = create_client(self, *args, **kwargs)
    client.meta.events.register("before-sign.*.*", strip_account_host)
    return client

botocore.session.Session.create_client = create_client_without_account_host
from c7n.cli import main
sys.argv = ["custodian", *sys.argv[1:]]
main()
"""


def run_c7n(url: str, work: Path) -> tuple[float, set[tuple[str, str]], str]:
    policy_file = work / "policies.json"
    policy_file.write_text(json.dumps(c7n_policies(), indent=1))
    out = work / "c7n-out"
    env = {**os.environ, **CREDS, "AWS_ENDPOINT_URL": url, "C7N_SKIP_VALIDATE": ""}
    env.pop("AWS_PROFILE", None)
    command = [
        str(VENV / "bin" / "python"),
        "-c",
        C7N_LAUNCHER,
        "run",
        "-s",
        str(out),
        "--cache-period",
        "0",
        "--region",
        REGION,
        str(policy_file),
    ]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    elapsed = time.perf_counter() - start
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    (BENCH_DIR / "out" / "c7n.log").write_text(proc.stderr)
    if proc.returncode != 0:  # a policy that errored finds nothing: its misses show in the recall
        print(f"custodian run exited {proc.returncode}; log: bench/out/c7n.log", file=sys.stderr)
    found: set[tuple[str, str]] = set()
    for control, resource, name_field, _, _ in C7N_POLICIES:
        path = out / f"{control.lower()}-{resource}" / "resources.json"
        if path.exists():
            found.update((str(r.get(name_field)), control) for r in json.loads(path.read_text()))
    return elapsed, found, proc.stderr


# --- guardrails -----------------------------------------------------------------------------------------


def run_guardrails(url: str) -> tuple[float, set[tuple[str, str]], dict[str, Any]]:
    exe = shutil.which("guardrails") or str(Path(sys.executable).with_name("guardrails"))
    env = {**os.environ, **CREDS}
    env.pop("AWS_PROFILE", None)
    command = [
        exe,
        "scan",
        "--endpoint-url",
        url,
        "--region",
        REGION,
        "--since",
        "all",
        "--format",
        "json",
        "--kinds",
        ",".join(SEEDED_KINDS),
    ]  # moto has no List call for some other kinds
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"guardrails scan failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    report = json.loads(proc.stdout)
    found = {(r["resource"]["name"], v["control"]) for r in report["results"] for v in r["violations"]}
    return elapsed, found, report["scan"]


# --- main -----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=30, help="resources per kind (half noncompliant)")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "out" / "scan_bench.json")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    c7n_version = ensure_c7n()
    proc, url = start_server()
    try:
        planted, kinds = seed(url, args.per_kind)
        take_counts(url)  # the seeding calls are not anybody's
        g_time, g_found, g_summary = run_guardrails(url)
        g_calls = take_counts(url)
        with tempfile.TemporaryDirectory() as tmp:
            c_time, c_found, c_log = run_c7n(url, Path(tmp))
        c_calls = take_counts(url)
    finally:
        stop_server(proc)
    result = {
        "resources": sum(kinds.values()),
        "by_kind": dict(kinds),
        "planted_violations": len(planted),
        "c7n_version": c7n_version,
        "guardrails": _side(g_time, g_calls, g_found, planted),
        "c7n": _side(c_time, c_calls, c_found, planted),
        "c7n_policies_with_errors": sorted(set(re.findall(r"Error while executing policy (\S+),", c_log))),
        "guardrails_reported_calls": g_summary["api_calls"]["total"],
    }
    result["speedup"] = round(result["c7n"]["seconds"] / result["guardrails"]["seconds"], 2)
    result["fewer_requests"] = round(result["c7n"]["requests"] / max(1, result["guardrails"]["requests"]), 2)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(_markdown(result))
    print(f"(full result: {args.json})")


def _side(
    seconds: float, calls: Counter[str], found: set[tuple[str, str]], planted: Planted
) -> dict[str, Any]:
    hit = found & planted
    missed = Counter(control for _, control in planted - found)
    return {
        "seconds": round(seconds, 2),
        "requests": sum(calls.values()),
        "requests_by_operation": dict(calls.most_common()),
        "recall": round(len(hit) / len(planted), 4),
        "found_planted": len(hit),
        "missed_by_control": dict(sorted(missed.items())),
    }


def _markdown(r: dict[str, Any]) -> str:
    g, c = r["guardrails"], r["c7n"]
    return "\n".join(
        [
            f"{r['resources']} resources ({', '.join(f'{k} {n}' for k, n in r['by_kind'].items())}), "
            f"{r['planted_violations']} planted violations; c7n {r['c7n_version']}",
            "",
            "| | wall time (s) | API requests (server side) | recall of planted violations |",
            "|---|---|---|---|",
            f"| guardrails scan | {g['seconds']} | {g['requests']} | {g['recall']:.1%} |",
            f"| c7n (pull mode) | {c['seconds']} | {c['requests']} | {c['recall']:.1%} |",
            f"| ratio | {r['speedup']}x faster | {r['fewer_requests']}x fewer | |",
            "",
            f"c7n policies that failed on the emulator: {', '.join(r['c7n_policies_with_errors']) or 'none'}",
            f"missed by guardrails: {g['missed_by_control'] or 'none'}; "
            f"missed by c7n: {c['missed_by_control'] or 'none'}",
        ]
    )


if __name__ == "__main__":
    main()
