"""One serialisation per document: the canonical text is the engine input and the digest's input."""

from __future__ import annotations

import json

import pytest

from guardrails.canonical import canonical_bytes, canonical_text
from guardrails.decider import Decider
from guardrails.decision import input_digest
from guardrails.documents import Context, Location, Resource, ResourceDocument


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": ["x", True, None, 0.5, -3], "é": {"z": "caf\u00e9 \u2028 \n \u0001"}},
        [],
        "text",
        {"nested": [{"k": 12345678901234}, 1e-3]},
    ],
)
def test_plain_text_is_the_canonical_form(value):
    text = canonical_text(value)
    assert text is not None
    assert text.encode("utf-8") == canonical_bytes(value)
    assert json.loads(text) == value


@pytest.mark.parametrize("value", [{"port": 8080.0}, {"w": [1.0, -2.0, 0.0, 0.5]}, {"x": {"n": 1e15}}])
def test_integral_floats_are_written_as_integers_as_rfc8785_does(value):
    text = canonical_text(value)
    assert text is not None
    assert text.encode("utf-8") == canonical_bytes(value)
    assert json.loads(text) == value  # the same JSON value: 8080 == 8080.0


@pytest.mark.parametrize(
    "value",
    [{"n": 2**60}, {"f": 1e20}, {"f": 1e-7}, {"s": "lone \udc80"}, {"f": float("nan")}, {1: "int key"}],
)
def test_values_the_standard_library_cannot_write_canonically_have_no_text(value):
    assert canonical_text(value) is None


def notebook(name: str, **properties) -> ResourceDocument:
    return ResourceDocument(
        resource=Resource(type="AWS::SageMaker::NotebookInstance", name=name, properties=properties),
        context=Context(point="pre-deploy", source="cloudformation", location=Location(file="t.yaml")),
    )


class SpyEvaluator:
    """The regorus evaluator, keeping the JSON texts the decider hands to it."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.version, self.bundle = inner, inner.name, inner.version, inner.bundle
        self.texts: list[str] = []

    def evaluate_many_json(self, texts):
        self.texts.extend(texts)
        return self.inner.evaluate_many_json(texts)


def test_decider_reuses_one_serialisation_and_gives_the_same_decisions():
    plain = Decider()
    spy = SpyEvaluator(plain.evaluator)
    reusing = Decider(evaluator=spy)
    docs = [
        notebook("simple", InstanceType="ml.t3.medium", DirectInternetAccess="Enabled"),
        notebook(
            "float", InstanceType="ml.t3.medium", VolumeSizeInGB=5.0
        ),  # 5.0: json.dumps is not canonical
        notebook("huge", InstanceType="ml.t3.medium", VolumeSizeInGB=2**70),
    ]
    got = reusing.decide_many(docs)
    assert [json.loads(t) for t in spy.texts] == [d.to_input() for d in docs]
    assert spy.texts[0].encode("utf-8") == canonical_bytes(docs[0].to_input())  # the canonical text itself
    assert spy.texts[1].encode("utf-8") == canonical_bytes(docs[1].to_input())  # 5.0 written 5, as RFC 8785
    assert '"VolumeSizeInGB":5}' in spy.texts[1]
    assert spy.texts[2] == json.dumps(docs[2].to_input())  # 2**70: rfc8785 refuses; json.dumps for the engine
    assert [d.input_digest for d in got] == [input_digest(d) for d in docs]
    expected = [plain.evaluator.evaluate(d.to_input()) for d in docs]
    assert [[(v.control, v.path, v.message) for v in d.violations] for d in got] == [
        sorted((f.control, f.path, f.message) for f in findings) for findings in expected
    ]
    assert got[0].verdict == "deny"
