"""The measuring loop the side-by-side benchmarks share (bench/check_bench.py, bench/terraform_bench.py).

Every measured command runs as its own process, started from a small launcher interpreter; CPU seconds
(user + system of the process and its reaped descendants) and peak RSS come from `os.wait4`. Tools are
run interleaved (A, B, A, B, ...) after one unmeasured warm-up each, so that a change of machine load
affects every tool alike. Also here: the checkov installation (bench/.venv-checkov, pinned in
bench/requirements-checkov.txt) and its offline environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
VENV = BENCH_DIR / ".venv-checkov"
REQUIREMENTS = BENCH_DIR / "requirements-checkov.txt"
OUT_DIR = BENCH_DIR / "out"


@dataclass
class Run:
    cpu_s: float
    wall_s: float
    rss_mb: float
    returncode: int


@dataclass
class Tool:
    """One measured command line (with its environment) and the exit codes that mean success."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    ok_codes: tuple[int, ...] = (0, 1)  # the checkers exit 1 when they find violations


# Runs the measured command from a small, freshly started interpreter. Linux records the high-water RSS of
# the address space a process replaces at exec (the forked copy of its parent) in the new program's
# ru_maxrss, so a command spawned straight from this script would report at least this script's own RSS
# (which grows with the JSON reports it parses). Spawned from the launcher, the floor is the launcher's
# ~10 MB, below either tool's real peak.
LAUNCHER = """
import json, os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(out, "w") as f:
    cpu = ru.ru_utime + ru.ru_stime
    json.dump({"wall_s": wall, "cpu_s": cpu, "maxrss": ru.ru_maxrss, "status": status}, f)
"""


def measure(cmd: list[str], env: dict[str, str], stdout: Path, stderr: Path) -> Run:
    """Run `cmd` to completion; CPU and peak RSS from `os.wait4` (the child and its reaped descendants)."""
    usage_file = stdout.with_suffix(".rusage")
    launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(usage_file), *cmd]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.run(launcher, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=REPO)
    if proc.returncode != 0 or not usage_file.exists():
        sys.exit(f"could not run {' '.join(cmd)}: {stderr.read_text()[-2000:]}")
    usage = json.loads(usage_file.read_text())
    rss_unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return Run(
        cpu_s=usage["cpu_s"],
        wall_s=usage["wall_s"],
        rss_mb=usage["maxrss"] * rss_unit / 1024 / 1024,
        returncode=os.waitstatus_to_exitcode(usage["status"]),
    )


def run_tool(tool: Tool, work: Path, size: int, rep: int) -> tuple[Run, Any]:
    """One measured run of `tool`; its standard output must be JSON (returned parsed)."""
    stdout = work / f"{tool.name}_{size}_{rep}.json"
    stderr = work / f"{tool.name}_{size}_{rep}.err"
    run = measure(tool.cmd, tool.env, stdout, stderr)
    if run.returncode not in tool.ok_codes:
        sys.exit(
            f"{tool.name} failed (exit {run.returncode}): {' '.join(tool.cmd)}\n{stderr.read_text()[-3000:]}"
        )
    try:
        report = json.loads(stdout.read_text())
    except json.JSONDecodeError as exc:
        sys.exit(f"{tool.name} printed no JSON ({exc}): {' '.join(tool.cmd)}\n{stderr.read_text()[-3000:]}")
    return run, report


def measure_interleaved(
    tools: list[Tool], work: Path, size: int, repeats: int, *, warm_up: bool = True
) -> tuple[dict[str, list[Run]], dict[str, Any]]:
    """`repeats` measured runs of every tool, interleaved, after one unmeasured warm-up run of each
    (byte-compiled caches, page cache). Returns the runs and the last report of each tool."""
    runs: dict[str, list[Run]] = {tool.name: [] for tool in tools}
    reports: dict[str, Any] = {}
    for rep in range(0 if warm_up else 1, repeats + 1):  # rep 0 is the warm-up
        for tool in tools:
            run, reports[tool.name] = run_tool(tool, work, size, rep)
            if rep:
                runs[tool.name].append(run)
    return runs, reports


def summarize(runs: list[Run]) -> dict[str, Any]:
    """Best CPU and wall time of the runs (the least disturbed by other load), largest peak RSS."""
    return {
        "runs": [asdict(r) for r in runs],
        "cpu_s": min(r.cpu_s for r in runs),
        "wall_s": min(r.wall_s for r in runs),
        "rss_mb": max(r.rss_mb for r in runs),
    }


def paired_ratio(numerator: list[Run], denominator: list[Run]) -> float | None:
    """Median over the repeats of numerator CPU / denominator CPU of the same repeat.

    measure_interleaved runs the tools of one repeat back to back, so the two runs of a pair met about
    the same machine load; the median of these ratios moves less with load than the ratio of two
    best-of values taken from different moments (bench/README.md shows both)."""
    ratios = sorted(a.cpu_s / b.cpu_s for a, b in zip(numerator, denominator, strict=False) if b.cpu_s > 0)
    if not ratios:
        return None
    middle = len(ratios) // 2
    return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2


def time_version(cmd: list[str], env: dict[str, str], repeats: int) -> dict[str, Any]:
    walls, cpus, output = [], [], ""
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            out, err = Path(tmp) / f"v{i}.out", Path(tmp) / f"v{i}.err"
            run = measure(cmd, env, out, err)
            if run.returncode != 0:
                sys.exit(f"{' '.join(cmd)} failed: {err.read_text()[-2000:]}")
            walls.append(run.wall_s)
            cpus.append(run.cpu_s)
            output = out.read_text().strip()
    return {"output": output, "wall_s": min(walls), "cpu_s": min(cpus), "walls": walls}


# --- the tools --------------------------------------------------------------------------------------


def guardrails_command() -> list[str]:
    """The guardrails installed with the interpreter running the bench (the tree under test), else the
    one on PATH: a pyenv shim or another checkout's install first on PATH would measure other code."""
    sibling = Path(sys.executable).with_name("guardrails")
    exe = str(sibling) if sibling.exists() else shutil.which("guardrails") or str(sibling)
    if not Path(exe).exists():
        sys.exit("guardrails is not installed (pip install -e . in the repository)")
    return [exe]


def guardrails_env() -> dict[str, str]:
    """The environment guardrails runs in: byte-code caching on (PYTHONDONTWRITEBYTECODE dropped), as
    for any installed package, so a run measures the program rather than compiling its sources (an
    editable install keeps them in the repository, where that variable would stop the cache being
    written; checkov's venv was byte-compiled by pip)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def checkov_env() -> dict[str, str]:
    """Checkov offline: no platform mapping or policy download, no update check, no API key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_", "CKV_", "CHECKOV_"))}
    env.update(
        {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE", "PYTHONWARNINGS": "ignore"}
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def pinned_checkov_version() -> str:
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.lower().startswith("checkov=="):
            return line.split("==", 1)[1].strip()
    sys.exit(f"{REQUIREMENTS} pins no checkov version")


def installed_checkov_version() -> str | None:
    exe = VENV / "bin" / "checkov"
    if not exe.exists():
        return None
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=checkov_env())
    return proc.stdout.strip() if proc.returncode == 0 else None


def ensure_checkov() -> str:
    """Create bench/.venv-checkov and install the pinned checkov unless it is already there."""
    want = pinned_checkov_version()
    have = installed_checkov_version()
    if have == want:
        return have
    print(
        f"installing checkov=={want} into {VENV.relative_to(REPO)} (have: {have or 'none'}) ...", flush=True
    )
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for args in (["--upgrade", "pip"], ["-r", str(REQUIREMENTS)]):
        proc = subprocess.run(pip + args, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"pip install {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    have = installed_checkov_version()
    if have != want:
        sys.exit(f"checkov in {VENV} reports version {have!r}, expected {want}")
    return have


def git_state() -> str | None:
    """`git describe --always --dirty` of the repository (the guardrails sources measured)."""
    try:
        proc = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() or None
