"""The functions `dataclasses` writes for guardrails' classes, compiled ahead of time for the console script.

`@dataclass` writes the source of each method it adds (`__init__`, `__repr__`, `__eq__`; `__setattr__`,
`__delattr__` and `__hash__` when frozen) and compiles it with `exec`: ~0.65 M instructions a function,
~97 M (a sixth of the whole process) for the ~150 functions of the ~40 classes a `check` imports, every
run. The same texts come out every time, so they are compiled once, here: cli/dataclass_functions.py holds
each text and the code it compiles to (in marshal's form, for this bytecode): loading it costs ~3.5 M
(~40 M in an install without .pyc files, where Python compiles the module itself).
`install` makes `dataclasses` run the precompiled code of a text it knows instead of compiling it again;
any other text (another class, a changed class, another Python) is compiled as before.

Same result either way: `exec(text, globals, ns)` of a text `def __create_fn__(...): ...` binds
`ns["__create_fn__"]` to a function of that code and `globals`, compiled as "<string>" with no
`__future__` flags; `install`'s `exec` binds the same function of the same code (the precompiled one,
tests/cli/test_precompiled_dataclasses.py compares them), and puts `__builtins__` into `globals` as `exec`
does. Another Python's bytecode (another MAGIC_NUMBER) uses none of it. Only the console script installs
it (cli/console.py): a program importing guardrails keeps its `dataclasses` untouched.

Regenerate the functions after changing a dataclass a `check` creates (the test says when):
`python -m guardrails.cli.precompiled_dataclasses`.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import sys
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any

GENERATED = Path(__file__).with_name("dataclass_functions.py")

CHECK_MODULES = (
    "guardrails.cli.main",
    "guardrails.checking",
    "guardrails.config",
    "guardrails.config_discovery",
    "guardrails.gate",
    "guardrails.engine.cli_options",
    "guardrails.engine.regorus_backend",
    "guardrails.report.outputs",
    "guardrails.report.json_report",
    "guardrails.report.text_report",
    "guardrails.report.sarif",
    "guardrails.report.junit",
    "guardrails.report.github",
    "guardrails.cli.report_writing",
    "guardrails.sources.cloudformation",
    "guardrails.sources.terraform_plan",
)
"""What a `check` imports (of a template or a Terraform plan; every report format): the dataclasses of
guardrails they create are the ones precompiled (an API request's models import pydantic anyway)."""

_by_text: dict[str, CodeType] | None = None


def precompiled() -> dict[str, CodeType]:
    """Text -> the code of its `__create_fn__`, for this Python's texts (none for another bytecode)."""
    global _by_text
    if _by_text is None:
        from guardrails.cli import dataclass_functions as generated

        _by_text = {}
        if magic_number() == generated.MAGIC:
            _by_text = dict(zip(generated.TEXTS, marshal.loads(generated.CODE), strict=True))
    return _by_text


def magic_number() -> bytes:
    """`importlib.util.MAGIC_NUMBER`, from the import system's module that defines it (loaded at start-up):
    importing `importlib.util` for it costs ~0.9 M instructions, and nothing else of a check needs it."""
    external = sys.modules.get("_frozen_importlib_external")
    magic = getattr(external, "MAGIC_NUMBER", None)
    if type(magic) is bytes:
        return magic
    from importlib.util import MAGIC_NUMBER

    return MAGIC_NUMBER


def function_code(text: str) -> CodeType:
    """The code of `__create_fn__` as `exec(text, ...)` in dataclasses compiles it."""
    module = compile(text, "<string>", "exec", dont_inherit=True)
    (code,) = [c for c in module.co_consts if isinstance(c, CodeType)]
    return code


def _exec(source: Any, globals: Any = None, locals: Any = None) -> None:  # noqa: A002 (exec's own names)
    """`exec` as `dataclasses._create_fn` calls it, with the code of a known text precompiled."""
    code = (
        precompiled().get(source)
        if type(source) is str and type(globals) is dict and type(locals) is dict
        else None
    )
    if code is None:
        if type(source) is str:  # as exec compiles it in dataclasses, which has no __future__ imports
            source = compile(source, "<string>", "exec", dont_inherit=True)
        builtins.exec(source, vars(dataclasses) if globals is None else globals, locals)
        return
    if "__builtins__" not in globals:
        globals["__builtins__"] = builtins.__dict__
    locals["__create_fn__"] = FunctionType(code, globals)


def install() -> None:
    """Let `dataclasses` use the precompiled functions (its `exec` is the only one in the module)."""
    if sys.version_info[:2] == (3, 11) and hasattr(dataclasses, "_create_fn"):
        dataclasses.exec = _exec  # type: ignore[attr-defined]


def _recorded_texts(modules: tuple[str, ...]) -> list[str]:
    """Every text `dataclasses` compiles for a class of guardrails while `modules` are imported (in a fresh
    interpreter)."""
    texts: list[str] = []

    def recording_exec(source: Any, globals: Any = None, locals: Any = None) -> None:  # noqa: A002
        ours = type(globals) is dict and str(globals.get("__name__", "")).startswith("guardrails.")
        if ours and type(source) is str and source not in texts:
            texts.append(source)
        builtins.exec(compile(source, "<string>", "exec", dont_inherit=True), globals, locals)

    dataclasses.exec = recording_exec  # type: ignore[attr-defined]
    from importlib import import_module

    for module in modules:
        import_module(module)
    return texts


def generated_source(texts: list[str]) -> str:
    from importlib.util import MAGIC_NUMBER

    code = marshal.dumps(tuple(function_code(text) for text in texts))
    lines = [
        '"""Generated by `python -m guardrails.cli.precompiled_dataclasses`: the functions `dataclasses`',
        "writes for the classes a `check` creates (cli/precompiled_dataclasses.py). Do not edit; regenerate.",
        "",
        "TEXTS: each text `dataclasses` compiles; CODE: marshal's form of the code of each `__create_fn__`,",
        "as compile(text) makes it, for the bytecode of MAGIC (importlib.util.MAGIC_NUMBER).",
        '"""',
        "# ruff: noqa",
        "# fmt: off",
        "",
        f"MAGIC = {MAGIC_NUMBER!r}",
        "TEXTS = (",
        *(f"    {text!r}," for text in texts),
        ")",
        f"CODE = {code!r}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    if "guardrails.checking" in sys.modules:
        sys.exit("run in a fresh interpreter: python -m guardrails.cli.precompiled_dataclasses")
    GENERATED.write_text(generated_source(_recorded_texts(CHECK_MODULES)), encoding="utf-8")
    print(f"wrote {GENERATED}")


if __name__ == "__main__":
    main()
