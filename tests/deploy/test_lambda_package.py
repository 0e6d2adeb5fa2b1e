"""`guardrails package`: the zip imports and runs each handler under Python 3.12 with nothing else on
sys.path but what the Lambda runtime provides (boto3), finds its bundled config, and stays small."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lambda_zip_support import FIXTURES, invoke, lambda_runtime_dir, lambda_zip  # noqa: F401 (fixtures)

from guardrails.packaging.lambda_zip import (
    SOURCE_ONLY_PACKAGES,
    PackageError,
    build_lambda_zip,
    runtime_requirements,
)

pytestmark = [pytest.mark.lambda_zip, pytest.mark.slow]

MAX_ZIP_BYTES = 15_000_000
STATE_CHANGE = json.loads((FIXTURES / "events" / "sagemaker-NotebookInstanceStateChange.json").read_text())
HOOK_REQUEST = json.loads((FIXTURES / "hooks" / "cloud-control-notebook-create.json").read_text())


def test_zip_is_small_and_holds_no_runtime_provided_or_build_leftovers(lambda_zip):
    output, _, printed = lambda_zip
    assert output.stat().st_size < MAX_ZIP_BYTES
    assert printed.startswith("wrote build/lambda.zip: ") and "MB zipped" in printed
    names = zipfile.ZipFile(output).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {"guardrails", "pydantic_core", "regorus", "aws_lambda_powertools", "yaml"} <= tops
    assert not tops & {"boto3", "botocore", "s3transfer", "bin", "tests"}
    # bytecode for python3.12 only, beside the sources of what a handler imports; none for CLI-only packages
    bytecode = [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    assert "guardrails/sources/__pycache__/cloudtrail.cpython-312.pyc" in bytecode
    assert "pydantic/__pycache__/main.cpython-312.pyc" in bytecode
    assert all(n.endswith(".cpython-312.pyc") and n.split("/")[-2] == "__pycache__" for n in bytecode)
    assert not {n.split("/", 1)[0] for n in bytecode} & SOURCE_ONLY_PACKAGES
    assert "guardrails/sources/sagemaker_request_shapes.json" in names  # the CloudTrail adapter reads it
    assert "guardrails/lambdas/events.py" in names and "guardrails/policies/catalog.yaml" in names
    assert "guardrails.yaml" in names  # --config, at the root where the handlers look
    shared_objects = [n for n in names if ".so" in Path(n).suffixes]
    assert shared_objects and all("cpython-312" in n or "abi3" in n or "regorus" in n for n in shared_objects)


def test_zip_is_reproducible_entries_sorted_with_fixed_times(lambda_zip):
    output, _, _ = lambda_zip
    infos = zipfile.ZipFile(output).infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    # unchecked-hash bytecode (PEP 552 flags 0b01): used whatever the extracted files' timestamps say
    archive = zipfile.ZipFile(output)
    for name in [i.filename for i in infos if i.filename.endswith(".pyc")][:50]:
        header = archive.read(name)[:16]
        assert int.from_bytes(header[4:8], "little") == 0b01, name


def test_handlers_import_and_run_under_python_312_from_the_zip_alone(
    lambda_zip, lambda_runtime_dir, tmp_path
):
    _, task_root, _ = lambda_zip
    results, summary, logs = invoke(
        task_root, lambda_runtime_dir, "guardrails.lambdas.events:handler", [STATE_CHANGE], tmp_path, {}
    )
    assert summary["python"].startswith("3.12.")
    assert summary["foreign_modules"] == [], "modules loaded from outside the zip and the runtime"
    assert summary["compiled_modules"] == [], "modules compiled at cold start: no bytecode in the zip"
    (first,) = results
    assert first["error"] is None, first["error"]
    (resource,) = first["result"]["resources"]
    # the notebook has direct internet access (SM-05), a warning only in the bundled config...
    assert resource["decision"]["verdict"] == "warn"
    assert "SM-05" in {v["control"] for v in resource["decision"]["violations"]}
    assert "account" in resource["not_acted"]  # ...which also names another account: no AWS call
    assert "audit_record" in logs  # the CloudWatch Logs audit sink wrote the decision

    results, summary, _ = invoke(
        task_root, lambda_runtime_dir, "guardrails.lambdas.cfn_hook:handler", [HOOK_REQUEST], tmp_path, {}
    )
    assert summary["foreign_modules"] == []
    assert summary["compiled_modules"] == []
    (answer,) = results
    assert answer["error"] is None
    assert answer["result"]["clientRequestToken"] == HOOK_REQUEST["clientRequestToken"]
    # SM-05 is only a warning in the bundled config
    assert answer["result"]["hookStatus"] == "SUCCESS", answer


def test_config_from_environment_wins_over_the_bundled_one(lambda_zip, lambda_runtime_dir, tmp_path):
    _, task_root, _ = lambda_zip
    strict = tmp_path / "strict.yaml"
    strict.write_text("controls:\n  SM-05: deny\n")
    results, _, _ = invoke(
        task_root,
        lambda_runtime_dir,
        "guardrails.lambdas.cfn_hook:handler",
        [HOOK_REQUEST],
        tmp_path,
        {"GUARDRAILS_CONFIG": str(strict)},
    )
    assert results[0]["result"]["hookStatus"] == "FAILED"


def test_requirements_leave_boto3_to_the_runtime_unless_asked():
    from guardrails.packaging.lambda_zip import installed_distribution

    dist = installed_distribution()
    without = runtime_requirements(dist, include_boto3=False)
    with_boto3 = runtime_requirements(dist, include_boto3=True)
    assert not [r for r in without if r.lower().startswith("boto3")]
    assert [r for r in with_boto3 if r.lower().startswith("boto3")]
    assert not [r for r in with_boto3 if "extra" in r]  # the dev extra never goes in


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"arch": "sparc"}, "--arch"), ({"python": "3.9"}, "--python")]
)
def test_bad_options_are_input_errors(tmp_path, kwargs, message):
    with pytest.raises(PackageError, match=message):
        build_lambda_zip(tmp_path / "x.zip", **kwargs)


def test_invalid_config_is_refused_before_any_download(tmp_path):
    from click.testing import CliRunner
    from guardrails.cli.main import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("runtime:\n  mode: sometimes\n")
    result = CliRunner().invoke(main, ["package", "--output", str(tmp_path / "x.zip"), "--config", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "runtime.mode" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_bytecode_is_compiled_only_by_a_cpython_of_the_target_version(tmp_path):
    from lambda_zip_support import python312

    from guardrails.packaging.lambda_zip import bytecode_interpreter

    assert bytecode_interpreter("3.12", python312()) == python312()
    not_python = tmp_path / "python3.12"
    not_python.write_text("#!/bin/sh\necho cpython 3.11\n")
    not_python.chmod(0o755)
    for wrong in (str(not_python), str(tmp_path / "missing")):
        with pytest.raises(PackageError, match="--bytecode-python .* is not a CPython 3.12"):
            build_lambda_zip(tmp_path / "x.zip", python="3.12", bytecode_python=wrong)
    assert not (tmp_path / "x.zip").exists()
