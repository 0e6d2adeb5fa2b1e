"""Benchmark `guardrails check` against checkov on the same Terraform plans (JSON), in one run.

For each size (default 100 and 1000 resources) the script writes a deterministic root module with
planted violations (bench/terraform_generate.py), plans it with terraform (no AWS call), then runs —
interleaved, each as its own process, after one unmeasured warm-up of each — `guardrails check
--format json plan.json` and `checkov -f plan.json --framework terraform_plan` (the checkov of
bench/requirements-checkov.txt, in bench/.venv-checkov), and reports CPU seconds, peak RSS and the planted
violations each tool finds, the same way as bench/check_bench.py does for CloudFormation.

Usage: python bench/terraform_bench.py [--sizes 100 1000] [--repeats 3] [--mirror /opt/tf-plugins]
       [--skip-checkov] [--strict]
Results go to bench/out/terraform_results.json. See bench/README.md ("Terraform plans").
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from check_bench import fmt_found, guardrails_findings, score  # noqa: E402
from generate_templates import CONCEPTS, DEFAULT_SEED  # noqa: E402
from measuring import (  # noqa: E402
    OUT_DIR,
    VENV,
    Tool,
    checkov_env,
    ensure_checkov,
    git_state,
    guardrails_command,
    guardrails_env,
    measure_interleaved,
    summarize,
)
from terraform_generate import DEFAULT_OUT, DEFAULT_SIZES, plan_module, write_module  # noqa: E402

RESULTS_FILE = OUT_DIR / "terraform_results.json"

# Checkov (3.3.30, --framework terraform_plan) check id -> planted concepts, determined empirically on
# these plans from checkov's JSON (`check_id`, `resource`); the script prints, for every failed check,
# the concepts planted on the resources it failed on, so the table can be re-derived after an upgrade.
# A finding on a split resource (aws_s3_bucket_public_access_block.bN) counts for its bucket's concept
# through the manifest's `also_reported_on`.
CHECKOV_TF_CONCEPTS: dict[str, tuple[str, ...]] = {
    "CKV_AWS_187": ("notebook_no_kms", "domain_no_kms"),  # SageMaker domain / notebook CMK
    "CKV_AWS_22": ("notebook_no_kms",),  # "Ensure SageMaker Notebook is encrypted at rest using KMS CMK"
    "CKV_AWS_122": ("notebook_direct_internet",),  # notebook direct internet access disabled
    "CKV_AWS_306": ("notebook_no_subnet",),  # notebook placed in a VPC
    "CKV_AWS_307": ("notebook_root_access",),  # root access disabled
    "CKV_AWS_370": ("model_no_network_isolation",),  # model network isolation
    "CKV_AWS_98": ("endpoint_config_no_kms",),  # endpoint configuration encrypted with KMS
    "CKV_AWS_20": ("bucket_public_acl",),  # no public READ ACL
    "CKV_AWS_57": ("bucket_public_acl",),  # no public WRITE ACL
    "CKV_AWS_53": ("bucket_bpa_off",),
    "CKV_AWS_54": ("bucket_bpa_off",),
    "CKV_AWS_55": ("bucket_bpa_off",),
    "CKV_AWS_56": ("bucket_bpa_off",),
    "CKV_AWS_70": ("bucket_public_policy",),  # bucket policy allows all actions / principals
    "CKV_AWS_145": ("bucket_no_kms",),  # S3 encrypted with KMS by default
}


def checkov_command(plan: Path) -> list[str]:
    return [
        str(VENV / "bin" / "checkov"),
        "-f",
        str(plan),
        "--framework",
        "terraform_plan",
        "-o",
        "json",
        "--quiet",
        "--compact",
        "--skip-download",
    ]


def checkov_failed(report: Any) -> list[tuple[str, str, str]]:
    """(Terraform address, check_id, check_name) of every failed check."""
    reports = report if isinstance(report, list) else [report]
    failed = []
    for rep in reports:
        for check in (rep.get("results") or {}).get("failed_checks", []):
            address = check.get("resource_address") or check.get("resource", "")
            failed.append((address, check["check_id"], check.get("check_name", "")))
    return failed


def checkov_findings(failed: list[tuple[str, str, str]], manifest: dict[str, Any]):
    pairs: set[tuple[str, str]] = set()
    others: Counter[str] = Counter()
    types = {address: info["type"] for address, info in manifest["resources"].items()}
    for address, check_id, _ in failed:
        concepts = [
            c
            for c in CHECKOV_TF_CONCEPTS.get(check_id, ())
            if CONCEPTS[c][0] in (types.get(address), "AWS::S3::BucketPolicy")
        ]
        if not concepts:
            others[check_id] += 1
        for concept in concepts:
            pairs.add((address, concept))
    return pairs, others


def checkov_vs_concepts(failed: list[tuple[str, str, str]], manifest: dict[str, Any]) -> dict[str, Any]:
    planted_on: dict[str, set[str]] = {}
    for p in manifest["planted"]:
        for address in [p["logical_id"], *p["also_reported_on"]]:
            planted_on.setdefault(address, set()).add(p["concept"])
    table: dict[str, dict[str, Any]] = {}
    for address, check_id, name in failed:
        row = table.setdefault(
            check_id, {"name": name, "failed": 0, "types": Counter(), "concepts": Counter()}
        )
        row["failed"] += 1
        row["types"][address.rsplit(".", 2)[-2] if "." in address else "?"] += 1
        for concept in planted_on.get(address) or {"(none planted)"}:
            row["concepts"][concept] += 1
    for check_id, row in table.items():
        row["types"], row["concepts"] = dict(row["types"]), dict(row["concepts"].most_common())
        row["mapped_to"] = list(CHECKOV_TF_CONCEPTS.get(check_id, ()))
    return dict(sorted(table.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--mirror", type=Path, help="local provider mirror for terraform (filesystem_mirror)")
    parser.add_argument("--skip-checkov", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS_FILE)
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 unless guardrails finds every planted violation"
    )
    args = parser.parse_args(argv)

    checkov_version = None if args.skip_checkov else ensure_checkov()
    guardrails = guardrails_command()
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "guardrails_tree": git_state(),
        "checkov_version": checkov_version,
        "sizes": {},
    }
    complete = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in args.sizes:
            folder = write_module(n, DEFAULT_OUT, args.seed)
            manifest = json.loads((folder / "manifest.json").read_text())
            plan = folder / "plan.json"
            if not plan.exists() or plan.stat().st_mtime < (folder / "main.tf").stat().st_mtime:
                print(f"terraform plan of {n} resources ...", flush=True)
                plan_module(folder, args.mirror)
            tools = [
                Tool("guardrails", [*guardrails, "check", "--format", "json", str(plan)], guardrails_env())
            ]
            if checkov_version:
                tools.append(Tool("checkov", checkov_command(plan), checkov_env()))
            runs, reports = measure_interleaved(tools, work, n, args.repeats)
            row: dict[str, Any] = {"plan_bytes": plan.stat().st_size, "counts": manifest["counts"]}
            pairs, others, unknown = guardrails_findings(reports["guardrails"])
            row["guardrails"] = {
                **summarize(runs["guardrails"]),
                **score(pairs, manifest),
                "other_controls": dict(others),
                "unknown": unknown,
            }
            complete &= row["guardrails"]["found"] == row["guardrails"]["planted"]
            if "checkov" in runs:
                failed = checkov_failed(reports["checkov"])
                cpairs, cothers = checkov_findings(failed, manifest)
                row["checkov"] = {
                    **summarize(runs["checkov"]),
                    **score(cpairs, manifest),
                    "unmapped": dict(cothers),
                }
                row["checkov_vs_concepts"] = checkov_vs_concepts(failed, manifest)
            results["sizes"][str(n)] = row

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"\nguardrails {results['guardrails_tree']} vs checkov {checkov_version or '(skipped)'}; results in {args.output}\n"
    )
    print(
        "| resources | plan MB | guardrails CPU s | checkov CPU s | CPU ratio | guardrails peak RSS MB | checkov peak RSS MB "
        "| planted found: guardrails | planted found: checkov | SM-17 derived found | FP guardrails | FP checkov |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, row in results["sizes"].items():
        g, c = row["guardrails"], row.get("checkov")
        ratio = f"{c['cpu_s'] / g['cpu_s']:.1f}x" if c else "-"
        c_cpu, c_rss = (f"{c['cpu_s']:.2f}", f"{c['rss_mb']:.0f}") if c else ("-", "-")
        print(
            f"| {int(n):,} | {row['plan_bytes'] / 1e6:.1f} | {g['cpu_s']:.2f} | {c_cpu} | {ratio} "
            f"| {g['rss_mb']:.0f} | {c_rss} | {fmt_found(g)} | {fmt_found(c)} "
            f"| {g['derived_found']}/{g['derived']} | {g['false_positives']} | {c['false_positives'] if c else '-'} |"
        )
    for n, row in results["sizes"].items():
        print(f"\nplanted found by concept at {int(n):,} resources (guardrails / checkov):")
        for concept, g in row["guardrails"]["by_concept"].items():
            c = row.get("checkov", {}).get("by_concept", {}).get(concept)
            print(f"  {concept}: {g['found']}/{g['planted']} / {fmt_found(c) if c else '-'}")
        if row["guardrails"]["missed"]:
            print(f"  guardrails missed: {row['guardrails']['missed'][:20]}")
        if "checkov_vs_concepts" in row:
            print("  checkov checks vs concepts planted on the resources they failed on:")
            for check_id, t in row["checkov_vs_concepts"].items():
                print(
                    f"    {check_id} ({t['failed']}x, mapped to {t['mapped_to'] or '-'}): {t['concepts']} - {t['name']}"
                )
    print(f"\nguardrails finds every planted violation: {'PASS' if complete else 'FAIL'}")
    return 1 if args.strict and not complete else 0


if __name__ == "__main__":
    raise SystemExit(main())
