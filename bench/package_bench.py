"""Lambda package benchmark: zip size and cold import-to-ready of the *packaged* handlers under Python 3.12.

    python bench/package_bench.py [--zip build/lambda.zip] [--runs 5] [--arch x86_64]

Builds the zip with `guardrails package` (unless `--zip` is given), unzips it, then for each handler
starts a fresh `python3.12 -I -S` with only the unzipped package and the runtime-provided boto3 on
sys.path (tests/fixtures/lambda/invoke_handler.py, the harness the tests use) and reports, best and
median of N runs: **import** (interpreter start to handler imported) and **ready** (to the end of the
first invocation: config read, policy bundle compiled, one decision audited), wall clock and CPU (the CPU
time is the steadier number on a shared machine). Runs use `-B`: /var/task is read-only in Lambda, so a
run may not leave bytecode behind for the next; the zip's own precompiled modules are what is measured
(the runtime's boto3 is precompiled, as in Lambda).
Target: zip < 15 MB, ready < 0.5 s. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from lambda_zip_support import FIXTURES, INVOKE, MARK, _runtime_dir, python312  # noqa: E402

TARGET_ZIP_BYTES, TARGET_READY_S = 15_000_000, 0.5
HANDLERS = {
    "guardrails.lambdas.events:handler": FIXTURES / "events" / "sagemaker-NotebookInstanceStateChange.json",
    "guardrails.lambdas.cfn_hook:handler": FIXTURES / "hooks" / "cloud-control-notebook-create.json",
}


def build(output: Path, arch: str) -> None:
    config = FIXTURES / "deploy" / "package-config.yaml"
    command = [sys.executable, "-m", "guardrails.cli.main", "package", "--output", str(output)]
    command += ["--arch", arch, "--config", str(config), "--bytecode-python", python312()]
    subprocess.run(command, check=True, stdout=sys.stderr)


def run_once(python: str, task_root: Path, runtime: Path, handler: str, event: Path) -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    command = [python, "-I", "-S", "-B", str(INVOKE), str(task_root), str(runtime), handler, str(event)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    lines = [json.loads(x[len(MARK) :]) for x in done.stdout.splitlines() if x.startswith(MARK)]
    if lines[0]["error"]:
        raise SystemExit(f"{handler} failed: {lines[0]['error']}")
    return lines[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, help="An existing zip (default: build one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--arch", default="arm64" if os.uname().machine == "aarch64" else "x86_64")
    args = parser.parse_args()
    python = python312()
    with tempfile.TemporaryDirectory() as work:
        archive = args.zip or Path(work) / "lambda.zip"
        if args.zip is None:
            build(archive, args.arch)
        task_root = Path(work) / "task"
        zipfile.ZipFile(archive).extractall(task_root)
        runtime = _runtime_dir(str(Path(work) / "runtime"))
        summary: dict = {
            "zip_bytes": archive.stat().st_size,
            "zip_target_bytes": TARGET_ZIP_BYTES,
            "python": None,
            "runs": args.runs,
            "handlers": {},
        }
        for handler, event in HANDLERS.items():
            runs = [run_once(python, task_root, runtime, handler, event) for _ in range(args.runs)]
            summary["python"] = runs[0]["python"]
            imports = [r["import_seconds"] for r in runs]
            ready = [r["ready_seconds"] for r in runs]
            cpu = [r["ready_cpu_seconds"] for r in runs]
            summary["handlers"][handler] = {
                "import_s": {"best": round(min(imports), 3), "median": round(statistics.median(imports), 3)},
                "ready_s": {"best": round(min(ready), 3), "median": round(statistics.median(ready), 3)},
                "ready_cpu_s": {"best": round(min(cpu), 3), "median": round(statistics.median(cpu), 3)},
                "ready_target_s": TARGET_READY_S,
                "modules_compiled_at_start": runs[0]["compiled_modules"],
            }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
