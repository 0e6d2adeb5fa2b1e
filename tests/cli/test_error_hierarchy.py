"""One exception hierarchy (guardrails/errors.py): every exception class of the package derives from
`GuardrailsError`, and what an edge does with an error follows from its branch."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from guardrails.cli.main import main

import guardrails
from guardrails.errors import (
    EXIT_ERROR,
    AuditError,
    AwsError,
    ConfigError,
    EngineError,
    GuardrailsError,
    InfrastructureError,
    InputError,
    PermanentAwsError,
    TransientAwsError,
    acknowledged_by_lambda,
    is_retryable,
)


def _package_modules() -> list[str]:
    """Every module of the package, with guardrails.cli and guardrails.lambdas (mapped from cli/ and
    lambdas/, which an editable install does not put under guardrails.__path__)."""
    names = ["guardrails"]
    for package in (
        guardrails,
        importlib.import_module("guardrails.cli"),
        importlib.import_module("guardrails.lambdas"),
    ):
        names.append(package.__name__)
        names.extend(
            info.name for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
        )
    return sorted(set(names))


def _import(name: str):
    """The module, or None when it needs an optional extra that is not installed (aws-cdk-lib): such a
    module must then define no exception class at all (checked on its source)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("guardrails"):
            raise
    spec = importlib.util.find_spec(name)
    tree = ast.parse(Path(spec.origin).read_text())
    classes = [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    assert not [c for c in classes if c.endswith(("Error", "Exception"))], (name, classes)
    return None


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for name in _package_modules():
        module = _import(name)
        if module is None:
            continue
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == name:
                found.append(value)
    return found


def test_the_walk_sees_the_cli_the_lambdas_and_the_library() -> None:
    names = set(_package_modules())
    assert {"guardrails.cli.main", "guardrails.lambdas.events", "guardrails.runtime.processor"} <= names
    classes = {c.__name__ for c in _exception_classes()}
    assert {"SourceError", "AuditWriteError", "HookRequestError", "LiveReadError", "BundleError"} <= classes


def test_every_exception_class_defined_in_guardrails_derives_from_guardrails_error() -> None:
    strays = [
        f"{c.__module__}.{c.__qualname__}" for c in _exception_classes() if not issubclass(c, GuardrailsError)
    ]
    assert strays == []


NOT_ON_A_BRANCH = {
    # groupings: each subclass sits on its branch; never raised as they are
    "guardrails.admission.exceptions.AdmissionError": "grouping",
    "guardrails.admission.exceptions.PayloadFetchError": "grouping",
    # a remediation that cannot proceed: each named cause is a subclass on its branch; caught inside
    # remediation and recorded as a failed action, it never reaches an edge
    "guardrails.runtime.errors.RuntimeEnforcementError": "remediation",
    # not failures: the boto3 hook stops the caller's request, the decision attached
    "guardrails.admission.exceptions.RequestBlocked": "outcome",
    "guardrails.admission.exceptions.GuardrailViolation": "outcome",
    "guardrails.admission.exceptions.GuardrailEvaluationError": "outcome",
}


def test_every_exception_class_sits_on_a_branch_but_the_groupings_and_outcomes() -> None:
    branches = (InputError, EngineError, AwsError, AuditError, InfrastructureError)
    off_branch = {
        f"{c.__module__}.{c.__qualname__}"
        for c in _exception_classes()
        if c is not GuardrailsError and not issubclass(c, branches)
    }
    assert off_branch == set(NOT_ON_A_BRANCH)


def test_a_grouping_is_never_raised_as_it_is() -> None:
    groupings = {name.rsplit(".", 1)[1] for name, why in NOT_ON_A_BRANCH.items() if why == "grouping"}
    raised = []
    for name in _package_modules():
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(Path(spec.origin).read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                if isinstance(func, ast.Name) and func.id in groupings:
                    raised.append(f"{name}:{node.lineno} {func.id}")
    assert raised == []


def test_remediation_errors_sit_on_the_branch_of_their_cause() -> None:
    from guardrails.runtime.errors import (
        RemediationNotConfigured,
        RemediationNotEvaluated,
        ResourceGone,
        RuntimeEnforcementError,
    )

    for error, branch in (
        (RemediationNotEvaluated("cannot evaluate AWS::S3::Bucket b: timeout"), EngineError),
        (RemediationNotConfigured("runtime.kms_key_id is not configured"), ConfigError),
        (ResourceGone("GetBucketPolicy: NoSuchBucket"), PermanentAwsError),
    ):
        assert isinstance(error, RuntimeEnforcementError) and isinstance(error, branch)  # caught as before
        assert not is_retryable(error)


def test_old_names_stay_importable_from_their_modules() -> None:
    from guardrails.audit.exceptions import AuditError as audit_error
    from guardrails.config import ConfigError as config_error
    from guardrails.engine import EngineError as engine_error
    from guardrails.infrastructure import InfrastructureError as infrastructure_error
    from guardrails.runtime.errors import TransientAwsError as transient
    from guardrails.sources.errors import SourceError
    from guardrails.suppressions import SuppressionError

    assert config_error is ConfigError
    assert audit_error is AuditError
    assert engine_error is EngineError
    assert infrastructure_error is InfrastructureError
    assert transient is TransientAwsError
    assert issubclass(SourceError, InputError)
    assert issubclass(SuppressionError, ValueError)  # callers catch it as a ValueError too


def test_lambda_acknowledges_bad_input_and_retries_the_rest() -> None:
    from guardrails.audit.exceptions import AuditWriteError, SinkURLError
    from guardrails.sources.cloudtrail import MalformedEventError
    from guardrails.sources.live import LiveReadError

    malformed = MalformedEventError("event", "no detail")
    assert acknowledged_by_lambda(malformed) and not is_retryable(malformed)
    transient = TransientAwsError("DescribeTrainingJob", "ThrottlingException")
    assert not acknowledged_by_lambda(transient) and is_retryable(transient)
    write = AuditWriteError("ddb://table", "ProvisionedThroughputExceeded")
    assert not acknowledged_by_lambda(write) and is_retryable(write)
    denied = LiveReadError("DescribeTrainingJob", "AccessDeniedException", "no")
    assert isinstance(denied, PermanentAwsError) and not is_retryable(denied)
    assert not acknowledged_by_lambda(denied)  # raised: the DLQ keeps the event
    assert not is_retryable(SinkURLError("bad sink"))
    assert is_retryable(ConnectionError("reset")) and not is_retryable(ValueError("x"))
    from guardrails.config_source import ConfigSourceError

    unreadable = ConfigSourceError("ssm:/guardrails/config: ThrottlingException")
    assert not acknowledged_by_lambda(unreadable) and is_retryable(unreadable)  # not the event's fault


def test_cli_exits_2_with_the_message_for_an_error_of_every_branch(tmp_path, monkeypatch) -> None:
    """The CLI's edge (cli/lazy_group.py) prints any GuardrailsError once and exits 2, no traceback."""
    import guardrails.checking as checking

    template = tmp_path / "t.yaml"
    template.write_text("Resources: {}\n")
    runner = CliRunner()
    for error in (
        InputError("t.yaml: Resources: not a mapping"),
        ConfigError("guardrails.yaml: controls.SM-01: not deny, warn or off"),
        EngineError("policy entry point failed"),
        TransientAwsError("GetObject", "SlowDown"),
        AuditError("audit sink file:///x: disk full"),
    ):

        def broken(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(checking, "run_check", broken)
        result = runner.invoke(main, ["check", str(template)])
        assert result.exit_code == EXIT_ERROR, (error, result.output)
        assert f"error: {error}" in result.stderr
        assert "Traceback" not in result.output


def test_cli_still_crashes_loudly_on_a_bug(tmp_path, monkeypatch) -> None:
    import guardrails.checking as checking

    template = tmp_path / "t.yaml"
    template.write_text("Resources: {}\n")

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(checking, "run_check", broken)
    result = CliRunner().invoke(main, ["check", str(template)])
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [
        (InputError("event.json: detail: missing"), 2),
        (TransientAwsError("DescribeEndpoint", "ThrottlingException"), 3),
        (AuditError("audit sink: unreachable"), 3),
        (EngineError("engine failed"), 3),
    ],
)
def test_handle_event_maps_the_branch_like_the_lambda(tmp_path, monkeypatch, error, exit_code) -> None:
    """`handle-event` exits 2 for what the Lambda acknowledges and 3 for what it would retry."""
    from guardrails.runtime.service import RuntimeService

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"id": "1", "source": "aws.sagemaker", "detail": {}}))

    def broken(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(RuntimeService, "handle", broken)
    result = CliRunner().invoke(main, ["handle-event", str(event), "--mode", "enforce"])
    assert result.exit_code == exit_code, result.output
