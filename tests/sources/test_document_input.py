"""`ResourceDocument.to_input` builds the engine's input by hand for plain JSON documents (no pydantic
schema on a `check`'s path); it must equal pydantic's `model_dump(mode="json", exclude_none=True)` for
every document, plain or not, and documents the CloudFormation reader builds without validation must be
what validation would give."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fixture_paths import CORPUS

from guardrails.documents import Actor, Context, Location, Resource, ResourceDocument
from guardrails.engine.base import Finding, parse_findings
from guardrails.engine.bundle import Catalog, PolicyBundle
from guardrails.sources.discovery import load_inputs
from guardrails.suppressions import InlineSuppression
from guardrails.validation import adapter, validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def dumped(document: ResourceDocument) -> str:
    return json.dumps(document.model_dump(mode="json", exclude_none=True))


@pytest.mark.parametrize(
    "properties",
    [
        {"A": None, "B": [None, {"C": None}], "D": 1.5, "E": 2**70, "F": True, "G": "text"},
        {"Inf": float("inf"), "NaN": [float("nan")]},  # json mode writes null
        {"Tuple": (1, 2), "When": datetime(2024, 5, 1, 12, tzinfo=UTC), "Day": date(2024, 5, 1)},
        {"Bytes": b"raw", "Set": {"x"}},
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
        revalidated = ResourceDocument.model_validate(document.model_dump())
        assert revalidated.model_dump() == document.model_dump()


def test_bundled_catalog_is_what_validation_gives() -> None:
    import yaml

    bundle = PolicyBundle.load()
    path = bundle.roots[0] / "catalog.yaml"
    validated = validate(Catalog, yaml.safe_load(path.read_text(encoding="utf-8")))
    assert bundle.catalog == validated
    assert [c.as_json() for c in bundle.catalog.controls] == adapter(Catalog).dump_python(validated)[
        "controls"
    ]


def test_findings_of_declared_types_skip_validation_and_others_are_validated() -> None:
    plain = {"control": "SM-01", "message": "m", "path": "P", "unknown": True, "extra": 1}
    assert parse_findings([plain]) == [validate(Finding, plain)]
    coerced = {"control": "SM-01", "message": "m", "unknown": "true"}  # pydantic's lax bool
    assert parse_findings([coerced])[0].unknown is True
    with pytest.raises(Exception, match="malformed finding"):
        parse_findings([{"control": 1, "message": "m"}])
