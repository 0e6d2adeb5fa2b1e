"""guardrails/engine_inputs.py builds a batch's engine inputs from parts (a related document's text spliced
in, its secret values added up); every field must equal what the general path gives for the document alone:
`to_input()`, `canonical_text()` (and rfc8785's own text), `input_digest()`, `redaction.secret_values()`. Checked on every document
of the fixtures and the third-party corpus, and on generated documents with the values that leave the fast
path (floats, huge integers, tuples, dates, keys outside the Basic Multilingual Plane, lone surrogates,
redacted related keys, secret paths, related documents that are not judged themselves)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from fixture_paths import CORPUS, FIXTURES, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rfc8785 import CanonicalizationError

from guardrails.canonical import canonical_text
from guardrails.decision import input_digest
from guardrails.documents import Context, Location, Resource, ResourceDocument
from guardrails.engine_inputs import EngineInputs
from guardrails.redaction import secret_values
from guardrails.sources.discovery import load_inputs


def assert_same_as_general_path(documents: list[ResourceDocument]) -> None:
    inputs = EngineInputs()
    for document in documents:  # in batch order: related documents are often made first
        data = document.to_input()
        try:
            digest = input_digest(document)
        except CanonicalizationError:  # a lone surrogate (the readers refuse them): no digest either way
            with pytest.raises(CanonicalizationError):
                inputs.of(document)
            return
        made = inputs.of(document)
        assert made.data == data
        assert json.dumps(made.data) == json.dumps(data)  # same types too (a tuple is not a list here)
        assert made.text == canonical_text(data)
        if made.text is not None:
            assert made.text.encode("utf-8") == rfc8785.dumps(data)  # the reference implementation
        assert made.digest == digest
        expected_text = made.text if made.text is not None else json.dumps(data)
        assert inputs.engine_text(document) == expected_text
        assert inputs.secret_values(document) == secret_values(data)


def input_files() -> list[Path]:
    roots = [FIXTURES, CORPUS]
    suffixes = (".yaml", ".yml", ".json", ".template")
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*") if p.suffix in suffixes)


@pytest.mark.parametrize("point", ["pre-deploy", "runtime"])
def test_every_fixture_and_corpus_document(point: Any) -> None:
    loaded = load_inputs(input_files(), None, point=point, skip_unrecognised=True)
    documents = loaded.documents
    assert len(documents) > 150
    assert any(d.related for d in documents)  # the splicing path is exercised
    assert_same_as_general_path(documents)


def test_a_bench_template(tmp_path: Path) -> None:
    """The benchmark's generated template: endpoints relating configs relating models, floats."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate_templates import write_template
    finally:
        sys.path.pop(0)
    template, _ = write_template(300, tmp_path)
    documents = load_inputs([template], None, point="pre-deploy").documents
    assert sum(1 for d in documents if d.related) > 50
    assert_same_as_general_path(documents)


def test_a_related_document_the_batch_does_not_judge() -> None:
    model = ResourceDocument(resource=Resource(type="AWS::SageMaker::Model", name="m", properties={"A": 1.0}))
    config = ResourceDocument(
        resource=Resource(type="AWS::SageMaker::EndpointConfig", name="c"),
        related={"AWS::SageMaker::Model/m": model},
    )
    endpoint = ResourceDocument(
        resource=Resource(type="AWS::SageMaker::Endpoint", name="e"),
        related={"AWS::SageMaker::EndpointConfig/c": config},
    )
    assert_same_as_general_path([endpoint])
    assert '"A":1' in (EngineInputs().of(endpoint).text or "")


_KEYS = st.sampled_from(
    ["A", "Environment", "DbPassword", "PipelineDefinition", "Key", "Value", "é", "\U0001f600", "\ue000", "z"]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.0, 0.5, 1e16, 1e-7, -0.0, 2.0**53]),
    st.text(max_size=8),
    st.sampled_from(["hunter2-secret", "\ud800", "AKIAABCDEFGHIJKLMNOP", '{"Environment": {"X": "y"}}']),
    st.just(date(2024, 5, 1)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children, children),
        st.dictionaries(_KEYS, children, max_size=3),
        st.dictionaries(st.sampled_from(["A", "Tags", "Name"]), children, max_size=3),  # no redacted place
        st.builds(lambda k, v: {"Key": k, "Value": v}, st.sampled_from(["team", "Token"]), children),  # tags
    ),
    max_leaves=12,
)
_RELATED_KEYS = st.sampled_from(
    ["AWS::SageMaker::Model/m", "AWS::SageMaker::Model/Token", "Environment", "\U0001f600/x", "é/x"]
)


@st.composite
def _batches(draw: st.DrawFn) -> list[ResourceDocument]:
    """A few documents, each relating some of the ones before it (a DAG, as the readers build)."""
    documents: list[ResourceDocument] = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        related: dict[str, ResourceDocument] = {}
        for key in draw(st.lists(_RELATED_KEYS, max_size=2, unique=True)) if documents else []:
            related[key] = draw(st.sampled_from(documents))
        sensitive = draw(st.one_of(st.none(), st.lists(st.sampled_from(["A", "Key", "A.Environment"]))))
        documents.append(
            ResourceDocument(
                resource=Resource(
                    type="AWS::SageMaker::Model",
                    name=f"r{index}",
                    tags=draw(
                        st.dictionaries(st.sampled_from(["k", "token"]), st.text(max_size=4), max_size=2)
                    ),
                    properties=draw(st.dictionaries(_KEYS, _VALUES, max_size=4)),
                ),
                related=related,
                context=Context(
                    location=Location(file="t.yaml", line=index + 1),
                    unknown=draw(st.lists(st.sampled_from(["A", "B.C"]), max_size=2)),
                    sensitive_paths=sensitive,
                ),
            )
        )
    return documents


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_batches(), st.booleans())
def test_generated_documents(documents: list[ResourceDocument], reverse: bool) -> None:
    assert_same_as_general_path(documents[::-1] if reverse else documents)
