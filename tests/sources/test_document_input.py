"""`ResourceDocument.to_input` builds the engine's input without pydantic (guardrails/json_data.py); it
must equal pydantic's own json-mode dump of the dataclass (`TypeAdapter(ResourceDocument).dump_python(
mode="json", exclude_none=True)`) for every document, plain or not, and documents the readers build
without validation must be what validation would give."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from dateutil import tz
from fixture_paths import CORPUS
from pydantic import TypeAdapter

from guardrails.documents import Actor, Context, EnforcementPoint, Location, Resource, ResourceDocument
from guardrails.engine.base import Finding, parse_findings
from guardrails.engine.bundle import Catalog, PolicyBundle
from guardrails.json_data import is_plain_json, json_data
from guardrails.sources.api_request import document_from_request
from guardrails.sources.discovery import load_inputs
from guardrails.suppressions import InlineSuppression
from guardrails.validation import adapter, validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class _Text(str):
    """A str subclass: pydantic writes it as text."""


DOCUMENT = TypeAdapter(ResourceDocument)


def dumped(document: ResourceDocument) -> str:
    return json.dumps(DOCUMENT.dump_python(document, mode="json", exclude_none=True))


@pytest.mark.parametrize(
    "properties",
    [
        {"A": None, "B": [None, {"C": None}], "D": 1.5, "E": 2**70, "F": True, "G": "text"},
        {"Inf": float("inf"), "NaN": [float("nan")]},  # json mode writes null
        {"Tuple": (1, 2), "When": datetime(2024, 5, 1, 12, tzinfo=UTC), "Day": date(2024, 5, 1)},
        {"Bytes": b"raw", "Set": {"x"}},
        {
            "Local": datetime(2024, 5, 1, tzinfo=tz.tzutc()),
            "Offset": datetime(2024, 5, 1, tzinfo=tz.tzoffset(None, 3600)),
        },
        {
            "Keys": {1: "one", None: "none"},
            "Nested": [{"T": (None, (1.0, float("-inf")))}],
            "Time": time(1, 2),
        },
        {"Decimal": Decimal("1.50"), "Frozen": frozenset({1}), "Subclass": _Text("s")},
        {},
    ],
)
def test_to_input_is_pydantic_json_dump(properties: dict[str, object]) -> None:
    related = ResourceDocument(resource=Resource(type="AWS::S3::Bucket", name="b", tags={"k": "v"}))
    document = ResourceDocument(
        resource=Resource(type="AWS::SageMaker::Model", name="m", arn="arn:x", properties=properties),
        related={"AWS::S3::Bucket/b": related},
        context=Context(location=Location(file="t.yaml", line=3), actor=Actor(arn="arn:a"), unknown=["X"]),
    )
    assert json.dumps(document.to_input()) == dumped(document)


def test_to_input_shares_plain_json_and_converts_the_rest() -> None:
    plain = {"A": [1, 2.5, {"B": None, "C": True}], "D": "text"}
    odd = {"A": (1, 2), "Day": date(2024, 5, 1)}
    shared = ResourceDocument(resource=Resource(type="AWS::S3::Bucket", name="b", properties=plain))
    converted = ResourceDocument(resource=Resource(type="AWS::S3::Bucket", name="b", properties=odd))
    assert shared.to_input()["resource"]["properties"] is plain  # read at once: no copy needed
    data = converted.to_input()["resource"]["properties"]
    assert data == {"A": [1, 2], "Day": "2024-05-01"} and odd == {"A": (1, 2), "Day": date(2024, 5, 1)}


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ({"a": [1, 2.5, None, True, "s", {"b": []}]}, True),
        ([], True),
        ({"a": (1,)}, False),
        ({"a": [float("nan")]}, False),
        ({1: "int key"}, False),
        ({"a": _Text("sub")}, False),
        ({"a": {"b": date(2024, 1, 1)}}, False),
        ({"a": {"b": {"x"}}}, False),
    ],
)
def test_is_plain_json(value: object, plain: bool) -> None:
    assert is_plain_json(value) is plain


def test_to_input_with_inline_suppressions_is_pydantic_json_dump() -> None:
    suppression = validate(
        InlineSuppression,
        {"control": "SM-01", "reason": "ok", "expires": "2999-01-01", "source": "cloudformation-metadata"},
    )
    document = ResourceDocument(
        resource=Resource(type="AWS::S3::Bucket", name="b"), context=Context(suppressions=[suppression])
    )
    assert json.dumps(document.to_input()) == dumped(document)


def template_files() -> list[Path]:
    roots = [FIXTURES / "cloudformation", CORPUS / "cloudformation", CORPUS / "cdk"]
    return sorted(
        p
        for root in roots
        if root.is_dir()
        for p in root.rglob("*")
        if p.suffix in (".yaml", ".yml", ".json")
    )


def test_cloudformation_documents_are_what_validation_gives() -> None:
    """Every document read from the fixtures' templates: to_input equals pydantic's dump, and validating
    the unvalidated document's own fields changes nothing."""
    loaded = load_inputs(template_files(), None, point="pre-deploy", skip_unrecognised=True)
    cloudformation = [d for d in loaded.documents if d.context.source == "cloudformation"]
    assert len(cloudformation) > 50
    for document in cloudformation:
        assert json.dumps(document.to_input()) == dumped(document)
        assert DOCUMENT.validate_python(document.to_input()) == document


API_REQUESTS = [
    (
        "CreateTrainingJob",
        {"TrainingJobName": "t", "Tags": [{"Key": "team", "Value": "risk"}], "MaxRuntime": 1.5},
    ),
    ("UpdateNotebookInstance", {"NotebookInstanceName": "nb", "RootAccess": "Disabled"}),
    ("PutBucketPolicy", {"Bucket": "b", "Policy": '{"Statement": []}'}),
    ("CreateAccessPoint", {"Name": "ap", "Bucket": "b", "AccountId": "111122223333"}),
    ("PutPublicAccessBlock", {"AccountId": "111122223333", "PublicAccessBlockConfiguration": {}}),
]


def input_files() -> list[Path]:
    """The fixtures of the file readers other than CloudFormation: Terraform plans, CloudTrail and SageMaker
    events (API requests are built in the test)."""
    roots = [
        FIXTURES / "terraform",
        FIXTURES / "events",
        FIXTURES / "samples",
        CORPUS / "terraform",
        CORPUS / "events",
    ]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.json"))


@pytest.mark.parametrize("point", ["pre-deploy", "runtime"])
def test_documents_of_every_source_are_pydantic_json_dumps(point: EnforcementPoint) -> None:
    """Documents of every other reader (Terraform, CloudTrail, SageMaker event, API request): to_input
    equals pydantic's dump, and validating it gives the document back."""
    loaded = load_inputs(input_files(), None, point=point, skip_unrecognised=True)
    requests = [
        document_from_request(operation, request, account="111122223333", region="eu-west-1", point=point)
        for operation, request in API_REQUESTS
    ]
    documents = [*loaded.documents, *requests]
    sources = {d.context.source for d in documents}
    assert sources == {"terraform", "cloudtrail", "sagemaker-event", "api-request"}
    for document in documents:
        assert json.dumps(document.to_input()) == dumped(document)
        assert DOCUMENT.validate_python(document.to_input()) == document


def test_bundled_catalog_is_what_validation_gives() -> None:
    import yaml

    bundle = PolicyBundle.load()
    path = bundle.roots[0] / "catalog.yaml"
    validated = validate(Catalog, yaml.safe_load(path.read_text(encoding="utf-8")))
    assert bundle.catalog == validated
    assert [json_data(c, exclude_none=False) for c in bundle.catalog.controls] == adapter(
        Catalog
    ).dump_python(validated)["controls"]


def test_findings_of_declared_types_skip_validation_and_others_are_validated() -> None:
    plain = {"control": "SM-01", "message": "m", "path": "P", "unknown": True, "extra": 1}
    assert parse_findings([plain]) == [validate(Finding, plain)]
    coerced = {"control": "SM-01", "message": "m", "unknown": "true"}  # pydantic's lax bool
    assert parse_findings([coerced])[0].unknown is True
    with pytest.raises(Exception, match="malformed finding"):
        parse_findings([{"control": 1, "message": "m"}])
