"""Instructions executed by `guardrails check` and by the floor, counted by valgrind's callgrind.

    python bench/instruction_counts.py [--sizes 5 1000 5000] [--guardrails PATH ...]

CPU seconds on a shared machine move by 20-30% from run to run (bench/README.md); an instruction count
does not move at all, so it tells a small change from noise and gives the guardrails / floor ratio of
check_bench.py without the host's moods. It is not CPU time: cache misses, page faults and the kernel
are left out (guardrails' larger heap costs it more there than the floor), so read it beside
check_bench.py, not instead of it.

For each size the script writes the bench template (bench/generate_templates.py, same seed as
check_bench.py), the floor's inputs (bench/floor.py `prepare`, in this interpreter: guardrails must be
importable), then runs under callgrind: the floor, and `guardrails check --format json T` of every
`--guardrails` executable given (default: the one installed beside this interpreter), e.g. two installs
to compare a change with its base. Each process is counted whole (start-up and exit included), once:
the count is the same every time. valgrind must be installed (Debian: `apt-get install valgrind`);
a run takes ~50x its CPU time. Output: one line per process and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import floor  # noqa: E402
from generate_templates import DEFAULT_SEED, write_template  # noqa: E402
from measuring import guardrails_command, guardrails_env  # noqa: E402

_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(command: list[str], env: dict[str, str] | None = None) -> int:
    """The instructions `command` executes (its own process; children are not followed)."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    found = _COLLECTED.search(proc.stderr)
    if found is None:
        sys.exit(f"callgrind gave no count for {' '.join(command)}:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 1000, 5000])
    parser.add_argument("--guardrails", action="append", help="a guardrails executable to count (repeatable)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    executables = args.guardrails or guardrails_command()
    env = guardrails_env()
    work = Path(tempfile.mkdtemp(prefix="instruction_counts_"))
    print("size | process | instructions | / floor")
    for size in sorted(set(args.sizes)):
        template, _ = write_template(size, work, args.seed)
        inputs, bundle = floor.prepare(template, work)
        floor_count = instructions(
            [sys.executable, str(BENCH_DIR / "floor.py"), str(template), str(inputs), str(bundle)]
        )
        print(f"{size} | floor | {floor_count:,} | 1.00x", flush=True)
        for exe in executables:
            count = instructions([exe, "check", "--format", "json", str(template)], env)
            print(f"{size} | {exe} | {count:,} | {count / floor_count:.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
