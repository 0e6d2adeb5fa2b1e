"""Find input files under the paths given to `check` and turn each into resource documents.

Folders are walked following symbolic links (a folder reached twice, e.g. through a link loop, is walked
once); FIFOs, sockets, devices and broken links are skipped without being opened. One file that cannot be
read or is not valid is an error result: the other files are still judged. A file named on the command
line must be a recognised input (template, API request document or event).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guardrails.documents import EnforcementPoint, ResourceDocument
from guardrails.sources.errors import SourceError
from guardrails.sources.input_files import decode_text, display_name, file_kind, read_input_bytes
from guardrails.sources.input_kinds import (
    looks_like_api_request,
    looks_like_terraform_plan,
    looks_like_terraform_state,
)
from guardrails.sources.notes import InputNote
from guardrails.suppressions import SuppressionError, attach_suppressions

if TYPE_CHECKING:
    import pathspec

CANDIDATE_SUFFIXES = {".json", ".yaml", ".yml", ".template"}
SKIPPED_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", ".terraform", ".tox"}
RECOGNISED_INPUTS = (
    "a CloudFormation/SAM/CDK template (a mapping with a Resources section), an API request document "
    "({operation, request}), a CloudTrail/EventBridge event or a Terraform plan (terraform show -json)"
)
TERRAFORM_SOURCE_SUFFIXES = (".tf", ".tf.json")
TERRAFORM_NOTE = (
    "Terraform source, not read; check its plan: "
    "terraform plan -out plan.out && terraform show -json plan.out > plan.json && guardrails check plan.json"
)
TERRAFORM_STATE_ERROR = (
    "a Terraform state, not a plan (no resource_changes); check a plan: "
    "terraform plan -out plan.out && terraform show -json plan.out > plan.json"
)


@dataclass
class LoadedInputs:
    """The documents read from the inputs, with the files read, skipped, failed and noted."""

    documents: list[ResourceDocument] = field(default_factory=list)
    files_checked: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    """One per file that could not be read or judged (the run exits 2)."""
    notes: list[InputNote] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A path found under the arguments: a file to read, or one to skip (with why) without opening it."""

    path: Path
    explicit: bool
    skip: str | None = None
    error: str | None = None


STDIN = Path("-")


def exclude_spec(patterns: list[str]) -> pathspec.GitIgnoreSpec | None:
    """`--exclude` patterns with .gitignore semantics (`build/`, `**/test-*.yaml`, `!keep.yaml`)."""
    if not patterns:
        return None
    import pathspec  # only with --exclude: ~10 ms of imports

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _excluded(spec: pathspec.GitIgnoreSpec | None, relative: str, is_dir: bool = False) -> bool:
    return spec is not None and spec.match_file(relative + "/" if is_dir else relative)


def iter_candidate_files(paths: list[Path], excludes: list[str]) -> Iterator[Candidate]:
    """Every path to consider, in a stable order (each folder: its files by name, then its sub-folders).

    `-` is standard input. `excludes` are gitignore-style patterns, matched against a walked path relative
    to the folder given and against a file named on the command line as given."""
    spec = exclude_spec(excludes)
    for path in paths:
        if path == STDIN:
            yield Candidate(path, True)
            continue
        if _excluded(spec, path.as_posix()):
            continue
        try:
            info = path.stat()
        except OSError as exc:
            missing = isinstance(exc, FileNotFoundError)
            yield Candidate(
                path, True, error="no such file or folder" if missing else f"cannot read: {exc.strerror}"
            )
            continue
        if path.is_dir():
            yield from _walk(path, spec, {(info.st_dev, info.st_ino)})
        elif path.is_file():
            yield Candidate(path, True)
        else:
            yield Candidate(path, True, error=f"{file_kind(info.st_mode)}, not an input file")


def _walk(root: Path, spec: pathspec.GitIgnoreSpec | None, seen: set[tuple[int, int]]) -> Iterator[Candidate]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            yield Candidate(folder, False, error=f"cannot list folder: {exc.strerror or exc}")
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                info = entry.stat()  # follows symbolic links
            except OSError:
                yield Candidate(path, False, skip="broken symbolic link")
                continue
            relative = path.relative_to(root).as_posix()
            if entry.is_dir():
                if entry.name in SKIPPED_DIRS or _excluded(spec, relative, is_dir=True):
                    continue
                identity = (info.st_dev, info.st_ino)
                if identity in seen:  # a link loop, or a second link to a folder already walked
                    continue
                seen.add(identity)
                subfolders.append(path)
            elif entry.is_file():
                if _excluded(spec, relative):
                    continue
                yield Candidate(path, False)
            else:
                yield Candidate(path, False, skip=file_kind(info.st_mode))
        stack.extend(reversed(subfolders))


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
    notes: list[InputNote] | None = None,
    includes: bool = False,
    text: str = "",
) -> list[ResourceDocument] | None:
    """Documents for a parsed file, or None when it is not a kind of input we know. What a template
    holds but no control judges is appended to `notes`."""
    from guardrails.sources.cloudformation import looks_like_cloudformation, template_documents

    if looks_like_terraform_plan(data):
        from guardrails.sources.terraform_plan import documents_from_plan

        return documents_from_plan(data, file=str(path), text=text, point=point, notes=notes)
    if looks_like_terraform_state(data):
        raise SourceError(str(path), TERRAFORM_STATE_ERROR)
    if looks_like_cloudformation(data):
        result = template_documents(
            data,
            file=str(path),
            parameters=parameters,
            lines=lines,
            point=point,
            base_dir=path.parent,
            includes=includes,
        )
        if notes is not None:
            notes.extend(result.notes)
        return result.documents
    if looks_like_api_request(data):
        from guardrails.sources.api_request import load_api_request

        return load_api_request(path, data, point=point)
    from guardrails.sources.cloudtrail import looks_like_event, parse_event

    if looks_like_event(data):
        parsed = parse_event(data, file=str(path))
        if parsed.skipped is not None and notes is not None:  # a failed call, an event out of scope...
            what = parsed.operation or parsed.event_name
            notes.append(InputNote("not-evaluated", str(path), None, what, parsed.skipped.message))
        return parsed.documents
    return None


def load_inputs(
    paths: list[Path],
    parameters: dict[str, str] | None = None,
    *,
    excludes: list[str] | None = None,
    point: EnforcementPoint = "pre-deploy",
    skip_unrecognised: bool = False,
    candidates: list[Candidate] | None = None,
) -> LoadedInputs:
    """Every document under `paths` (or of `candidates`, already found by iter_candidate_files). Unknown
    files met in a folder are skipped and counted; a file that cannot be read or judged (or an unknown
    file named explicitly) is an error result."""
    loaded = LoadedInputs()
    for candidate in iter_candidate_files(paths, excludes or []) if candidates is None else candidates:
        path = candidate.path
        file = Path(display_name(path))  # the name every message and document carries
        if candidate.error is not None:
            loaded.errors.append(SourceError(str(file), candidate.error))
            continue
        if candidate.skip is None and file.name.endswith(TERRAFORM_SOURCE_SUFFIXES):
            if candidate.explicit and not skip_unrecognised:  # asked for by name: it cannot be judged
                loaded.errors.append(SourceError(str(file), TERRAFORM_NOTE))
                continue
            loaded.files_skipped.append(str(file))
            loaded.notes.append(InputNote("terraform-source", str(file), None, None, TERRAFORM_NOTE))
            continue
        if candidate.skip is not None or (
            not candidate.explicit and path.suffix.lower() not in CANDIDATE_SUFFIXES
        ):
            loaded.files_skipped.append(str(file))
            continue
        notes: list[InputNote] = []
        try:
            text = decode_text(read_input_bytes(path), str(file))
            data, lines = parse_document(file, text)
            documents = documents_from_data(
                file, data, lines, parameters or {}, point, notes, includes="AWS::Include" in text, text=text
            )
            if documents is not None:
                attach_suppressions(documents, data, str(file))
        except SourceError as exc:
            loaded.errors.append(exc)
            continue
        except SuppressionError as exc:
            loaded.errors.append(SourceError(str(file), str(exc).removeprefix(f"{file}: ")))
            continue
        except RecursionError:
            loaded.errors.append(SourceError(str(file), "input nested too deeply to read"))
            continue
        except Exception as exc:  # noqa: BLE001 - an adapter bug must not lose the other files' results
            loaded.errors.append(
                SourceError(str(file), f"internal error while reading: {type(exc).__name__}: {exc}")
            )
            continue
        if documents is None:
            if candidate.explicit and not skip_unrecognised:
                loaded.errors.append(
                    SourceError(str(file), f"not a recognised input: expected {RECOGNISED_INPUTS}")
                )
            else:
                loaded.files_skipped.append(str(file))
            continue
        loaded.files_checked.append(str(file))
        loaded.documents.extend(documents)
        loaded.notes.extend(notes)
    return loaded
