"""The `guardrails` console script: the click CLI (guardrails/cli/main.py), started with the cyclic garbage
collector paused.

Start-up allocates many objects that live as long as the process (modules, classes, click's commands, the
policy bundle) and that reference counting never frees: the collector's passes over them are wasted, ~4 ms
of CPU (about 4%) of a small `check`. The pause ends where the command starts (`main`'s callback), except
for `check`, which keeps it to the end: a check holds the collector paused anyway while it judges
(guardrails/checking.py `cyclic_gc_paused`) and exits when done. This module imports nothing itself, so
the pause covers every import; `python -m guardrails.cli.main` and callers of `main` (tests) do not pause.
"""

from __future__ import annotations

import gc

paused_at_start = False
"""True while the pause that `run` started lasts."""


def run() -> None:
    global paused_at_start
    if gc.isenabled():
        gc.disable()
        paused_at_start = True
    from guardrails.cli.main import main

    main()


def resume_collection() -> None:
    """End the start-up pause (nothing when `run` did not pause the collector)."""
    global paused_at_start
    if paused_at_start:
        paused_at_start = False
        gc.enable()
