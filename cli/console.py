"""The `guardrails` console script: the click CLI (guardrails/cli/main.py), started with the cyclic garbage
collector paused, and for `check`, ended without the interpreter's teardown.

Start-up allocates many objects that live as long as the process (modules, classes, click's commands, the
policy bundle) and that reference counting never frees: the collector's passes over them are wasted, ~4 ms
of CPU (about 4%) of a small `check`. The pause ends where the command starts (`main`'s callback), except
for `check`, which keeps it to the end: a check holds the collector paused anyway while it judges
(guardrails/checking.py `cyclic_gc_paused`) and exits when done. This module imports only modules the
interpreter has loaded already (or built in), so the pause covers every import; `python -m
guardrails.cli.main` and callers of `main` (tests) do not pause.

When `check` is done, the interpreter's teardown would free every object one by one (modules, the policy
engine, the documents) and collect once more: ~13 ms of CPU, 12% of a small check, for memory the
operating system reclaims anyway. `check` therefore ends with `os._exit` once standard output and error
are flushed, when nothing is left that teardown would run: no `atexit` callback (coverage, logging,
multiprocessing, `weakref.finalize` register one), no other thread. Otherwise, or if a flush fails, the
process exits the usual way, with the same exit status. For the same reason the check hands what it no
longer needs (the inputs read, the documents, the engine inputs) to `kept_until_exit` instead of freeing
it on its way out (~25 ms of CPU at 5,000 resources).

Four more start-up costs are cut here, in the console script only: the regular expressions the modules
of a check compile at import and the methods `dataclasses` writes for guardrails' classes are precompiled
(cli/precompiled_regexes.py, cli/precompiled_dataclasses.py), `dataclasses` is imported without
`inspect` (cli/dataclass_signatures.py), and a plain `check` command line is read without click
(cli/check_command.py; click reads any other).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

paused_at_start = False
"""True while the pause that `run` started lasts (to the end of a `check`)."""
kept_until_exit: list[object] = []
"""What a `check` no longer needs but does not free (guardrails/checking.py `run_check`'s `keep`): the
process ends with the check, and the exit reclaims the memory without freeing each object (~25 ms of CPU
at 5,000 resources)."""


def run() -> None:
    global paused_at_start
    if gc.isenabled():
        gc.disable()
        paused_at_start = True
    from guardrails.cli.precompiled_regexes import seed

    seed()
    from guardrails.cli.dataclass_signatures import import_dataclasses

    import_dataclasses()  # without `inspect`
    from guardrails.cli.precompiled_dataclasses import install

    install()
    try:
        check = _check_parameters()
        if check is not None:
            from guardrails.cli.check_command import run_without_click

            sys.exit(run_without_click(check))
        from guardrails.cli.main import main

        main()
    except SystemExit as done:
        code = 0 if done.code is None else done.code
        if paused_at_start and type(code) is int and _nothing_left_to_run() and _flushed():
            os._exit(code)
        raise


def _check_parameters() -> dict[str, object] | None:
    """`check`'s parameters when the command line is a plain `check` (cli/check_command.py), else None:
    click reads it."""
    if sys.argv[1:2] != ["check"] or any(name.endswith("_COMPLETE") for name in os.environ):
        return None  # shell completion (click's _GUARDRAILS_COMPLETE) is click's
    if sys.platform == "win32":
        return None  # click expands wildcards in the arguments there
    from guardrails.cli.check_command import check_parameters

    return check_parameters(sys.argv[2:])


def resume_collection() -> None:
    """End the start-up pause (nothing when `run` did not pause the collector)."""
    global paused_at_start
    if paused_at_start:
        paused_at_start = False
        gc.enable()


def _nothing_left_to_run() -> bool:
    """No `atexit` callback and no thread but this one: teardown would only free memory."""
    callbacks = getattr(atexit, "_ncallbacks", None)
    if callbacks is None or callbacks() != 0:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _flushed() -> bool:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # a closed pipe or stream: the usual exit reports it
        return False
    return True
