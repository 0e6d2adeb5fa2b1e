"""`guardrails check`: load inputs, decide every document, collect a CheckRun."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from guardrails.config import GuardrailsConfig
from guardrails.decider import Decider
from guardrails.decision import Decision
from guardrails.report.model import CheckRun
from guardrails.sources.discovery import STDIN, Candidate, LoadedInputs, iter_candidate_files, load_inputs
from guardrails.sources.notes import InputNote
from guardrails.suppressions import SuppressionWarning

CHUNKS_PER_JOB = 4
PARALLEL_MIN_BYTES = 1_000_000
"""Below this many bytes of input a worker pool costs more than it saves (each worker imports and
compiles the bundle): smaller runs stay in one process whatever `jobs` says."""
"""Files are handed to the worker processes in contiguous chunks, several per worker so that one large
file does not leave the other workers idle; results are merged back in chunk order."""


def default_jobs() -> int:
    """The CPUs this process may run on (the affinity mask, so a container's CPU set is honoured)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a batch, restored after (also on error).

    A batch allocates many small containers (parsed YAML, documents, findings) and frees almost all of
    them by reference counting; the collector's generational passes over them cost 12-15% of a `check`
    (bench/README.md). Objects alive before the batch (modules, the policy bundle) are frozen so a
    collection after the batch does not walk them either."""
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def run_check(
    paths: list[Path],
    config: GuardrailsConfig,
    parameters: dict[str, str] | None = None,
    *,
    excludes: list[str] | None = None,
    decider: Decider | None = None,
    apply_suppressions: bool = True,
    config_path: Path | None = None,
    skip_unrecognised: bool = False,
    jobs: int = 1,
    keep_documents: bool = True,
    keep: list[object] | None = None,
) -> CheckRun:
    """Raises ConfigError when the config names a control the policy bundle does not have.

        `jobs` > 1 judges the files in that many worker processes (each with its own Decider built from
        `config`); the result is the same, in the same order, as with one. A `decider` given by the caller,
        standard input or fewer than two files to read mean one process. `keep_documents=False` leaves
    CheckRun.documents empty (only the audit's store_input reads them): workers then do not send them back,
    which costs about 0.05 s of CPU per 1,000 documents.

    `keep`: a list that takes what the run no longer needs when it returns (the inputs read, the
    documents, the engine inputs and results) instead of freeing it, object by object, on the way out:
    for a caller whose process ends with the run (the console script's `check`, which exits without the
    interpreter's teardown), where that freeing is ~25 ms of CPU at 5,000 resources spent on memory the
    exit reclaims anyway. Others leave it None."""
    from guardrails.config_discovery import check_against_catalog

    parallel_ok = decider is None
    decider = decider or Decider(config, apply_suppressions=apply_suppressions)
    config_warnings = check_against_catalog(config, decider.bundle.catalog, config_path)
    today = datetime.now(UTC).date()
    candidates = list(iter_candidate_files(paths, excludes or []))
    readable = [c for c in candidates if c.error is None and c.skip is None]
    # Paused in the parent also while workers run: a collection in the pool's result thread could
    # otherwise drop a regorus engine (pyo3-unsendable) that belongs to the main thread.
    with cyclic_gc_paused():
        if parallel_ok and jobs > 1 and _worth_a_pool(readable):
            loaded, decisions, warnings = _judge_in_processes(
                candidates,
                config,
                parameters,
                apply_suppressions,
                skip_unrecognised,
                today,
                jobs,
                keep_documents,
            )
        else:
            loaded, decisions, warnings = _judge_chunk_with(
                decider, candidates, parameters, skip_unrecognised, today, keep
            )
    if keep is not None:
        keep.append(loaded)
    for w in dict.fromkeys(warnings):
        loaded.notes.append(InputNote("suppression", w.file or "", w.logical_id, w.type, w.reason))
    unknown_blocks = config.unknown != "warn"
    return CheckRun(
        decisions=decisions,
        files_checked=loaded.files_checked,
        files_skipped=loaded.files_skipped,
        bundle_version=decider.bundle.version,
        bundle_digest=decider.bundle.digest,
        engine=f"{decider.evaluator.name} {decider.evaluator.version}",
        documents=loaded.documents if keep_documents else [],
        errors=loaded.errors,
        unjudged=decider.unjudged(loaded.errors, point="pre-deploy", source="input-file"),
        unseen=decider.unseen(
            loaded.notes, point="pre-deploy", source="cloudformation", unknown_blocks=unknown_blocks
        ),
        notes=loaded.notes,
        catalog=decider.bundle.catalog,
        config_warnings=config_warnings,
        unknown_blocks=unknown_blocks,
    )


_ChunkResult = tuple[LoadedInputs, list[Decision], list[SuppressionWarning]]


def _worth_a_pool(readable: list[Candidate]) -> bool:
    """Two or more files, none of them standard input, with at least PARALLEL_MIN_BYTES between them."""
    if len(readable) < 2 or any(c.path == STDIN for c in readable):
        return False
    total = 0
    for candidate in readable:
        try:
            total += candidate.path.stat().st_size
        except OSError:
            continue  # reported when the file is read
        if total >= PARALLEL_MIN_BYTES:
            return True
    return False


def _judge_chunk_with(
    decider: Decider,
    candidates: list[Candidate],
    parameters: dict[str, str] | None,
    skip_unrecognised: bool,
    today: date,
    keep: list[object] | None = None,
) -> _ChunkResult:
    loaded = load_inputs(
        [], parameters, point="pre-deploy", skip_unrecognised=skip_unrecognised, candidates=candidates
    )
    seen = len(decider.warnings)
    decisions = decider.decide_many(loaded.documents, today, keep=keep)
    return loaded, decisions, decider.warnings[seen:]


def _chunks(candidates: list[Candidate], count: int) -> list[list[Candidate]]:
    """`candidates` cut into at most `count` contiguous chunks of nearly equal length."""
    count = max(1, min(count, len(candidates)))
    size, extra = divmod(len(candidates), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(candidates[start:end])
        start = end
    return out


def _judge_in_processes(
    candidates: list[Candidate],
    config: GuardrailsConfig,
    parameters: dict[str, str] | None,
    apply_suppressions: bool,
    skip_unrecognised: bool,
    today: date,
    jobs: int,
    keep_documents: bool,
) -> _ChunkResult:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # 17 ms of imports a one-file check does not need

    # forkserver, never fork: forking a process that runs other threads (a test runner, an SDK, a Lambda
    # extension) can deadlock the child on a lock held by a thread that does not exist there. The server
    # starts clean, imports the checker once, and forks each worker from that warm state.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["guardrails.checking"])
    chunks = _chunks(candidates, jobs * CHUNKS_PER_JOB)
    loaded = LoadedInputs()
    decisions: list[Decision] = []
    warnings: list[SuppressionWarning] = []
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(config, apply_suppressions),
    ) as pool:
        args = [(chunk, parameters, skip_unrecognised, today, keep_documents) for chunk in chunks]
        for part, part_decisions, part_warnings in pool.map(_judge_chunk, args):
            loaded.documents.extend(part.documents)
            loaded.files_checked.extend(part.files_checked)
            loaded.files_skipped.extend(part.files_skipped)
            loaded.errors.extend(part.errors)
            loaded.notes.extend(part.notes)
            decisions.extend(part_decisions)
            warnings.extend(part_warnings)
    return loaded, decisions, warnings


_worker_decider: Decider | None = None


def _start_worker(config: GuardrailsConfig, apply_suppressions: bool) -> None:
    global _worker_decider
    _worker_decider = Decider(config, apply_suppressions=apply_suppressions)


def _judge_chunk(
    args: tuple[list[Candidate], dict[str, str] | None, bool, date, bool],
) -> _ChunkResult:
    assert _worker_decider is not None, "worker started without _start_worker"
    chunk, parameters, skip_unrecognised, today, keep_documents = args
    with cyclic_gc_paused():
        loaded, decisions, warnings = _judge_chunk_with(
            _worker_decider, chunk, parameters, skip_unrecognised, today
        )
    if not keep_documents:
        loaded.documents = []
    return loaded, decisions, warnings


def record_check_run(
    run: CheckRun, sink_urls: list[str], *, store_input: bool = False, signing_key: str | None = None
) -> int:
    """Record every decision of a pre-deploy run (the CI gate record), the `error` decisions of the files
    it could not judge and the decisions about what it could not see (unknown content, nested stacks not
    followed) included; raises AuditError on any failure.

    `signing_key` (a key URL; default GUARDRAILS_AUDIT_KEY) signs the records."""
    from guardrails.audit import ActionTaken, AuditTrail, current_actor
    from guardrails.json_data import json_data

    def gate_action(decision: Decision) -> ActionTaken:
        blocked = decision.verdict in ("deny", "error")
        return ActionTaken(kind="fail-pipeline" if blocked else "pass-pipeline", outcome="succeeded")

    with AuditTrail.from_urls(sink_urls, cloudwatch=False, signing_key=signing_key) as trail:
        unjudged_inputs = [{"error": d.error} for d in run.unjudged]
        unseen_inputs = [
            {"unseen": [json_data(u, exclude_none=False) for u in d.unseen or []]} for d in run.unseen
        ]
        records = trail.record_decisions(
            [*run.decisions, *run.unjudged, *run.unseen],
            actor=current_actor(),
            action_for=gate_action,
            documents=[*run.documents, *unjudged_inputs, *unseen_inputs] if store_input else None,
        )
    return len(records)
