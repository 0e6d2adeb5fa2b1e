"""Find input files under the paths given to `check` and turn each into resource documents."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from guardrails.documents import EnforcementPoint, ResourceDocument
from guardrails.sources.errors import SourceError
from guardrails.suppressions import SuppressionError, attach_suppressions

CANDIDATE_SUFFIXES = {".json", ".yaml", ".yml", ".template"}
SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", ".terraform", ".tox"}
BINARY_SNIFF_BYTES = 8192
TERRAFORM_SOURCE_SUFFIXES = (".tf", ".tf.json")
TERRAFORM_NOTE = (
    "{file}: Terraform source, not checked; check its plan instead: "
    "terraform plan -out plan.out && terraform show -json plan.out > plan.json && guardrails check plan.json"
)
TERRAFORM_STATE_ERROR = (
    "a Terraform state, not a plan (no resource_changes); check a plan: "
    "terraform plan -out plan.out && terraform show -json plan.out > plan.json"
)


@dataclass
class LoadedInputs:
    documents: list[ResourceDocument] = field(default_factory=list)
    files_checked: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things the user should know about what was not read (e.g. Terraform sources instead of a plan)."""


def iter_candidate_files(paths: list[Path], excludes: list[str]) -> Iterator[tuple[Path, bool]]:
    """(file, named explicitly) for every file to consider, in a stable order."""
    for path in paths:
        if path.is_file():
            yield path, True
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
                for name in sorted(files):
                    file = Path(root) / name
                    if any(fnmatch(str(file), pattern) or fnmatch(name, pattern) for pattern in excludes):
                        continue
                    yield file, False
        else:
            raise SourceError(str(path), "no such file or folder")


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if b"\0" in raw[:BINARY_SNIFF_BYTES]:
        raise SourceError(str(path), "binary file, not a template or request document")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def parse_document(path: Path, text: str) -> tuple[Any, dict[str, int]]:
    """Parse JSON or YAML (with CloudFormation tags); returns the data and logical-id lines."""
    from guardrails.sources.cloudformation import parse_structured_text

    return parse_structured_text(text, str(path))


def documents_from_data(
    path: Path,
    data: Any,
    lines: dict[str, int],
    parameters: dict[str, str],
    point: EnforcementPoint,
    text: str = "",
) -> list[ResourceDocument] | None:
    """Documents for a parsed file, or None when it is not a kind of input we know."""
    from guardrails.sources.api_request import load_api_request, looks_like_api_request
    from guardrails.sources.cloudformation import documents_from_template, looks_like_cloudformation
    from guardrails.sources.terraform_plan import (
        documents_from_plan,
        looks_like_terraform_plan,
        looks_like_terraform_state,
    )

    if looks_like_terraform_plan(data):
        return documents_from_plan(data, file=str(path), text=text, point=point)
    if looks_like_terraform_state(data):
        raise SourceError(str(path), TERRAFORM_STATE_ERROR)
    if looks_like_cloudformation(data):
        return documents_from_template(data, file=str(path), parameters=parameters, lines=lines, point=point)
    if looks_like_api_request(data):
        return load_api_request(path, data, point=point)
    from guardrails.sources.cloudtrail import documents_from_event, looks_like_event

    if looks_like_event(data):
        return documents_from_event(data, str(path))
    return None


def load_inputs(
    paths: list[Path],
    parameters: dict[str, str] | None = None,
    *,
    excludes: list[str] | None = None,
    point: EnforcementPoint = "pre-deploy",
) -> LoadedInputs:
    """Every document under `paths`. Unknown files are skipped and counted; invalid ones raise SourceError."""
    loaded = LoadedInputs()
    for file, explicit in iter_candidate_files(paths, excludes or []):
        if file.name.endswith(TERRAFORM_SOURCE_SUFFIXES):
            loaded.files_skipped.append(str(file))
            loaded.notes.append(TERRAFORM_NOTE.format(file=file))
            continue
        if not explicit and file.suffix.lower() not in CANDIDATE_SUFFIXES:
            loaded.files_skipped.append(str(file))
            continue
        text = read_text(file)
        data, lines = parse_document(file, text)
        documents = documents_from_data(file, data, lines, parameters or {}, point, text)
        if documents is None:
            loaded.files_skipped.append(str(file))
            continue
        try:
            attach_suppressions(documents, data, str(file))
        except SuppressionError as exc:
            raise SourceError(str(file), str(exc).removeprefix(f"{file}: ")) from None
        loaded.files_checked.append(str(file))
        loaded.documents.extend(documents)
    return loaded
