"""Portability: the whole bundle gives identical findings (messages included) under regorus and OPA Go.

The documents are every input the adapters build from the suite's fixtures, examples, the shared corpus
and samples, hook requests, the source-parity requests and benchmark templates, plus seeded random
mutations of them (tests/engine_corpus.py). OPA Go is the real OPA engine in process
(`opa-golib-python-bindings`, see .ci/run); without it these tests skip locally and fail in CI.
"""

from __future__ import annotations

import json

import pytest
from engine_corpus import comparable, corpus_documents, mutations, require_opa_go

from guardrails.engine import PolicyBundle, create_evaluator

pytestmark = pytest.mark.slow  # thousands of seeded mutations through two engines

MUTATIONS = 3000
SEED = 20261202


@pytest.fixture(scope="module")
def engines():
    require_opa_go()
    bundle = PolicyBundle.load()
    return create_evaluator(bundle, "regorus"), create_evaluator(bundle, "opa-go")


@pytest.fixture(scope="module")
def documents(engines):
    documents = corpus_documents(engines[0])
    assert len(documents) > 250, "the corpus lost its inputs"
    return documents


def _differences(engines, documents):
    regorus, opa = engines
    left, right = regorus.evaluate_many(documents), opa.evaluate_many(documents)
    return [
        (document, comparable(a), comparable(b))
        for document, a, b in zip(documents, left, right, strict=True)
        if comparable(a) != comparable(b)
    ]


def _report(differences) -> str:
    document, a, b = differences[0]
    return (
        f"{len(differences)} documents differ; first:\n{json.dumps(document)[:3000]}\n"
        f"regorus: {a}\nopa-go:  {b}"
    )


def test_every_corpus_document_gets_the_same_findings_from_regorus_and_opa(engines, documents):
    differences = _differences(engines, documents)
    assert not differences, _report(differences)


def test_seeded_mutations_get_the_same_findings_from_regorus_and_opa(engines, documents):
    mutated = mutations(documents, MUTATIONS, SEED)
    assert sum(1 for d in mutated if d["context"].get("unknown")) > MUTATIONS // 10
    differences = _differences(engines, mutated)
    assert not differences, _report(differences)


def test_the_batched_opa_query_equals_one_query_per_document(engines, documents):
    opa = engines[1]
    sample = documents[:40] + mutations(documents, 60, SEED + 1)
    batched = [comparable(r) for r in opa.evaluate_many(sample)]
    single = [comparable(r) for r in opa._one_by_one(sample)]
    assert batched == single


def test_an_opa_error_fails_only_its_own_document(tmp_path):
    require_opa_go()
    (tmp_path / "conflict.rego").write_text(
        "package guardrails.rules.conflict\nimport rego.v1\n"
        "level := 1 if input.resource.properties.A\nlevel := 2 if input.resource.properties.B\n"
        'deny contains {"control": "X-01", "message": sprintf("level %d", [level])} if level\n',
        encoding="utf-8",
    )
    bundle = PolicyBundle.load([tmp_path])
    doc = lambda **p: {"resource": {"type": "T", "properties": p}, "context": {"unknown": []}}  # noqa: E731
    for backend in ("regorus", "opa-go"):
        results = create_evaluator(bundle, backend).evaluate_many([doc(A=1), doc(A=1, B=1), doc()])
        assert [f.message for f in results[0]] == ["level 1"], backend
        assert isinstance(results[1], Exception), backend
        assert results[2] == [], backend


def test_a_bundle_without_the_entry_point_is_an_error_under_both_engines(tmp_path):
    require_opa_go()
    (tmp_path / "x.rego").write_text(
        "package guardrails.rules.x\nimport rego.v1\ndeny := set()\n", encoding="utf-8"
    )
    bundle = PolicyBundle.load([tmp_path], include_default=False)
    for backend in ("regorus", "opa-go"):
        [result] = create_evaluator(bundle, backend).evaluate_many([{"resource": {"type": "T"}}])
        assert isinstance(result, Exception), backend
