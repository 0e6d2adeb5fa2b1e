"""cli/dataclass_signatures.py: the text `dataclasses` writes as the `__doc__` of a class without a
docstring is the same with the console script's `inspect` stand-in as with `inspect` itself, and a check
from the console script does not import `inspect`."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fresh_interpreter import run_in_fresh_interpreter
from guardrails.cli.dataclass_signatures import DataclassInspect, init_signature
from guardrails.cli.precompiled_dataclasses import CHECK_MODULES
from hypothesis import given, settings
from hypothesis import strategies as st

NAMES = ("file", "line", "kind", "value", "items", "type", "b", "x_1")
ANNOTATIONS = (
    "str",
    "int | None",
    "list[str]",
    "'quoted'",
    "dict[str, Any]",
    "ClassVar[int]",
    "InitVar[int]",
)
DEFAULTS = (
    "",
    " = None",
    " = 0",
    " = 'a b'",
    " = field(default_factory=list)",
    " = field(init=False)",
    " = field(default=1, kw_only=True)",
    " = (1, 'x')",
    " = -2.5",
)


@st.composite
def class_sources(draw: Any) -> str:
    """The source of a dataclass: fields of the names, annotations and defaults above, options drawn."""
    future = draw(st.booleans())
    options = draw(
        st.sampled_from(["", "kw_only=True", "slots=True", "frozen=True", "init=False", "eq=False"])
    )
    lines = [
        "from __future__ import annotations" if future else "",
        "from dataclasses import InitVar, KW_ONLY, dataclass, field",
        "from typing import Any, ClassVar",
        f"@dataclass({options})",
        "class C:",
        "    pass",
    ]
    seen_default = False
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=5)):
        annotation = draw(st.sampled_from(ANNOTATIONS))
        default = draw(st.sampled_from(DEFAULTS))
        if not default and seen_default and "kw_only" not in options:
            default = " = None"  # a field without a default after one with: a TypeError, not a class
        seen_default = seen_default or (bool(default) and "kw_only=True)" not in default)
        lines.append(f"    {name}: {annotation}{default}")
    if draw(st.booleans()):
        lines.append("    _: KW_ONLY")
        lines.append("    late: str = 'late'")
    return "\n".join(lines)


def dataclass_of(source: str) -> type | None:
    namespace: dict[str, Any] = {}
    try:
        exec(compile(source, "<test>", "exec"), namespace)  # noqa: S102 (the test's own source)
    except (TypeError, ValueError, NameError):
        return None  # a combination dataclasses itself refuses
    return namespace["C"]


@settings(max_examples=300, deadline=None)
@given(class_sources())
def test_the_text_is_inspects(source: str) -> None:
    cls = dataclass_of(source)
    if cls is None:
        return
    text = init_signature(cls)
    if text is not None:
        assert text == str(inspect.signature(cls)), source
    shown = DataclassInspect("inspect").signature(cls)
    assert str(shown) == str(inspect.signature(cls))
    if "from __future__" in source and "init=False)" not in source.splitlines()[3]:
        assert text is not None, source  # string annotations: the plain shape the text is written for


def test_other_shapes_are_left_to_inspect() -> None:
    class Meta(type):
        pass

    class WithNew:
        def __new__(cls, *args: Any) -> WithNew:
            return super().__new__(cls)

        def __init__(self, a: str) -> None:
            self.a = a

    class Args:
        def __init__(self, *args: str) -> None:
            pass

    class Wrapped:
        def __init__(self, a: str) -> None:
            pass

    Wrapped.__init__.__wrapped__ = lambda b: None  # type: ignore[attr-defined]

    class Typed:
        def __init__(self, a: int) -> None:  # a real annotation, not a string: inspect writes it
            pass

    Typed.__init__.__annotations__["a"] = int
    for cls in (Meta("M", (), {}), WithNew, Args, Wrapped, Typed, int, len, object):
        assert init_signature(cls) is None
    assert DataclassInspect("inspect").signature(Args) == inspect.signature(Args)
    assert DataclassInspect("inspect").cleandoc is inspect.cleandoc  # any other name: the real module's


def test_the_classes_of_a_check() -> None:
    """Every class of the modules a check imports: the same text, and the plain shape for dataclasses."""
    checked = 0
    for name in CHECK_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name and "__init__" in value.__dict__:
                text = init_signature(value)
                if dataclasses.is_dataclass(value):
                    assert text is not None, value
                if text is not None:
                    assert text == str(inspect.signature(value)), value
                    checked += 1
    assert checked > 10


PROBE = """
import json, sys
from guardrails.cli import console
sys.argv = ["guardrails", *sys.argv[1:]]
real_exit = console.os._exit
def report():
    import dataclasses
    from guardrails.documents import Location
    from guardrails.decision import EngineInfo
    print(json.dumps({"inspect": "inspect" in sys.modules, "copy": "copy" in sys.modules,
                      "stand_ins": [type(dataclasses.inspect).__name__, type(dataclasses.copy).__name__],
                      "docs": [Location.__doc__, EngineInfo.__doc__]}), file=sys.stderr)
def exit_now(code):
    report()
    real_exit(code)
console.os._exit = exit_now
try:
    console.run()
finally:  # the usual exit: an atexit callback was registered at start-up (certifi.where() in a .pth)
    report()
"""

TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-signature-test
"""


def test_a_check_from_the_console_script_imports_no_inspect(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--format", "json", str(template)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert json.loads(proc.stdout)["results"], proc.stderr
    probe = json.loads(proc.stderr.strip().splitlines()[-1])
    from guardrails.decision import EngineInfo
    from guardrails.documents import Location

    assert probe == {
        "inspect": False,
        "copy": False,
        "stand_ins": ["DataclassInspect", "ImportedOnUse"],
        "docs": [Location.__doc__, EngineInfo.__doc__],  # as `inspect` writes them, in this process
    }
    assert Location.__doc__.startswith("Location(*, file: ")


def test_a_module_imported_already_is_its_own() -> None:
    probe = (
        "import inspect, sys\n"
        "from guardrails.cli.dataclass_signatures import import_dataclasses\n"
        "import_dataclasses()\n"
        "import dataclasses\n"
        "assert dataclasses.inspect is inspect and sys.modules['inspect'] is inspect\n"
        "assert 'copy' not in sys.modules and type(dataclasses.copy).__name__ == 'ImportedOnUse'\n"
        "import copy\n"
        "assert sys.modules['copy'] is copy and dataclasses.copy.deepcopy is copy.deepcopy\n"
    )
    run_in_fresh_interpreter(probe)


def test_asdict_with_the_copy_stand_in() -> None:
    """`asdict` deep-copies what is neither a dataclass, a list, a tuple nor a dict: through the stand-in,
    with the real `copy`, imported then."""
    probe = (
        "import sys\n"
        "from guardrails.cli.dataclass_signatures import import_dataclasses\n"
        "import_dataclasses()\n"
        "from dataclasses import asdict, dataclass, field\n"
        "@dataclass\n"
        "class C:\n"
        "    tags: set = field(default_factory=lambda: {'a'})\n"
        "c = C()\n"
        "d = asdict(c)\n"
        "assert d == {'tags': {'a'}} and d['tags'] is not c.tags and 'copy' in sys.modules\n"
    )
    run_in_fresh_interpreter(probe)
