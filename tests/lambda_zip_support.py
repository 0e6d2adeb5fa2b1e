"""The Lambda zip built once per test session, and running its handlers under Python 3.12 like Lambda.

`guardrails package` downloads wheels from PyPI, so the zip is built once per pytest process (cached
here, shared by every test module that imports `lambda_zip`) with the command the README documents.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from fixture_paths import unavailable
from readme_commands import package_command

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
INVOKE = FIXTURES / "lambda" / "invoke_handler.py"
BUNDLED_CONFIG = FIXTURES / "deploy" / "package-config.yaml"
RUNTIME_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
"""What the python3.12 Lambda runtime provides besides the standard library (its /var/runtime)."""
MARK = "@@invoke "


def guardrails_command() -> list[str]:
    found = shutil.which("guardrails", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "guardrails.cli.main"]


def python312() -> str:
    """pyenv's CPython 3.12 (the Lambda runtime's version); skip when the machine has none."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(glob.glob(str(root / "versions" / "3.12.*" / "bin" / "python3.12")))
    found = found or [p for p in [shutil.which("python3.12")] if p]
    if not found:
        unavailable("CPython 3.12 (the Lambda runtime's version)", "pyenv install 3.12")
    return found[-1]


@functools.cache
def _build(workdir: str) -> tuple[Path, Path, str]:
    root = Path(workdir)
    root.mkdir(parents=True, exist_ok=True)
    output = root / "build" / "lambda.zip"
    # The README's command, run in `root` (so its build/lambda.zip lands there), for this machine's
    # architecture (the handlers run here) and with a config to bundle.
    readme = package_command()
    assert readme[2:] == ["--output", "build/lambda.zip"], readme
    arch = "arm64" if os.uname().machine in ("aarch64", "arm64") else "x86_64"
    command = [*guardrails_command(), *readme[1:], "--arch", arch, "--python", "3.12", "--config", str(BUNDLED_CONFIG),
               "--bytecode-python", python312()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=root)
    assert done.returncode == 0, f"guardrails package failed:\n{done.stdout}\n{done.stderr}"
    task_root = root / "task"
    with zipfile.ZipFile(output) as archive:
        archive.extractall(task_root)
    return output, task_root, done.stdout


@pytest.fixture(scope="session")
def lambda_zip(tmp_path_factory) -> tuple[Path, Path, str]:
    """(zip path, its unzipped folder, the command's output), built once per session."""
    return _build(str(tmp_path_factory.getbasetemp() / "lambda-zip"))


@functools.cache
def _runtime_dir(workdir: str) -> Path:
    """Copy the installed boto3/botocore & co. (pure Python) into a folder: the runtime's /var/runtime."""
    if (Path(workdir) / "boto3").is_dir():
        return Path(workdir)
    target = Path(workdir)
    for name in RUNTIME_DISTRIBUTIONS:
        dist = metadata.distribution(name)
        for file in dist.files or []:
            parts = Path(str(file)).parts
            if not parts or parts[0] == ".." or "__pycache__" in parts or str(file).endswith(".pyc"):
                continue
            src = Path(str(dist.locate_file(file)))
            if src.is_file():
                dest = target.joinpath(*parts)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
    # the runtime ships its boto3 compiled; so does this copy
    subprocess.run([python312(), "-m", "compileall", "-q", "-j0", str(target)], check=True,
                   capture_output=True)
    return target


@pytest.fixture(scope="session")
def lambda_runtime_dir(tmp_path_factory) -> Path:
    return _runtime_dir(str(tmp_path_factory.getbasetemp() / "lambda-runtime"))


def invoke(task_root: Path, runtime_dir: Path, handler: str, events: list[dict], tmp_path: Path,
           env: dict[str, str]) -> tuple[list[dict], dict, str]:
    """Call `handler` (module:function) on each event in one fresh Python 3.12 process.

    Returns (one {"result", "error"} per event, the timing/origin summary, the process's log output)."""
    paths = []
    for index, event in enumerate(events):
        path = tmp_path / f"event-{index}.json"
        path.write_text(json.dumps(event))
        paths.append(str(path))
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    lambda_env = {"LAMBDA_TASK_ROOT": str(task_root), "AWS_LAMBDA_FUNCTION_NAME": "guardrails-test",
                  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "AWS_REGION": "us-east-1",
                  "AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [python312(), "-I", "-S", "-B", str(INVOKE), str(task_root), str(runtime_dir), handler, *paths]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**base, **lambda_env, **env})
    lines = [json.loads(line[len(MARK):]) for line in done.stdout.splitlines() if line.startswith(MARK)]
    assert done.returncode == 0 and lines, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return lines[:-1], lines[-1], done.stdout + done.stderr
