"""The precompiled dataclass functions are used for the bytecode they were compiled for: the magic number
`precompiled_dataclasses` reads without importing importlib.util is importlib.util's."""

from __future__ import annotations

from importlib.util import MAGIC_NUMBER

from fresh_interpreter import run_in_fresh_interpreter
from guardrails.cli.precompiled_dataclasses import magic_number


def test_the_magic_number_is_importlib_utils() -> None:
    assert magic_number() == MAGIC_NUMBER


def test_the_precompiled_functions_import_no_importlib_util() -> None:
    probe = (  # an editable install imports importlib.util at start-up: forgotten, to see it is not again
        "import sys\n"
        "sys.modules.pop('importlib.util', None)\n"
        "from guardrails.cli.precompiled_dataclasses import precompiled\n"
        "assert precompiled() and 'importlib.util' not in sys.modules\n"
    )
    run_in_fresh_interpreter(probe)
