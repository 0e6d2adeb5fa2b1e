"""The console script's precompiled dataclass functions (cli/precompiled_dataclasses.py) are what
`dataclasses` would compile: the same code, the same classes, the same `check` output."""

from __future__ import annotations

import builtins
import dataclasses
import json
import subprocess
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType

import pytest
from fresh_interpreter import run_in_fresh_interpreter
from guardrails.cli import dataclass_functions, precompiled_dataclasses

TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-precompiled-test
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/r
      DirectInternetAccess: Enabled
"""

code_of = precompiled_dataclasses.function_code


def same_code(a: CodeType, b: CodeType) -> bool:
    """Equal code (CodeType.__eq__: bytecode, constants, names, lines) in the same file, at every level."""
    nested_a = [c for c in a.co_consts if isinstance(c, CodeType)]
    nested_b = [c for c in b.co_consts if isinstance(c, CodeType)]
    return (
        a == b
        and a.co_filename == b.co_filename
        and a.co_qualname == b.co_qualname
        and list(a.co_positions()) == list(b.co_positions())
        and len(nested_a) == len(nested_b)
        and all(same_code(x, y) for x, y in zip(nested_a, nested_b, strict=True))
    )


def test_every_precompiled_function_is_the_code_its_text_compiles_to() -> None:
    assert dataclass_functions.MAGIC == MAGIC_NUMBER, (
        "another bytecode: python -m guardrails.cli.precompiled_dataclasses"
    )
    known = precompiled_dataclasses.precompiled()
    assert len(known) == len(dataclass_functions.TEXTS) > 100
    for text, code in known.items():
        assert same_code(code, code_of(text)), text


def test_the_generated_functions_cover_what_a_check_compiles() -> None:
    """Nearly every function `dataclasses` writes for a check's classes is precompiled (recorded in a fresh
    interpreter). A changed class only costs its compile until the file is regenerated (after merging a
    change to a dataclass: `python -m guardrails.cli.precompiled_dataclasses`), so the test allows a few."""
    probe = (
        "from guardrails.cli import precompiled_dataclasses as p\n"
        "import json\n"
        "print(json.dumps(p._recorded_texts(p.CHECK_MODULES)))\n"
    )
    recorded = json.loads(run_in_fresh_interpreter(probe))
    missing = [text for text in recorded if text not in set(dataclass_functions.TEXTS)]
    assert len(recorded) > 100
    assert len(missing) <= len(recorded) // 10, "regenerate: python -m guardrails.cli.precompiled_dataclasses"


def test_exec_binds_what_the_builtin_exec_binds() -> None:
    """A known text and an unknown one: `__create_fn__` of the same code, globals and builtins."""
    text = dataclass_functions.TEXTS[0]
    unknown = "def __create_fn__(_v):\n def f(self)->int:\n  return _v\n return f"
    for source in (text, unknown):
        ours: dict[str, object] = {"__name__": "guardrails.example"}
        theirs: dict[str, object] = {"__name__": "guardrails.example"}
        ns_ours: dict[str, object] = {}
        ns_theirs: dict[str, object] = {}
        precompiled_dataclasses._exec(source, ours, ns_ours)
        exec(compile(source, "<string>", "exec", dont_inherit=True), theirs, ns_theirs)
        a, b = ns_ours["__create_fn__"], ns_theirs["__create_fn__"]
        assert same_code(a.__code__, b.__code__)  # type: ignore[attr-defined]
        assert (a.__name__, a.__qualname__, a.__module__) == (b.__name__, b.__qualname__, b.__module__)  # type: ignore[attr-defined]
        assert a.__globals__ is ours and ours["__builtins__"] is theirs["__builtins__"] is builtins.__dict__  # type: ignore[attr-defined]


def make_classes() -> list[type]:
    """A frozen, a slotted keyword-only and a plain class, new each call."""

    @dataclasses.dataclass(frozen=True)
    class Frozen:
        a: int
        b: str = "x"
        c: list[int] = dataclasses.field(default_factory=list, compare=False)

    @dataclasses.dataclass(slots=True, kw_only=True)
    class Slotted:
        a: int
        b: str | None = None

    @dataclasses.dataclass
    class Plain:
        a: int
        b: list[str] = dataclasses.field(default_factory=list)

    return [Frozen, Slotted, Plain]


def test_classes_made_with_precompiled_functions_behave_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    reference = make_classes()
    texts: list[str] = []

    def recording(source: str, globals: dict, locals: dict) -> None:  # noqa: A002
        texts.append(source)
        builtins.exec(compile(source, "<string>", "exec", dont_inherit=True), globals, locals)

    monkeypatch.setattr(dataclasses, "exec", recording, raising=False)
    make_classes()
    monkeypatch.setattr(precompiled_dataclasses, "_by_text", {t: code_of(t) for t in texts})
    compiled: list[object] = []

    def counting_compile(*args: object, **kwargs: object) -> object:
        compiled.append(args)
        return builtins.compile(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(precompiled_dataclasses, "compile", counting_compile, raising=False)
    monkeypatch.setattr(dataclasses, "exec", precompiled_dataclasses._exec, raising=False)
    made = make_classes()
    assert texts and compiled == []  # every function precompiled
    for ref, cls in zip(reference, made, strict=True):
        assert [f.name for f in dataclasses.fields(cls)] == [f.name for f in dataclasses.fields(ref)]
        assert cls.__match_args__ == ref.__match_args__  # type: ignore[attr-defined]
        for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__slots__"):
            mine, theirs = cls.__dict__.get(name), ref.__dict__.get(name)
            assert (mine is None) == (theirs is None), name
            if hasattr(theirs, "__code__"):
                assert mine.__code__ == theirs.__code__, name  # type: ignore[union-attr]
                assert mine.__qualname__ == theirs.__qualname__, name  # type: ignore[union-attr]
    frozen, slotted, plain = made
    assert repr(frozen(1)) == repr(reference[0](1))
    assert repr(frozen(1)).endswith("make_classes.<locals>.Frozen(a=1, b='x', c=[])")
    assert hash(frozen(1)) == hash(reference[0](1)) and frozen(1, "x", [2]) == frozen(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen(1).a = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'a'"):
        slotted()
    assert plain(1).b == [] and plain(1) != plain(2) and plain(1) == plain(1, [])


def without_ids(value: object) -> object:
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "decision_id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def test_a_check_through_the_console_script_gives_the_same_report(tmp_path: Path) -> None:
    """`check` with the precompiled functions (the console script) and without (main itself)."""
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    reports = []
    for entry in (
        "from guardrails.cli.console import run as go",
        "from guardrails.cli.main import main as go",
    ):
        probe = f"import sys\n{entry}\nsys.argv = ['guardrails', *sys.argv[1:]]\ngo()\n"
        proc = subprocess.run(
            [sys.executable, "-c", probe, "check", "--format", "json", str(template)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert proc.returncode == 1, proc.stderr
        reports.append((without_ids(json.loads(proc.stdout)), proc.stderr))
    assert reports[0] == reports[1]
    assert reports[0][0]["results"]
