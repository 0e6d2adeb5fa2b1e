"""Property-based fuzzing of every input `guardrails` reads (issue 9.4): templates, API requests, CloudTrail
events (through `check`) and CloudFormation hook requests (through `handle-hook`).

For any input: no uncaught exception (CliRunner re-raises it), no traceback and no "internal error" (the
per-file safety net of `check` that would hide an adapter bug), an exit code in {0, 1, 2}, and never 0
when the input could not be judged (an error result or unknown content). Example counts are bounded so the
whole file runs in a few seconds; one Decider is shared (building one per run would dominate the time).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from guardrails.cli.main import main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUZZ = settings(
    max_examples=int(os.environ.get("GUARDRAILS_FUZZ_EXAMPLES", "40")),  # CI: bounded; raise it locally
    deadline=None,
    database=None,
    derandomize=not os.environ.get("GUARDRAILS_FUZZ_EXAMPLES"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

IN_SCOPE_TYPES = [
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SageMaker::NotebookInstance",
    "AWS::SageMaker::Model",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Endpoint",
    "AWS::SageMaker::Domain",
    "AWS::SageMaker::Pipeline",
    "AWS::SageMaker::ProcessingJob",
    "AWS::SageMaker::MonitoringSchedule",
    "AWS::SageMaker::FeatureGroup",
    "AWS::SageMaker::UserProfile",
    "AWS::CloudFormation::Stack",
    "AWS::SNS::Topic",
]
FIELDS = [
    "BucketName",
    "Bucket",
    "PolicyDocument",
    "Policy",
    "Statement",
    "Effect",
    "Principal",
    "Condition",
    "Action",
    "Resource",
    "AccessControl",
    "PublicAccessBlockConfiguration",
    "BlockPublicAcls",
    "BucketEncryption",
    "ServerSideEncryptionConfiguration",
    "ServerSideEncryptionByDefault",
    "SSEAlgorithm",
    "KMSMasterKeyID",
    "KmsKeyId",
    "VpcConfig",
    "Subnets",
    "SecurityGroupIds",
    "SubnetId",
    "DirectInternetAccess",
    "RootAccess",
    "ProductionVariants",
    "ModelName",
    "EndpointConfigName",
    "PipelineDefinition",
    "PipelineDefinitionBody",
    "Tags",
    "Key",
    "Value",
    "TemplateURL",
    "Parameters",
    "AccessControlPolicy",
    "Grants",
    "Grantee",
    "URI",
    "Permission",
    "AccessControlList",
    "Grant",
    "x-amz-grant-read",
    "GrantRead",
    "ProcessingResources",
    "ClusterConfig",
    "EnableNetworkIsolation",
]
INTRINSICS = [
    "Ref",
    "Fn::If",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::GetAtt",
    "Fn::ToJsonString",
    "Fn::Length",
    "Fn::Base64",
    "Fn::ImportValue",
    "Fn::Transform",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Condition",
    "Fn::ForEach::Loop",
    "Fn::Cidr",
    "Fn::GetAZs",
    "Fn::Nope",
]
NAMES = ["AWS::NoValue", "AWS::Region", "AWS::AccountId", "P", "Q", "Cond", "R0", "R1", "M"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["", "*", "true", "false", "${P}", "${R0.Arn}", "arn:aws:s3:::b/*", "0.0.0.0/0", "1e999", "\ud800"]
    ),
    st.sampled_from(NAMES),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS), children, max_size=4),
        st.builds(lambda k, v: {k: v}, st.sampled_from(INTRINSICS), children),
    ),
    max_leaves=25,
)


@st.composite
def templates(draw: Any) -> dict[str, Any]:
    resources = {}
    for index in range(draw(st.integers(min_value=0, max_value=3))):
        resource: dict[str, Any] = {"Type": draw(st.sampled_from(IN_SCOPE_TYPES))}
        if draw(st.booleans()):
            resource["Properties"] = draw(values)
        if draw(st.integers(0, 4)) == 0:
            resource["Condition"] = draw(st.sampled_from(["Cond", "Missing"]))
        resources[f"R{index}"] = resource
    if draw(st.integers(0, 5)) == 0:
        resources["Fn::ForEach::Loop"] = draw(values)
    template: dict[str, Any] = {"Resources": resources}
    if draw(st.booleans()):
        template["Parameters"] = {
            "P": {"Type": draw(st.sampled_from(["String", "Number", "CommaDelimitedList"]))}
        }
        if draw(st.booleans()):
            template["Parameters"]["P"]["Default"] = draw(scalars)
    if draw(st.booleans()):
        template["Conditions"] = {"Cond": draw(values)}
    if draw(st.booleans()):
        template["Mappings"] = {"M": {"a": {"b": draw(values)}}}
    if draw(st.integers(0, 4)) == 0:
        template["Transform"] = draw(
            st.sampled_from(["AWS::LanguageExtensions", "AcmeMacro", ["AWS::Include"]])
        )
    return template


def dump(data: Any, as_yaml: bool) -> str:
    if as_yaml:
        return yaml.safe_dump(data, default_flow_style=False, allow_unicode=True)
    return json.dumps(data, default=str)


@pytest.fixture(scope="module", autouse=True)
def shared_decider(decider):
    """`check` and `handle-hook` build a Decider per run; the fuzz runs share the session's one."""
    import guardrails.checking

    patch = pytest.MonkeyPatch()
    patch.setattr(guardrails.checking, "Decider", lambda config, **options: decider)
    patch.setattr("guardrails.decider.Decider", lambda config=None: decider)
    yield
    patch.undo()


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_judged_or_refused(path: Path) -> None:
    code, out, err = invoke("check", "--format", "json", str(path))
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    report = json.loads(out)
    if report["errors"] or report["summary"]["unknown_content"]:
        assert code != 0, report
    if code == 0:
        assert all(r["verdict"] in ("allow", "warn") for r in report["results"])


@pytest.mark.slow
@FUZZ
@given(template=templates(), as_yaml=st.booleans())
def test_fuzzed_templates_are_judged_or_refused(tmp_path_factory, template, as_yaml):
    path = tmp_path_factory.mktemp("t") / ("t.yaml" if as_yaml else "t.json")
    path.write_text(dump(template, as_yaml), encoding="utf-8")
    assert_judged_or_refused(path)


OPERATIONS = [
    "CreateBucket",
    "PutBucketPolicy",
    "PutBucketAcl",
    "PutPublicAccessBlock",
    "PutBucketEncryption",
    "CreateTrainingJob",
    "CreateNotebookInstance",
    "CreateEndpointConfig",
    "CreateModel",
    "UpdateEndpoint",
    "CreatePipeline",
    "CreateDomain",
    "CreateProcessingJob",
    "DeleteBucket",
]


@FUZZ
@given(
    operation=st.sampled_from(OPERATIONS),
    request=st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
    extra=st.dictionaries(st.sampled_from(["service", "account", "region", "bogus"]), scalars, max_size=2),
)
def test_fuzzed_api_requests_are_judged_or_refused(tmp_path_factory, operation, request, extra):
    path = tmp_path_factory.mktemp("r") / "request.json"
    path.write_text(json.dumps({"operation": operation, "request": request, **extra}, default=str))
    assert_judged_or_refused(path)


def event_bases() -> list[dict[str, Any]]:
    files = sorted((FIXTURES / "events").glob("cloudtrail-*.json"))
    return [json.loads(f.read_text()) for f in files]


def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(paths_of(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(paths_of(item, (*prefix, index)))
    return found


def replaced(document: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    document = copy.deepcopy(document)
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return document


@st.composite
def mutated(draw: Any, bases: list[dict[str, Any]], root: tuple) -> dict[str, Any]:
    document = draw(st.sampled_from(bases))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        base = document
        for part in root:
            base = base[part] if isinstance(base, dict) and part in base else None
        if not isinstance(base, (dict, list)):
            break
        path = draw(st.sampled_from(paths_of(base)))
        document = replaced(document, (*root, *path), draw(values))
    return document


EVENTS = event_bases()


@FUZZ
@given(event=mutated(EVENTS, ("detail",)))
def test_fuzzed_cloudtrail_events_are_judged_or_refused(tmp_path_factory, event):
    path = tmp_path_factory.mktemp("e") / "event.json"
    path.write_text(json.dumps(event, default=str))
    assert_judged_or_refused(path)


HOOK_REQUESTS = [
    json.loads((FIXTURES / "hooks" / name).read_text())
    for name in (
        "resource-model-update.json",
        "cloud-control-notebook-create.json",
        "resource-notebook-delete.json",
    )
]


@FUZZ
@given(request=mutated(HOOK_REQUESTS, ("requestData",)))
def test_fuzzed_hook_requests_answer_or_refuse(tmp_path_factory, request):
    path = tmp_path_factory.mktemp("h") / "request.json"
    path.write_text(json.dumps(request, default=str))
    code, out, err = invoke("handle-hook", str(path))
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    if code == 0:
        assert json.loads(out)["hookStatus"] == "SUCCESS"


@FUZZ
@given(template=templates())
def test_fuzzed_stack_payload_templates_answer_or_refuse(tmp_path_factory, template):
    folder = tmp_path_factory.mktemp("s")
    request = json.loads((FIXTURES / "hooks" / "change-set-request.json").read_text())
    request["requestData"]["targetType"] = "STACK"
    request["requestData"]["targetName"] = "STACK"
    (folder / "request.json").write_text(json.dumps(request))
    payload = {"template": json.dumps(template, default=str)}
    (folder / "payload.json").write_text(json.dumps(payload))
    code, out, err = invoke(
        "handle-hook", str(folder / "request.json"), "--payload-file", str(folder / "payload.json")
    )
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
