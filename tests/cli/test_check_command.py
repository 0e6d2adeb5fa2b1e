"""`guardrails check` read without click (cli/check_command.py): the same parameters as click's, or none
(click then reads the command line), and the same outputs and exit status as the click command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from guardrails.cli import check_command
from guardrails.cli.main import check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve()

NAMES = [
    *check_command.FLAGS,
    *check_command.REPEATABLE,
    *check_command.SINGLE,
    "--help",
    "-h",
    "--",
    "--formats",
    "--quiet=1",
    "-qj",
    "-x",
    "--version",
    "-o=x",
    "-pA=1",
]
VALUES = [
    "json",
    "text",
    "sarif=out.sarif",
    "",
    "-",
    "-x",
    "A=1",
    "=1",
    "A",
    "3",
    "0",
    "+3",
    " 4",
    "critical",
    "LOW",
    "opa-go",
    "regorus",
    str(HERE),
    str(HERE.parent),
    "missing.yaml",
    "a\x00b",
]
words = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(VALUES),
    st.builds(lambda n, v: f"{n}={v}", st.sampled_from(NAMES), st.sampled_from(VALUES)),
)

PATHS = ["t.yaml", "-", "", str(HERE), str(HERE.parent), "missing.yaml"]
OPTION_VALUES = {
    "fail_on": ["low", "critical", "LOW", "Low ", "none"],
    "engine_backend": ["regorus", "opa-go", "opa-server", "OPA-GO", "opa"],
    "jobs": ["1", "12", "0", "+3", " 4", "-1", "x", "٣"],
    "parameters": ["A=1", "A=", "=1", "A", "A==b", "-A=1"],
    **{name: PATHS for name in check_command.PATH_VALUES},
}
option_and_value = st.sampled_from([*check_command.REPEATABLE, *check_command.SINGLE]).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.sampled_from(
            OPTION_VALUES.get({**check_command.REPEATABLE, **check_command.SINGLE}[name], VALUES)
        ),
    )
)
chunks = st.one_of(
    st.sampled_from(PATHS).map(lambda p: [p]),
    st.sampled_from(list(check_command.FLAGS)).map(lambda f: [f]),
    option_and_value.map(list),
    option_and_value.map(lambda o: [f"{o[0]}={o[1]}"]),
)
command_lines = st.one_of(
    st.lists(words, max_size=8),
    st.lists(chunks, max_size=8).map(lambda parts: [word for part in parts for word in part]),
)


def click_parameters(args: list[str]) -> dict | None:
    """What click hands the `check` command for `args`, or None when click rejects them."""
    try:
        with check.make_context("check", list(args)) as ctx:
            return dict(ctx.params)
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        return None


def test_the_option_tables_are_checks_options() -> None:
    """Every option of `check` is in check_command's tables under its names, as a flag, a repeatable or a
    single value; and nothing else is."""
    names: dict[str, str] = {
        **check_command.FLAGS,
        **check_command.REPEATABLE,
        **check_command.SINGLE,
    }
    declared = {}
    for param in check.params:
        if isinstance(param, click.Argument):
            assert param.name == "paths" and param.nargs == -1 and param.required
            continue
        if param.name == "help":
            continue
        assert isinstance(param, click.Option)
        for opt in param.opts:
            declared[opt] = param.name
        assert not param.secondary_opts and param.envvar is None and param.callback is None
        table = (
            check_command.FLAGS
            if param.is_flag
            else check_command.REPEATABLE
            if param.multiple
            else check_command.SINGLE
        )
        assert all(table[opt] == param.name for opt in param.opts), param.name
        if isinstance(param.type, click.Choice):
            assert check_command.CHOICES[param.name] == set(param.type.choices)
        if isinstance(param.type, click.Path):
            assert param.name in check_command.PATH_VALUES
    assert declared == names


@pytest.mark.parametrize(
    "args",
    [
        ["t.yaml"],
        ["--format", "json", "t.yaml"],
        ["--format=json", "-o", "out.json", "t.yaml", "u.yaml"],
        ["-", "--fail-on", "high", "-q", "--soft-fail", "-p", "A=1", "-p", "B=", "-j", "2"],
        ["t.yaml", "--config", "c.yaml", "--policy-dir", "p", "--policy-dir=q", "--exclude", "x/"],
        [
            "t.yaml",
            "--engine",
            "opa-server",
            "--opa-url",
            "http://localhost:8181",
            "--audit",
            "file://a.jsonl",
        ],
        ["t.yaml", "--audit-key", "file://k", "--compact", "--show-passed", "--no-suppressions"],
        ["--skip-unrecognised", "t.yaml", "--format="],
    ],
)
def test_plain_command_lines_give_clicks_parameters(args: list[str]) -> None:
    ours = check_command.check_parameters(args)
    assert ours is not None
    assert ours == click_parameters(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--format", "json"],
        ["--help"],
        ["-h", "t.yaml"],
        ["t.yaml", "--fail-on", "LOW"],
        ["t.yaml", "--jobs", "0"],
        ["t.yaml", "-j", "+3"],
        ["t.yaml", "-p", "NoEquals"],
        ["t.yaml", "--format"],
        ["t.yaml", "--", "-x.yaml"],
        ["t.yaml", "-qj", "2"],
        ["t.yaml", "--output", "a", "--output", "b"],
        ["t.yaml", "--quiet=yes"],
        ["-x.yaml"],
    ],
)
def test_anything_else_is_left_to_click(args: list[str]) -> None:
    assert check_command.check_parameters(args) is None


def test_every_option_with_every_value_is_read_as_click_reads_it_or_left_to_click() -> None:
    """Each option (each name, both `--name value` and `--name=value`) with each candidate value, before
    and after a path."""
    read = 0
    for name in [*check_command.REPEATABLE, *check_command.SINGLE, *check_command.FLAGS]:
        dest = {**check_command.REPEATABLE, **check_command.SINGLE}.get(name)
        values = [None] if dest is None else [*OPTION_VALUES.get(dest, []), *VALUES]
        for value in values:
            forms = [[name]] if value is None else [[name, value], [f"{name}={value}"]]
            for form in forms:
                for args in ([*form, "t.yaml"], ["t.yaml", *form]):
                    ours = check_command.check_parameters(args)
                    if ours is not None:
                        read += 1
                        assert ours == click_parameters(args), args
    assert read > 200


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines)
def test_when_check_command_reads_a_command_line_click_reads_it_the_same(args: list[str]) -> None:
    ours = check_command.check_parameters(args)
    if ours is not None:
        assert ours == click_parameters(args)


def test_the_regorus_backends_thread_local_is_threading_local() -> None:
    import threading

    from guardrails.engine import regorus_backend

    assert regorus_backend.thread_local is threading.local


def test_echo_is_click_echo_for_a_plain_text_stream(capfd: pytest.CaptureFixture[str]) -> None:
    """A real UTF-8 stream (capfd): written as is; an escape sequence goes to click.echo, which strips it
    from a stream that is no terminal."""
    check_command.echo("plain é", err=True)
    check_command.echo("no newline", nl=False)
    check_command.echo("\x1b[31mred\x1b[0m")
    out, err = capfd.readouterr()
    assert (out, err) == ("no newlinered\n", "plain é\n")


TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-check-command-test
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/r
      DirectInternetAccess: Enabled
"""

CONSOLE = """
import atexit, sys
if sys.argv[1] == "--report-click":
    del sys.argv[1]
    # This interpreter's startup may import threading already (a .pth file importing certifi -> zipfile does):
    # then it leaves sys.modules and comes back through a finder that records whether guardrails asks for it.
    preloaded, asked = sys.modules.pop("threading", None), []
    if preloaded is not None:
        import importlib.util
        class Recorder:
            def find_spec(self, name, path=None, target=None):
                if name != "threading":
                    return None
                asked.append(name)
                return importlib.util.spec_from_loader(name, self)
            def create_module(self, spec):
                return preloaded
            def exec_module(self, module):
                pass
        sys.meta_path.insert(0, Recorder())
    threading_imported = lambda: bool(asked) if preloaded is not None else "threading" in sys.modules
    atexit.register(lambda: sys.stderr.write(
        f"threading imported: {threading_imported()}\\nclick imported: {'click' in sys.modules}\\n"
    ))
from guardrails.cli.console import run
sys.argv = ["guardrails", *sys.argv[1:]]
run()
"""
CLICK = """
import sys
from guardrails.cli.main import main
sys.argv = ["guardrails", *sys.argv[1:]]
main()
"""


def outcome(tmp_path: Path, probe: str, *args: str) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )
    out = proc.stdout
    if out.startswith("{"):
        report = json.loads(out)
        for result in report.get("results", []):
            result.pop("decision_id", None)
        out = json.dumps(report)
    return proc.returncode, out, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "json", "template.yaml"],
        ["template.yaml"],
        ["template.yaml", "--compact", "-q"],
        ["template.yaml", "--soft-fail", "--format", "github"],
        ["template.yaml", "missing.yaml", "--format", "json"],
        ["template.yaml", "--format", "nosuch"],
        ["template.yaml", "--format", "sarif=out/missing-dir/r.sarif"],
        ["template.yaml", "--config", "missing-config.yaml"],
        ["template.yaml", "-p", "Env=prod", "--fail-on", "critical"],
    ],
)
def test_the_console_script_without_click_ends_as_the_click_command(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    assert check_command.check_parameters(args) is not None  # read without click
    assert outcome(tmp_path, CONSOLE, "check", *args) == outcome(tmp_path, CLICK, "check", *args)


def test_a_plain_check_imports_no_click_and_others_still_use_it(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    code, _, err = outcome(tmp_path, CONSOLE, "--report-click", "check", "--format", "json", "template.yaml")
    assert code == 1 and err.endswith("click imported: False\n")
    # nor threading: the regorus backend's per-thread engines are threading.local, imported from _thread
    assert "threading imported: False" in err
    code, _, err = outcome(tmp_path, CONSOLE, "--report-click", "check", "--format", "LOW", "template.yaml")
    assert code == 2 and err.endswith("click imported: False\n")  # an input error, still no click
    code, out, err = outcome(tmp_path, CONSOLE, "--report-click", "check", "--help")
    assert code == 0 and "Usage:" in out and err.endswith("click imported: True\n")
    code, _, err = outcome(tmp_path, CONSOLE, "--report-click", "check", "--fail-on", "LOW", "template.yaml")
    assert code == 2 and "Invalid value for '--fail-on'" in err and err.endswith("click imported: True\n")


def test_what_a_check_no_longer_needs_is_kept_only_for_the_console_scripts_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console script's check ends the process: it keeps the run's inputs, documents and engine inputs
    (run_check's `keep`) instead of freeing them; any other caller frees them (nothing kept)."""
    from guardrails.cli import console

    from guardrails.checking import run_check
    from guardrails.config import GuardrailsConfig
    from guardrails.engine_inputs import EngineInputs
    from guardrails.sources.discovery import LoadedInputs

    monkeypatch.setattr(console, "kept_until_exit", [])
    monkeypatch.setattr(console, "paused_at_start", False)
    assert check_command._kept_until_exit() is None
    monkeypatch.setattr(console, "paused_at_start", True)
    assert check_command._kept_until_exit() is console.kept_until_exit

    (tmp_path / "template.yaml").write_text(TEMPLATE)
    kept: list[object] = []
    run = run_check([tmp_path / "template.yaml"], GuardrailsConfig(), keep=kept, keep_documents=False)
    assert run.decisions and run.documents == []
    (inputs, made, results), loaded = kept
    assert isinstance(inputs, EngineInputs) and len(made) == len(results) == len(run.decisions)
    assert isinstance(loaded, LoadedInputs) and len(loaded.documents) == len(run.decisions)
    assert [m.digest for m in made] == [d.input_digest for d in run.decisions]
