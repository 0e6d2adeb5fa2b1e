"""The policy bundle: Rego files, their tests and the control catalog, with a content digest."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal, cast

import yaml

from guardrails.engine.plain_yaml import NOT_PLAIN, plain_yaml
from guardrails.errors import EngineError
from guardrails.validation import error_lines, validate

ENTRY_RULE = "data.guardrails.main.findings"
BATCH_RULE = "data.guardrails.batch.findings"
"""The findings of each of `input.documents`, in order (guardrails/engine/batch.rego; OPA backends)."""
ENGINE_MODULE_DIR = "guardrails-engine"

_PACKAGE_RE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)
_TEST_RULE_RE = re.compile(r"^(test_\w+)\b", re.MULTILINE)
DATA_DIR = "data"
"""Bundle data: every `<policy folder>/data/*.json` is a JSON object merged into the root of `data`
(facts the policies look up, such as the instance types with local storage), not Rego code."""


class BundleError(EngineError):
    """The policy bundle cannot be loaded (missing files, invalid catalog, Rego that does not compile)."""


Severity = Literal["low", "medium", "high", "critical"]
DefaultEnforcement = Literal["deny", "warn"]


@dataclass(slots=True)
class ControlInfo:
    """One control of a catalog (`catalog.yaml`): what it checks, how severe, how it is enforced."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    id: str
    title: str
    severity: Severity
    resource_types: list[str]
    default_enforcement: DefaultEnforcement
    remediation: str
    mappings: list[str] = field(default_factory=list)
    runtime_action: str | dict[str, str] | None = None


_CONTROL_FIELDS = frozenset(f.name for f in fields(ControlInfo))


@dataclass
class Catalog:
    """The controls of a policy bundle, by id."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    version: str
    controls: list[ControlInfo]

    @cached_property
    def by_id(self) -> dict[str, ControlInfo]:
        return {c.id: c for c in self.controls}


def default_policy_dir() -> Path:
    """The bundle shipped inside the installed package (`guardrails.policies`)."""
    import guardrails.policies

    return Path(guardrails.policies.__file__).parent


@dataclass
class PolicyBundle:
    """Rego sources (path -> text), test sources, and the merged catalog of one or more policy folders."""

    roots: list[Path]
    modules: dict[str, str] = field(default_factory=dict)
    tests: dict[str, str] = field(default_factory=dict)
    catalog: Catalog = field(default_factory=lambda: Catalog(version="0", controls=[]))
    data: dict[str, Any] = field(default_factory=dict)
    """The merged bundle data documents (`data/*.json`), what every engine loads beside the modules."""
    _read: list[tuple[Path, dict[Path, bytes] | None]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )
    """Per root, the bytes of the files `load` read that the digest covers (None: digest reads them)."""

    @classmethod
    def load(cls, extra_dirs: list[Path] | None = None, *, include_default: bool = True) -> PolicyBundle:
        roots = ([default_policy_dir()] if include_default else []) + list(extra_dirs or [])
        bundle = cls(roots=roots)
        controls: dict[str, tuple[ControlInfo, Path]] = {}
        versions: list[str] = []
        files: dict[str, Path] = {}  # module key -> file
        packages: dict[str, tuple[Path, Path]] = {
            package: (Path(__file__).parent, Path(__file__).with_name(key.rsplit("/", 1)[-1]))
            for key, text in engine_modules().items()
            if (package := rego_package(text)) is not None
        }  # package -> (root, first file declaring it); the engine's own packages are reserved
        origins: dict[tuple[str, ...], Path] = {}
        read: list[tuple[Path, dict[Path, bytes] | None]] = []  # root, its digested files' bytes
        for root in roots:
            if not root.is_dir():
                raise BundleError(f"{root}: policy folder not found")
            contents: dict[Path, bytes] = {}
            for path in sorted(root.rglob("*.rego")):
                key = f"{root.name}/{_relative_posix(path, root)}"
                text = _read_text(path, contents)
                if key in files:
                    raise BundleError(
                        f"{path}: module path {key} collides with {files[key]}; a policy folder adds "
                        "policies, it never replaces a module already loaded (rename the folder or file)"
                    )
                files[key] = path
                package = rego_package(text)
                if package is not None:
                    owner = packages.setdefault(package, (root, path))
                    if owner[0] != root:
                        raise BundleError(
                            f"{path}: package {package} collides with {owner[1]}, which already defines it; "
                            "a policy folder adds packages of its own, it never extends or replaces a "
                            "loaded one"
                        )
                (bundle.tests if path.name.endswith("_test.rego") else bundle.modules)[key] = text
            for path in _data_files(root):
                _merge_data(bundle.data, _read_data(path, contents), (), path, origins)
            catalog_path = root / "catalog.yaml"
            if catalog_path.is_file():
                catalog = _read_catalog(catalog_path, contents)
                versions.append(catalog.version)
                for control in catalog.controls:
                    if control.id in controls:
                        raise BundleError(
                            f"{catalog_path}: control {control.id} is already defined by "
                            f"{controls[control.id][1]}; a catalog adds controls with new IDs, it never "
                            "redefines one"
                        )
                    controls[control.id] = (control, catalog_path)
            # the digest's files, as read here; a catalog.yaml that is no file is left to `digest` to find
            read.append((root, None if catalog_path.exists() and not catalog_path.is_file() else contents))
        if not bundle.modules:
            raise BundleError(f"no .rego policies found in {', '.join(str(r) for r in roots)}")
        bundle.catalog = Catalog(  # of controls already read and checked above
            version="+".join(versions) or "0", controls=[control for control, _ in controls.values()]
        )
        bundle._read = read
        return bundle

    @cached_property
    def digest(self) -> str:
        """sha256 over every policy, test, catalog and data file, in path order: of the bytes `load` read
        (what the engine compiled), or read now for a bundle `load` did not make."""
        h = hashlib.sha256()
        read = dict(self._read) if [root for root, _ in self._read] == self.roots else {}
        for root in self.roots:
            contents = read.get(root)
            paths = (
                sorted(contents)
                if contents is not None
                else sorted([*root.rglob("*.rego"), *root.glob("catalog.yaml"), *_data_files(root)])
            )
            for path in paths:
                h.update(_relative_posix(path, root).encode() + b"\0")
                h.update((contents[path] if contents is not None else path.read_bytes()) + b"\0")
        return "sha256:" + h.hexdigest()

    @property
    def version(self) -> str:
        return self.catalog.version


def _relative_posix(path: Path, root: Path) -> str:
    """`path.relative_to(root).as_posix()` for a path found under `root`: on POSIX, where both are
    normalised and the separator is `/`, the rest of the path's string after the root's (pathlib's parsing
    of both costs ~50 K instructions a file, ~3 M a check); otherwise, or for another path, pathlib's."""
    prefix, text = str(root), str(path)
    normalised = os.sep == "/" and prefix not in ("", ".") and not prefix.endswith("/")
    if normalised and text.startswith(prefix) and text[len(prefix) : len(prefix) + 1] == "/":
        return text[len(prefix) + 1 :]
    return path.relative_to(root).as_posix()


def _read_text(path: Path, contents: dict[Path, bytes]) -> str:
    """`path.read_text(encoding="utf-8")` (universal newlines included), its bytes kept in `contents`."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return path.read_text(encoding="utf-8")  # raises the error reading text always raised
    contents[path] = raw
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _read_catalog(path: Path, contents: dict[Path, bytes] | None = None) -> Catalog:
    try:
        text = _read_text(path, {} if contents is None else contents)
        data: Any = plain_yaml(text)  # a catalog of strings, lists and mappings: ~2x faster
        if data is NOT_PLAIN:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present
            data = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
        return _plain_catalog(data) or validate(Catalog, data)
    except yaml.YAMLError as exc:
        raise BundleError(f"{path}: invalid control catalog: {exc}") from exc
    except ValueError as exc:  # pydantic's ValidationError
        raise BundleError(f"{path}: invalid control catalog: {error_lines(exc)}") from exc


_SEVERITIES = frozenset({"low", "medium", "high", "critical"})
_ENFORCEMENTS = frozenset({"deny", "warn"})
_CONTROL_TEXT = ("id", "title", "remediation")


def _is_text_list(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _plain_control(item: Any) -> ControlInfo | None:
    if type(item) is not dict or not item.keys() <= _CONTROL_FIELDS:
        return None
    if any(type(item.get(name)) is not str for name in _CONTROL_TEXT):
        return None
    if item.get("severity") not in _SEVERITIES or item.get("default_enforcement") not in _ENFORCEMENTS:
        return None
    if type(item["severity"]) is not str or type(item["default_enforcement"]) is not str:
        return None
    mappings = item.get("mappings", [])
    action = item.get("runtime_action")
    if not _is_text_list(item.get("resource_types")) or not _is_text_list(mappings):
        return None
    if not (
        action is None
        or type(action) is str
        or (type(action) is dict and all(type(k) is str and type(v) is str for k, v in action.items()))
    ):
        return None
    return ControlInfo(
        id=item["id"],
        title=item["title"],
        severity=cast(Severity, item["severity"]),
        resource_types=list(item["resource_types"]),
        default_enforcement=cast(DefaultEnforcement, item["default_enforcement"]),
        remediation=item["remediation"],
        mappings=list(mappings),
        runtime_action=dict(action) if type(action) is dict else action,
    )


def _plain_catalog(data: Any) -> Catalog | None:
    """The Catalog of `data` when every field has exactly its declared type and value set (what
    validation would return unchanged); None for anything else, which pydantic then validates (errors
    naming the field). A `check` with the shipped catalog never imports pydantic (validation.py)."""
    if type(data) is not dict or data.keys() != {"version", "controls"}:
        return None
    if type(data["version"]) is not str or type(data["controls"]) is not list:
        return None
    controls = []
    for item in data["controls"]:
        control = _plain_control(item)
        if control is None:
            return None
        controls.append(control)
    return Catalog(version=data["version"], controls=controls)


def engine_modules() -> dict[str, str]:
    """Rego modules the engine adds to the bundle for the OPA backends (the batch entry point)."""
    path = Path(__file__).with_name("batch.rego")
    return {f"{ENGINE_MODULE_DIR}/{path.name}": path.read_text(encoding="utf-8")}


def rego_package(text: str) -> str | None:
    """The package a Rego module declares."""
    match = _PACKAGE_RE.search(text)
    return match.group(1) if match else None


def test_rules(bundle: PolicyBundle) -> Iterator[tuple[str, str]]:
    """(package, rule) of every `test_*` rule of the bundle's test files, in file order."""
    for text in bundle.tests.values():
        package = rego_package(text)
        if package is None:
            continue
        for rule in dict.fromkeys(_TEST_RULE_RE.findall(text)):
            yield package, rule


def _data_files(root: Path) -> list[Path]:
    return sorted((root / DATA_DIR).glob("*.json"))


def _read_data(path: Path, contents: dict[Path, bytes]) -> dict[str, Any]:
    try:
        value = json.loads(_read_text(path, contents))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path}: invalid bundle data: {exc}") from exc
    if not isinstance(value, dict):
        raise BundleError(f"{path}: bundle data must be a JSON object (merged into the root of data)")
    return value


def _merge_data(
    into: dict[str, Any],
    value: dict[str, Any],
    prefix: tuple[str, ...],
    path: Path,
    origins: dict[tuple[str, ...], Path],
) -> None:
    """Merge objects key by key; the same leaf from two files is an error naming both."""
    for key, item in value.items():
        at = (*prefix, key)
        if isinstance(item, dict) and isinstance(into.get(key, {}), dict):
            origins.setdefault(at, path)
            _merge_data(into.setdefault(key, {}), item, at, path, origins)
            continue
        if key in into:
            other = origins.get(at, path)
            raise BundleError(f"{path}: bundle data {'.'.join(at)} is also defined by {other}")
        into[key] = item
        origins[at] = path
