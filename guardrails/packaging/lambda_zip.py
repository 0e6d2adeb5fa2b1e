"""The Lambda deployment zip: this distribution plus its dependencies as wheels for the Lambda platform.

Dependencies come from PyPI as binary wheels for the target (`--platform manylinux_2_34_<arch>` and older
tags, since pip does not fall back between tags by itself; `--python-version`, `--implementation cp`,
`--only-binary=:all:`), pinned to the versions installed here. The runtime provides boto3/botocore, so
they are left out unless asked. The zip is reproducible: sorted entries, fixed timestamps.

Bytecode: `/var/task` is read-only, so without `.pyc` files every cold start compiles each module it
imports (~0.2 s CPU of a ~0.45 s cold start). The modules the handlers can import are compiled by an
interpreter of the target version (this one when it matches, else `python3.12`/`python3.13` on PATH or
`bytecode_python`) as unchecked-hash `.pyc` (valid whatever the files' timestamps, as the package never
changes after the build; `PYTHONHASHSEED=0` keeps them reproducible). Packages only the command line uses
stay source-only. Without such an interpreter the zip carries no bytecode and the build says so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from guardrails.errors import InputError
from guardrails.packaging.targets import ARCHITECTURES, PYTHON_VERSIONS

if TYPE_CHECKING:
    from guardrails.config import GuardrailsConfig

DIST_NAME = "sagemaker-guardrails"
PLATFORM_TAGS: tuple[str, ...] = ("manylinux_2_34", "manylinux_2_28", "manylinux2014")
"""Newest first; the python3.12+ runtimes run glibc 2.34 (Amazon Linux 2023)."""
RUNTIME_PROVIDED: frozenset[str] = frozenset({"boto3", "botocore", "s3transfer"})
"""Distributions the Lambda Python runtime already carries (left out unless `include_boto3`)."""
BUNDLED_CONFIG_NAME = "guardrails.yaml"
"""The config file's name at the zip root; the handlers read `$LAMBDA_TASK_ROOT/guardrails.yaml`."""
CUSTOM_POLICIES_DIR = "guardrails-policies"
"""Where the config's extra `engine.policy_dirs` are copied inside the zip."""
SOURCE_ONLY_PACKAGES: frozenset[str] = frozenset(
    {"click", "rich", "pygments", "markdown_it", "mdurl", "pathspec"}
)
"""Top-level packages only the command line imports, never a handler: shipped without bytecode (~2.4 MB
zipped saved). tests/deploy/test_lambda_package.py checks that a handler's cold start compiles nothing."""
_PRUNED_DIRS = frozenset({"__pycache__"})
_PRUNED_SUFFIXES = (".pyc", ".pyo")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(InputError):
    """The zip cannot be built (bad option, unreadable config, pip failure); the message says why."""


@dataclass(frozen=True)
class PackageResult:
    path: Path
    size_bytes: int
    unzipped_bytes: int
    files: int
    python: str
    arch: str
    include_boto3: bool
    config: bool
    bytecode: bool
    """True when the package's modules were precompiled for the target Python."""


Log = Callable[[str], None]


def build_lambda_zip(
    output: Path,
    *,
    arch: str = "arm64",
    python: str = "3.12",
    config: Path | None = None,
    include_boto3: bool = False,
    bytecode_python: str | None = None,
    log: Log | None = None,
) -> PackageResult:
    """Build the deployment zip at `output` and return what was written.

    `bytecode_python`: the interpreter (of version `python`) that precompiles the modules (default: found)."""
    if arch not in ARCHITECTURES:
        raise PackageError(f"--arch must be one of {', '.join(ARCHITECTURES)}, got {arch!r}")
    if python not in PYTHON_VERSIONS:
        raise PackageError(f"--python must be one of {', '.join(PYTHON_VERSIONS)}, got {python!r}")
    say = log or (lambda _message: None)
    if config is not None:
        validate_config(config)  # before any download: a bad config fails fast
    compiler = bytecode_interpreter(python, bytecode_python)
    with tempfile.TemporaryDirectory(prefix="guardrails-package-") as work:
        root = Path(work) / "root"
        root.mkdir()
        dist = installed_distribution()
        say(f"adding {DIST_NAME} {dist.version}")
        install_own_code(dist, root, Path(work))
        requirements = runtime_requirements(dist, include_boto3=include_boto3)
        say(f"adding dependencies for python{python} {arch}: {', '.join(requirements)}")
        install_dependencies(requirements, root, Path(work), arch=arch, python=python)
        if not include_boto3:
            remove_distributions(root, RUNTIME_PROVIDED)
        if config is not None:
            bundle_config(config, root)
        prune(root)
        if compiler is not None:
            compile_bytecode(root, compiler)
        else:
            say(
                f"no Python {python} found to precompile the modules with (pass --bytecode-python): the zip "
                "carries no bytecode, so every cold start compiles what it imports (~0.2 s CPU more)"
            )
        output.parent.mkdir(parents=True, exist_ok=True)
        files, unzipped = write_zip(root, output)
    return PackageResult(
        path=output,
        size_bytes=output.stat().st_size,
        unzipped_bytes=unzipped,
        files=files,
        python=python,
        arch=arch,
        include_boto3=include_boto3,
        config=config is not None,
        bytecode=compiler is not None,
    )


def bytecode_interpreter(python: str, explicit: str | None = None) -> str | None:
    """A CPython `python` (3.12...) to compile with: `explicit` (which must be one), else this interpreter
    when its version matches, else `python<version>` on PATH when it runs and is one; None when none is."""
    if explicit is not None:
        if _python_version(explicit) != python:
            raise PackageError(f"--bytecode-python {explicit} is not a CPython {python} interpreter")
        return explicit
    if sys.implementation.name == "cpython" and f"{sys.version_info[0]}.{sys.version_info[1]}" == python:
        return sys.executable
    found = shutil.which(f"python{python}")
    return found if found and _python_version(found) == python else None


def _python_version(interpreter: str) -> str | None:
    """`3.12` for a CPython 3.12 interpreter; None when it is not CPython or does not run."""
    script = "import sys; print(sys.implementation.name, '%d.%d' % sys.version_info[:2])"
    try:
        done = subprocess.run(
            [interpreter, "-I", "-c", script], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError:
        return None
    name, _, version = done.stdout.strip().partition(" ")
    return version if done.returncode == 0 and name == "cpython" else None


def compile_bytecode(root: Path, interpreter: str) -> None:
    """Precompile every module a handler can import (all but SOURCE_ONLY_PACKAGES and dist-info) into
    unchecked-hash `.pyc` files beside the sources, with `interpreter` (the target Python version)."""
    targets = sorted(
        str(path)
        for path in root.iterdir()
        if (path.is_dir() and not path.name.endswith(".dist-info") and path.name not in SOURCE_ONLY_PACKAGES)
        or (path.is_file() and path.suffix == ".py")
    )
    if not targets:
        return
    command = [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    # Not -I: it would ignore PYTHONHASHSEED, which fixes the order of set constants in the bytecode.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"PYTHONHASHSEED": "0"}
    done = subprocess.run([*command, *targets], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise PackageError(f"{interpreter} could not compile the package (exit {done.returncode}):\n{tail}")


def installed_distribution() -> metadata.Distribution:
    """The installed (pip) distribution of this project: the one with a RECORD, not a source egg-info."""
    for dist in metadata.distributions(name=DIST_NAME):
        if dist.read_text("RECORD") is not None:
            return dist
    raise PackageError(f"{DIST_NAME} is not installed with pip (no RECORD found); run `pip install .`")


def editable_source(dist: metadata.Distribution) -> Path | None:
    """The source folder of an editable install (PEP 610 direct_url.json), else None."""
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    direct = json.loads(text)
    if not (direct.get("dir_info") or {}).get("editable"):
        return None
    url = urlparse(direct.get("url", ""))
    if url.scheme != "file":
        return None
    return Path(unquote(url.path))


def install_own_code(dist: metadata.Distribution, root: Path, work: Path) -> None:
    """Put this project's packages (and its dist-info) into `root`.

    An editable install has no files to copy: its source folder is built into a wheel first, so the zip
    holds exactly what a regular install would (package-dir mapping, package data)."""
    source = editable_source(dist)
    if source is not None:
        wheels = work / "wheels"
        _pip(["wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(source)], what="build")
        (wheel,) = wheels.glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if not name.split("/", 1)[0].endswith(".data"):
                    archive.extract(name, root)
        return
    top_level = set((dist.read_text("top_level.txt") or "guardrails").split())
    for file in dist.files or []:
        parts = Path(str(file)).parts
        if not parts or parts[0] == ".." or not (parts[0] in top_level or parts[0].endswith(".dist-info")):
            continue
        src = Path(str(dist.locate_file(file)))
        if src.is_file():
            dest = root.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements(dist: metadata.Distribution, *, include_boto3: bool) -> list[str]:
    """The distribution's own requirements (no extras), without the runtime-provided ones."""
    wanted = []
    for requirement in dist.requires or []:
        if re.search(r"\bextra\s*==", requirement):
            continue
        name = canonical_name(re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0])
        if name in RUNTIME_PROVIDED and not include_boto3:
            continue
        wanted.append(requirement)
    return wanted


def installed_constraints() -> list[str]:
    """`name==version` of every installed distribution: the zip gets the versions tested here."""
    pins: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        version = dist.version
        if not name or not version or "+" in version or canonical_name(name) == DIST_NAME:
            continue
        pins.setdefault(canonical_name(name), version)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def install_dependencies(requirements: list[str], root: Path, work: Path, *, arch: str, python: str) -> None:
    if not requirements:
        return
    constraints = work / "constraints.txt"
    constraints.write_text("\n".join(installed_constraints()) + "\n", encoding="utf-8")
    machine = ARCHITECTURES[arch]
    platforms = [arg for tag in PLATFORM_TAGS for arg in ("--platform", f"{tag}_{machine}")]
    args = [
        "install",
        "--quiet",
        "--no-compile",
        "--target",
        str(root),
        *platforms,
        "--python-version",
        python,
        "--implementation",
        "cp",
        "--only-binary=:all:",
        "--constraint",
        str(constraints),
        *requirements,
    ]
    _pip(args, what="download the dependencies")


def _pip(args: list[str], *, what: str) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise PackageError(f"pip could not {what} (exit {done.returncode}):\n{tail}")


def remove_distributions(root: Path, names: Iterable[str]) -> None:
    """Delete installed distributions (their RECORD lists their files) from a `--target` folder."""
    wanted = set(names)
    for info in root.glob("*.dist-info"):
        dist = metadata.PathDistribution(info)
        if canonical_name(dist.metadata["Name"] or "") not in wanted:
            continue
        for file in dist.files or []:
            path = root / str(file)
            if path.is_file() and root in path.resolve().parents:
                path.unlink()
        shutil.rmtree(info, ignore_errors=True)
    _remove_empty_dirs(root)


def validate_config(config: Path) -> GuardrailsConfig:
    from guardrails.config import ConfigError, load_config

    try:
        return load_config(config)
    except ConfigError as exc:
        raise PackageError(str(exc)) from None


def bundle_config(config: Path, root: Path) -> None:
    """Copy the config's extra policy folders in and write the config as the zip's bundled config."""
    import yaml

    parsed = validate_config(config)
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    if parsed.engine.policy_dirs:
        relative = []
        for index, folder in enumerate(parsed.engine.policy_dirs):
            if not folder.is_dir():
                raise PackageError(f"{config}: engine.policy_dirs[{index}]: {folder} is not a folder")
            name = f"{CUSTOM_POLICIES_DIR}/{index}-{folder.name}"
            shutil.copytree(folder, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            relative.append(name)
        data["engine"]["policy_dirs"] = relative
    (root / BUNDLED_CONFIG_NAME).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def prune(root: Path) -> None:
    """Drop bytecode caches, console scripts and other install leftovers the runtime never reads."""
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir() and path.name in _PRUNED_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and path.suffix in _PRUNED_SUFFIXES:
            path.unlink()
    shutil.rmtree(root / "bin", ignore_errors=True)
    for leftover in ("INSTALLER", "REQUESTED", "direct_url.json"):
        for path in root.glob(f"*.dist-info/{leftover}"):
            path.unlink()
    _remove_empty_dirs(root)


def _remove_empty_dirs(root: Path) -> None:
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if not any(path.iterdir()):
            path.rmdir()


def write_zip(root: Path, output: Path) -> tuple[int, int]:
    """A reproducible zip of `root`: sorted entries, fixed times, 0644 files (0755 shared objects)."""
    files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix())
    total = 0
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=_FIXED_TIME)
            mode = 0o755 if ".so" in path.suffixes else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            total += len(data)
            archive.writestr(info, data, compresslevel=9)
    partial.replace(output)
    return len(files), total
