"""bench/scan_bench.py's own parts, without c7n: the server-side request counter, and `guardrails scan`
finding every violation the benchmark's seeder plants (the recall the benchmark reports)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the scan benchmark against moto_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("scan_bench", ROOT / "bench" / "scan_bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["scan_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_requests_are_named_by_service_and_operation(bench):
    auth = "AWS4-HMAC-SHA256 Credential=testing/20261202/us-east-1/sagemaker/aws4_request, SignedHeaders=x"
    environ = {
        "HTTP_AUTHORIZATION": auth,
        "HTTP_X_AMZ_TARGET": "SageMaker.ListModels",
        "REQUEST_METHOD": "POST",
    }
    assert bench._operation(environ) == "sagemaker:ListModels"
    s3 = auth.replace("/sagemaker/", "/s3/")
    assert (
        bench._operation({"HTTP_AUTHORIZATION": s3, "QUERY_STRING": "acl", "REQUEST_METHOD": "GET"})
        == "s3:GET acl"
    )
    sts = auth.replace("/sagemaker/", "/sts/")
    query = "Action=GetCallerIdentity&Version=2011-06-15"
    assert bench._operation({"HTTP_AUTHORIZATION": sts, "QUERY_STRING": query, "REQUEST_METHOD": "GET"}) == (
        "sts:GetCallerIdentity"
    )


def test_every_c7n_policy_names_a_control_and_the_planted_controls_are_covered(bench):
    controls = {c for c, *_ in bench.C7N_POLICIES}
    assert controls == {f"SM-{n:02}" for n in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 18, 20)} | {
        "S3-01",
        "S3-02",
        "S3-04",
        "S3-05",
        "S3-06",
    }
    names = [p["name"] for p in bench.c7n_policies()["policies"]]
    assert len(names) == len(set(names))


def test_guardrails_scan_finds_every_planted_violation_and_the_server_counts_its_requests(bench):
    proc, url = bench.start_server()
    try:
        planted, kinds = bench.seed(url, 2)
        bench.take_counts(url)
        _, found, summary = bench.run_guardrails(url)
        counted = bench.take_counts(url)
    finally:
        bench.stop_server(proc)
    assert sum(kinds.values()) == 8 * 2 + 1
    assert planted and planted <= found
    # compliant resources fail only where moto drops what was sent: DescribeModel always answers
    # EnableNetworkIsolation false (so the endpoint serving it fails SM-17 too), DescribeProcessingJob
    # leaves out ProcessingResources (volume key), DescribeNotebookInstance the IMDS configuration
    on_good = {(n.split("-good-")[0], c) for n, c in found if "-good-" in n}
    assert on_good <= {("model", "SM-08"), ("ep", "SM-17"), ("proc", "SM-11"), ("nb", "SM-20")}
    # the scan's own count (botocore events) and the server's agree: nothing is hidden from either
    assert sum(counted.values()) == summary["api_calls"]["http_requests"]
