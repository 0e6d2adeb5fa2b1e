"""`guardrails check` loads only what the run needs: no audit package without a sink, no Terraform or
API-request adapter for a template, no pathspec without --exclude, no admission or runtime code; and a run
without a config file builds no config validator (the defaults are plain dataclasses, validated by pydantic
only when read from a file), and no pydantic schema at all: documents and decisions are plain dataclasses
(guardrails/documents.py, guardrails/decision.py), neither validated nor serialised by pydantic on a
check's path. The KMS key references, `PolicyTestResult` and the renderers of other formats are imported on
first use. The console script (cli/console.py) pauses the cyclic collector from its first import and ends a
check without the interpreter's teardown when nothing is left to run."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from fresh_interpreter import run_in_fresh_interpreter

from guardrails.config import GuardrailsConfig, default_config, load_config, validated

TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-startup-test
"""

NOT_NEEDED = (
    "guardrails.audit",
    "guardrails.sources.terraform_plan",
    "guardrails.sources.api_request",
    "guardrails.admission.boto3_hook",
    "guardrails.admission.cfn_hook",
    "guardrails.runtime.processor",
    "pathspec",
    "importlib.metadata",  # what pydantic imports to look for plugins when it first builds a schema
    "guardrails.kms_keys",  # the live readers' KMS lookups (resource_kinds re-exports it on first use)
    "guardrails.report.text_report",  # a JSON report only: guardrails.report imports renderers on first use
    "guardrails.engine.policy_tests",  # PolicyTestResult: `policy test` only (engine.base re-exports it)
)

PROBE = """
import json, sys
from guardrails.cli.main import main
from guardrails import validation
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
modules = sorted(sys.modules)
from pydantic import BaseModel
def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)
built = sorted(c.__name__ for c in subclasses(BaseModel) if c.__module__.startswith("guardrails") and c.__pydantic_complete__)
adapters = sorted(c.__name__ for c in validation._ADAPTERS)
print(json.dumps({"modules": modules, "built": built, "adapters": adapters}))
"""


def loaded_by_check(tmp_path: Path, *args: str) -> dict:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--format", f"json={out}", *args, str(template)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.exists(), proc.stderr
    assert json.loads(out.read_text())["results"], proc.stderr  # the template was judged
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_check_of_a_template_loads_no_module_it_does_not_use(tmp_path: Path) -> None:
    probe = loaded_by_check(tmp_path)
    loaded = set(probe["modules"])
    assert "guardrails.sources.cloudformation" in loaded and "regorus" in loaded
    assert [m for m in NOT_NEEDED if m in loaded] == []
    assert "guardrails.config_validation" not in loaded  # the defaults need no validator
    # no pydantic at all: config, documents, findings, catalog and decisions are plain dataclasses
    assert [m for m in loaded if m.split(".")[0] in {"pydantic", "pydantic_core", "annotated_types"}] == []
    # findings and the catalog are built without validation: no pydantic schema
    assert probe["built"] == []
    # documents, decisions, findings, the catalog are plain dataclasses built without validation: no
    # TypeAdapter was made for any (guardrails/validation.py)
    assert probe["adapters"] == []


def test_documents_and_decisions_import_no_pydantic() -> None:
    """Their modules import pydantic only inside the functions that validate outside data."""
    import ast

    import guardrails.decision
    import guardrails.documents
    import guardrails.json_data

    for module in (guardrails.documents, guardrails.decision, guardrails.json_data):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        imported = [
            alias.name if isinstance(node, ast.Import) else str(node.module)
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        ]
        assert imported and not [m for m in imported if m.split(".")[0].startswith("pydantic")], module


def test_exclude_patterns_load_pathspec(tmp_path: Path) -> None:
    assert "pathspec" in loaded_by_check(tmp_path, "--exclude", "build/")["modules"]


def test_default_config_is_what_an_empty_file_validates_to(tmp_path: Path) -> None:
    empty = tmp_path / "guardrails.yaml"
    empty.write_text("")
    assert asdict(default_config()) == asdict(load_config(empty)) == asdict(load_config(None))
    assert validated(GuardrailsConfig, {}) == default_config() == GuardrailsConfig()


def test_the_default_config_imports_no_pydantic() -> None:
    """`import guardrails.config` and `default_config()` (every run without a config file) leave pydantic
    out: the sections are plain dataclasses, validated only when a file is read."""
    probe = (
        "import sys, guardrails.config as c\n"
        "config = c.default_config()\n"
        "assert config.runtime.mode == 'dry-run' and config.engine.opa.timeout_seconds == 5.0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'pydantic', 'pydantic_core', 'annotated_types'}"
        " or m in {'yaml', 'guardrails.config_validation', 'guardrails.engine.base', 'guardrails.engine.bundle'}))\n"
    )
    assert run_in_fresh_interpreter(probe).strip() == "[]"


GC_PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("collector", "on" if gc.isenabled() else "off"))
from guardrails.cli.console import run
assert "click" not in sys.modules  # the console script module imports nothing: the pause covers every import
sys.argv = ["guardrails", *sys.argv[1:]]
run()
"""


def collector_at_exit(tmp_path: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", GC_PROBE, *args], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    return proc.stdout.strip().splitlines()[-1]


def test_the_console_script_pauses_the_collector_at_start_and_only_check_keeps_the_pause(
    tmp_path: Path,
) -> None:
    """`guardrails` (pyproject's script: guardrails.cli.console:run) starts with the cyclic collector off;
    every command but `check` turns it back on before it runs (cli/console.py)."""
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["guardrails"] == "guardrails.cli.console:run"
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    assert collector_at_exit(tmp_path, "check", "--format", "json", str(template)) == "collector off"
    assert collector_at_exit(tmp_path, "policy", "controls", "--format", "json") == "collector on"
    assert collector_at_exit(tmp_path, "config", "schema") == "collector on"


TEARDOWN_PROBE = """
import atexit, sys
atexit._clear()  # as in a clean interpreter: a site .pth (a sandbox's CA bundle...) may register one
class Witness:
    def __del__(self):
        sys.stderr.write("teardown ran\\n")
witness = Witness()  # freed by the interpreter's teardown, if it runs
if sys.argv[1] == "--with-atexit":
    atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
    del sys.argv[1]
from guardrails.cli.console import run
sys.argv = ["guardrails", *sys.argv[1:]]
run()
"""


def console(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", TEARDOWN_PROBE, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


def test_check_ends_without_teardown_only_when_nothing_is_left_to_run(tmp_path: Path) -> None:
    """A `check` from the console script flushes its output and ends with os._exit (no teardown), with its
    exit status; with an atexit callback registered, and for other commands, the process exits as usual."""
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    fast = console(tmp_path, "check", "--format", "json", str(template))
    assert fast.returncode == 1, fast.stderr  # the bucket's violations, as without the fast exit
    assert json.loads(fast.stdout)["results"] and "teardown ran" not in fast.stderr
    usual = console(tmp_path, "--with-atexit", "check", "--format", "json", str(template))
    assert usual.returncode == 1 and usual.stdout == fast.stdout.replace(
        *[json.loads(p.stdout)["results"][0]["decision_id"] for p in (fast, usual)]
    )
    assert "atexit ran" in usual.stderr and "teardown ran" in usual.stderr
    other = console(tmp_path, "policy", "controls", "--format", "json")
    assert other.returncode == 0 and json.loads(other.stdout) and "teardown ran" in other.stderr
