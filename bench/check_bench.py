"""Benchmark `guardrails check` against checkov and against the floor, on generated CloudFormation
templates, in one run.

For each size (default 10, 100, 1000, 5000 resources) the script generates a deterministic template
with planted violations (bench/generate_templates.py), then runs — interleaved, each as its own
process (bench/measuring.py) — `guardrails check --format json T`, the floor (bench/floor.py: parse the
template and evaluate guardrails' canonical documents with regorus, nothing else: what any
implementation must pay) and checkov (installed in its own venv, bench/.venv-checkov, created on first
use from bench/requirements-checkov.txt) on the same file, and measures for every run:

* CPU seconds: user + system time of the process and of its reaped descendants (`os.wait4`);
* peak RSS: `ru_maxrss` from the same `os.wait4` (the largest single process of the tree);
* findings: which planted (logical id, concept) pairs the tool reports, and which mapped concepts it
  reports where none was planted (false positives).

Guardrails and the floor are cheap next to checkov: after the rounds of all three tools, extra rounds of
the two alone (`--floor-repeats`, default 20 up to 1,000 resources, 8 above) give the guardrails / floor
ratio enough runs that one lucky or unlucky run no longer decides it (a 2-core host's speed swings by
20-30% within a few runs). The checkov ratio uses only the runs interleaved with checkov.

It also times `guardrails --version` (best of 5, wall clock) and prints PASS/FAIL against the targets
of issue 15: at least 15x less CPU than checkov at 1,000 resources and 20x at 5,000; guardrails within
1.3x of the floor's CPU at both; `guardrails --version` < 0.3 s (plus, for information, DESIGN.md's
"check of a 1,000-resource template < 1 s").

Results go to bench/out/check_results.json. See bench/README.md.

Usage: python bench/check_bench.py [--sizes 10 100 1000 5000] [--skip-checkov] [--skip-floor] [--repeats N]
       [--floor-repeats N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import floor  # noqa: E402
from generate_templates import CONCEPTS, DEFAULT_SEED, DEFAULT_SIZES, write_template  # noqa: E402
from measuring import (  # noqa: E402
    OUT_DIR,
    REPO,
    VENV,
    Run,
    Tool,
    checkov_env,
    ensure_checkov,
    git_state,
    guardrails_command,
    guardrails_env,
    measure_interleaved,
    paired_ratio,
    summarize,
    time_version,
)

TEMPLATES_DIR = OUT_DIR / "templates"
RESULTS_FILE = OUT_DIR / "check_results.json"

TARGET_RATIOS = {1000: 15.0, 5000: 20.0}  # size -> least checkov CPU / guardrails CPU (issue 15)
TARGET_FLOOR_RATIO = 1.3  # guardrails CPU / floor CPU (parse + regorus evaluation), at most
TARGET_SIZE = 1000
TARGET_VERSION_S = 0.3  # `guardrails --version`, wall clock
TARGET_CHECK_1000_S = 1.0  # DESIGN.md "Performance targets": check of a 1,000-resource template (wall)
CHECKOV_BUDGET_S = 300.0  # skip checkov at a size whose predicted run time exceeds this

# Checkov check id -> the planted concepts (bench/generate_templates.py CONCEPTS) it detects.
# Determined empirically with checkov 3.3.30 from its JSON output (`check_id`, `resource`) on the generated
# templates: every check below fails on the resources where one of its concepts is planted and passes on
# the others. Planted concepts that no checkov CloudFormation check reports (checkov 3.3.30):
# notebook_direct_internet, notebook_no_subnet, notebook_root_access, model_no_vpc,
# endpoint_config_no_kms, domain_public_internet, bucket_public_policy (no check on
# AWS::S3::BucketPolicy), bucket_no_kms (CKV_AWS_19 accepts AES256 and passes without BucketEncryption).
# The script prints, per failed check, the concepts planted on the resources it failed on, so this table
# can be re-derived after a checkov upgrade (see "checkov checks vs concepts planted on ...").
CHECKOV_CONCEPTS: dict[str, tuple[str, ...]] = {
    # "Ensure Sagemaker domain and notebook instance are encrypted by KMS using a customer managed Key (CMK)"
    "CKV_AWS_187": ("notebook_no_kms", "domain_no_kms"),
    # "Ensure Amazon SageMaker model uses network isolation"
    "CKV_AWS_370": ("model_no_network_isolation",),
    # "Ensure the S3 bucket does not allow READ permissions to everyone" (PublicRead, PublicReadWrite)
    "CKV_AWS_20": ("bucket_public_acl",),
    # "Ensure the S3 bucket does not allow WRITE permissions to everyone" (PublicReadWrite)
    "CKV_AWS_57": ("bucket_public_acl",),
    # "Ensure S3 bucket has block public ACLs enabled"
    "CKV_AWS_53": ("bucket_bpa_off",),
    # "Ensure S3 bucket has block public policy enabled"
    "CKV_AWS_54": ("bucket_bpa_off",),
    # "Ensure S3 bucket has ignore public ACLs enabled"
    "CKV_AWS_55": ("bucket_bpa_off",),
    # "Ensure S3 bucket has RestrictPublicBuckets enabled"
    "CKV_AWS_56": ("bucket_bpa_off",),
}
# Checks that fail on the generated templates but test nothing planted (counted as "unmapped"):
# CKV2_AWS_68 "Ensure SageMaker notebook instance IAM policy is not overly permissive" (fails on every
# notebook whose role is not a resource of the template).

# Guardrails control -> planted concept (the controls are unique per concept, see CONCEPTS).
GUARDRAILS_CONCEPTS: dict[str, str] = {control: concept for concept, (_, control, _) in CONCEPTS.items()}
# Controls that follow from planted violations (the manifest's `derived`): SM-17 on an endpoint serving a
# noncompliant config or model; S3-07 (ACLs enabled, a warning) on a bucket planted with a public canned ACL,
# which S3 accepts only with ObjectOwnership ObjectWriter.
DERIVED_CONTROLS = frozenset({"SM-17", "S3-07"})


# --- checkov -------------------------------------------------------------------------------


def checkov_command(template: Path) -> list[str]:
    return [
        str(VENV / "bin" / "checkov"),
        "-f",
        str(template),
        "--framework",
        "cloudformation",
        "-o",
        "json",
        "--quiet",
        "--compact",
        "--skip-download",
    ]


# --- findings --------------------------------------------------------------------------------


def guardrails_findings(report: dict[str, Any]) -> tuple[set[tuple[str, str]], Counter[str], int]:
    """(logical_id, concept-or-control) pairs reported, other controls by id, unknown-flagged count."""
    pairs: set[tuple[str, str]] = set()
    others: Counter[str] = Counter()
    unknown = 0
    for result in report.get("results", []):
        lid = ((result.get("resource") or {}).get("location") or {}).get("logical_id")
        for v in result.get("violations", []):
            control = v.get("control")
            unknown += bool(v.get("unknown"))
            if control in GUARDRAILS_CONCEPTS:
                pairs.add((lid, GUARDRAILS_CONCEPTS[control]))
            elif control in DERIVED_CONTROLS:
                pairs.add((lid, control))
            else:  # a control outside the planted concepts: nothing else is violated, so a false positive
                others[control] += 1
                pairs.add((lid, control))
    return pairs, others, unknown


def checkov_failed(report: Any) -> list[tuple[str, str, str]]:
    """(logical_id, check_id, check_name) of every failed check in checkov's JSON output."""
    reports = report if isinstance(report, list) else [report]
    failed = []
    for rep in reports:
        for check in (rep.get("results") or {}).get("failed_checks", []):
            resource = check.get("resource", "")
            lid = resource.split(".", 1)[1] if "." in resource else resource
            failed.append((lid, check["check_id"], check.get("check_name", "")))
    return failed


def checkov_findings(failed: list[tuple[str, str, str]], manifest: dict[str, Any]):
    pairs: set[tuple[str, str]] = set()
    others: Counter[str] = Counter()
    types = {lid: info["type"] for lid, info in manifest["resources"].items()}
    for lid, check_id, _ in failed:
        concepts = [c for c in CHECKOV_CONCEPTS.get(check_id, ()) if CONCEPTS[c][0] == types.get(lid)]
        if not concepts:
            others[check_id] += 1
        for concept in concepts:
            pairs.add((lid, concept))
    return pairs, others


def score(pairs: set[tuple[str, str]], manifest: dict[str, Any]) -> dict[str, Any]:
    """Planted violations found (overall and by concept), derived findings found, false positives."""
    acceptable: dict[tuple[str, str], int] = {}
    for i, p in enumerate(manifest["planted"]):
        for lid in [p["logical_id"], *p["also_reported_on"]]:
            acceptable[(lid, p["concept"])] = i
    found_idx = {acceptable[pair] for pair in pairs if pair in acceptable}
    by_concept = {c: [0, 0] for c in CONCEPTS}
    missed = []
    for i, p in enumerate(manifest["planted"]):
        by_concept[p["concept"]][1] += 1
        if i in found_idx:
            by_concept[p["concept"]][0] += 1
        else:
            missed.append([p["logical_id"], p["concept"]])
    derived = {(d["logical_id"], d["control"]) for d in manifest["derived"]}
    flagged = {lid for lid, info in manifest["resources"].items() if info["planted"]}
    flagged |= {lid for lid, _ in derived}
    derived_found = len(derived & pairs)
    derived_by_control: dict[str, dict[str, Any]] = {}
    for lid, control in sorted(derived):
        entry = derived_by_control.setdefault(control, {"found": 0, "derived": 0, "types": set()})
        entry["found"] += (lid, control) in pairs
        entry["derived"] += 1
        entry["types"].add(manifest["resources"][lid]["type"])
    false_pos = sorted([lid, c] for lid, c in pairs if (lid, c) not in acceptable and (lid, c) not in derived)
    # a bucket whose policy is planted public is "flagged" through its policy, not compliant
    flagged |= {a for p in manifest["planted"] for a in p["also_reported_on"]}
    return {
        "planted": len(manifest["planted"]),
        "found": len(found_idx),
        "by_concept": {c: {"found": f, "planted": t} for c, (f, t) in by_concept.items()},
        "missed": missed,
        "derived": len(derived),
        "derived_found": derived_found,
        "derived_by_control": {c: {**d, "types": sorted(d["types"])} for c, d in derived_by_control.items()},
        "false_positives": len(false_pos),
        "false_positives_on_compliant": sum(1 for lid, _ in false_pos if lid not in flagged),
        "false_positive_pairs": false_pos[:50],
    }


def checkov_vs_concepts(failed: list[tuple[str, str, str]], manifest: dict[str, Any]) -> dict[str, Any]:
    """For every failed checkov check: how often, and the concepts planted on the resources it failed on."""
    planted_on: dict[str, set[str]] = defaultdict(set)
    for p in manifest["planted"]:
        planted_on[p["logical_id"]].add(p["concept"])
    table: dict[str, dict[str, Any]] = {}
    for lid, check_id, name in failed:
        row = table.setdefault(
            check_id, {"name": name, "failed": 0, "types": Counter(), "concepts": Counter()}
        )
        row["failed"] += 1
        row["types"][manifest["resources"].get(lid, {}).get("type", "?")] += 1
        for concept in planted_on.get(lid) or {"(none planted)"}:
            row["concepts"][concept] += 1
    for check_id, row in table.items():
        row["types"] = dict(row["types"])
        row["concepts"] = dict(row["concepts"].most_common())
        row["mapped_to"] = list(CHECKOV_CONCEPTS.get(check_id, ()))
    return dict(sorted(table.items()))


# --- the benchmark ---------------------------------------------------------------------------


def floor_repeats(option: int | None, size: int) -> int:
    """Extra rounds of guardrails and the floor alone: the option, else 20 up to 1,000 resources, 8 above."""
    if option is not None:
        return max(option, 0)
    return 20 if size <= 1000 else 8


def best_cpu(runs: list[Run]) -> float:
    return min(r.cpu_s for r in runs)


def predict(times: dict[int, float], size: int) -> float | None:
    """Extrapolate a run time to `size` from the two largest measured sizes (power law)."""
    known = sorted((s, t) for s, t in times.items() if t > 0)
    if not known:
        return None
    if len(known) == 1:
        s, t = known[0]
        return t * size / s
    (s1, t1), (s2, t2) = known[-2], known[-1]
    exponent = max(1.0, math.log(t2 / t1) / math.log(s2 / s1)) if t2 > t1 else 1.0
    return t2 * (size / s2) ** exponent


def fmt_found(s: dict[str, Any] | None) -> str:
    return "-" if s is None else f"{s['found']}/{s['planted']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="resources per template"
    )
    parser.add_argument("--skip-checkov", action="store_true", help="do not run checkov")
    parser.add_argument(
        "--skip-floor", action="store_true", help="do not measure the floor (parse + regorus evaluation)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="runs per tool and size, best taken (default: 3 up to 1000 resources, 1 above)",
    )
    parser.add_argument(
        "--floor-repeats",
        type=int,
        default=None,
        help="extra interleaved runs of guardrails and the floor only, for their ratio (default: 20 up to"
        " 1000 resources, 8 above; 0: none)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="template generator seed")
    parser.add_argument(
        "--checkov-budget",
        type=float,
        default=CHECKOV_BUDGET_S,
        help="skip checkov at a size whose predicted single run takes longer (seconds; default 300)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS_FILE, help="results JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))
    started = time.perf_counter()

    gr_cmd = guardrails_command()
    gr_env = guardrails_env()
    checkov_version = None if args.skip_checkov else ensure_checkov()
    ck_env = checkov_env()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="check_bench_"))
    print(
        f"guardrails: {' '.join(gr_cmd)}; checkov: {checkov_version or 'skipped'}; floor: "
        f"{'skipped' if args.skip_floor else 'measured'}; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; templates in {TEMPLATES_DIR.relative_to(REPO)}",
        flush=True,
    )

    version = time_version([*gr_cmd, "--version"], gr_env, 5)
    checkov_cli = (
        None if args.skip_checkov else time_version([str(VENV / "bin" / "checkov"), "--version"], ck_env, 3)
    )

    generated = {n: write_template(n, TEMPLATES_DIR, args.seed) for n in sizes}

    def tools_for(template: Path, with_checkov: bool) -> list[Tool]:
        tools = [Tool("guardrails", [*gr_cmd, "check", "--format", "json", str(template)], gr_env)]
        if not args.skip_floor:
            inputs, bundle = floor.prepare(template, work)
            floor_cmd = [sys.executable, str(BENCH_DIR / "floor.py"), str(template), str(inputs), str(bundle)]
            tools.append(Tool("floor", floor_cmd, gr_env, ok_codes=(0,)))
        if with_checkov:
            tools.append(Tool("checkov", checkov_command(template), ck_env))
        return tools

    # one warm-up of every tool (not measured): byte-compiled caches, page cache
    measure_interleaved(tools_for(generated[sizes[0]][0], not args.skip_checkov), work, 0, 0)

    rows: list[dict[str, Any]] = []
    checkov_times: dict[int, float] = {}
    last_checkov_table: dict[str, Any] = {}
    for n in sizes:
        template, manifest_path = generated[n]
        manifest = json.loads(manifest_path.read_text())
        repeats = args.repeats or (3 if n <= 1000 else 1)
        do_checkov = not args.skip_checkov
        skip_reason = "--skip-checkov" if args.skip_checkov else None
        if do_checkov:
            guess = predict(checkov_times, n)
            if guess is not None and guess > args.checkov_budget:
                do_checkov = False
                skip_reason = f"predicted {guess:.0f} s per run > budget {args.checkov_budget:.0f} s"
        runs, reports = measure_interleaved(tools_for(template, do_checkov), work, n, repeats, warm_up=False)
        gr_runs, ck_runs, floor_runs = runs["guardrails"], runs.get("checkov", []), runs.get("floor", [])
        extra = 0 if args.skip_floor else floor_repeats(args.floor_repeats, n)
        if extra:
            more, _ = measure_interleaved(tools_for(template, False), work, n, extra, warm_up=False)
            gr_all, floor_runs = gr_runs + more["guardrails"], floor_runs + more["floor"]
        else:
            gr_all = gr_runs
        gr_report, ck_report = reports["guardrails"], reports.get("checkov")
        if ck_runs:
            checkov_times[n] = min(r.wall_s for r in ck_runs)
        pairs, others, unknown = guardrails_findings(gr_report)
        gr = summarize(gr_all) | {
            "exit_code": gr_runs[-1].returncode,
            "score": score(pairs, manifest),
            "other_controls": dict(others),
            "unknown_flagged": unknown,
            "results": len(gr_report.get("results", [])),
        }
        ck: dict[str, Any] = {"skipped": skip_reason}
        if ck_runs:
            failed = checkov_failed(ck_report)
            ck_pairs, ck_others = checkov_findings(failed, manifest)
            last_checkov_table = checkov_vs_concepts(failed, manifest)
            ck = summarize(ck_runs) | {
                "exit_code": ck_runs[-1].returncode,
                "score": score(ck_pairs, manifest),
                "unmapped_checks": dict(ck_others),
                "checks_vs_concepts": last_checkov_table,
            }
        row = {
            "size": n,
            "template": str(template.relative_to(REPO)),
            "counts": manifest["counts"],
            "repeats": repeats,
            "floor_repeats": extra,
            "guardrails": gr,
            "checkov": ck,
            # the checkov ratio from the runs interleaved with checkov only (more guardrails runs would
            # only lower guardrails' best, in its favour); the floor ratio from all rounds
            "cpu_ratio": (ck["cpu_s"] / best_cpu(gr_runs)) if ck_runs and best_cpu(gr_runs) > 0 else None,
            "floor": summarize(floor_runs) | reports["floor"] if floor_runs else None,
            "floor_ratio": (gr["cpu_s"] / best_cpu(floor_runs)) if floor_runs else None,
            "cpu_ratio_paired": paired_ratio(ck_runs, gr_runs) if ck_runs else None,
            "floor_ratio_paired": paired_ratio(gr_all, floor_runs) if floor_runs else None,
        }
        rows.append(row)
        ratio = f"{row['cpu_ratio']:.1f}x" if row["cpu_ratio"] else "-"
        print(
            f"  {n:>5} resources x{repeats}{f' (+{extra} without checkov)' if extra else ''}:"
            f" guardrails {gr['cpu_s']:.2f} s CPU"
            + (
                f", floor {row['floor']['cpu_s']:.2f} s CPU ({row['floor_ratio']:.2f}x;"
                f" paired median {row['floor_ratio_paired']:.2f}x)"
                if floor_runs
                else ""
            )
            + (
                f", checkov {ck['cpu_s']:.2f} s CPU ({ratio}; paired median {row['cpu_ratio_paired']:.1f}x)"
                if ck_runs
                else f", checkov skipped ({skip_reason})"
            ),
            flush=True,
        )

    # --- report ---
    print()
    header = (
        f"{'resources':>9} | {'guardrails CPU s':>16} | {'floor CPU s':>11} | {'vs floor':>8} | "
        f"{'checkov CPU s':>13} | {'CPU ratio':>9} | "
        f"{'guardrails RSS MB':>17} | {'checkov RSS MB':>14} | {'guardrails found':>16} | "
        f"{'checkov found':>13} | {'guardrails FP':>13} | {'checkov FP':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        gr, ck = row["guardrails"], row["checkov"]
        has_ck = "cpu_s" in ck
        print(
            f"{row['size']:>9} | {gr['cpu_s']:>16.2f} | "
            f"{(format(row['floor']['cpu_s'], '.2f') if row['floor'] else '-'):>11} | "
            f"{(format(row['floor_ratio'], '.2f') + 'x' if row['floor_ratio'] else '-'):>8} | "
            f"{(format(ck['cpu_s'], '.2f') if has_ck else 'skipped'):>13} | "
            f"{(format(row['cpu_ratio'], '.1f') + 'x' if row['cpu_ratio'] else '-'):>9} | "
            f"{gr['rss_mb']:>17.0f} | {(format(ck['rss_mb'], '.0f') if has_ck else '-'):>14} | "
            f"{fmt_found(gr['score']):>16} | {fmt_found(ck.get('score')):>13} | "
            f"{gr['score']['false_positives']:>13} | "
            f"{(ck['score']['false_positives'] if has_ck else '-'):>10}"
        )
    print(
        "CPU = user+sys seconds, best of the repeats (ratios: of the bests; 'paired median' above: the median"
        " over the repeats of the ratio within one interleaved repeat;\nthe checkov ratio takes guardrails'"
        " best of the runs interleaved with checkov only, the floor ratio all runs);\nfloor = parse + regorus"
        " evaluation only (bench/floor.py); "
        "RSS = peak resident set, max of the repeats; "
        "found = planted (logical id, concept) reported;\nFP = (logical id, concept) reported where it was "
        "not planted (guardrails: also any other control, and SM-17 or S3-07 where not derived)."
    )

    largest = rows[-1]
    print(f"\nplanted violations found by concept at {largest['size']} resources (guardrails / checkov):")
    for concept, (_, control, desc) in CONCEPTS.items():
        g = largest["guardrails"]["score"]["by_concept"][concept]
        c = (largest["checkov"].get("score") or {}).get("by_concept", {}).get(concept)
        checks = ",".join(k for k, v in CHECKOV_CONCEPTS.items() if concept in v) or "(no check)"
        print(
            f"  {concept:<27} {control:<6} {g['found']:>5}/{g['planted']:<5} "
            f"{(str(c['found']) + '/' + str(c['planted'])) if c else '-':>11}  {desc}; checkov: {checks}"
        )
    gs = largest["guardrails"]["score"]
    for control, d in gs["derived_by_control"].items():
        print(
            f"  derived {control} on {', '.join(d['types'])}: guardrails {d['found']}/{d['derived']} "
            "(no checkov equivalent)"
        )
    for row in rows:
        s = row["guardrails"]["score"]
        if (
            s["missed"]
            or s["false_positives"]
            or row["guardrails"]["other_controls"]
            or (s["derived_found"] != s["derived"])
        ):
            print(
                f"  ! guardrails at {row['size']}: missed {s['missed'][:10]}, false positives "
                f"{s['false_positive_pairs'][:10]}, other controls {row['guardrails']['other_controls']}, "
                f"derived {s['derived_found']}/{s['derived']}"
            )
    if last_checkov_table:
        print(
            "\ncheckov checks vs concepts planted on the resources they failed on "
            "(largest size checkov ran; re-derive CHECKOV_CONCEPTS from this):"
        )
        for check_id, info in last_checkov_table.items():
            mapped = ",".join(info["mapped_to"]) or "UNMAPPED"
            print(
                f"  {check_id:<12} failed {info['failed']:>5}  mapped to {mapped:<40} "
                f"planted there: {info['concepts']}"
            )

    ratio_row = next((r for r in rows if r["size"] == TARGET_SIZE), None)
    targets: list[tuple[str, str, bool | None]] = []
    by_size = {r["size"]: r for r in rows}
    for size, least in TARGET_RATIOS.items():
        label = f"checkov CPU / guardrails CPU at {size} resources >= {least:.0f}x"
        row = by_size.get(size)
        if row and row["cpu_ratio"]:
            value = f"{row['cpu_ratio']:.1f}x (paired median {row['cpu_ratio_paired']:.1f}x)"
            targets.append((label, value, row["cpu_ratio"] >= least))
        else:
            targets.append((label, "not measured", None))
    for size in TARGET_RATIOS:
        label = f"guardrails CPU / floor CPU at {size} resources <= {TARGET_FLOOR_RATIO}x"
        row = by_size.get(size)
        if row and row["floor_ratio"]:
            paired = f"{row['floor_ratio_paired']:.2f}x"
            value = f"{row['floor_ratio']:.2f}x (paired median {paired})"
            targets.append((label, value, row["floor_ratio"] <= TARGET_FLOOR_RATIO))
        else:
            targets.append((label, "not measured", None))
    targets.append(
        (
            f"guardrails --version < {TARGET_VERSION_S} s (best of 5, wall)",
            f"{version['wall_s']:.3f} s",
            version["wall_s"] < TARGET_VERSION_S,
        )
    )
    if ratio_row:
        wall = ratio_row["guardrails"]["wall_s"]
        targets.append(
            (
                f"[DESIGN.md] check of {TARGET_SIZE} resources < {TARGET_CHECK_1000_S:.0f} s (wall, best)",
                f"{wall:.2f} s",
                wall < TARGET_CHECK_1000_S,
            )
        )
    print()
    for label, value, ok in targets:
        verdict = "n/a " if ok is None else ("PASS" if ok else "FAIL")
        print(f"{verdict}  {label}: {value}")
    if checkov_cli:
        print(f"      (checkov --version: {checkov_cli['wall_s']:.2f} s wall, best of 3)")

    results = {
        "generated_by": "bench/check_bench.py",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "guardrails_version": version["output"],
        "guardrails_tree": git_state(),
        "checkov_version": checkov_version,
        "checkov_command": " ".join(checkov_command(Path("TEMPLATE"))),
        "checkov_env": {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"},
        "seed": args.seed,
        "version_timing": {"guardrails": version, "checkov": checkov_cli},
        "checkov_concepts": {k: list(v) for k, v in CHECKOV_CONCEPTS.items()},
        "sizes": rows,
        "targets": [{"target": label, "value": value, "pass": ok} for label, value, ok in targets],
        "elapsed_s": time.perf_counter() - started,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    print(f"\nresults: {args.output} ({results['elapsed_s']:.0f} s in all)")
    return 1 if args.strict and any(ok is False for _, _, ok in targets) else 0


if __name__ == "__main__":
    raise SystemExit(main())
